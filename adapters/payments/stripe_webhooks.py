"""Stripe webhook events: signature check and what a PaymentIntent event says.

Stripe signs every delivery (``Stripe-Signature: t=...,v1=...``, an HMAC-SHA256 of
``t.payload`` with the endpoint's secret). The SDK's ``Webhook.construct_event`` checks it
and refuses a timestamp older than the tolerance, so a captured delivery cannot be replayed
later (docs.stripe.com/webhooks#verify-events). Only the PaymentIntent events planswitch
opened are read; any other event type is acknowledged and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe
from planswitch.adapters.payments.stripe import (
    META_MEMBERSHIP,
    META_PAYMENT,
    charge_id,
    customer_id,
)
from planswitch.domain.payment_provider import ProviderState

# Stripe's own default tolerance for the signed timestamp.
TOLERANCE_SECONDS = 300

EVENT_STATES = {
    "payment_intent.succeeded": ProviderState.COMPLETED,
    "payment_intent.payment_failed": ProviderState.FAILED,
    "payment_intent.canceled": ProviderState.CANCELLED,
}


class InvalidWebhook(Exception):
    """Not a delivery signed by Stripe with our secret, or too old, or not an event."""


@dataclass(frozen=True)
class PaymentIntentEvent:
    """What one PaymentIntent event tells about a planswitch payment."""

    event_id: str
    type: str
    state: ProviderState
    intent_id: str
    payment_id: int | None  # from the intent's metadata; None: not opened by planswitch
    membership_id: int | None
    reason: str = ""
    customer_id: str = ""  # the Stripe customer charged
    charge_id: str = ""  # the charge that paid it (a succeeded intent)


def parse_event(
    payload: bytes, signature: str | None, secret: str, tolerance: int = TOLERANCE_SECONDS
) -> PaymentIntentEvent | None:
    """The verified event, or None for an event type planswitch does not handle.

    Raises:
        InvalidWebhook: missing, forged or stale signature; a body that is not an event.
    """
    if not signature or not secret:
        raise InvalidWebhook("missing Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance)
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(str(error)) from error
    except ValueError as error:
        raise InvalidWebhook("the body is not a Stripe event") from error
    state = EVENT_STATES.get(event.type)
    if state is None:
        return None
    intent = event.data.object
    metadata = getattr(intent, "metadata", None) or {}
    failure = getattr(intent, "last_payment_error", None)
    reason = (getattr(failure, "message", None) or "") if failure else ""
    return PaymentIntentEvent(
        event_id=event.id,
        type=event.type,
        state=state,
        intent_id=intent.id,
        payment_id=_int(metadata, META_PAYMENT),
        membership_id=_int(metadata, META_MEMBERSHIP),
        reason=reason,
        customer_id=customer_id(intent),
        charge_id=charge_id(intent),
    )


def _int(metadata: object, key: str) -> int | None:
    try:
        value = metadata[key]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
