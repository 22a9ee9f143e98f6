"""Issue 8's domain rules: the pending-change lifecycle, money per currency, and the
money-path fixes (lapsed memberships, scheduled downgrades, options that agree with quotes,
initial_amount after a scheduled change)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal as D

import pytest
from planswitch.domain.apply import apply_quote, apply_scheduled_change
from planswitch.domain.checkout_lines import checkout_lines, checkout_subtotal
from planswitch.domain.errors import ErrorCode
from planswitch.domain.gateway_payment import after_gateway_payment
from planswitch.domain.memberships import MembershipStatus, ScheduledChange
from planswitch.domain.money import Money, round_money
from planswitch.domain.payments import LineItemType
from planswitch.domain.pending_change import (
    DEFAULT_TTL,
    Completion,
    DiscardReason,
    PendingStatus,
    apply_pending_change,
    discarded,
    is_overdue,
    needs_payment,
    on_payment_completed,
    open_pending_change,
    writes_payment,
)
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, ChangeKind, PlanChangeRequest
from planswitch.domain.quotes import quote
from planswitch.domain.upgrade_options import upgrade_options

from tests.domain.test_quotes_worked_examples import (
    BASELINE,
    CATALOG,
    EXPIRATION,
    MONTH,
    NOW,
    PRO,
    YEAR,
)

UPGRADE = PlanChangeRequest(7, plan_id=2)


# --- the pending change ---------------------------------------------------------------


def test_only_a_change_with_something_due_waits_for_a_payment():
    upgrade = quote(BASELINE, UPGRADE, CATALOG, NOW)
    downgrade = quote(PRO, PlanChangeRequest(7, plan_id=1), CATALOG, NOW)
    assert needs_payment(upgrade) and upgrade.due_now == D("39.49")
    assert not needs_payment(downgrade) and downgrade.scheduled


def test_a_pending_change_expires_after_its_ttl():
    change = open_pending_change(BASELINE, quote(BASELINE, UPGRADE, CATALOG, NOW), 41, NOW)
    assert change.expires_at == NOW + DEFAULT_TTL and change.status is PendingStatus.PENDING
    assert not is_overdue(change, NOW + DEFAULT_TTL - timedelta(seconds=1))
    assert is_overdue(change, NOW + DEFAULT_TTL)
    assert not is_overdue(discarded(change, DiscardReason.EXPIRED, NOW), NOW + 2 * DEFAULT_TTL)
    with pytest.raises(ValueError):
        open_pending_change(BASELINE, change.quote, 41, NOW, timedelta(0))


def test_a_paid_change_applies_exactly_as_quoted_at_commit():
    committed = quote(BASELINE, UPGRADE, CATALOG, NOW)
    change = open_pending_change(replace(BASELINE, version="3"), committed, 41, NOW)
    paid_at = NOW + timedelta(hours=5)
    outcome = apply_pending_change(replace(BASELINE, version="3"), change, paid_at)
    after = outcome.membership
    assert (after.plan_id, after.amount, after.initial_amount) == (2, D("50.00"), D("39.49"))
    # The period starts when it was committed, ends on the quoted date.
    assert after.date_renewed == NOW and after.date_expiration == committed.next_billing_date
    assert after.date_modified == paid_at


def test_completion_applies_once_and_refunds_on_a_changed_membership():
    membership = replace(BASELINE, version="3")
    change = open_pending_change(membership, quote(membership, UPGRADE, CATALOG, NOW), 41, NOW)
    assert on_payment_completed(change, membership, change) is Completion.APPLY
    late = discarded(change, DiscardReason.CANCELLED, NOW)
    assert on_payment_completed(late, membership, None) is Completion.APPLY
    moved = replace(membership, version="4")
    assert on_payment_completed(late, moved, None) is Completion.REFUND
    other = replace(change, payment_id=42)
    assert on_payment_completed(late, membership, other) is Completion.REFUND
    done = replace(change, status=PendingStatus.APPLIED)
    assert on_payment_completed(done, membership, None) is Completion.NOTHING


# --- money per currency ------------------------------------------------------------------


def test_amounts_round_to_the_currency_minor_unit():
    assert round_money(D("1500.5"), 0) == D("1501")
    assert round_money(D("10.1235"), 3) == D("10.124")
    assert round_money(D("10.515")) == D("10.52")
    assert Money(D("1500"), "JPY").formatted(0) == "¥1,500"
    assert Money(D("12.5"), "KWD").formatted(3) == "12.500 KWD"


def test_a_yen_quote_has_no_fractions_and_a_dinar_quote_three_places():
    yen = {pid: replace(p, currency="JPY") for pid, p in CATALOG.items()}
    member = replace(BASELINE, currency="JPY", amount=D("2000"), initial_amount=D("2000"))
    yen[1] = replace(yen[1], amount=D("2000"))
    yen[2] = replace(yen[2], amount=D("5000"))
    q = quote(member, UPGRADE, yen, NOW, digits=0)
    # 16 × 2000 / 30.4375 = 1051.33 → 1051 credit; 5000 − 1051 = 3949 due.
    assert (q.credit, q.due_now, q.next_billing_amount) == (D("1051"), D("3949"), D("5000"))
    assert all(line.unit_price == line.unit_price.to_integral() for line in q.line_items)
    assert "¥3,949 due now" in (q.message or "")

    dinar = {pid: replace(p, currency="KWD") for pid, p in CATALOG.items()}
    dinar[1] = replace(dinar[1], amount=D("20.125"))
    dinar[2] = replace(dinar[2], amount=D("50.375"))
    kwd = replace(BASELINE, currency="KWD", amount=D("20.125"))
    q = quote(kwd, UPGRADE, dinar, NOW, digits=3)
    # 16 × 20.125 / 30.4375 = 10.5791…: three places kept, never cut to two.
    assert (q.credit, q.due_now) == (D("10.579"), D("39.796"))
    assert q.line_items[0].unit_price == D("50.375")


# --- the money-path fixes ----------------------------------------------------------------


def test_a_lapsed_membership_is_never_sold_add_ons_for_free():
    lapsed = replace(PRO, date_expiration=NOW - timedelta(days=12))
    q = quote(lapsed, PlanChangeRequest(7, add_addons=(AddonSelection(12, 1),)), CATALOG, NOW)
    assert q.change_kind is ChangeKind.ADDON and q.errors == ()
    # The renewal it needs (Pro 50) plus the add-on in full (10): never 0.00.
    assert q.due_now == D("60.00") and q.next_billing_amount == D("60.00")
    assert q.next_billing_date == NOW + (MONTH.add_to(NOW) - NOW) and q.next_billing_date > NOW
    after = apply_quote(lapsed, q, NOW).membership
    assert (after.date_renewed, after.date_expiration) == (NOW, q.next_billing_date)
    assert after.addons == {12: 1} and after.amount == D("60.00")


def test_an_add_on_bought_under_a_scheduled_downgrade_is_quoted_and_carried():
    scheduled = ScheduledChange(
        plan_id=6, addons={}, period=MONTH, amount=D("60"), effective_at=EXPIRATION
    )
    team = {**CATALOG, 6: replace(CATALOG[6], available_addons=(12,))}
    member = replace(PRO, scheduled_change=scheduled)
    q = quote(member, PlanChangeRequest(7, add_addons=(AddonSelection(12, 1),)), team, NOW)
    # What will really happen: on 07-01 Team (60) with the add-on (10).
    assert (q.next_billing_amount, q.next_billing_date) == (D("70.00"), EXPIRATION)
    assert q.due_now == D("5.26")
    after = apply_quote(member, q, NOW).membership
    assert after.scheduled_change is not None
    assert (after.scheduled_change.addons, after.scheduled_change.amount) == ({12: 1}, D("70.00"))
    assert after.amount == D("60.00")  # Pro 50 + the add-on 10 until the change applies
    applied = apply_scheduled_change(after, team, EXPIRATION).membership
    assert (applied.plan_id, applied.addons, applied.amount) == (6, {12: 1}, D("70.00"))
    # A plan that does not offer it: not carried, and the quote says what will be billed.
    q = quote(member, PlanChangeRequest(7, add_addons=(AddonSelection(12, 1),)), CATALOG, NOW)
    assert q.next_billing_amount == D("60.00")
    assert apply_quote(member, q, NOW).membership.scheduled_change.addons == {}


def test_options_and_quotes_agree_and_the_current_plan_is_offered_at_its_other_periods():
    options = upgrade_options(BASELINE, CATALOG, NOW)
    business = next(o for o in options.plans if o.plan_id == 3)
    # Business is sold yearly only: judged, priced and quoted at its year.
    assert (business.period, business.price.amount) == (YEAR, D("500.00"))
    q = quote(BASELINE, PlanChangeRequest(7, plan_id=3), CATALOG, NOW)
    assert business.allowed and q.errors == () and q.period == YEAR
    for option in options.plans:
        q = quote(BASELINE, PlanChangeRequest(7, option.plan_id, option.period), CATALOG, NOW)
        assert option.allowed == (not q.errors), (option, q.errors)
    pro = upgrade_options(PRO, CATALOG, NOW)
    [yearly] = [o for o in pro.plans if o.plan_id == 2]
    assert (yearly.period, yearly.price.amount, yearly.allowed) == (YEAR, D("500.00"), True)
    q = quote(PRO, PlanChangeRequest(7, 2, YEAR), CATALOG, NOW)
    assert q.change_kind.value == yearly.direction.value and q.errors == ()
    unsold = quote(PRO, PlanChangeRequest(7, 2, BillingPeriod(7, DurationUnit.WEEK)), CATALOG, NOW)
    assert [e.code for e in unsold.errors] == [ErrorCode.PERIOD_NOT_AVAILABLE]


def test_a_scheduled_change_keeps_the_initial_amount():
    change = ScheduledChange(plan_id=1, addons={}, period=MONTH, amount=D("20"), effective_at=NOW)
    after = apply_scheduled_change(replace(PRO, scheduled_change=change), CATALOG, NOW)
    assert after is not None and after.membership.initial_amount == D("50")


# --- a pending change's payment as the plugin's checkout writes it (issue 10) -----------


def test_a_manual_payment_bills_a_new_period_once_and_leaves_it_active():
    membership = replace(BASELINE, version="3", status=MembershipStatus.ON_HOLD)
    upgrade = open_pending_change(membership, quote(membership, UPGRADE, CATALOG, NOW), 41, NOW)
    applied = apply_pending_change(membership, upgrade, NOW + timedelta(hours=1)).membership
    after = after_gateway_payment(membership, applied, "manual", "")
    assert (after.status, after.times_billed) == (MembershipStatus.ACTIVE, 7)
    assert (after.gateway, after.gateway_customer_id) == (membership.gateway, "")
    # An add-on bought mid-term starts no period: nothing counted.
    request = PlanChangeRequest(7, add_addons=(AddonSelection(12, 1),))
    purchase = open_pending_change(PRO, quote(PRO, request, CATALOG, NOW), 42, NOW)
    bought = apply_pending_change(PRO, purchase, NOW).membership
    assert after_gateway_payment(PRO, bought, "manual", "").times_billed == PRO.times_billed


def test_checkout_lines_keep_a_plan_changes_own_lines():
    upgrade = quote(BASELINE, UPGRADE, CATALOG, NOW)
    assert checkout_lines(upgrade, CATALOG) == upgrade.line_items
    assert checkout_subtotal(upgrade.line_items) == D("50.00")


def test_checkout_lines_of_an_addon_purchase_describe_the_whole_new_membership():
    purchase = quote(PRO, PlanChangeRequest(7, add_addons=(AddonSelection(12, 1),)), CATALOG, NOW)
    assert purchase.change_kind is ChangeKind.ADDON and D("0") < purchase.due_now < D("10")
    lines = checkout_lines(purchase, CATALOG)
    assert [(li.type, li.product_id, li.total, li.recurring) for li in lines] == [
        (LineItemType.PRODUCT, 2, D("50.00"), True),
        (LineItemType.PRODUCT, 12, D("10.00"), True),
        (LineItemType.CREDIT, None, purchase.due_now - D("60.00"), False),
    ]
    assert sum(li.total for li in lines) == purchase.due_now
    assert checkout_subtotal(lines) == D("60.00")


def test_only_changes_that_charge_or_buy_write_a_payment():
    downgrade = quote(PRO, PlanChangeRequest(7, plan_id=1), CATALOG, NOW)
    held = replace(PRO, addons={12: 1}, amount=D("60"))
    removal = quote(
        held, PlanChangeRequest(7, remove_addons=(AddonSelection(12, 1),)), CATALOG, NOW
    )
    assert downgrade.scheduled and removal.change_kind is ChangeKind.REMOVE_ADDON
    assert not writes_payment(downgrade) and not writes_payment(removal)
    assert writes_payment(quote(BASELINE, UPGRADE, CATALOG, NOW))
