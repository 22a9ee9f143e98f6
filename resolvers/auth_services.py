"""What signing in and session checks need (built by the server, carried by the Context).

Its own module so that ``resolvers.context`` can name it without importing the sign-in use
cases, which import the context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from planswitch.resolvers.sessions import SessionKeys, SessionLedger


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
