"""Customer sessions: short-lived signed tokens (JWT), issued by the operator's backend or
by signing in with WordPress credentials, and revocable per customer.

The pattern is Stripe's billing-portal session: the operator's backend, holding an API key,
asks for a session for one customer and hands the token to that customer's browser, which
sends it as ``Authorization: Bearer <token>``.

Tokens are JWTs (PyJWT, HS256) with ``sub`` (the customer's databaseId), ``iat``, ``exp``
(``iat`` + ``session_ttl_seconds``, default one hour), ``aud`` and ``gen``, and a ``kid``
header naming the secret that signed them: ``PLANSWITCH_SECRET_KEY`` signs, and the secrets
in ``PLANSWITCH_PREVIOUS_SECRET_KEYS`` are still accepted, so a secret can be rotated
without signing everyone out. ``gen`` is the customer's session generation: revoking a
customer's sessions moves it on, and every token carrying an older one is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import jwt

ALGORITHM = "HS256"
AUDIENCE = "planswitch:customer-session"


class SessionLedger(Protocol):
    """Where revocations are kept (the store's own tables; see ``make_ledger``)."""

    def generation(self, customer_id: int) -> int:
        """How many times this customer's sessions were revoked."""
        ...

    def revoke(self, customer_id: int, now: datetime, actor: str) -> int:
        """Revoke every session of ``customer_id``; returns the new generation."""
        ...


@dataclass(frozen=True)
class SessionClaims:
    customer_id: int
    issued_at: datetime
    expires_at: datetime
    generation: int


class InvalidSession(Exception):
    """The token is not a session this server issued, or it expired or was revoked."""


def signing_key(secret: str) -> bytes:
    """The HMAC key for sessions, derived from a secret: always 32 bytes, and never the key
    the same secret gives quote tokens (a quote token can never pass for a session)."""
    return hashlib.sha256(b"planswitch-session-key\0" + secret.encode()).digest()


def key_id(secret: str) -> str:
    """A public name for a secret: lets a token say which key signed it, reveals nothing."""
    return hashlib.sha256(b"planswitch-session-kid\0" + secret.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SessionKeys:
    """One signing secret and every secret still accepted (the signing one included)."""

    signing: str
    accepted: tuple[str, ...]
    ttl: timedelta

    @classmethod
    def of(cls, signing: str, previous: Sequence[str] = (), ttl_seconds: int = 3600) -> SessionKeys:
        accepted = tuple(dict.fromkeys([signing, *previous]))
        return cls(signing, accepted, timedelta(seconds=ttl_seconds))

    def issue(self, customer_id: int, now: datetime, generation: int) -> tuple[str, datetime]:
        """A signed session token for ``customer_id`` and the instant it expires."""
        issued = int(now.timestamp())
        expires = datetime.fromtimestamp(issued, UTC) + self.ttl
        claims = {
            "sub": str(customer_id),
            "iat": issued,
            "exp": int(expires.timestamp()),
            "aud": AUDIENCE,
            "gen": generation,
        }
        token = jwt.encode(
            claims,
            signing_key(self.signing),
            algorithm=ALGORITHM,
            headers={"kid": key_id(self.signing)},
        )
        return token, expires

    def verify(self, token: str, now: datetime) -> SessionClaims:
        """The claims of a valid, unexpired token; raises ``InvalidSession`` otherwise.

        Expiry is checked against ``now`` (the server's clock), not the system time PyJWT
        would read, so a fixed clock in tests and replays behaves like the real one.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidSession("The bearer token is not valid.") from None
        secret = self._secret_named(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                signing_key(secret),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "require": ["sub", "iat", "exp"],
                },
            )
        except jwt.PyJWTError:
            raise InvalidSession("The bearer token is not valid.") from None
        return _claims(claims, now)

    def _secret_named(self, kid: object) -> str:
        for secret in self.accepted:
            if kid == key_id(secret):
                return secret
        raise InvalidSession("The bearer token is not valid.")


def _claims(claims: dict[str, object], now: datetime) -> SessionClaims:
    sub, iat, exp, gen = (
        claims.get("sub"),
        claims.get("iat"),
        claims.get("exp"),
        claims.get("gen", 0),
    )
    if not (isinstance(sub, str) and sub.isdigit() and len(sub) <= 19):
        raise InvalidSession("The bearer token is not valid.")
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in (iat, exp, gen)):
        raise InvalidSession("The bearer token is not valid.")
    assert isinstance(iat, int) and isinstance(exp, int) and isinstance(gen, int)
    if exp <= now.timestamp():
        raise InvalidSession("The session has expired; ask for a new one.")
    return SessionClaims(
        int(sub), datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC), gen
    )
