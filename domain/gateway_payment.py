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
"""

from __future__ import annotations

from dataclasses import replace

from planswitch.domain.gateway_sync import renews_through_gateway
from planswitch.domain.memberships import Membership, MembershipStatus


def after_gateway_payment(
    before: Membership, after: Membership, gateway: str, gateway_customer_id: str
) -> Membership:
    """``after`` (the applied change) as the gateway that collected its payment leaves it.

    ``gateway`` is the payment's gateway, ``gateway_customer_id`` the customer it charged;
    without a customer (money recorded by hand) the membership is returned unchanged.

    >>> from decimal import Decimal
    >>> m = Membership(1, 1, 1, MembershipStatus.ON_HOLD, Decimal("9"), gateway="manual")
    >>> after_gateway_payment(m, m, "stripe", "cus_1").gateway_customer_id
    'cus_1'
    """
    if not gateway or not gateway_customer_id:
        return after
    if after.gateway_customer_id != gateway_customer_id:
        after = replace(after, gateway=gateway, gateway_customer_id=gateway_customer_id)
    new_period = after.date_renewed is not None and after.date_renewed != before.date_renewed
    if new_period and renews_through_gateway(after):
        after = replace(after, times_billed=after.times_billed + 1, status=MembershipStatus.ACTIVE)
    return after
