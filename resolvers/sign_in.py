"""Session use cases: createCustomerSession (operators), signIn (WordPress credentials),
revokeCustomerSessions (operators), and checking the credentials a request carries.

Sign-in attempts are rate-limited per login and per address before any password hash is
computed (bcrypt is deliberately slow: unlimited attempts would also be a CPU attack).
A wrong password, an unknown login and a user who is not a customer get one answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from planswitch.domain.customers import Customer
from planswitch.domain.errors import DomainError, ErrorCode, UserError
from planswitch.resolvers import policy
from planswitch.resolvers.context import Context
from planswitch.resolvers.ids import decode_id
from planswitch.resolvers.sessions import InvalidSession, SessionKeys, SessionLedger

MAX_LOGIN_LENGTH = 100  # wp_users.user_email is VARCHAR(100), user_login VARCHAR(60)
MAX_PASSWORD_LENGTH = 4096  # wp_check_password() refuses longer ones


class Accounts(Protocol):
    """The people who may sign in (a WordPress network's users)."""

    def authenticate(
        self, login: str, password: str, *, application_passwords_only: bool = False
    ) -> int | None:
        """The customer id when ``password`` is the password of ``login``, else None."""
        ...


class AttemptLimiter(Protocol):
    def allow(self, login: str, address: str) -> bool:
        """Count one attempt; False when the login or the address has used up its budget."""
        ...


@dataclass
class AuthServices:
    """What signing in and session checks need; built by the server (``server.app``)."""

    keys: SessionKeys
    ledger: SessionLedger
    limiter: AttemptLimiter
    accounts: Accounts | None = None


@dataclass(frozen=True)
class SessionResult:
    token: str | None = None
    expires_at: datetime | None = None
    customer: Customer | None = None
    user_errors: list[UserError] = field(default_factory=list)


WRONG_CREDENTIALS = UserError(
    ErrorCode.INVALID_CREDENTIALS, "The login or the password is not right.", None
)
RATE_LIMITED = UserError(
    ErrorCode.RATE_LIMITED,
    "Too many sign-in attempts for this login or from this address; wait a minute.",
    None,
)
NO_ACCOUNTS = UserError(
    ErrorCode.NOT_ALLOWED,
    "Signing in with WordPress credentials needs a WordPress network "
    "(PLANSWITCH_WORDPRESS_URL); ask the operator's backend for a session instead.",
    None,
)


def _services(ctx: Context) -> AuthServices:
    if ctx.auth is None:  # the server always sets it; a bare Context in a test may not
        raise DomainError(ErrorCode.NOT_ALLOWED, "Sessions are not configured.")
    return ctx.auth


def _issue(services: AuthServices, customer_id: int, now: datetime) -> tuple[str, datetime]:
    return services.keys.issue(customer_id, now, services.ledger.generation(customer_id))


async def create_customer_session(ctx: Context, customer_id_value: str) -> SessionResult:
    """A session for one customer, for the operator's backend to hand to that customer."""
    if not policy.may_issue_sessions(ctx.viewer):
        return SessionResult(user_errors=[policy.operators_only("create customer sessions")])
    customer_id = decode_id(customer_id_value, "Customer", "customerId")
    customer = await ctx.loaders.customers_by_id.load(customer_id)
    if customer is None:
        return SessionResult(user_errors=[policy.missing("Customer", customer_id, "customerId")])
    services = _services(ctx)
    token, expires = await asyncio.to_thread(_issue, services, customer_id, ctx.clock.now())
    return SessionResult(token, expires, customer)


async def revoke_customer_sessions(ctx: Context, customer_id_value: str) -> SessionResult:
    """Every session token issued to the customer so far stops working at once."""
    if not policy.may_issue_sessions(ctx.viewer):
        return SessionResult(user_errors=[policy.operators_only("revoke customer sessions")])
    customer_id = decode_id(customer_id_value, "Customer", "customerId")
    customer = await ctx.loaders.customers_by_id.load(customer_id)
    if customer is None:
        return SessionResult(user_errors=[policy.missing("Customer", customer_id, "customerId")])
    services = _services(ctx)
    await asyncio.to_thread(services.ledger.revoke, customer_id, ctx.clock.now(), "operator")
    return SessionResult(customer=customer)


async def sign_in(ctx: Context, login: str, password: str) -> SessionResult:
    """A session for the customer whose WordPress login (or e-mail) and password these are."""
    services = _services(ctx)
    if services.accounts is None:
        return SessionResult(user_errors=[NO_ACCOUNTS])
    login = login.strip()
    if not login or len(login) > MAX_LOGIN_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        return SessionResult(user_errors=[WRONG_CREDENTIALS])
    if not services.limiter.allow(login.lower(), ctx.client_address):
        return SessionResult(user_errors=[RATE_LIMITED])
    accounts = services.accounts
    customer_id = await asyncio.to_thread(accounts.authenticate, login, password)
    if customer_id is None:
        return SessionResult(user_errors=[WRONG_CREDENTIALS])
    customer = await ctx.loaders.customers_by_id.load(customer_id)
    if customer is None:
        return SessionResult(user_errors=[WRONG_CREDENTIALS])
    token, expires = await asyncio.to_thread(_issue, services, customer_id, ctx.clock.now())
    return SessionResult(token, expires, customer)


def customer_from_token(services: AuthServices, token: str, now: datetime) -> int:
    """The customer a session token names; raises ``InvalidSession`` (also when revoked)."""
    claims = services.keys.verify(token, now)
    if claims.generation != services.ledger.generation(claims.customer_id):
        raise InvalidSession("This session was revoked; sign in again.")
    return claims.customer_id


def customer_from_application_password(
    services: AuthServices, login: str, password: str, address: str
) -> int:
    """HTTP Basic with an Application Password, as WordPress' REST API accepts it."""
    if services.accounts is None:
        raise InvalidSession("HTTP Basic sign-in needs a WordPress network.")
    if not login or len(login) > MAX_LOGIN_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidSession("The login or the application password is not right.")
    if not services.limiter.allow(login.lower(), address):
        raise InvalidSession(RATE_LIMITED.message)
    customer_id = services.accounts.authenticate(login, password, application_passwords_only=True)
    if customer_id is None:
        raise InvalidSession("The login or the application password is not right.")
    return customer_id
