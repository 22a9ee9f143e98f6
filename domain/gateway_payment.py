"""How a change paid through a gateway leaves the membership (issue 10; docs/wordpress.md §11.5).

When the payment provider charged a pending change's payment to a gateway customer (the
``stripe`` provider's PaymentIntent), the membership afterwards is as the plugin's own
Stripe checkout leaves one (``inc/gateways/class-stripe-gateway.php``, plugin 2.4.10):

- ``gateway`` and ``gateway_customer_id`` name the gateway that charged and its customer,
  as its preflight sets them before any charge (``:264-265``). A membership whose own
  gateway customer was charged (the provider reuses it, e.g. a ``stripe-checkout``
  membership) keeps its gateway: its subscription is still that gateway's.
- ``gateway_subscription_id`` never changes. The plugin's checkout cancels the old
  subscription and creates one (``:588-613``; ``Membership::save()`` cancels a replaced one,
  ``inc/models/class-membership.php:2506``); planswitch updates the existing one in place
  instead (``PaymentProvider.sync_subscription``), so Stripe keeps the customer's mandate
  and history and never charges the full price a second time.
- A membership renewing through that subscription whose change started a new billing period
  (an upgrade or crossgrade, a lapsed membership renewed by a purchase) was billed for that
  period now: ``times_billed`` + 1 and status ``active``, as the plugin's checkout does after
  the subscription's first charge (``:614``, ``:626-635``). A change keeping the period (an
  add-on bought mid-term) moves neither, and neither does a membership without a
  subscription: the plugin only counts and renews when it creates one (``:588``).
- A payment of the plugin's ``manual`` gateway (recorded by hand: an operator, or the
  plugin's admin marking it completed) counts the same way: a change that started a new
  period was billed for it, ``times_billed`` + 1 and status ``active``, as the plugin's admin
  confirmation of a manual payment does (``add_to_times_billed(1)``, ``renew(false,
  'active')``, ``inc/admin-pages/class-payment-edit-admin-page.php:1319-1328``); an add-on
  bought mid-term moves neither, nor does a membership renewing through a gateway
  subscription (its gateway counts its billings); no gateway field moves (the manual
  gateway sets none on an existing membership). docs/wordpress.md §5.6.
- A provider-collected payment on a membership that auto-renews a recurring amount but has
  no gateway subscription opens one, as the plugin's checkout creates one for an
  auto-renewing recurring cart (``class-stripe-gateway.php:588-589``, ``:610-613``): the
  gateway then bills it, so the change that started a new period counts it as above.
- When a gateway subscription bills the membership (kept or opened) and the change started
  a new period, the subscription's next charge and the membership's expiration are the
  plugin's (``domain/subscription_dates.py``): the charge an hour before the quoted next
  billing date's time of day, the expiration 23:59:59 of that day (or two hours after the
  charge), and ``date_renewed`` the instant the payment applied (``renew()``). A
  subscription opened on an add-on bought mid-term first charges on the
  expiration's day the same way, and the expiration stays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from planswitch.domain.gateway_sync import renewal_charge, renews_through_gateway
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.subscription_dates import expiration_after_charge, subscription_first_charge

# The plugin's manual gateway (inc/gateways/class-manual-gateway.php:38).
MANUAL_GATEWAY = "manual"


@dataclass(frozen=True)
class GatewayPayment:
    """How the gateway that collected a change's payment leaves things.

    ``membership``: the applied change as the gateway leaves it. ``next_charge``: when its
    gateway subscription must charge next, if this payment moved it (None: leave the
    subscription's date alone). ``opens_subscription``: the membership has no subscription
    and the gateway must open one billing its recurring amount from ``next_charge``.
    """

    membership: Membership
    next_charge: datetime | None = None
    opens_subscription: bool = False


def gateway_payment(
    before: Membership,
    after: Membership,
    gateway: str,
    gateway_customer_id: str,
    now: datetime | None = None,
) -> GatewayPayment:
    """``after`` (the applied change) as the gateway that collected its payment at ``now``
    leaves it, with what its subscription must do (see the module docstring).

    ``gateway`` is the payment's gateway, ``gateway_customer_id`` the customer it charged;
    without a customer only a ``manual`` payment (money recorded by hand) counts a billing.
    Without ``now`` no date moves and no subscription opens.
    """
    if not gateway:
        return GatewayPayment(after)
    if gateway_customer_id and after.gateway_customer_id != gateway_customer_id:
        after = replace(after, gateway=gateway, gateway_customer_id=gateway_customer_id)
    opens = now is not None and bool(gateway_customer_id) and _opens_subscription(after)
    renews = renews_through_gateway(after) or opens
    # A subscription's billings are counted by its gateway; money recorded by hand on such a
    # membership is not one of them.
    billed = renews if gateway_customer_id else gateway == MANUAL_GATEWAY and not renews
    new_period = after.date_renewed is not None and after.date_renewed != before.date_renewed
    if new_period and billed:
        after = replace(after, times_billed=after.times_billed + 1, status=MembershipStatus.ACTIVE)
    if now is None or not gateway_customer_id or not renews:
        return GatewayPayment(after)
    return _subscription_dates(after, now, new_period=new_period, opens=opens)


def _subscription_dates(
    after: Membership, now: datetime, *, new_period: bool, opens: bool
) -> GatewayPayment:
    """A subscription bills ``after``: its next charge, and the expiration the plugin's
    checkout renews to when the change started a period (domain/subscription_dates.py)."""
    expires = after.date_expiration
    if expires is None or not (new_period or opens):
        return GatewayPayment(after)
    next_charge = subscription_first_charge(expires, now)
    if new_period:
        # renew() also stamps date_renewed with the moment it runs
        # (inc/models/class-membership.php:2214), the payment's, not the commit's.
        expiration = expiration_after_charge(next_charge)
        after = replace(after, date_expiration=expiration, date_renewed=now)
    return GatewayPayment(after, next_charge, opens)


def _opens_subscription(membership: Membership) -> bool:
    """An auto-renewing membership with a recurring amount and no gateway subscription:
    the plugin's checkout would create one (``should_auto_renew() && has_recurring()``,
    ``class-stripe-gateway.php:527-528``, ``:588``)."""
    return (
        membership.auto_renew
        and membership.is_recurring
        and renewal_charge(membership).amount > 0
        and not membership.gateway_subscription_id
        and membership.date_expiration is not None  # a first charge needs a billing date
    )


def after_gateway_payment(
    before: Membership,
    after: Membership,
    gateway: str,
    gateway_customer_id: str,
    now: datetime | None = None,
) -> Membership:
    """``after`` (the applied change) as the gateway that collected its payment leaves it
    (:func:`gateway_payment`'s membership).

    >>> from decimal import Decimal
    >>> m = Membership(1, 1, 1, MembershipStatus.ON_HOLD, Decimal("9"), gateway="manual")
    >>> after_gateway_payment(m, m, "stripe", "cus_1").gateway_customer_id
    'cus_1'
    """
    return gateway_payment(before, after, gateway, gateway_customer_id, now).membership
