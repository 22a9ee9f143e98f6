"""The ``manual`` provider: money is collected outside planswitch.

An operator records the result with ``completePayment`` / ``failPayment`` (or
``planswitch payments complete|fail ID``). There is nothing to open, cancel or ask: a
payment is pending until the operator says otherwise, and cancelling it needs no call.
It bills no recurring subscription of its own, so it has nothing to keep in step.
"""

from __future__ import annotations

from datetime import datetime

from planswitch.domain.customers import Customer
from planswitch.domain.memberships import Membership
from planswitch.domain.payment_provider import (
    GatewaySyncUnavailable,
    OpenedPayment,
    PaymentAction,
    ProviderPayment,
    ProviderState,
)
from planswitch.domain.payments import Payment

NAME = "manual"

# The payment's own state is the truth for a manual payment: what the operator recorded.
_STATES = {
    "completed": ProviderState.COMPLETED,
    "failed": ProviderState.FAILED,
    "cancelled": ProviderState.CANCELLED,
}


class ManualProvider:
    """``PaymentProvider`` for money collected by hand (the embedded demo's default)."""

    name = NAME

    def open(
        self, payment: Payment, membership: Membership, customer: Customer, idempotency_key: str
    ) -> OpenedPayment:
        del membership, customer, idempotency_key  # nothing to create anywhere
        return OpenedPayment(action=PaymentAction(provider=NAME), gateway=NAME)

    def cancel(self, payment: Payment) -> ProviderPayment:
        if payment.status.value == "completed":
            return ProviderPayment(ProviderState.COMPLETED, payment.gateway_payment_id)
        return ProviderPayment(ProviderState.CANCELLED, payment.gateway_payment_id)

    def status(self, payment: Payment) -> ProviderPayment:
        state = _STATES.get(payment.status.value, ProviderState.PENDING)
        return ProviderPayment(state, payment.gateway_payment_id)

    def can_sync_subscription(self, membership: Membership) -> bool:
        del membership
        return False

    def sync_subscription(
        self, before: Membership, after: Membership, next_charge: datetime | None = None
    ) -> None:
        del after, next_charge
        raise GatewaySyncUnavailable(before.gateway or NAME)

    def open_subscription(
        self, membership: Membership, payment: Payment, first_charge: datetime
    ) -> str:
        # Money recorded by hand leaves no card to bill later.
        del payment, first_charge
        raise GatewaySyncUnavailable(membership.gateway or NAME)
