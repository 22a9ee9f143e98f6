"""The payment-provider port: what a provider must do for the pending-change lifecycle.

A plan change with something due waits for its payment (docs: the checkout lifecycle). The
lifecycle only needs a provider to open a payment for a pending change, cancel it, tell its
current state, and (for providers that bill renewals themselves) keep a recurring
subscription in step with an applied change. Adapters implement it (``manual``, ``stripe``);
completions and failures come back through the use cases (operator mutations, webhooks,
reconcile), never from inside the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from planswitch.domain.customers import Customer
from planswitch.domain.memberships import Membership
from planswitch.domain.payments import Payment


class ProviderState(str, Enum):
    """What the provider says about a payment it opened."""

    PENDING = "pending"  # not paid yet (waiting for the customer or the operator)
    COMPLETED = "completed"  # paid
    FAILED = "failed"  # declined; will not be paid
    CANCELLED = "cancelled"  # cancelled at the provider; will not be paid


@dataclass(frozen=True)
class PaymentAction:
    """What a frontend needs to pay a pending payment."""

    provider: str
    client_secret: str | None = None  # e.g. a Stripe PaymentIntent's client secret
    pay_url: str | None = None  # e.g. the plugin's "Pay Now" page


@dataclass(frozen=True)
class OpenedPayment:
    """The provider's answer to ``open``: how to pay, and its own references to store."""

    action: PaymentAction
    gateway: str  # stored on the payment (the plugin's ``gateway`` column)
    gateway_payment_id: str = ""  # e.g. the PaymentIntent id
    gateway_customer_id: str = ""  # set when the provider created the customer


@dataclass(frozen=True)
class ProviderPayment:
    """The provider's current view of one payment."""

    state: ProviderState
    gateway_payment_id: str = ""
    reason: str = ""  # why it failed, when it did
    # The gateway customer the payment was charged to (e.g. the PaymentIntent's Stripe
    # customer): stored on the membership when the payment applies its change.
    gateway_customer_id: str = ""


class PaymentProviderUnavailable(Exception):
    """The provider could not be reached or answered an error; retrying later is safe."""


class GatewaySyncUnavailable(Exception):
    """The membership renews through a gateway this provider cannot update."""

    def __init__(self, gateway: str) -> None:
        super().__init__(gateway)
        self.gateway = gateway


class PaymentProvider(Protocol):
    name: str

    def open(
        self, payment: Payment, membership: Membership, customer: Customer, idempotency_key: str
    ) -> OpenedPayment:
        """Start collecting ``payment`` (already stored, PENDING). Safe to retry with the
        same ``idempotency_key``. Raises ``PaymentProviderUnavailable``."""
        ...

    def cancel(self, payment: Payment) -> ProviderPayment:
        """Cancel collection. Returns the state afterwards: COMPLETED when the payment was
        already paid (the caller must then apply, not discard). Raises
        ``PaymentProviderUnavailable``."""
        ...

    def status(self, payment: Payment) -> ProviderPayment:
        """The provider's current state of ``payment`` (reconcile). Raises
        ``PaymentProviderUnavailable``."""
        ...

    def can_sync_subscription(self, membership: Membership) -> bool:
        """True when this provider can update the recurring subscription ``membership``
        renews through (``gateway`` + ``gateway_subscription_id``, auto-renew on)."""
        ...

    def sync_subscription(
        self, before: Membership, after: Membership, next_charge: datetime | None = None
    ) -> None:
        """Make the gateway subscription bill ``after``'s recurring items from the next
        renewal on, without prorating again, and bill next at ``next_charge`` when given
        (a paid change that started a new period, ``domain.gateway_payment``), else on
        ``after.date_expiration`` when the change started a new period. Raises
        ``GatewaySyncUnavailable`` or ``PaymentProviderUnavailable``."""
        ...

    def open_subscription(
        self, membership: Membership, payment: Payment, first_charge: datetime
    ) -> str:
        """Open a gateway subscription billing ``membership``'s recurring amount on the
        customer ``payment`` (completed, collected by this provider) charged, first charging
        at ``first_charge``; returns its id. The same payment always gets the same
        subscription back. Raises ``GatewaySyncUnavailable`` (this provider opens none) or
        ``PaymentProviderUnavailable``."""
        ...
