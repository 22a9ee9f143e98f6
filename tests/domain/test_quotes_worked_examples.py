"""Worked examples W1-W14 re-derived under planswitch's rules (docs/plan-changes.md §6, §3).

Common assumptions: now = 2025-06-15 12:00 UTC; baseline membership 7, active, monthly,
created 2025-01-01 10:00, renewed 2025-06-01 10:00, expires 2025-07-01 23:59:59, so 16
whole days are left. Where planswitch deliberately differs from the plugin
(docs/plan-changes.md §7), the comment says what the plugin did.
"""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

from planswitch.domain.apply import apply_quote
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import ErrorCode
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.payments import LineItemType
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import (
    NO_CHANGE_MESSAGE,
    AddonSelection,
    ChangeKind,
    PlanChangeRequest,
)
from planswitch.domain.products import PriceVariation, PricingType, Product, ProductType
from planswitch.domain.quotes import quote

MONTH = BillingPeriod(1, DurationUnit.MONTH)
YEAR = BillingPeriod(1, DurationUnit.YEAR)
NOW = datetime(2025, 6, 15, 12, 0, 0, tzinfo=UTC)
EXPIRATION = datetime(2025, 7, 1, 23, 59, 59, tzinfo=UTC)
ONE_MONTH_ON = datetime(2025, 7, 15, 12, 0, 0, tzinfo=UTC)


def _plan(pid: int, name: str, amount: str, **kw) -> Product:
    return Product(pid, name.lower(), name, ProductType.PLAN, D(amount), **kw)


CATALOG = {
    p.id: p
    for p in [
        _plan(1, "Basic", "20"),
        _plan(
            2,
            "Pro",
            "50",
            price_variations=(PriceVariation(YEAR, D("500")),),
            available_addons=(12, 13),
        ),
        _plan(3, "Business", "500", period=YEAR),
        _plan(4, "Lifetime", "900", recurring=False),
        _plan(5, "Free", "0", pricing_type=PricingType.FREE, recurring=False),
        _plan(6, "Team", "60"),
        Product(12, "extra-storage", "Extra Storage", ProductType.SERVICE, D("10")),
        Product(13, "priority-support", "Priority Support", ProductType.SERVICE, D("15")),
    ]
}

BASELINE = Membership(
    id=7,
    customer_id=3,
    plan_id=1,
    status=MembershipStatus.ACTIVE,
    amount=D("20"),
    initial_amount=D("20"),
    period=MONTH,
    recurring=True,
    auto_renew=True,
    date_created=datetime(2025, 1, 1, 10, 0, 0, tzinfo=UTC),
    date_renewed=datetime(2025, 6, 1, 10, 0, 0, tzinfo=UTC),
    date_expiration=EXPIRATION,
    times_billed=6,
)
PRO = replace(BASELINE, plan_id=2, amount=D("50"), initial_amount=D("50"))


def _quote(membership, catalog=CATALOG, **request):
    return quote(membership, PlanChangeRequest(membership.id, **request), catalog, NOW)


def test_w1_upgrade_mid_cycle_credits_sixteen_unused_days():
    q = _quote(BASELINE, plan_id=2)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.subtotal == D("50.00")
    assert q.credit == D("10.51")  # 16 × 20 / 30.4375 = 10.513347
    assert q.due_now == D("39.49")
    assert q.unused_credit == D("0.00")
    assert q.next_billing_amount == D("50.00")
    assert q.next_billing_date == ONE_MONTH_ON
    assert q.effective_at == NOW
    assert [(li.type, li.total) for li in q.line_items] == [
        (LineItemType.PRODUCT, D("50.00")),
        (LineItemType.CREDIT, D("-10.51")),
    ]
    assert q.line_items[0].recurring and q.line_items[0].period == MONTH
    assert q.message == "Upgrade to Pro: $39.49 due now, then $50.00 on 2025-07-15."


def test_w2_downgrade_of_active_membership_is_scheduled_for_expiration():
    q = _quote(PRO, plan_id=1)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert q.scheduled is True
    assert q.due_now == D("0.00")
    assert q.effective_at == EXPIRATION
    assert q.next_billing_amount == D("20.00")
    assert q.next_billing_date == EXPIRATION
    # Issue 8: it charges nothing now, so it shows no lines and no "credit".
    assert (q.line_items, q.subtotal, q.credit, q.discount) == ((), D("0"), D("0"), D("0"))


