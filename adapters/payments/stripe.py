"""The ``stripe`` payment provider: a PaymentIntent per pending payment, through Stripe's SDK.

- ``open`` creates one PaymentIntent for the payment's total (Stripe's integer units, see
  ``stripe_amounts``) on the customer's Stripe customer, with planswitch's ids in its
  metadata, and returns its client secret for Stripe.js / the Payment Element. Stripe's
  idempotency keys are derived from planswitch's, so a retried ``open`` (even one whose
  answer was lost) gets the same customer and PaymentIntent back
  (docs.stripe.com/api/idempotent_requests).
- ``cancel`` and ``status`` read the PaymentIntent and translate its status
  (docs.stripe.com/payments/paymentintents/lifecycle).
- ``sync_subscription`` points a Stripe subscription at what the membership's next renewal
  bills (``domain.gateway_sync.renewal_charge``: a scheduled change's amount once one is
  waiting), with ``proration_behavior: none``: planswitch already charged the prorated part
  (the plugin's own update does the same,
  ``inc/gateways/class-base-stripe-gateway.php:685-820``). When a paid change started a new
  period, the next charge moves to the instant the payment's rules give
  (``domain/subscription_dates.py``); when another change starts a period or interval, to
  the membership's expiration (``trial_end``, ``next_charge_at``); a renewal of 0 ends the
  subscription with the paid period (docs/wordpress.md §11.5).
- ``open_subscription`` opens one for a membership that auto-renews without one, on the
  customer a payment charged, as the plugin's checkout does for an auto-renewing cart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import stripe
from planswitch.adapters.payments.stripe_amounts import UnchargeableAmount, to_stripe_amount
from planswitch.domain.customers import Customer
from planswitch.domain.gateway_sync import RenewalCharge, renewal_charge
from planswitch.domain.memberships import Membership
from planswitch.domain.payment_provider import (
    GatewaySyncUnavailable,
    OpenedPayment,
    PaymentAction,
    PaymentProviderUnavailable,
    ProviderPayment,
    ProviderState,
)
from planswitch.domain.payments import Payment

logger = logging.getLogger("planswitch.payments.stripe")

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses  # the type StripeClient takes

GATEWAY = "stripe"
# The plugin's Stripe gateways (Base_Stripe_Gateway::$other_ids): memberships whose
# customer and subscription ids are Stripe's.
STRIPE_GATEWAYS = frozenset({"stripe", "stripe-checkout"})
# Metadata keys on every PaymentIntent and customer planswitch creates.
META_PAYMENT = "planswitch_payment_id"
META_MEMBERSHIP = "planswitch_membership_id"
META_CUSTOMER = "planswitch_customer_id"

# PaymentIntent statuses Stripe lets us cancel (docs.stripe.com/api/payment_intents/cancel);
# a declined intent waits in requires_payment_method and is cancelled too, so it can no
# longer be paid for a change that was discarded.
CANCELLABLE = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}
)

T = TypeVar("T")


class StripeProvider:
    """The payment port over Stripe (``PLANSWITCH_PAYMENT_PROVIDER=stripe``)."""

    name = GATEWAY

    def __init__(
        self, secret_key: str, *, api_base: str | None = None, max_network_retries: int = 2
    ) -> None:
        if not secret_key:
            raise ValueError("PLANSWITCH_STRIPE_SECRET_KEY is required for the stripe provider")
        base: BaseAddresses | None = {"api": api_base.rstrip("/")} if api_base else None
        self.client = stripe.StripeClient(
            secret_key, base_addresses=base, max_network_retries=max_network_retries
        )

    # ------------------------------------------------------------------------ port
    def open(
        self, payment: Payment, membership: Membership, customer: Customer, idempotency_key: str
    ) -> OpenedPayment:
        try:
            amount = to_stripe_amount(payment.total, payment.currency)
        except UnchargeableAmount as error:
            raise PaymentProviderUnavailable(str(error)) from error
        if payment.gateway_payment_id.startswith("pi_"):
            # Already opened (our own reference): hand out the same PaymentIntent.
            intent = self._call(
                lambda: self.client.v1.payment_intents.retrieve(payment.gateway_payment_id)
            )
            return self._opened(intent, created_customer="")
        customer_id, created = self._customer_for(membership, customer, idempotency_key)
        params: dict[str, Any] = {
            "amount": amount,
            "currency": payment.currency.lower(),
            "customer": customer_id,
            # Keep the card for the subscription's later charges, as the plugin's intents do
            # (inc/gateways/class-stripe-gateway.php:362): a membership without a
            # subscription gets one once this is paid (open_subscription).
            "setup_future_usage": "off_session",
            "metadata": {
                META_PAYMENT: str(payment.id),
                META_MEMBERSHIP: str(membership.id),
                META_CUSTOMER: str(customer.id),
            },
        }
        intent = self._call(
            lambda: self.client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": stripe_key(idempotency_key, "payment_intent")},
            )
        )
        if intent.metadata[META_PAYMENT] != str(payment.id):
            # Stripe replayed an intent opened for a payment row that was rolled back
            # (the same idempotency key, retried): point it at the payment stored now.
            intent = self._call(
                lambda: self.client.v1.payment_intents.update(
                    intent.id, params={"metadata": params["metadata"]}
                )
            )
        return self._opened(intent, created_customer=customer_id if created else "")

    def cancel(self, payment: Payment) -> ProviderPayment:
        intent_id = payment.gateway_payment_id
        if not intent_id.startswith("pi_"):
            return ProviderPayment(ProviderState.CANCELLED)  # never reached Stripe
        intent = self._retrieve(intent_id)
        if intent.status in CANCELLABLE:
            try:
                intent = self.client.v1.payment_intents.cancel(intent_id)
            except stripe.InvalidRequestError:
                # It changed between the read and the cancel (paid a moment ago, or
                # cancelled by another process): what it is now is the answer.
                intent = self._retrieve(intent_id)
            except stripe.StripeError as error:
                raise PaymentProviderUnavailable(str(error)) from error
        return _state(intent)

    def status(self, payment: Payment) -> ProviderPayment:
        if not payment.gateway_payment_id.startswith("pi_"):
            return ProviderPayment(ProviderState.PENDING)
        return _state(self._retrieve(payment.gateway_payment_id))

    def can_sync_subscription(self, membership: Membership) -> bool:
        return (
            membership.gateway in STRIPE_GATEWAYS
            and membership.gateway_subscription_id.startswith("sub_")
            and membership.auto_renew
            and membership.is_recurring
        )

    def sync_subscription(
        self, before: Membership, after: Membership, next_charge: datetime | None = None
    ) -> None:
        if not (self.can_sync_subscription(before) or self.can_sync_subscription(after)):
            raise GatewaySyncUnavailable(after.gateway)
        target, current = renewal_charge(after), renewal_charge(before)
        # A paid change that started a new period charges next when the plugin's own new
        # subscription would (domain/subscription_dates.py), not at the stored expiration.
        anchor = next_charge_at(before, after) if next_charge is None else _unix(next_charge)
        if target == current and anchor is None:
            return  # the subscription already bills this, on this date
        params: dict[str, Any] = {
            "proration_behavior": "none",
            "metadata": {META_MEMBERSHIP: str(after.id)},
        }
        if target.amount <= 0:
            # Nothing to bill from the next renewal on (a free plan): the subscription ends
            # when the paid period does, as the plugin cancels a replaced gateway
            # subscription (inc/models/class-membership.php:2506-2522).
            params["cancel_at_period_end"] = True
        else:
            if current.amount <= 0:
                params["cancel_at_period_end"] = False  # a cancelled switch to free
            if target != current:
                params["items"] = self._items(after, target)
            if anchor is not None:
                params["trial_end"] = anchor
        self._call(
            lambda: self.client.v1.subscriptions.update(
                after.gateway_subscription_id,
                params=params,  # type: ignore[arg-type]  # items: plain dicts of the documented keys
            )
        )

    def open_subscription(
        self, membership: Membership, payment: Payment, first_charge: datetime
    ) -> str:
        """A subscription on the customer ``payment`` charged, as the plugin's checkout
        creates one for an auto-renewing cart (``create_recurring_payment``,
        ``inc/gateways/class-base-stripe-gateway.php:1013-1231``): one item billing the
        membership's recurring amount and period, the card that paid as its
        ``default_payment_method``, ``proration_behavior: none``, and no charge before
        ``first_charge`` (``trial_end``; the plugin's own fallback when an anchor is not
        possible, ``:1084-1085``, and what a subscription update uses too). The idempotency
        key is the paid charge's, so a retried settlement gets the same subscription."""
        customer = membership.gateway_customer_id
        if not customer.startswith("cus_") or not payment.gateway_payment_id:
            raise GatewaySyncUnavailable(GATEWAY)
        params: dict[str, Any] = {
            "customer": customer,
            "items": [{"price": self._recurring_price(renewal_charge(membership))}],
            "proration_behavior": "none",
            "trial_end": _unix(first_charge),
            "metadata": {
                META_PAYMENT: str(payment.id),
                META_MEMBERSHIP: str(membership.id),
                META_CUSTOMER: str(membership.customer_id),
            },
        }
        method = self._payment_method(payment.gateway_payment_id)
        if method:
            params["default_payment_method"] = method
        key = stripe_key(payment.gateway_payment_id, "subscription")
        subscription = self._call(
            lambda: self.client.v1.subscriptions.create(
                params=params,  # type: ignore[arg-type]  # items: plain dicts of the documented keys
                options={"idempotency_key": key},
            )
        )
        return subscription.id

    def _payment_method(self, paid_id: str) -> str:
        """The payment method that paid (a charge's, or an intent's), or ""."""
        if paid_id.startswith("ch_"):
            charge = self._call(lambda: self.client.v1.charges.retrieve(paid_id))
            return _id_of(getattr(charge, "payment_method", None))
        if paid_id.startswith("pi_"):
            return _id_of(getattr(self._retrieve(paid_id), "payment_method", None))
        return ""

    def _items(self, membership: Membership, target: RenewalCharge) -> list[dict[str, Any]]:
        """One item billing ``target`` (the membership's whole recurring amount); the
        subscription's other items go."""
        subscription = self._call(
            lambda: self.client.v1.subscriptions.retrieve(membership.gateway_subscription_id)
        )
        items = list(subscription["items"].data)
        if not items:
            raise GatewaySyncUnavailable(membership.gateway)
        first: dict[str, Any] = {"id": items[0].id, "price": self._recurring_price(target)}
        return [first] + [{"id": item.id, "deleted": True} for item in items[1:]]

    # --------------------------------------------------------------------- helpers
    def _customer_for(
        self, membership: Membership, customer: Customer, idempotency_key: str
    ) -> tuple[str, bool]:
        """The membership's Stripe customer, or a new one. True when it was created."""
        existing = membership.gateway_customer_id
        if membership.gateway in STRIPE_GATEWAYS and existing.startswith("cus_"):
            return existing, False
        params: dict[str, Any] = {"metadata": {META_CUSTOMER: str(customer.id)}}
        if customer.email:
            params["email"] = customer.email
        if customer.display_name:
            params["name"] = customer.display_name
        created = self._call(
            lambda: self.client.v1.customers.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": stripe_key(idempotency_key, "customer")},
            )
        )
        return created.id, True

    def _recurring_price(self, charge: RenewalCharge) -> str:
        """A Stripe plan (usable as a price) for a recurring charge.

        Plans are immutable, so the id names amount, currency and period and is reused."""
        currency = charge.currency.lower()
        amount = to_stripe_amount(charge.amount, charge.currency)
        period = charge.period
        plan_id = f"planswitch-{currency}-{amount}-{period.duration}-{period.unit.value}"
        existing = self._plan(plan_id)
        if existing:
            return existing
        try:
            return self.client.v1.plans.create(
                params={
                    "id": plan_id,
                    "amount": amount,
                    "currency": currency,
                    "interval": period.unit.value,
                    "interval_count": period.duration,
                    "product": {"name": f"Membership ({charge.amount} {currency.upper()})"},
                },
            ).id
        except stripe.StripeError as error:
            # Created by a concurrent sync a moment ago, or a real failure.
            existing = self._plan(plan_id)
            if existing:
                return existing
            raise PaymentProviderUnavailable(str(error)) from error

    def _plan(self, plan_id: str) -> str:
        """The plan's id when it exists, else ""."""
        try:
            return self.client.v1.plans.retrieve(plan_id).id
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return ""
            raise PaymentProviderUnavailable(str(error)) from error
        except stripe.StripeError as error:
            raise PaymentProviderUnavailable(str(error)) from error

    def _retrieve(self, intent_id: str) -> stripe.PaymentIntent:
        return self._call(lambda: self.client.v1.payment_intents.retrieve(intent_id))

    def _opened(self, intent: stripe.PaymentIntent, *, created_customer: str) -> OpenedPayment:
        return OpenedPayment(
            action=PaymentAction(provider=GATEWAY, client_secret=intent.client_secret),
            gateway=GATEWAY,
            gateway_payment_id=intent.id,
            gateway_customer_id=created_customer,
        )

    @staticmethod
    def _call(request: Callable[[], T]) -> T:
        try:
            return request()
        except stripe.StripeError as error:
            logger.warning("Stripe request failed: %s", error)
            raise PaymentProviderUnavailable(str(error)) from error


