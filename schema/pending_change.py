"""PendingChange and PaymentAction: a committed change waiting for its payment (issue 8)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from planswitch.domain import payment_provider
from planswitch.domain.pending_change import PendingChange
from planswitch.resolvers.context import Info

if TYPE_CHECKING:
    from planswitch.schema.payments import PaymentNode
    from planswitch.schema.plan_change_quote import PlanChangeQuote

PaymentRef = Annotated["PaymentNode", strawberry.lazy("planswitch.schema.payments")]
QuoteRef = Annotated["PlanChangeQuote", strawberry.lazy("planswitch.schema.plan_change_quote")]


@strawberry.type(name="PaymentAction", description="What a frontend needs to pay a payment.")
class PaymentActionType:
    provider: str = strawberry.field(description='The provider collecting it, e.g. "manual".')
    client_secret: str | None = strawberry.field(
        description="For the provider's client library (e.g. a Stripe PaymentIntent secret)."
    )
    pay_url: str | None = strawberry.field(description="A page where the customer can pay.")

    @classmethod
    def from_domain(cls, action: payment_provider.PaymentAction | None) -> PaymentActionType | None:
        if action is None:
            return None
        return cls(
            provider=action.provider, client_secret=action.client_secret, pay_url=action.pay_url
        )


@strawberry.type(
    name="PendingChange",
    description="A committed change waiting for its payment: nothing moves until it is paid; "
    "it is discarded when the payment fails, is cancelled or expires.",
)
class PendingChangeNode:
    value: strawberry.Private[PendingChange]
    created_at: datetime = strawberry.field(description="When the change was committed (UTC).")
    expires_at: datetime = strawberry.field(
        description="Discarded if not paid by then (UTC; PLANSWITCH_PENDING_CHANGE_TTL_SECONDS)."
    )

    @strawberry.field(description="The quote as committed: it applies exactly so when paid.")
    def quote(self) -> QuoteRef:
        from planswitch.schema.plan_change_quote import PlanChangeQuote

        return PlanChangeQuote.from_domain(self.value.quote, None, [], self.value.created_at)

    @strawberry.field(description="The payment it waits for.")
    async def payment(self, info: Info) -> PaymentRef:
        from planswitch.schema.payments import PaymentNode

        payment = await info.context.loaders.payments_by_id.load(self.value.payment_id)
        assert payment is not None, "a pending change always has its payment"
        return PaymentNode.from_domain(payment)

    @strawberry.field(description="How to pay it (null once it is no longer waiting).")
    def payment_action(self) -> PaymentActionType | None:
        return PaymentActionType.from_domain(self.value.action) if self.value.is_pending else None

    @classmethod
    def from_domain(cls, change: PendingChange | None) -> PendingChangeNode | None:
        if change is None:
            return None
        return cls(value=change, created_at=change.created_at, expires_at=change.expires_at)
