"""Quotes on the fixture network (tests/fixtures/wordpress) at 2026-06-15 00:00 UTC.

Products and memberships are built from wp_public.summary.json (the decoded rows).
"""

import json
from datetime import datetime
from decimal import Decimal as D

import pytest
from planswitch.domain.errors import ErrorCode
from planswitch.domain.limits import Limitations
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, ChangeKind, PlanChangeRequest
from planswitch.domain.products import PriceVariation, PricingType, Product, ProductType
from planswitch.domain.quotes import quote
from planswitch.domain.usage import Usage

from tests.conftest import REFERENCE_NOW, WORDPRESS_SUMMARY

SUMMARY = json.loads(WORDPRESS_SUMMARY.read_text())
YEAR = BillingPeriod.of(1, "year")
MONTH = BillingPeriod.of(1, "month")


def _utc(text):
    if not text or text.startswith("0000") or text.startswith("1970"):
        return None
    return datetime.fromisoformat(text).replace(tzinfo=REFERENCE_NOW.tzinfo)


def _product(row) -> Product:
    return Product(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        type=ProductType(row["type"]),
        amount=D(row["amount"]),
        currency=row["currency"],
        pricing_type=PricingType(row["pricing_type"]),
        setup_fee=D(row["setup_fee"]),
        recurring=bool(row["recurring"]),
        period=BillingPeriod.of(row["duration"], row["duration_unit"]),
        list_order=row["list_order"],
        active=bool(row["active"]),
        plan_group=row["product_group"] or "",
        limitations=Limitations(row["limitations"]),
        available_addons=tuple(row["available_addons"]),
        price_variations=tuple(
            PriceVariation(BillingPeriod.of(v["duration"], v["duration_unit"]), D(str(v["amount"])))
            for v in row["price_variations"]
        ),
    )


def _membership(row) -> Membership:
    return Membership(
        id=row["id"],
        customer_id=row["customer_id"],
        plan_id=row["plan_id"],
        status=MembershipStatus(row["status"]),
        amount=D(row["amount"]),
        addons={a["product_id"]: a["quantity"] for a in row["addon_products"]},
        initial_amount=D(row["initial_amount"]),
        period=BillingPeriod.of(row["duration"], row["duration_unit"]),
        recurring=bool(row["recurring"]),
        date_created=_utc(row["date_created"]),
        date_renewed=_utc(row["date_renewed"]),
        date_trial_end=_utc(row["date_trial_end"]),
        date_expiration=_utc(row["date_expiration"]),
    )


CATALOG = {row["id"]: _product(row) for row in SUMMARY["products"]}
MEMBERSHIPS = {row["id"]: _membership(row) for row in SUMMARY["memberships"]}


def _quote(mid, usage=Usage(), **request):  # noqa: B008
    return quote(
        MEMBERSHIPS[mid], PlanChangeRequest(mid, **request), CATALOG, REFERENCE_NOW, usage=usage
    )


def test_membership_1_to_basic_is_refused_as_another_plan_family():
    # Premium is in "High End", Basic in "Standard" (the fixture's own scheduled swap was
    # made through the plugin, which never checks groups).
    q = _quote(1, plan_id=3)
    assert q.change_kind is ChangeKind.BLOCKED
    assert [(e.code, e.field) for e in q.errors] == [(ErrorCode.NOT_IN_PLAN_GROUP, "planId")]


def test_membership_1_to_free_is_a_downgrade_scheduled_for_its_expiration():
    q = _quote(1, plan_id=1)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert q.scheduled
    assert q.effective_at == datetime(2026, 7, 3, 23, 59, 59, tzinfo=REFERENCE_NOW.tzinfo)
    assert q.due_now == D("0.00")
    # Free offers no add-ons: both are dropped and the plan leaves no next billing.
    assert dict(q.addons) == {}
    assert dict(q.removed_addons) == {6: 1, 7: 2}
    assert q.next_billing_amount is None and q.next_billing_date is None


def test_membership_1_to_free_is_over_limit_with_its_two_sites_and_domain():
    usage = Usage(sites=2, posts={"post": 25}, custom_domains=1)
    q = _quote(1, usage=usage, plan_id=1)
    assert q.change_kind is ChangeKind.BLOCKED
    assert [e.message for e in q.errors] == [
        "Your membership currently has 2 sites but the new plan is limited to 1 site. "
        "You must remove 1 site before you can downgrade your plan.",
        "Your site currently has 25 posts but the new plan is limited to 20 posts. "
        "You must trash 5 posts before you can downgrade your plan.",
        "This new plan does NOT support custom domains. You must remove all custom domains "
        "before you can downgrade your plan.",
    ]
    assert {e.code for e in q.errors} == {ErrorCode.OVER_LIMIT}