def test_w3_addon_purchase_charges_only_the_prorated_addon():
    # Plugin 2.4.10: re-charged Pro + Storage − 26.28 credit = 33.72, next charge 07-15.
    q = _quote(PRO, add_addons=(AddonSelection(12, 1),))
    assert q.change_kind is ChangeKind.ADDON
    assert q.due_now == D("5.26")  # 16 × 10 / 30.4375 = 5.2567
    assert q.credit == D("0.00")
    assert q.next_billing_amount == D("60.00")
    assert q.next_billing_date == EXPIRATION  # the billing date does not move
    assert dict(q.addons) == {12: 1}


def test_w3b_addon_purchase_keeps_existing_addons():
    # Plugin 2.4.10: 33.46 due, Storage (12) dropped, amount 65.
    held = replace(PRO, addons={12: 1}, amount=D("60"))
    q = _quote(held, add_addons=(AddonSelection(13, 1),))
    assert q.due_now == D("7.89")  # 16 × 15 / 30.4375 = 7.885
    assert dict(q.addons) == {12: 1, 13: 1}
    assert q.next_billing_amount == D("75.00")
    assert dict(q.removed_addons) == {}


def test_w4_same_plan_monthly_to_yearly_is_an_upgrade_through_the_variation():
    q = _quote(PRO, period=YEAR)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.credit == D("26.28")
    assert q.due_now == D("473.72")
    assert q.next_billing_amount == D("500.00")
    assert q.next_billing_date == datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)
    assert q.period == YEAR


BUSINESS = replace(
    BASELINE,
    plan_id=3,
    amount=D("500"),
    initial_amount=D("500"),
    period=YEAR,
    date_renewed=datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC),
    date_expiration=datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC),
)


def test_w5_active_yearly_to_dearer_monthly_plan_is_blocked():
    q = _quote(BUSINESS, plan_id=6, period=MONTH)
    assert q.change_kind is ChangeKind.BLOCKED
    assert [e.code for e in q.errors] == [ErrorCode.ACTIVE_AGREEMENT]
    assert q.errors[0].message == "You already have an active year agreement."
    assert q.due_now == D("0.00")


def test_w5b_yearly_to_cheaper_monthly_plan_is_scheduled():
    q = _quote(BUSINESS, plan_id=1, period=MONTH)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert q.effective_at == datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)
    assert q.due_now == D("0.00")
    assert q.next_billing_amount == D("20.00")


def test_w5c_equal_price_through_variation_is_a_crossgrade_reporting_unused_credit():
    # Plugin: "upgrade", due 0.00 and the 304.55 excess credit silently lost.
    q = _quote(BUSINESS, plan_id=2, period=MONTH)
    assert q.change_kind is ChangeKind.CROSSGRADE
    assert q.credit == D("354.55")  # 259 days × 500 / 365.25
    assert q.due_now == D("0.00")
    assert q.unused_credit == D("304.55")
    assert q.next_billing_amount == D("50.00")
    assert q.next_billing_date == ONE_MONTH_ON


def test_w6_upgrade_to_lifetime_has_no_next_billing_date():
    # Plugin: date_expiration stayed 2025-07-01 23:59:59 (so not "lifetime").
    q = _quote(PRO, plan_id=4)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.credit == D("26.28")
    assert q.due_now == D("873.72")
    assert q.next_billing_amount is None
    assert q.next_billing_date is None
    assert q.recurring is False
    after = apply_quote(PRO, q, NOW).membership
    assert after.date_expiration is None and after.is_lifetime
    assert after.amount == D("0.00") and after.initial_amount == D("873.72")


def test_w7_same_day_membership_gets_a_full_period_of_credit():
    today = replace(
        BASELINE,
        date_created=datetime(2025, 6, 15, 9, 0, 0, tzinfo=UTC),
        date_renewed=None,
        date_expiration=datetime(2025, 7, 15, 23, 59, 59, tzinfo=UTC),
    )
    q = _quote(today, plan_id=2)
    assert q.credit == D("20.00")
    assert q.due_now == D("30.00")


def _with_fees():
    catalog = dict(CATALOG)
    catalog[1] = replace(catalog[1], setup_fee=D("30"))
    catalog[2] = replace(catalog[2], setup_fee=D("50"))
    return catalog


def test_w8_setup_fee_credit_is_the_smaller_fee():
    q = _quote(BASELINE, catalog=_with_fees(), plan_id=2)
    assert [(li.type, li.title, li.total) for li in q.line_items] == [
        (LineItemType.PRODUCT, "Pro", D("50.00")),
        (LineItemType.FEE, "Signup Fee for Pro", D("50.00")),
        (LineItemType.CREDIT, "Credit", D("-40.51")),
    ]
    assert q.subtotal == D("100.00")
    assert q.credit == D("40.51")  # 10.513347 + min(30, 50)
    assert q.due_now == D("59.49")
    assert q.next_billing_amount == D("50.00")


