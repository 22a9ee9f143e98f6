"""Idempotency keys with Stripe's semantics, and the JSON form of a committed result.

A committed ``changePlan`` stores ``IdempotencyRecord(key, request_hash, membership_id,
result)``. A retry with the same key and the same input gets the stored result back and
changes nothing; the same key with a different input is ``IDEMPOTENCY_KEY_REUSED``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from planswitch.domain.errors import ErrorCode, UserError
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import PlanChangeRequest, Quote
from planswitch.domain.ports import IdempotencyRecord
from planswitch.domain.quote_codec import (  # noqa: F401 - re-exported (moved to the domain)
    line_item_from_json,
    line_item_to_json,
    quote_from_json,
    quote_to_json,
)

KEY_REUSED_MESSAGE = (
    "This idempotency key was already used for a different request; use a new key for a new change."
)


def _period(period: BillingPeriod | None) -> list[Any] | None:
    return [period.duration, period.unit.value] if period else None


def request_fingerprint(request: PlanChangeRequest) -> dict[str, Any]:
    """The request as canonical JSON-able data (add-ons sorted, period normalised)."""
    return {
        "membership_id": request.membership_id,
        "plan_id": request.plan_id,
        "period": _period(request.period.normalised()) if request.period else None,
        "add_addons": sorted([a.product_id, a.quantity] for a in request.add_addons),
        "remove_addons": sorted([a.product_id, a.quantity] for a in request.remove_addons),
        "discount_code": (request.discount_code or "").strip().upper() or None,
    }


def canonical_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of ``data``."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def request_hash(
    request: PlanChangeRequest, as_of: datetime | None = None, operation: str = "changePlan"
) -> str:
    """Hash of the input minus the idempotency key and the quote token."""
    data = {"operation": operation, **request_fingerprint(request)}
    data["as_of"] = as_of.isoformat() if as_of else None
    return canonical_hash(data)


def replay_error(record: IdempotencyRecord, incoming_hash: str) -> UserError | None:
    """None when ``record`` may be replayed for this input, else IDEMPOTENCY_KEY_REUSED."""
    if record.request_hash == incoming_hash:
        return None
    return UserError(ErrorCode.IDEMPOTENCY_KEY_REUSED, KEY_REUSED_MESSAGE, "idempotencyKey")


def result_to_json(membership_id: int, payment_id: int | None, quote: Quote) -> dict[str, Any]:
    """The stored first result: ids to reload, and the quote as committed."""
    return {"membership_id": membership_id, "payment_id": payment_id, "quote": quote_to_json(quote)}
