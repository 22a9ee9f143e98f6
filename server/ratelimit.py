"""Sign-in attempt limits per login and per client address (the ``limits`` library).

Storage is ``memory://`` by default (one process) or Redis (``redis://host:port``), which
every planswitch process shares so a second worker is no way around the limit. A moving
window: a burst at a window's edge gets no second budget.
"""

from __future__ import annotations

import hashlib

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class SignInLimiter:
    def __init__(self, storage_url: str, per_login: str, per_address: str) -> None:
        self.storage = storage_from_string(storage_url)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.per_login = parse(per_login)
        self.per_address = parse(per_address)

    def allow(self, login: str, address: str) -> bool:
        """Count one attempt for both keys; False when either is over its limit."""
        # Logins are hashed: the limiter's storage (possibly a shared Redis) never holds them.
        login_key = hashlib.sha256(login.encode()).hexdigest()
        by_address = self.strategy.hit(self.per_address, "sign-in-address", address or "-")
        by_login = self.strategy.hit(self.per_login, "sign-in-login", login_key)
        return by_address and by_login
