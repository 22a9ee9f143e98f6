"""``cancelPendingChange``: the owner or an operator drops a change waiting for payment."""

from __future__ import annotations

import strawberry
from planswitch.domain.errors import DomainError
from planswitch.resolvers import payments as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.node import decode_global_id
from planswitch.schema.payment_payload import PaymentPayload


@strawberry.input(description="Which membership's pending change to cancel.")
class CancelPendingChangeInput:
    membership_id: strawberry.ID = strawberry.field(
        description="Global id of the membership (a databaseId string is accepted too)."
    )


@strawberry.type(description="Result of cancelPendingChange.")
class CancelPendingChangePayload(PaymentPayload):
    pass


@strawberry.type
class CancelPendingChangeMutation:
    @strawberry.mutation(
        description="Drop the membership's change waiting for its payment (its owner or an "
        "operator): the payment is cancelled at its provider and marked CANCELLED. If the "
        "provider reports it already paid, the change is applied instead (PAYMENT_NOT_PENDING)."
    )
    async def cancel_pending_change(
        self, info: Info, input: CancelPendingChangeInput
    ) -> CancelPendingChangePayload:
        try:
            membership_id = decode_global_id(input.membership_id, "Membership", "membershipId")
        except DomainError as error:
            return CancelPendingChangePayload.error(error.error)
        result = await use_cases.cancel_pending_change(info.context, membership_id)
        return CancelPendingChangePayload.of(result)