def stripe_key(idempotency_key: str, purpose: str) -> str:
    """Stripe's idempotency key for one request made for a payment: while opening it
    (planswitch's key), or once it is paid (the charge's id, ``open_subscription``).

    >>> stripe_key("a1b2", "payment_intent")
    'planswitch:a1b2:payment_intent'
    """
    return f"planswitch:{idempotency_key}:{purpose}"


def next_charge_at(before: Membership, after: Membership) -> int | None:
    """When the subscription must charge next, as a Unix time, if the change moves it.

    An upgrade starts a new period at once (docs/plan-changes.md §3.6) and planswitch has
    charged for it, so Stripe's next invoice moves to the membership's new expiration. A
    new billing interval also needs it: Stripe would otherwise invoice at once, and the
    current period is paid until the expiration. A subscription update cannot set a future
    billing anchor; ``trial_end`` moves the next charge without charging now
    (docs.stripe.com/billing/subscriptions/billing-cycle#changing). None when neither
    happens (add-on purchases, same-interval scheduled changes) or there is no expiration.
    """
    expiration = after.date_expiration
    if expiration is None:
        return None
    moved = expiration != before.date_expiration
    new_interval = renewal_charge(before).period != renewal_charge(after).period
    return _unix(expiration) if moved or new_interval else None


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def _id_of(value: Any) -> str:
    """An object reference: an id, or the object itself when expanded (a dict for some
    test servers)."""
    if value is None or isinstance(value, str):
        return value or ""
    found = value.get("id") if isinstance(value, dict) else getattr(value, "id", "")
    return str(found or "")