SAVE10 = DiscountCode(1, "SAVE10", D("10"))


def test_w9_discount_reduces_today_but_not_renewals():
    q = quote(
        BASELINE,
        PlanChangeRequest(7, plan_id=2, discount_code="save10"),
        CATALOG,
        NOW,
        discount=SAVE10,
    )
    assert q.discount == D("5.00")
    assert q.line_items[0].discount_total == D("5.00")
    assert q.line_items[0].discount_label == "SAVE10"
    assert q.due_now == D("34.49")
    assert q.next_billing_amount == D("50.00")
    # Plugin: payment discount_total stayed 0.00; planswitch fills it.
    assert apply_quote(BASELINE, q, NOW).payment.discount_total == D("5.00")


def test_w9_discount_applying_to_renewals_lowers_the_recurring_amount():
    code = replace(SAVE10, apply_to_renewals=True)
    q = quote(
        BASELINE,
        PlanChangeRequest(7, plan_id=2, discount_code="SAVE10"),
        CATALOG,
        NOW,
        discount=code,
    )
    assert q.due_now == D("34.49")
    assert q.next_billing_amount == D("45.00")


def test_w10_trialing_membership_upgrade_gets_no_credit():
    trialing = replace(
        BASELINE,
        status=MembershipStatus.TRIALING,
        date_trial_end=datetime(2025, 6, 20, 23, 59, 59, tzinfo=UTC),
        date_expiration=datetime(2025, 6, 20, 23, 59, 59, tzinfo=UTC),
    )
    q = _quote(trialing, plan_id=2)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.credit == D("0.00")
    assert q.due_now == D("50.00")
    assert q.next_billing_date == ONE_MONTH_ON


def test_w10_trialing_downgrade_is_scheduled_at_trial_end():
    trialing = replace(
        PRO,
        status=MembershipStatus.TRIALING,
        date_expiration=datetime(2025, 6, 20, 23, 59, 59, tzinfo=UTC),
    )
    q = _quote(trialing, plan_id=1)
    assert q.scheduled and q.effective_at == datetime(2025, 6, 20, 23, 59, 59, tzinfo=UTC)


def test_w11_lifetime_credit_larger_than_the_charge_is_reported_unused():
    # Plugin: total floored at 0.00 and the 850.00 excess lost.
    lifetime = replace(
        BASELINE,
        plan_id=4,
        recurring=False,
        amount=D("0"),
        initial_amount=D("900"),
        date_expiration=None,
    )
    q = _quote(lifetime, plan_id=2)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.credit == D("900.00")
    assert q.due_now == D("0.00")
    assert q.unused_credit == D("850.00")
    assert q.next_billing_amount == D("50.00")
    assert q.next_billing_date == ONE_MONTH_ON


def test_w12_same_plan_same_period_is_no_change_whatever_the_duration_form():
    # Plugin: a string duration "1" made this a same-plan "upgrade" with 23.72 due.
    for period in (MONTH, BillingPeriod.of("1", "month"), None):
        q = _quote(PRO, plan_id=2, period=period)
        assert q.change_kind is ChangeKind.NO_CHANGE
        assert q.message == NO_CHANGE_MESSAGE
        assert q.due_now == D("0.00")


def test_w12_twelve_months_is_the_same_period_as_one_year():
    yearly = replace(PRO, period=YEAR, amount=D("500"))
    q = _quote(yearly, period=BillingPeriod(12, DurationUnit.MONTH))
    assert q.change_kind is ChangeKind.NO_CHANGE


def test_w13_downgrade_to_free_is_scheduled_and_leaves_no_billing_date():
    # Plugin: after the swap date_expiration stayed 2025-07-01 23:59:59 and the cron
    # billed the old price / expired the membership.
    q = _quote(PRO, plan_id=5)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert q.scheduled and q.effective_at == EXPIRATION
    assert q.due_now == D("0.00")
    assert q.next_billing_amount is None
    assert q.next_billing_date is None


def test_w14_removing_an_addon_is_scheduled_and_refunds_nothing():
    held = replace(PRO, addons={12: 1}, amount=D("60"), initial_amount=D("60"))
    q = _quote(held, remove_addons=(AddonSelection(12, 1),))
    assert q.change_kind is ChangeKind.REMOVE_ADDON
    assert q.scheduled and q.effective_at == EXPIRATION
    assert q.due_now == D("0.00")
    assert q.line_items == ()
    assert q.next_billing_amount == D("50.00")
    assert dict(q.addons) == {}
    assert dict(q.removed_addons) == {12: 1}
