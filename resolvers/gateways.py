"""Which gateway subscriptions a configured payment provider can keep in step (issue 10).

The domain refuses a change that would leave a gateway subscription billing the old amount
unless the membership's gateway is in the set given here (``domain.gateway_sync``); the set
comes from the provider's own answer, ``PaymentProvider.can_sync_subscription``.
"""

from __future__ import annotations

from planswitch.domain.memberships import Membership
from planswitch.domain.payment_provider import PaymentProvider

NONE: frozenset[str] = frozenset()


def syncable_gateways(provider: PaymentProvider | None, membership: Membership) -> frozenset[str]:
    """``{membership.gateway}`` when ``provider`` can update its subscription, else empty."""
    if provider is not None and membership.gateway and provider.can_sync_subscription(membership):
        return frozenset({membership.gateway})
    return NONE
