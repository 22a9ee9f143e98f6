"""``failPayment``: an operator records a payment as failed; its change is discarded."""

from __future__ import annotations

import strawberry
from planswitch.domain.errors import DomainError
from planswitch.resolvers import payments as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.node import decode_global_id
from planswitch.schema.payment_payload import PaymentPayload


@strawberry.input(description="A payment that will not be paid (operators).")
class FailPaymentInput:
    payment_id: strawberry.ID = strawberry.field(
        description="Global id of the payment (a databaseId string is accepted too)."
    )
    reason: str | None = strawberry.field(default=None, description="Why it failed.")


@strawberry.type(description="Result of failPayment.")
class FailPaymentPayload(PaymentPayload):
    pass


@strawberry.type
class FailPaymentMutation:
    @strawberry.mutation(
        description="Record a payment as failed (operators): its pending change is discarded "
        "and nothing else changes. Failing again changes nothing."
    )
    async def fail_payment(self, info: Info, input: FailPaymentInput) -> FailPaymentPayload:
        try:
            payment_id = decode_global_id(input.payment_id, "Payment", "paymentId")
        except DomainError as error:
            return FailPaymentPayload.error(error.error)
        result = await use_cases.fail_payment(info.context, payment_id, input.reason or "")
        return FailPaymentPayload.of(result)
