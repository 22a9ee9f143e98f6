"""``completePayment``: an operator records a payment as paid; its change applies once."""

from __future__ import annotations

import strawberry
from planswitch.domain.errors import DomainError
from planswitch.resolvers import payments as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.node import decode_global_id
from planswitch.schema.payment_payload import PaymentPayload


@strawberry.input(description="A payment collected outside planswitch (operators).")
class CompletePaymentInput:
    payment_id: strawberry.ID = strawberry.field(
        description="Global id of the payment (a databaseId string is accepted too)."
    )
    gateway_payment_id: str | None = strawberry.field(
        default=None, description="The collector's reference for the money, if any."
    )


@strawberry.type(description="Result of completePayment.")
class CompletePaymentPayload(PaymentPayload):
    pass


@strawberry.type
class CompletePaymentMutation:
    @strawberry.mutation(
        description="Record a payment as paid (operators). Its pending change applies exactly "
        "as quoted, once: completing again changes nothing. A payment whose change was "
        "dropped applies it only if the membership is unchanged; else refundRequired."
    )
    async def complete_payment(
        self, info: Info, input: CompletePaymentInput
    ) -> CompletePaymentPayload:
        try:
            payment_id = decode_global_id(input.payment_id, "Payment", "paymentId")
        except DomainError as error:
            return CompletePaymentPayload.error(error.error)
        result = await use_cases.complete_payment(
            info.context, payment_id, input.gateway_payment_id or ""
        )
        return CompletePaymentPayload.of(result)
