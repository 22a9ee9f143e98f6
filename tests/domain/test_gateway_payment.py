"""How a change paid through a gateway leaves the membership (docs/wordpress.md §11.5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from planswitch.domain.gateway_payment import after_gateway_payment
from planswitch.domain.memberships import Membership, MembershipStatus

RENEWED = datetime(2026, 6, 15, tzinfo=UTC)
STRIPE_RENEWING = Membership(
    id=5,
    customer_id=4,
    plan_id=5,
    status=MembershipStatus.ON_HOLD,
    amount=Decimal("14"),
    auto_renew=True,
    times_billed=5,
    gateway="stripe-checkout",
    gateway_customer_id="cus_own",
    gateway_subscription_id="sub_own",
    date_renewed=datetime(2026, 5, 20, tzinfo=UTC),
)


def test_an_upgrade_billed_on_the_subscriptions_customer_counts_a_billed_period() -> None:
    applied = replace(STRIPE_RENEWING, plan_id=2, amount=Decimal("49"), date_renewed=RENEWED)
    after = after_gateway_payment(STRIPE_RENEWING, applied, "stripe", "cus_own")
    assert after.times_billed == 6 and after.status is MembershipStatus.ACTIVE
    # Its own customer was charged: the gateway and subscription stay the plugin's.
    assert (after.gateway, after.gateway_customer_id, after.gateway_subscription_id) == (
        "stripe-checkout",
        "cus_own",
        "sub_own",
    )


def test_an_addon_bought_mid_term_moves_neither_count_nor_status() -> None:
    applied = replace(STRIPE_RENEWING, addons={7: 1}, amount=Decimal("19"))
    after = after_gateway_payment(STRIPE_RENEWING, applied, "stripe", "cus_own")
    assert after == applied


def test_a_membership_without_a_subscription_takes_the_gateway_and_customer_charged() -> None:
    free = Membership(1, 1, 1, MembershipStatus.ACTIVE, Decimal("0"), times_billed=0)
    applied = replace(free, plan_id=2, amount=Decimal("49"), date_renewed=RENEWED)
    after = after_gateway_payment(free, applied, "stripe", "cus_new")
    assert (after.gateway, after.gateway_customer_id) == ("stripe", "cus_new")
    assert after.gateway_subscription_id == "" and after.times_billed == 0


def test_money_recorded_by_hand_changes_nothing() -> None:
    applied = replace(STRIPE_RENEWING, plan_id=2, date_renewed=RENEWED)
    assert after_gateway_payment(STRIPE_RENEWING, applied, "manual", "") == applied
