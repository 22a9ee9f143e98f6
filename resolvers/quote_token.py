"""Quote tokens: a signed summary of a quote that ``changePlan`` checks at commit time.

Token = base64url(JSON payload) + "." + base64url(HMAC-SHA256(secret, payload)). The payload
pins the request (its fingerprint), the instant it was quoted at, and the amounts the
customer saw. At commit the change is re-quoted at the commit instant; if the amounts differ
from the token's, the commit is refused with ``QUOTE_EXPIRED`` (the customer must see the
new price before paying it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from planswitch.domain.errors import ErrorCode, UserError
from planswitch.domain.plan_change import PlanChangeRequest, Quote
from planswitch.resolvers.idempotency import canonical_hash, request_fingerprint

FIELD = "quoteToken"
VERSION = 1


@dataclass(frozen=True)
class TokenClaims:
    fingerprint: str
    as_of: str
    change_kind: str
    due_now: str
    next_billing_amount: str | None
    next_billing_date: str | None
    currency: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def _claims(request: PlanChangeRequest, quote: Quote, as_of: datetime) -> dict[str, Any]:
    return {
        "v": VERSION,
        "fingerprint": canonical_hash(request_fingerprint(request)),
        "as_of": as_of.isoformat(),
        "change_kind": quote.change_kind.value,
        "due_now": str(quote.due_now),
        "next_billing_amount": (
            None if quote.next_billing_amount is None else str(quote.next_billing_amount)
        ),
        "next_billing_date": quote.next_billing_date.isoformat()
        if quote.next_billing_date
        else None,
        "currency": quote.currency,
    }


def issue(request: PlanChangeRequest, quote: Quote, as_of: datetime, secret: str) -> str:
    """Sign a token for ``quote`` (computed for ``request`` at ``as_of``)."""
    body = _b64(
        json.dumps(_claims(request, quote, as_of), sort_keys=True, separators=(",", ":")).encode()
    )
    return f"{body}.{_sign(secret, body)}"


def decode(token: str, secret: str) -> TokenClaims | UserError:
    """The token's claims, or an INVALID_INPUT error when it is malformed or not ours."""
    invalid = UserError(
        ErrorCode.INVALID_INPUT,
        "This quote token is not valid; request a new quote and use the token it returns.",
        FIELD,
    )
    body, dot, signature = token.strip().partition(".")
    if not dot or not body or not signature:
        return invalid
    if not hmac.compare_digest(_sign(secret, body), signature):
        return invalid
    try:
        data = json.loads(_unb64(body))
        return TokenClaims(
            fingerprint=data["fingerprint"],
            as_of=data["as_of"],
            change_kind=data["change_kind"],
            due_now=data["due_now"],
            next_billing_amount=data["next_billing_amount"],
            next_billing_date=data["next_billing_date"],
            currency=data["currency"],
        )
    except (ValueError, KeyError, TypeError, ArithmeticError, binascii.Error):
        return invalid


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def verify(token: str, request: PlanChangeRequest, fresh: Quote, secret: str) -> UserError | None:
    """Check ``token`` against the commit-time quote ``fresh``; None when it still holds.

    A token issued for another request is INVALID_INPUT; a token whose amounts (change
    kind, due now, next billing amount, currency) differ from the fresh quote is
    QUOTE_EXPIRED. Dates are not compared: an upgrade's next billing date moves with the
    clock, but what the customer pays does not unless the amounts move too.
    """
    claims = decode(token, secret)
    if isinstance(claims, UserError):
        return claims
    if claims.fingerprint != canonical_hash(request_fingerprint(request)):
        return UserError(
            ErrorCode.INVALID_INPUT,
            "This quote token was issued for a different change; request a quote for this one.",
            FIELD,
        )
    seen = (
        claims.change_kind,
        Decimal(claims.due_now),
        _amount(claims.next_billing_amount),
        claims.currency,
    )
    current = (fresh.change_kind.value, fresh.due_now, fresh.next_billing_amount, fresh.currency)
    if seen != current:
        return UserError(
            ErrorCode.QUOTE_EXPIRED,
            "The price of this change has changed since it was quoted; "
            "please review the new quote and confirm again.",
            FIELD,
        )
    return None
