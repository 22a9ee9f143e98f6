"""How a change paid through a gateway leaves the membership (docs/wordpress.md §11.5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from planswitch.domain.gateway_payment import GatewayPayment, after_gateway_payment, gateway_payment
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.subscription_dates import expiration_after_charge, subscription_first_charge

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


# --- the plugin's Stripe subscription dates (domain/subscription_dates.py) ----------------

APPLIED_AT = datetime(2026, 6, 15, 10, 30, 5, tzinfo=UTC)  # when the payment applies
NEXT_BILLING = datetime(2026, 7, 15, tzinfo=UTC)  # the quote's next billing date


def upgraded(membership: Membership) -> Membership:
    """``membership`` after an upgrade to plan 2 that started a new period (as applied)."""
    return replace(
        membership,
        plan_id=2,
        amount=Decimal("49"),
        date_renewed=RENEWED,
        date_expiration=NEXT_BILLING,
    )


def test_the_first_charge_is_the_next_billing_day_at_the_time_of_payment_less_an_hour() -> None:
    assert subscription_first_charge(NEXT_BILLING, APPLIED_AT) == datetime(
        2026, 7, 15, 9, 30, 5, tzinfo=UTC
    )
    # Its time of day is UTC's, whatever zone the instants come in.
    sao_paulo = timezone(timedelta(hours=-3))
    assert subscription_first_charge(
        NEXT_BILLING.astimezone(sao_paulo), APPLIED_AT.astimezone(sao_paulo)
    ) == datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)
    # Applied just after midnight, the hour's lead reaches back into the previous day.
    just_after_midnight = datetime(2026, 6, 15, 0, 20, tzinfo=UTC)
    assert subscription_first_charge(NEXT_BILLING, just_after_midnight) == datetime(
        2026, 7, 14, 23, 20, tzinfo=UTC
    )


def test_the_expiration_is_the_end_of_the_charge_day_or_two_hours_after_the_charge() -> None:
    assert expiration_after_charge(datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)) == datetime(
        2026, 7, 15, 23, 59, 59, tzinfo=UTC
    )
    # Late in the day the two hours win, and cross into the next day.
    assert expiration_after_charge(datetime(2026, 7, 15, 22, 30, tzinfo=UTC)) == datetime(
        2026, 7, 16, 0, 30, tzinfo=UTC
    )
    assert expiration_after_charge(datetime(2026, 7, 14, 23, 20, tzinfo=UTC)) == datetime(
        2026, 7, 15, 1, 20, tzinfo=UTC
    )
    # A charge at 21:59:59 lands exactly on the end of the day.
    assert expiration_after_charge(datetime(2026, 7, 15, 21, 59, 59, tzinfo=UTC)) == datetime(
        2026, 7, 15, 23, 59, 59, tzinfo=UTC
    )


def test_a_subscription_billed_upgrade_ends_its_period_as_the_plugins_checkout_does() -> None:
    result = gateway_payment(
        STRIPE_RENEWING, upgraded(STRIPE_RENEWING), "stripe", "cus_own", APPLIED_AT
    )
    assert result.next_charge == datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)
    assert result.membership.date_expiration == datetime(2026, 7, 15, 23, 59, 59, tzinfo=UTC)
    assert result.membership.date_renewed == APPLIED_AT  # renew() stamps its own moment
    assert result.opens_subscription is False
    assert (result.membership.times_billed, result.membership.status) == (
        6,
        MembershipStatus.ACTIVE,
    )


def test_an_addon_bought_mid_term_moves_no_date_of_an_existing_subscription() -> None:
    applied = replace(STRIPE_RENEWING, addons={7: 1}, amount=Decimal("19"))
    result = gateway_payment(STRIPE_RENEWING, applied, "stripe", "cus_own", APPLIED_AT)
    assert result == GatewayPayment(applied)


AUTO_RENEWING = Membership(
    id=6,
    customer_id=5,
    plan_id=1,
    status=MembershipStatus.ACTIVE,
    amount=Decimal("0"),
    auto_renew=True,
    times_billed=2,
    date_renewed=datetime(2026, 5, 1, tzinfo=UTC),
    date_expiration=datetime(2026, 7, 1, 23, 59, 59, tzinfo=UTC),
)


def test_an_auto_renewing_membership_without_a_subscription_opens_one() -> None:
    result = gateway_payment(
        AUTO_RENEWING, upgraded(AUTO_RENEWING), "stripe", "cus_new", APPLIED_AT
    )
    assert result.opens_subscription is True
    assert result.next_charge == datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)
    after = result.membership
    assert (after.gateway, after.gateway_customer_id) == ("stripe", "cus_new")
    assert after.date_expiration == datetime(2026, 7, 15, 23, 59, 59, tzinfo=UTC)
    assert (after.times_billed, after.status) == (3, MembershipStatus.ACTIVE)
    # The subscription id is the gateway's to give: the domain leaves it empty.
    assert after.gateway_subscription_id == ""


def test_an_addon_bought_mid_term_opens_a_subscription_from_the_expiration_day() -> None:
    paying = replace(AUTO_RENEWING, amount=Decimal("9"))
    bought = replace(paying, addons={7: 1}, amount=Decimal("14"))
    result = gateway_payment(paying, bought, "stripe", "cus_new", APPLIED_AT)
    assert result.opens_subscription is True
    assert result.next_charge == datetime(2026, 7, 1, 9, 30, 5, tzinfo=UTC)
    assert result.membership.date_expiration == paying.date_expiration
    assert result.membership.times_billed == paying.times_billed


def test_no_subscription_opens_without_auto_renew_a_recurring_amount_or_a_charged_customer() -> (
    None
):
    premium = upgraded(AUTO_RENEWING)
    manual_renewal = replace(premium, auto_renew=False)
    one_off = replace(premium, recurring=False)
    for applied in (manual_renewal, one_off):
        result = gateway_payment(AUTO_RENEWING, applied, "stripe", "cus_new", APPLIED_AT)
        assert result.opens_subscription is False and result.next_charge is None
        assert result.membership.date_expiration == NEXT_BILLING
    recorded = gateway_payment(AUTO_RENEWING, premium, "manual", "", APPLIED_AT)
    assert recorded.opens_subscription is False
    assert recorded.membership.date_expiration == NEXT_BILLING
    # Without the instant of payment nothing opens (the caller could not open it).
    assert not gateway_payment(AUTO_RENEWING, premium, "stripe", "cus_new").opens_subscription
