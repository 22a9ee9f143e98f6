"""Who is calling: an operator (API key), a customer (session token or WordPress
Application Password) or anonymous.

- ``Authorization: Bearer <api key>``: the operator's backend.
- ``Authorization: Bearer <session token>``: a customer session (JWT; see
  ``resolvers.sessions``), from ``createCustomerSession``, ``signIn`` or
  ``planswitch token --customer <id>``.
- ``Authorization: Basic base64(login:application password)``: a customer, as WordPress'
  REST API accepts Application Passwords (WordPress networks only).

Headers are untrusted bytes: anything that is not printable ASCII, or does not decode,
is an invalid credential (401), never a server error (issue 11, defect 2).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import UTC, datetime

from planswitch.resolvers.context import Viewer
from planswitch.resolvers.sessions import InvalidSession, SessionKeys
from planswitch.resolvers.sign_in import (
    AuthServices,
    customer_from_application_password,
    customer_from_token,
)
from planswitch.server.settings import Settings

MAX_HEADER_LENGTH = 8192
USAGE = (
    "Use 'Authorization: Bearer <api key or session token>' or Basic with an Application Password."
)


class InvalidToken(Exception):
    """The Authorization header names a key or token this server does not accept."""


def issue_customer_token(
    customer_id: int, secret_key: str, now: datetime | None = None, generation: int = 0
) -> str:
    """A session token for ``customer_id`` signed with ``secret_key`` (tests and tools)."""
    token, _ = SessionKeys.of(secret_key).issue(customer_id, now or datetime.now(UTC), generation)
    return token


def viewer_from_header(
    header: str | None,
    settings: Settings,
    services: AuthServices,
    now: datetime,
    address: str = "",
) -> Viewer:
    """Map an ``Authorization`` header to a viewer; raises ``InvalidToken`` for a bad one.

    No header: anonymous, except in demo mode where anonymous acts as an operator so
    GraphiQL works out of the box. Blocking (may read the database): call in a thread.
    """
    if not header:
        return Viewer.operator() if settings.demo else Viewer.anonymous()
    if len(header) > MAX_HEADER_LENGTH or not header.isascii() or not header.isprintable():
        raise InvalidToken("The Authorization header is not valid. " + USAGE)
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if not credential:
        raise InvalidToken(USAGE)
    if scheme.lower() == "basic":
        login, password = _basic_credentials(credential)
        try:
            customer_id = customer_from_application_password(services, login, password, address)
        except InvalidSession as error:
            raise InvalidToken(str(error)) from None
        return Viewer.customer(customer_id)
    if scheme.lower() != "bearer":
        raise InvalidToken(USAGE)
    if any(hmac.compare_digest(credential, key) for key in settings.api_keys):
        return Viewer.operator()
    try:
        return Viewer.customer(customer_from_token(services, credential, now))
    except InvalidSession as error:
        raise InvalidToken(str(error)) from None


def operator_by_key(header: str | None, settings: Settings) -> Viewer | None:
    """The operator when ``header`` is ``Bearer <one of the API keys>``, else None.

    Cheap and non-blocking (no database), so the server answers API-key callers without a
    thread hop; anything else goes through ``viewer_from_header``, which checks it fully.
    """
    if not header or len(header) > MAX_HEADER_LENGTH or not header.isascii():
        return None
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential or not header.isprintable():
        return None
    if any(hmac.compare_digest(credential, key) for key in settings.api_keys):
        return Viewer.operator()
    return None


def _basic_credentials(credential: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise InvalidToken(
            "The Basic credentials are not valid base64 of login:password."
        ) from None
    login, sep, password = decoded.partition(":")
    if not sep or not login or not password:
        raise InvalidToken("The Basic credentials must be login:application password.")
    return login, password
