"""A change must never leave a gateway subscription billing the old amount (issue 10).

A membership that renews automatically through a gateway subscription (``gateway`` stripe,
stripe-checkout or paypal, a ``gateway_subscription_id``, ``auto_renew`` on) is billed by the
gateway, not by the plugin: ``Membership::swap()`` changes only the plugin's row, so the
subscription keeps charging what it charged before. The plugin's maintainers reverted
period switches in 2.6.3 for this reason (PR #896; docs/wordpress.md §11.1). A change that alters
the recurring amount or period of such a membership is therefore allowed only when a
configured payment provider can update that subscription; which gateways can be is data
given by the caller (``PaymentProvider.can_sync_subscription``), never looked up here.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from decimal import Decimal

from planswitch.domain.errors import ErrorCode
from planswitch.domain.memberships import Membership
from planswitch.domain.money import round_money
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import Blocker, Quote
from planswitch.domain.plan_checks import Problem

# Gateways whose renewals run on a subscription held at the gateway.
SUBSCRIPTION_GATEWAYS = frozenset({"stripe", "stripe-checkout", "paypal"})
_NAMES = {"stripe": "Stripe", "stripe-checkout": "Stripe Checkout", "paypal": "PayPal"}


@dataclass(frozen=True)
class RenewalCharge:
    """What the membership's next renewal bills: what a gateway subscription must charge."""

    amount: Decimal
    currency: str
    period: BillingPeriod


def renewal_charge(membership: Membership) -> RenewalCharge:
    """The charge of the next renewal: a scheduled change's amount and period when one is
    waiting (it takes effect at the expiration, which is that renewal), else the
    membership's own. A subscription set to bill it with no proration charges the current
    period as before and the new amount from the swap on (docs/wordpress.md §11.5)."""
    change = membership.scheduled_change
    if change is not None:
        return RenewalCharge(change.amount, membership.currency, change.period)
    return RenewalCharge(membership.amount, membership.currency, membership.period)


def renews_through_gateway(membership: Membership) -> bool:
    """True when a gateway subscription, not the plugin, bills this membership's renewals."""
    return (
        membership.gateway in SUBSCRIPTION_GATEWAYS
        and bool(membership.gateway_subscription_id)
        and membership.auto_renew
    )


def alters_recurring_charge(membership: Membership, quote: Quote) -> bool:
    """Does ``quote`` change what renews (amount, period, or whether it renews at all)?"""
    if quote.next_billing_amount is None:
        return membership.is_recurring
    if quote.period is not None and quote.period.normalised() != membership.period.normalised():
        return True
    return round_money(quote.next_billing_amount) != round_money(membership.amount)


def gateway_sync_problems(
    membership: Membership, quote: Quote, syncable_gateways: Set[str]
) -> list[Problem]:
    """GATEWAY_SYNC_UNAVAILABLE when ``quote`` would desynchronise the membership's gateway
    subscription and no configured provider can update it (``syncable_gateways``)."""
    if not renews_through_gateway(membership) or membership.gateway in syncable_gateways:
        return []
    if not alters_recurring_charge(membership, quote):
        return []
    name = _NAMES.get(membership.gateway, membership.gateway)
    message = (
        f"This membership renews through a {name} subscription ({membership.gateway}) that "
        "planswitch cannot update, so this change would leave it billing the old amount. "
        f"Change the plan where the {name} subscription is managed."
    )
    return [Problem(Blocker(ErrorCode.GATEWAY_SYNC_UNAVAILABLE, message), "membershipId")]
