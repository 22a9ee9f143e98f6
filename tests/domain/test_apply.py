"""apply_quote(), apply_scheduled_change(), cancel_scheduled_change() (docs/plan-changes.md §4)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from planswitch.domain.apply import apply_quote, apply_scheduled_change, cancel_scheduled_change
from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.memberships import Membership, MembershipStatus, ScheduledChange
from planswitch.domain.payments import PaymentStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, PlanChangeRequest
from planswitch.domain.products import PricingType, Product, ProductType
from planswitch.domain.quotes import quote

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
EXPIRATION = datetime(2025, 7, 1, 23, 59, 59, tzinfo=UTC)
MONTH = BillingPeriod(1, DurationUnit.MONTH)
CATALOG = {
    1: Product(1, "basic", "Basic", ProductType.PLAN, D("20"), available_addons=(12,)),
    2: Product(2, "pro", "Pro", ProductType.PLAN, D("50"), available_addons=(12,)),
    5: Product(
        5, "free", "Free", ProductType.PLAN, D("0"), pricing_type=PricingType.FREE, recurring=False
    ),
    12: Product(12, "storage", "Extra Storage", ProductType.SERVICE, D("10")),
}
BASIC = Membership(
    7,
    3,
    1,
    MembershipStatus.ACTIVE,
    D("20"),
    initial_amount=D("20"),
    date_created=datetime(2025, 1, 1, 10, tzinfo=UTC),
    date_renewed=datetime(2025, 6, 1, 10, tzinfo=UTC),
    date_expiration=EXPIRATION,
)
PRO = replace(BASIC, plan_id=2, amount=D("50"))


def _commit(membership, now=NOW, **request):
    q = quote(membership, PlanChangeRequest(membership.id, **request), CATALOG, now)
    return q, apply_quote(membership, q, now)


def test_upgrade_moves_plan_amount_and_starts_a_new_period():
    q, outcome = _commit(BASIC, plan_id=2)
    m = outcome.membership
    assert (m.plan_id, m.amount, m.initial_amount) == (2, D("50.00"), D("39.49"))
    assert m.date_renewed == NOW
    assert m.date_expiration == datetime(2025, 7, 15, 12, tzinfo=UTC)
    assert m.status is MembershipStatus.ACTIVE
    assert outcome.event_kind == "plan_changed"
    assert outcome.scheduled_change is None


def test_upgrade_payment_is_pending_with_the_quote_lines():
    q, outcome = _commit(BASIC, plan_id=2)
    p = outcome.payment
    assert (p.id, p.status, p.subtotal, p.total, p.currency) == (
        0,
        PaymentStatus.PENDING,
        D("50.00"),
        D("39.49"),
        "USD",
    )
    assert p.line_items == q.line_items
    assert (p.customer_id, p.membership_id) == (3, 7)


def test_downgrade_is_stored_as_a_scheduled_change_only():
    q, outcome = _commit(PRO, plan_id=1)
    m = outcome.membership
    assert (m.plan_id, m.amount, m.date_expiration) == (2, D("50"), EXPIRATION)
    change = m.scheduled_change
    assert change == outcome.scheduled_change
    assert (change.plan_id, dict(change.addons), change.period, change.amount) == (
        1,
        {},
        MONTH,
        D("20.00"),
    )
    assert (change.effective_at, change.created_at) == (EXPIRATION, NOW)
    assert change.description == q.message
    assert outcome.payment.status is PaymentStatus.COMPLETED
    assert outcome.payment.total == D("0.00")
    assert outcome.event_kind == "change_scheduled"


def test_upgrade_clears_a_scheduled_downgrade():
    _, scheduled = _commit(PRO, plan_id=1)
    bigger = {**CATALOG, 3: Product(3, "max", "Max", ProductType.PLAN, D("90"))}
    q = quote(scheduled.membership, PlanChangeRequest(7, plan_id=3), bigger, NOW)
    after = apply_quote(scheduled.membership, q, NOW).membership
    assert after.plan_id == 3 and after.scheduled_change is None


def test_a_new_downgrade_replaces_the_scheduled_one():
    _, first = _commit(PRO, plan_id=1)
    _, second = _commit(first.membership, plan_id=5)
    assert second.membership.scheduled_change.plan_id == 5


def test_addon_purchase_keeps_the_dates_and_adds_quantities():
    held = replace(PRO, addons={12: 1}, amount=D("60"))
    q, outcome = _commit(held, add_addons=(AddonSelection(12, 2),))
    m = outcome.membership
    assert dict(m.addons) == {12: 3}
    assert m.amount == D("80.00")
    assert (m.date_renewed, m.date_expiration) == (held.date_renewed, EXPIRATION)
    assert outcome.payment.total == q.due_now == D("10.52")  # 2 × 5.26
    assert outcome.event_kind == "addon_purchased"


def test_downgrade_past_expiration_applies_at_once_keeping_the_dates():
    late = NOW.replace(month=7, day=3)
    _, outcome = _commit(PRO, now=late, plan_id=1)
    m = outcome.membership
    assert (m.plan_id, m.amount) == (1, D("20.00"))
    assert (m.date_renewed, m.date_expiration) == (PRO.date_renewed, EXPIRATION)
    assert outcome.payment.total == D("0.00")
    assert outcome.event_kind == "plan_changed"


def test_payload_is_json_serialisable():
    import json

    _, outcome = _commit(BASIC, plan_id=2)
    payload = json.loads(json.dumps(outcome.event_payload))
    assert payload["dueNow"] == "39.49"
    assert payload["from"]["planId"] == 1 and payload["to"]["planId"] == 2
    assert payload["nextBillingDate"] == "2025-07-15T12:00:00+00:00"


def test_blocked_and_no_change_quotes_cannot_be_applied():
    q = quote(BASIC, PlanChangeRequest(7, plan_id=99), CATALOG, NOW)
    with pytest.raises(DomainError) as blocked:
        apply_quote(BASIC, q, NOW)
    assert blocked.value.error.code is ErrorCode.NOT_FOUND
    q = quote(BASIC, PlanChangeRequest(7), CATALOG, NOW)
    with pytest.raises(DomainError) as same:
        apply_quote(BASIC, q, NOW)
    assert same.value.error.code is ErrorCode.NO_CHANGE


def test_due_scheduled_change_is_applied_without_charge():
    _, scheduled = _commit(PRO, plan_id=1)
    assert apply_scheduled_change(scheduled.membership, CATALOG, NOW) is None
    outcome = apply_scheduled_change(scheduled.membership, CATALOG, EXPIRATION)
    m = outcome.membership
    assert (m.plan_id, m.amount, m.period, m.scheduled_change) == (1, D("20.00"), MONTH, None)
    assert m.date_expiration == EXPIRATION  # the renewal extends it
    assert (outcome.payment.total, outcome.payment.status) == (D("0.00"), PaymentStatus.COMPLETED)
    assert outcome.event_kind == "scheduled_change_applied"


def test_scheduled_change_to_free_leaves_no_billing_date():
    _, scheduled = _commit(PRO, plan_id=5)
    outcome = apply_scheduled_change(scheduled.membership, CATALOG, EXPIRATION + timedelta(1))
    m = outcome.membership
    assert (m.plan_id, m.amount, m.recurring, m.date_expiration) == (5, D("0.00"), False, None)


def test_addon_removal_is_scheduled_then_applied():
    held = replace(PRO, addons={12: 1}, amount=D("60"))
    _, outcome = _commit(held, remove_addons=(AddonSelection(12, 1),))
    assert dict(outcome.membership.addons) == {12: 1}
    applied = apply_scheduled_change(outcome.membership, CATALOG, EXPIRATION).membership
    assert (dict(applied.addons), applied.amount, applied.plan_id) == ({}, D("50.00"), 2)


def test_cancel_scheduled_change():
    _, scheduled = _commit(PRO, plan_id=1)
    assert cancel_scheduled_change(scheduled.membership).scheduled_change is None
    with pytest.raises(DomainError) as missing:
        cancel_scheduled_change(PRO)
    assert missing.value.error.code is ErrorCode.NO_SCHEDULED_CHANGE


def test_scheduled_change_type_round_trips_into_the_membership():
    change = ScheduledChange(1, {12: 1}, MONTH, D("30"), EXPIRATION)
    m = replace(PRO, scheduled_change=change)
    assert apply_scheduled_change(m, CATALOG, EXPIRATION).membership.addons == {12: 1}
