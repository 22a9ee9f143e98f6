"""upgrade_options(): plans of the family, direction, timing, prices, blockers.

Rules: docs/plan-changes.md §2.
"""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

from planswitch.domain.errors import ErrorCode
from planswitch.domain.limits import Limitations
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.money import Money
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import Direction, PlanChangeRequest, Timing
from planswitch.domain.products import PriceVariation, Product, ProductType
from planswitch.domain.quotes import quote
from planswitch.domain.upgrade_options import period_prices, upgrade_options
from planswitch.domain.usage import Usage

NOW = datetime(2026, 6, 15, tzinfo=UTC)
MONTH = BillingPeriod(1, DurationUnit.MONTH)
YEAR = BillingPeriod(1, DurationUnit.YEAR)


def _plan(pid, amount, group="g", order=10, **kw):
    return Product(
        pid,
        f"p{pid}",
        f"Plan {pid}",
        ProductType.PLAN,
        D(amount),
        plan_group=group,
        list_order=order,
        **kw,
    )


CATALOG = {
    1: _plan(1, "20", available_addons=(10, 11, 12, 13)),
    2: _plan(2, "50", order=5, price_variations=(PriceVariation(YEAR, D("500")),)),
    3: _plan(3, "20", order=5),  # same price as plan 1: a crossgrade
    4: _plan(
        4, "10", order=20, limitations=Limitations({"sites": {"enabled": True, "limit": "1"}})
    ),
    5: _plan(5, "99", active=False),
    6: _plan(6, "30", group="other"),
    7: _plan(7, "40", currency="EUR"),
    10: Product(10, "disk", "Disk", ProductType.PACKAGE, D("5")),
    11: Product(11, "seo", "SEO", ProductType.SERVICE, D("99"), recurring=False),
    12: Product(12, "gone", "Gone", ProductType.PACKAGE, D("1"), active=False),
}
MEMBER = Membership(
    1,
    1,
    1,
    MembershipStatus.ACTIVE,
    D("30"),
    addons={10: 2},
    date_created=datetime(2026, 1, 1, tzinfo=UTC),
    date_expiration=datetime(2026, 7, 1, 23, 59, 59, tzinfo=UTC),
)


def test_offers_other_active_plans_of_the_group_by_list_order_then_id():
    options = upgrade_options(MEMBER, CATALOG, NOW)
    assert [o.plan_id for o in options.plans] == [2, 3, 7, 4]
    assert options.membership_id == 1


def test_plan_without_group_is_offered_every_other_active_plan():
    catalog = {**CATALOG, 1: replace(CATALOG[1], plan_group="")}
    assert [o.plan_id for o in upgrade_options(MEMBER, catalog, NOW).plans] == [2, 3, 6, 7, 4]


def test_each_option_has_direction_timing_and_prices():
    by_id = {o.plan_id: o for o in upgrade_options(MEMBER, CATALOG, NOW).plans}
    assert (by_id[2].direction, by_id[2].timing) == (Direction.UPGRADE, Timing.IMMEDIATE)
    assert (by_id[3].direction, by_id[3].timing) == (Direction.CROSSGRADE, Timing.IMMEDIATE)
    assert (by_id[4].direction, by_id[4].timing) == (Direction.DOWNGRADE, Timing.END_OF_TERM)
    assert by_id[2].price == Money(D("50.00"), "USD")
    assert [(p.period, p.price.amount) for p in by_id[2].prices] == [
        (MONTH, D("50.00")),
        (YEAR, D("500.00")),
    ]


def test_a_plans_prices_are_computed_once_per_product_and_anew_when_it_changes():
    first = {o.plan_id: o for o in upgrade_options(MEMBER, CATALOG, NOW).plans}
    again = {o.plan_id: o for o in upgrade_options(MEMBER, CATALOG, NOW).plans}
    assert again[2].prices is first[2].prices  # the same product object: kept
    repriced = replace(CATALOG[2], price_variations=(PriceVariation(YEAR, D("480.004")),))
    changed = {o.plan_id: o for o in upgrade_options(MEMBER, {**CATALOG, 2: repriced}, NOW).plans}
    assert [(p.period, p.price.amount) for p in changed[2].prices] == [
        (MONTH, D("50.00")),
        (YEAR, D("480.00")),
    ]
    assert period_prices(CATALOG[2]) == first[2].prices


def test_downgrade_of_expired_membership_is_immediate():
    expired = replace(MEMBER, status=MembershipStatus.EXPIRED)
    by_id = {o.plan_id: o for o in upgrade_options(expired, CATALOG, NOW).plans}
    assert by_id[4].timing is Timing.IMMEDIATE


def test_blocked_options_are_listed_with_reasons_from_the_quote_checks():
    usage = Usage(sites=3)
    options = {o.plan_id: o for o in upgrade_options(MEMBER, CATALOG, NOW, usage=usage).plans}
    assert options[7].allowed is False
    assert [b.code for b in options[7].blockers] == [ErrorCode.CURRENCY_MISMATCH]
    over = options[4].blockers[0]
    assert (over.code, over.module, over.current, over.allowed) == (
        ErrorCode.OVER_LIMIT,
        "sites",
        3,
        1,
    )
    # One source of truth: the quote for the same plan is blocked with the same message.
    q = quote(MEMBER, PlanChangeRequest(1, plan_id=4), CATALOG, NOW, usage=usage)
    assert [e.message for e in q.errors] == [b.message for b in options[4].blockers]
    assert options[2].allowed and options[2].blockers == ()


def test_yearly_membership_sees_the_agreement_blocker():
    yearly = replace(MEMBER, plan_id=2, period=YEAR, amount=D("500"))
    catalog = {**CATALOG, 8: _plan(8, "60")}
    options = {o.plan_id: o for o in upgrade_options(yearly, catalog, NOW).plans}
    # Not sold yearly: judged and priced at its own month (what a quote without a period does).
    assert (options[8].price.amount, options[8].period) == (D("60.00"), options[8].period)
    assert options[8].period is not None and options[8].period.unit.value == "month"
    assert [b.message for b in options[8].blockers] == [
        "You already have an active year agreement."
    ]


def test_pending_membership_options_are_all_blocked():
    pending = replace(MEMBER, status=MembershipStatus.PENDING)
    options = upgrade_options(pending, CATALOG, NOW).plans
    assert options and all(not o.allowed for o in options)


def test_addons_are_the_current_plans_active_addons_with_holdings():
    addons = upgrade_options(MEMBER, CATALOG, NOW).addons
    assert [(a.product_id, a.held, a.quantity, a.price.amount) for a in addons] == [
        (10, True, 2, D("5.00")),
        (11, False, 0, D("99.00")),
    ]
