"""What the checkout lifecycle needs besides the store: the payment provider and the TTL.

Built once by the server from the settings (``server.app.make_checkout``) and carried by the
request context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from planswitch.domain.payment_provider import PaymentProvider
from planswitch.domain.pending_change import DEFAULT_TTL


@dataclass(frozen=True)
class Checkout:
    """The provider that collects pending payments, and how long a change waits for one."""

    provider: PaymentProvider
    ttl: timedelta = DEFAULT_TTL