def test_membership_5_solo_to_premium_is_an_upgrade_keeping_extra_disk_space():
    q = _quote(5, plan_id=2)
    assert q.change_kind is ChangeKind.UPGRADE
    # 5 whole days to 2026-06-20 23:59:59: 5 × 14 / 30.4375 = 2.2998
    assert q.credit == D("2.30")
    assert q.subtotal == D("54.00")  # Premium 49 + Extra Disk Space 5
    assert q.due_now == D("51.70")
    assert dict(q.addons) == {7: 1}
    assert q.next_billing_amount == D("54.00")
    assert q.next_billing_date == datetime(2026, 7, 15, tzinfo=REFERENCE_NOW.tzinfo)
    assert q.message == "Upgrade to Premium: $51.70 due now, then $54.00 on 2026-07-15."


def test_membership_5_solo_to_premium_yearly_prices_the_variation():
    q = _quote(5, plan_id=2, period=YEAR)
    assert q.change_kind is ChangeKind.UPGRADE
    assert [(li.title, li.total) for li in q.line_items][:1] == [("Premium", D("490.00"))]
    # Extra Disk Space has no yearly price: it cannot be kept.
    assert dict(q.removed_addons) == {7: 1}
    assert q.due_now == D("487.70")
    assert q.next_billing_date == datetime(2027, 6, 15, tzinfo=REFERENCE_NOW.tzinfo)


def test_membership_2_business_to_basic_is_scheduled_and_drops_site_migration():
    q = _quote(2, plan_id=3, period=MONTH)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert q.effective_at == datetime(2027, 2, 10, 23, 59, 59, tzinfo=REFERENCE_NOW.tzinfo)
    assert dict(q.removed_addons) == {8: 1}
    assert q.next_billing_amount == D("19.00")


def test_membership_3_trialing_basic_to_business_pays_in_full_with_setup_fee():
    q = _quote(3, plan_id=4, period=YEAR)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.credit == D("0.00")
    assert q.due_now == D("440.00")  # 390 + setup fee 50, trialing: no credit
    assert q.next_billing_amount == D("390.00")


def test_membership_3_cannot_buy_business_monthly():
    q = _quote(3, plan_id=4, period=BillingPeriod(1, DurationUnit.MONTH))
    assert [(e.code, e.field) for e in q.errors] == [
        (ErrorCode.PERIOD_NOT_AVAILABLE, "billingPeriod")
    ]
    # Without a period, Business is quoted at its own (yearly), as upgradeOptions lists it.
    assert _quote(3, plan_id=4) == _quote(3, plan_id=4, period=YEAR)


def test_membership_4_expired_is_charged_in_full():
    q = _quote(4, plan_id=4, period=YEAR)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.credit == D("0.00")
    assert q.due_now == D("440.00")
    assert dict(q.removed_addons) == {6: 1}


def test_membership_6_free_lifetime_to_premium_charges_the_full_price():
    q = _quote(6, plan_id=2)
    assert q.change_kind is ChangeKind.UPGRADE
    assert q.credit == D("0.00")
    assert q.due_now == D("49.00")


def test_membership_7_pending_cannot_change():
    q = _quote(7, plan_id=1)
    assert [e.code for e in q.errors] == [ErrorCode.MEMBERSHIP_NOT_CHANGEABLE]


def test_membership_8_cancelled_downgrade_applies_now():
    q = _quote(8, plan_id=1)
    assert q.change_kind is ChangeKind.DOWNGRADE
    assert not q.scheduled and q.effective_at == REFERENCE_NOW
    assert q.due_now == D("0.00")


@pytest.mark.parametrize(
    ("quantity", "due", "amount"), [(1, "0.82", "19.00"), (2, "1.64", "24.00")]
)
def test_membership_5_buys_extra_disk_space_prorated(quantity, due, amount):
    q = _quote(5, add_addons=(AddonSelection(7, quantity),))
    assert q.change_kind is ChangeKind.ADDON
    # 5 whole days: 5 × 5.00 / 30.4375 = 0.8214 → 0.82 each
    assert q.line_items[0].unit_price == D("0.82")
    assert q.due_now == D(due)
    assert q.next_billing_amount == D(amount)
    assert q.next_billing_date == datetime(2026, 6, 20, 23, 59, 59, tzinfo=REFERENCE_NOW.tzinfo)
    assert dict(q.addons) == {7: 1 + quantity}


def test_membership_1_buys_site_migration_in_full():
    q = _quote(1, add_addons=(AddonSelection(8, 1),))
    assert q.due_now == D("99.00")
    assert q.next_billing_amount == D("68.00")
    assert dict(q.addons) == {6: 1, 7: 2, 8: 1}


def test_limit_changes_report_the_effective_sites_before_and_after():
    q = _quote(5, plan_id=2)
    sites = [c for c in q.limit_changes if c.module == "sites"]
    assert len(sites) == 1 and (sites[0].before, sites[0].after) == (1, 10)
