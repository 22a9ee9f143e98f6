"""The plugin's own acceptance cases that planswitch keeps.

Cart tests C7-C10 and the fork's cases valid for 2.4.10: docs/plan-changes.md §9.1, §9.5.

As in the plugin's tests, memberships are created "now" with an expiration 30 days out,
so the same-day rule gives a full period of credit.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from planswitch.domain.errors import ErrorCode
from planswitch.domain.limits import Limitations
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import NO_CHANGE_MESSAGE, ChangeKind, PlanChangeRequest
from planswitch.domain.products import Product, ProductType
from planswitch.domain.quotes import quote
from planswitch.domain.usage import Usage

NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
MONTH = BillingPeriod(1, DurationUnit.MONTH)
YEAR = BillingPeriod(1, DurationUnit.YEAR)


def _plan(pid, amount, **kw):
    return Product(pid, f"plan-{pid}", f"Plan {pid}", ProductType.PLAN, D(amount), **kw)


def _member(plan_id, amount, status=MembershipStatus.ACTIVE, **kw):
    defaults = dict(
        initial_amount=D(amount), date_created=NOW, date_expiration=NOW + timedelta(days=30)
    )
    defaults.update(kw)
    return Membership(1, 1, plan_id, status, D(amount), **defaults)


def _quote(membership, catalog, usage=Usage(), **request):  # noqa: B008
    return quote(membership, PlanChangeRequest(1, **request), catalog, NOW, usage=usage)


def test_c7_same_day_upgrade_credits_the_full_amount():
    catalog = {
        1: _plan(1, "50", trial=BillingPeriod(14, DurationUnit.DAY)),
        2: _plan(2, "75", trial=BillingPeriod(14, DurationUnit.DAY)),
    }
    q = _quote(_member(1, "50"), catalog, plan_id=2)
    assert [li.type.value for li in q.line_items] == ["product", "credit"]
    assert q.line_items[1].total == D("-50.00")
    assert q.due_now == D("25.00")


def _domain_plans(low_limit):
    high = _plan(
        1, "100", limitations=Limitations({"domain_mapping": {"enabled": True, "limit": True}})
    )
    low = _plan(
        2, "25", limitations=Limitations({"domain_mapping": {"enabled": True, "limit": low_limit}})
    )
    return {1: high, 2: low}


def test_c8_downgrade_over_the_custom_domain_limit_is_blocked():
    q = _quote(_member(1, "100"), _domain_plans(1), Usage(custom_domains=3), plan_id=2)
    assert q.change_kind is ChangeKind.BLOCKED
    assert q.errors[0].code is ErrorCode.OVER_LIMIT
    assert q.errors[0].message == (
        "Your site currently has 3 custom domains but the new plan is limited to 1 custom "
        "domain. You must remove 2 custom domains before you can downgrade your plan."
    )


def test_c9_subdomains_do_not_count_so_the_downgrade_is_allowed():
    # The two addresses are subdomains of the network: the usage counts 0 custom domains.
    q = _quote(_member(1, "100"), _domain_plans(3), Usage(custom_domains=0), plan_id=2)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert q.errors == ()


def test_c10_plan_without_custom_domains_blocks_a_site_that_has_one():
    q = _quote(_member(1, "100"), _domain_plans(False), Usage(custom_domains=1), plan_id=2)
    assert q.errors[0].message == (
        "This new plan does NOT support custom domains. You must remove all custom domains "
        "before you can downgrade your plan."
    )


def test_over_limit_blocker_carries_current_and_allowed():
    from planswitch.domain.quotes import over_limit_problems

    (problem,) = over_limit_problems(_domain_plans(1)[2], Usage(custom_domains=3))
    assert (problem.blocker.module, problem.blocker.current, problem.blocker.allowed) == (
        "domain_mapping",
        3,
        1,
    )


CATALOG = {
    1: _plan(1, "20"),
    2: _plan(2, "80"),
    3: _plan(3, "100"),
    4: _plan(4, "500", recurring=False),
    5: _plan(5, "50"),
    6: _plan(6, "500", period=YEAR),
}


def test_upgrade_20_to_80_on_creation_day_is_due_60():
    q = _quote(_member(1, "20"), CATALOG, plan_id=2)
    assert (q.change_kind, q.credit, q.due_now) == (ChangeKind.UPGRADE, D("20.00"), D("60.00"))


def test_downgrade_100_to_20_is_scheduled_with_nothing_due():
    member = _member(3, "100")
    q = _quote(member, CATALOG, plan_id=1)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert q.due_now == D("0.00")
    assert q.next_billing_amount == D("20.00")
    # Both billing dates of the downgrade equal the expiration.
    assert q.effective_at == member.date_expiration
    assert q.next_billing_date == member.date_expiration
    assert q.effective_at > NOW


def test_upgrade_to_lifetime_plan_is_due_450():
    q = _quote(_member(5, "50"), CATALOG, plan_id=4)
    assert (q.change_kind, q.credit, q.due_now) == (ChangeKind.UPGRADE, D("50.00"), D("450.00"))
    assert q.next_billing_amount is None


def test_same_plan_same_duration_is_no_change():
    q = _quote(_member(1, "20"), CATALOG, plan_id=1, period=MONTH)
    assert q.change_kind is ChangeKind.NO_CHANGE
    assert q.message == NO_CHANGE_MESSAGE


def test_trialing_membership_gets_no_credit_line():
    q = _quote(_member(1, "20", status=MembershipStatus.TRIALING), CATALOG, plan_id=2)
    assert q.credit == D("0.00")
    assert [li.type.value for li in q.line_items] == ["product"]
    assert q.due_now == D("80.00")


def test_active_yearly_agreement_blocks_a_monthly_switch():
    yearly = _member(6, "500", period=YEAR)
    q = _quote(yearly, CATALOG, plan_id=5, period=MONTH)
    assert q.change_kind is ChangeKind.BLOCKED
    assert q.errors[0].code is ErrorCode.ACTIVE_AGREEMENT
    assert q.message == "You already have an active year agreement."


def test_agreement_label_counts_longer_periods():
    two_years = replace(_member(6, "1000"), period=BillingPeriod(2, DurationUnit.YEAR))
    catalog = dict(CATALOG)
    catalog[6] = _plan(6, "1000", period=BillingPeriod(2, DurationUnit.YEAR))
    q = _quote(two_years, catalog, plan_id=5, period=MONTH)
    assert q.message == "You already have an active 2 years agreement."


def test_agreement_guard_does_not_apply_to_on_hold_memberships():
    yearly = _member(6, "500", period=YEAR, status=MembershipStatus.ON_HOLD)
    q = _quote(yearly, CATALOG, plan_id=5, period=MONTH)
    assert q.change_kind is ChangeKind.UPGRADE
