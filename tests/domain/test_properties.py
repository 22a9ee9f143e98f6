"""Properties of quote()/apply_quote() over random catalogs, memberships and instants."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from planswitch.domain.apply import apply_quote
from planswitch.domain.errors import ErrorCode
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.money import round_money
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, ChangeKind, PlanChangeRequest
from planswitch.domain.pricing import proration_credit, setup_fee_credit
from planswitch.domain.products import PriceVariation, PricingType, Product, ProductType
from planswitch.domain.quotes import quote
from planswitch.domain.upgrade_options import upgrade_options

FAST = settings(max_examples=200, deadline=None)
BASE = datetime(2026, 6, 15, tzinfo=UTC)

money = st.integers(min_value=0, max_value=100_000).map(lambda cents: Decimal(cents) / 100)
periods = st.builds(
    BillingPeriod,
    st.integers(min_value=1, max_value=3),
    st.sampled_from(list(DurationUnit)),
)


@st.composite
def plans(draw, pid):
    return Product(
        id=pid,
        slug=f"p{pid}",
        name=f"Plan {pid}",
        type=ProductType.PLAN,
        amount=draw(money),
        pricing_type=draw(st.sampled_from([PricingType.PAID] * 4 + [PricingType.FREE])),
        setup_fee=draw(st.sampled_from([Decimal("0"), Decimal("0"), Decimal("25")])),
        recurring=draw(st.booleans() | st.just(True)),
        period=draw(periods),
        available_addons=tuple(draw(st.sets(st.sampled_from([10, 11])))),
        price_variations=tuple(
            PriceVariation(period, amount)
            for period, amount in draw(st.lists(st.tuples(periods, money), max_size=2))
        ),
    )


@st.composite
def worlds(draw):
    catalog = {pid: draw(plans(pid)) for pid in (1, 2, 3)}
    catalog[10] = Product(
        10,
        "pkg",
        "Package",
        ProductType.PACKAGE,
        draw(money),
        period=BillingPeriod(1, DurationUnit.MONTH),
    )
    catalog[11] = Product(11, "svc", "Service", ProductType.SERVICE, draw(money), recurring=False)
    plan = catalog[draw(st.sampled_from([1, 2, 3]))]
    now = BASE + timedelta(seconds=draw(st.integers(0, 86_400 * 60)))
    created = now - timedelta(seconds=draw(st.integers(0, 86_400 * 400)))
    renewed = draw(st.none() | st.just(created + (now - created) / 2) | st.just(now))
    expiration = draw(
        st.none()
        | st.integers(-86_400 * 40, 86_400 * 400).map(lambda s: now + timedelta(seconds=s))
    )
    membership = Membership(
        id=1,
        customer_id=1,
        plan_id=plan.id,
        status=draw(st.sampled_from(list(MembershipStatus))),
        amount=draw(money),
        initial_amount=draw(money),
        addons=draw(st.dictionaries(st.sampled_from([10, 11]), st.integers(1, 3), max_size=2)),
        period=draw(st.sampled_from([plan.period, *plan.periods()])),
        recurring=draw(st.booleans()),
        date_created=created,
        date_renewed=renewed,
        date_expiration=expiration,
    )
    request = PlanChangeRequest(
        1,
        plan_id=draw(st.none() | st.sampled_from([1, 2, 3])),
        period=draw(st.none() | periods),
        add_addons=tuple(
            draw(
                st.lists(
                    st.builds(AddonSelection, st.sampled_from([10, 11]), st.integers(1, 2)),
                    max_size=2,
                )
            )
        ),
        remove_addons=tuple(
            draw(
                st.lists(
                    st.builds(AddonSelection, st.sampled_from([10, 11]), st.integers(1, 2)),
                    max_size=1,
                )
            )
        ),
    )
    return catalog, membership, request, now


@FAST
@given(worlds())
def test_money_results_are_never_negative_and_rounded(world):
    catalog, membership, request, now = world
    q = quote(membership, request, catalog, now)
    for amount in (q.subtotal, q.credit, q.discount, q.due_now, q.unused_credit):
        assert amount >= 0
        assert amount == round_money(amount)
    if q.change_kind in (ChangeKind.BLOCKED, ChangeKind.NO_CHANGE):
        assert q.due_now == 0


@FAST
@given(worlds())
def test_due_now_is_subtotal_less_discount_and_credit(world):
    catalog, membership, request, now = world
    q = quote(membership, request, catalog, now)
    if q.ok:
        payable = max(q.subtotal - q.discount, Decimal(0))
        assert q.due_now == max(payable - q.credit, Decimal(0))
        assert q.unused_credit == max(q.credit - payable, Decimal(0))


@FAST
@given(worlds())
def test_proration_credit_is_capped_at_the_amount_for_recurring_memberships(world):
    catalog, membership, request, now = world
    credit = proration_credit(membership, now)
    if membership.is_recurring:
        assert credit <= membership.amount
    q = quote(membership, request, catalog, now)
    if q.ok and membership.is_recurring and any(li.title == "Credit" for li in q.line_items):
        fee = setup_fee_credit(catalog.get(membership.plan_id), catalog[q.plan_id])
        assert q.credit <= round_money(membership.amount + fee)


@FAST
@given(worlds(), st.integers(min_value=0, max_value=86_400 * 100))
def test_credit_never_grows_as_time_passes(world, seconds):
    catalog, membership, request, now = world
    later = now + timedelta(seconds=seconds)
    assert proration_credit(membership, later) <= proration_credit(membership, now)
    early = quote(membership, request, catalog, now)
    late = quote(membership, request, catalog, later)
    immediate = (ChangeKind.UPGRADE, ChangeKind.CROSSGRADE)
    if early.change_kind in immediate and late.change_kind == early.change_kind:
        assert late.credit <= early.credit


@FAST
@given(worlds(), st.booleans(), st.booleans())
def test_selecting_the_current_state_is_no_change(world, name_plan, name_period):
    catalog, membership, _, now = world
    request = PlanChangeRequest(
        1,
        plan_id=membership.plan_id if name_plan else None,
        period=membership.period if name_period else None,
    )
    assert quote(membership, request, catalog, now).change_kind is ChangeKind.NO_CHANGE


@FAST
@given(worlds())
def test_quote_is_deterministic(world):
    catalog, membership, request, now = world
    assert quote(membership, request, catalog, now) == quote(membership, request, catalog, now)


@FAST
@given(worlds())
def test_applying_a_quote_charges_due_now_and_sets_the_next_amount(world):
    catalog, membership, request, now = world
    q = quote(membership, request, catalog, now)
    if not q.ok:
        return
    outcome = apply_quote(membership, q, now)
    assert outcome.payment.total == q.due_now
    next_amount = q.next_billing_amount if q.next_billing_amount is not None else Decimal(0)
    if q.scheduled:
        assert outcome.membership.scheduled_change.amount == next_amount
        assert outcome.membership.amount == membership.amount
    else:
        assert outcome.membership.amount == next_amount
        assert dict(outcome.membership.addons) == dict(q.addons)


@FAST
@given(worlds(), st.lists(st.sampled_from(["", "basic", "pro"]), min_size=3, max_size=3))
def test_options_and_quotes_agree_on_the_plan_family(world, groups):
    """``upgrade_options`` lists exactly the plans ``quote`` does not refuse as outside the
    family (one rule, ``plan_checks.in_plan_group``), whatever the groups are."""
    catalog, membership, _, now = world
    catalog = {
        pid: replace(product, plan_group=groups[pid - 1]) if product.is_plan else product
        for pid, product in catalog.items()
    }
    offered = {option.plan_id for option in upgrade_options(membership, catalog, now).plans}
    for pid in (1, 2, 3):
        if pid == membership.plan_id:
            continue
        # At the period the option is judged at, so the quote reaches the blockers.
        own = membership.period.normalised()
        plan = catalog[pid]
        period = own if plan.price_at(own) is not None else plan.period.normalised()
        q = quote(membership, PlanChangeRequest(1, plan_id=pid, period=period), catalog, now)
        outside = ErrorCode.NOT_IN_PLAN_GROUP in {error.code for error in q.errors}
        assert (pid in offered) is not outside, (pid, groups, q.errors)
