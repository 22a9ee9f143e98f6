"""The ``changePlan`` mutation: commit a quoted change once per idempotency key
(docs/plan-changes.md §4)."""

from __future__ import annotations

import strawberry
from planswitch.resolvers import plan_change as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.errors import UserErrorType, user_errors
from planswitch.schema.memberships import MembershipNode
from planswitch.schema.payments import PaymentNode
from planswitch.schema.pending_change import PaymentActionType, PendingChangeNode
from planswitch.schema.plan_change_quote import PlanChangeInput, PlanChangeQuote, to_request
from planswitch.schema.scalars import utc


@strawberry.input(description="A change to commit: the quoted input plus an idempotency key.")
class ChangePlanInput(PlanChangeInput):
    idempotency_key: str = strawberry.field(
        description="Unique per intended change: a retry with the same key and input returns "
        "the first result and changes nothing; the same key with another input is refused."
    )
    quote_token: str | None = strawberry.field(
        default=None,
        description="The quoteToken of the quote shown to the customer: the commit is refused "
        "with QUOTE_EXPIRED if the amounts have changed since.",
    )


@strawberry.type(description="Result of changePlan.")
class ChangePlanPayload:
    membership: MembershipNode | None = strawberry.field(
        description="The membership after the change (its new plan and limits)."
    )
    payment: PaymentNode | None = strawberry.field(
        description="The payment created: pending when something is due, completed when "
        "nothing is (null for a scheduled change, which charges nothing)."
    )
    quote: PlanChangeQuote | None = strawberry.field(description="The quote that was applied.")
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why nothing was changed (empty on success)."
    )
    pending_change: PendingChangeNode | None = strawberry.field(
        default=None,
        description="Set when something is due: the change waits for `payment` and the "
        "membership does not move until it is paid.",
    )
    payment_action: PaymentActionType | None = strawberry.field(
        default=None, description="How to pay the pending change (null when nothing is due)."
    )


@strawberry.type
class ChangePlanMutation:
    @strawberry.mutation(
        description="Commit a change exactly as quoted, idempotent by idempotencyKey. Nothing "
        "due: applied or scheduled at once. Something due: it waits, as the membership's "
        "pendingChange, for its payment (paymentAction says how to pay); a new changePlan "
        "replaces it. asOf is refused (INVALID_INPUT)."
    )
    async def change_plan(self, info: Info, input: ChangePlanInput) -> ChangePlanPayload:
        request = to_request(input)
        if isinstance(request, list):
            return ChangePlanPayload(
                membership=None, payment=None, quote=None, user_errors=user_errors(request)
            )
        result = await use_cases.change_plan(
            info.context,
            request,
            input.idempotency_key,
            input.quote_token,
            as_of=utc(input.as_of) if input.as_of else None,
        )
        quote = result.quote
        membership, payment = result.membership, result.payment
        return ChangePlanPayload(
            membership=MembershipNode.from_domain(membership) if membership else None,
            payment=PaymentNode.from_domain(payment) if payment else None,
            quote=PlanChangeQuote.from_domain(quote, None, []) if quote else None,
            user_errors=user_errors(result.user_errors),
            pending_change=PendingChangeNode.from_domain(result.pending_change),
            payment_action=PaymentActionType.from_domain(result.payment_action),
        )
