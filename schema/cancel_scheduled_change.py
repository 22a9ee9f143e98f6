"""The ``cancelScheduledChange`` mutation: drop a membership's pending change."""

from __future__ import annotations

import strawberry
from planswitch.domain.errors import DomainError
from planswitch.resolvers import plan_change as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.errors import UserErrorType, user_errors
from planswitch.schema.memberships import MembershipNode
from planswitch.schema.node import decode_global_id


@strawberry.input(description="Which membership's scheduled change to cancel.")
class CancelScheduledChangeInput:
    membership_id: strawberry.ID = strawberry.field(
        description="Global id of the membership (a databaseId string is accepted too)."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional: a retry with the same key changes nothing."
    )


@strawberry.type(description="Result of cancelScheduledChange.")
class CancelScheduledChangePayload:
    membership: MembershipNode | None = strawberry.field(
        description="The membership, without its scheduled change."
    )
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why nothing was changed (empty on success)."
    )


@strawberry.type
class CancelScheduledChangeMutation:
    @strawberry.mutation(description="Cancel the membership's scheduled change, if it has one.")
    async def cancel_scheduled_change(
        self, info: Info, input: CancelScheduledChangeInput
    ) -> CancelScheduledChangePayload:
        try:
            database_id = decode_global_id(input.membership_id, "Membership", "membershipId")
        except DomainError as error:
            return CancelScheduledChangePayload(
                membership=None, user_errors=user_errors([error.error])
            )
        result = await use_cases.cancel_scheduled_change(
            info.context, database_id, input.idempotency_key
        )
        membership = result.membership
        return CancelScheduledChangePayload(
            membership=MembershipNode.from_domain(membership) if membership else None,
            user_errors=user_errors(result.user_errors),
        )
