"""Signing webhook deliveries as Stripe does (docs.stripe.com/webhooks#verify-manually)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header for ``payload`` signed at ``timestamp`` (now)."""
    at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def intent_event(
    event_id: str,
    event_type: str,
    intent_id: str,
    metadata: dict[str, str],
    status: str = "succeeded",
    error: str | None = None,
) -> bytes:
    """A PaymentIntent event body shaped like Stripe's."""
    intent: dict[str, Any] = {
        "id": intent_id,
        "object": "payment_intent",
        "status": status,
        "metadata": metadata,
        "last_payment_error": {"message": error, "code": "card_declined"} if error else None,
    }
    event = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": intent},
    }
    return json.dumps(event).encode()
