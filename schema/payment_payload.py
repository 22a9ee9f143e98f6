"""The payload shared by completePayment, failPayment and cancelPendingChange."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from planswitch.domain.errors import UserError
from planswitch.resolvers.payments import PaymentResult
from planswitch.schema.errors import UserErrorType
from planswitch.schema.payments import PaymentNode

if TYPE_CHECKING:
    from planswitch.schema.memberships import MembershipNode

MembershipRef = Annotated["MembershipNode", strawberry.lazy("planswitch.schema.memberships")]


@strawberry.type(name="PaymentPayloadBase")
class PaymentPayload:
    """Fields of each of the three payloads (each mutation has its own type)."""

    payment: PaymentNode | None = strawberry.field(description="The payment, as it is now.")
    membership: MembershipRef | None = strawberry.field(
        description="Its membership, as it is now (the new plan and limits once applied)."
    )
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why nothing was changed (empty on success)."
    )

    @classmethod
    def of(cls, result: PaymentResult) -> PaymentPayload:
        from planswitch.schema.memberships import MembershipNode

        membership = result.membership
        return cls(
            payment=PaymentNode.from_domain(result.payment) if result.payment else None,
            membership=MembershipNode.from_domain(membership) if membership else None,
            user_errors=[UserErrorType.from_domain(e) for e in result.user_errors],
        )

    @classmethod
    def error(cls, error: UserError) -> PaymentPayload:
        return cls.of(PaymentResult(user_errors=[error]))
