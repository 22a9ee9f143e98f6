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
"""

from __future__ import annotations

from dataclasses import replace

from planswitch.domain.gateway_sync import renews_through_gateway
from planswitch.domain.memberships import Membership, MembershipStatus

# The plugin's manual gateway (inc/gateways/class-manual-gateway.php:38).
MANUAL_GATEWAY = "manual"


def after_gateway_payment(
    before: Membership, after: Membership, gateway: str, gateway_customer_id: str
) -> Membership:
    """``after`` (the applied change) as the gateway that collected its payment leaves it.

    ``gateway`` is the payment's gateway, ``gateway_customer_id`` the customer it charged;
    without a customer only a ``manual`` payment (money recorded by hand) counts a billing.

    >>> from decimal import Decimal
    >>> m = Membership(1, 1, 1, MembershipStatus.ON_HOLD, Decimal("9"), gateway="manual")
    >>> after_gateway_payment(m, m, "stripe", "cus_1").gateway_customer_id
    'cus_1'
    """
    if not gateway:
        return after
    if gateway_customer_id and after.gateway_customer_id != gateway_customer_id:
        after = replace(after, gateway=gateway, gateway_customer_id=gateway_customer_id)
    renews = renews_through_gateway(after)
    # A subscription's billings are counted by its gateway; money recorded by hand on such a
    # membership is not one of them.
    billed = renews if gateway_customer_id else gateway == MANUAL_GATEWAY and not renews
    new_period = after.date_renewed is not None and after.date_renewed != before.date_renewed
    if new_period and billed:
        after = replace(after, times_billed=after.times_billed + 1, status=MembershipStatus.ACTIVE)
    return after
