"""Who is calling: an operator (API key), a customer (signed token) or anonymous.

Customer tokens are ``c.<customer id>.<signature>``, the signature an HMAC-SHA256 of the
id under ``settings.secret_key``; ``planswitch token --customer <id>`` issues them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from planswitch.resolvers.context import Viewer
from planswitch.server.settings import Settings

_PREFIX = "c"


class InvalidToken(Exception):
    """The Authorization header names a key or token this server does not accept."""


def issue_customer_token(customer_id: int, secret_key: str) -> str:
    """A bearer token that identifies ``customer_id`` to this server."""
    return f"{_PREFIX}.{customer_id}.{_sign(customer_id, secret_key)}"


def viewer_from_header(header: str | None, settings: Settings) -> Viewer:
    """Map an ``Authorization`` header to a viewer; raises ``InvalidToken`` for a bad one.

    No header: anonymous, except in demo mode where anonymous acts as an operator so
    GraphiQL works out of the box.
    """
    if not header:
        return Viewer.operator() if settings.demo else Viewer.anonymous()
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise InvalidToken("Use 'Authorization: Bearer <api key or customer token>'.")
    if any(hmac.compare_digest(credential, key) for key in settings.api_keys):
        return Viewer.operator()
    customer_id = _verify_customer_token(credential, settings.secret_key)
    if customer_id is None:
        raise InvalidToken("The bearer token is not valid.")
    return Viewer.customer(customer_id)


def _verify_customer_token(token: str, secret_key: str) -> int | None:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _PREFIX or not parts[1].isdigit():
        return None
    customer_id = int(parts[1])
    if not hmac.compare_digest(parts[2], _sign(customer_id, secret_key)):
        return None
    return customer_id


def _sign(customer_id: int, secret_key: str) -> str:
    digest = hmac.new(
        secret_key.encode(), f"customer:{customer_id}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