def customer_id(intent: Any) -> str:
    """The Stripe customer an intent charges."""
    return _id_of(getattr(intent, "customer", None))


def charge_id(intent: Any) -> str:
    """The charge that paid a succeeded intent (``latest_charge``), or ""."""
    return _id_of(getattr(intent, "latest_charge", None))


def _state(intent: Any) -> ProviderPayment:
    """What a PaymentIntent's status means for the pending payment
    (docs.stripe.com/payments/paymentintents/lifecycle)."""
    status = intent.status
    if status == "succeeded":
        # A paid payment keeps the charge's id, as the plugin's Stripe gateway stores it: its
        # refund takes only a charge (or invoice) id (docs/wordpress.md §11.5).
        paid = charge_id(intent) or intent.id
        return ProviderPayment(
            ProviderState.COMPLETED, paid, gateway_customer_id=customer_id(intent)
        )
    if status == "canceled":
        return ProviderPayment(ProviderState.CANCELLED, intent.id)
    error = getattr(intent, "last_payment_error", None)
    if status == "requires_payment_method" and error:
        # A declined attempt: the customer could retry on the same intent, but planswitch
        # discards the change (checkout lifecycle); the caller cancels the intent.
        reason = getattr(error, "message", None) or getattr(error, "code", None) or "declined"
        return ProviderPayment(ProviderState.FAILED, intent.id, reason=reason)
    return ProviderPayment(ProviderState.PENDING, intent.id)
