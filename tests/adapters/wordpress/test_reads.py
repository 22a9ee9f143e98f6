"""WordPressStore reads the fixture network exactly as the summary JSON describes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from planswitch.adapters.wordpress.mappers import parse_datetime
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.limits import effective_limits
from planswitch.domain.memberships import MembershipStatus
from planswitch.domain.money import MoneyFormat, to_decimal
from planswitch.domain.payments import LineItemType
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.ports import MembershipFilter, ProductFilter
from planswitch.domain.products import ProductType
from planswitch.domain.usage import Usage

pytestmark = pytest.mark.mariadb


def utc(text: str | None) -> datetime | None:
    """A summary date ('Y-m-d H:i:s', UTC; zero date and null = None)."""
    if text is None or text.startswith("0000-00-00"):
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def by_id(items: list[dict[str, Any]], key: str = "id") -> dict[int, dict[str, Any]]:
    return {int(item[key]): item for item in items}


# --------------------------------------------------------------------------------- products


def test_every_product_matches_the_summary(
    wordpress_store: WordPressStore, wordpress_summary: dict[str, Any]
) -> None:
    expected = wordpress_summary["products"]
    products = wordpress_store.products_by_id([p["id"] for p in expected])
    assert sorted(products) == [1, 2, 3, 4, 5, 6, 7, 8]
    for want in expected:
        got = products[want["id"]]
        assert got.name == want["name"]
        assert got.slug == want["slug"]
        assert got.type.value == want["type"]
        assert got.plan_group == want["product_group"]
        assert got.pricing_type.value == want["pricing_type"]
        assert got.currency == want["currency"]
        assert got.amount == Decimal(want["amount"])
        assert got.setup_fee == Decimal(want["setup_fee"])
        assert got.recurring is bool(want["recurring"])
        assert got.period == BillingPeriod(want["duration"], DurationUnit(want["duration_unit"]))
        if want["trial_duration"]:
            assert got.trial == BillingPeriod(
                want["trial_duration"], DurationUnit(want["trial_duration_unit"])
            )
        else:
            assert got.trial is None
        assert got.billing_cycles == want["billing_cycles"]
        assert got.list_order == want["list_order"]
        assert got.active is bool(want["active"])
        assert got.available_addons == tuple(want["available_addons"])
        assert [(v.period, v.amount) for v in got.price_variations] == [
            (BillingPeriod.of(v["duration"], v["duration_unit"]), to_decimal(v["amount"]))
            for v in want["price_variations"]
        ]
        # JSON has string keys (template id "2"); the stored array has int keys.
        assert json.loads(json.dumps(got.limitations.to_raw())) == want["limitations"]
        assert got.date_created == utc(want["date_created"])
        assert got.date_modified == utc(want["date_modified"])
    assert wordpress_store.read_errors == []


def test_available_addons_in_all_three_stored_shapes(wordpress_store: WordPressStore) -> None:
    products = wordpress_store.products_by_id([1, 2, 3, 4])
    assert products[2].available_addons == (6, 7, 8)  # "6,7,8"
    assert products[3].available_addons == (6, 7)  # a:2:{i:0;s:1:"6";i:1;s:1:"7";}
    assert products[4].available_addons == (8,)  # "8"
    assert products[1].available_addons == ()  # a:0:{}


def test_price_variation_amount_is_an_exact_decimal(wordpress_store: WordPressStore) -> None:
    premium = wordpress_store.product_by_slug("premium")
    assert premium is not None
    assert premium.price_at(BillingPeriod(1, DurationUnit.YEAR)) == Decimal("490.00")
    assert premium.price_at(BillingPeriod(12, DurationUnit.MONTH)) == Decimal("490")
    assert wordpress_store.product_by_slug("no-such-product") is None


def test_list_products_filters_and_orders_by_list_order(wordpress_store: WordPressStore) -> None:
    everything = wordpress_store.list_products()
    orders = [(p.list_order, p.id) for p in everything]
    assert orders == sorted(orders) and len(everything) == 8
    packages = wordpress_store.list_products(ProductFilter(type=ProductType.PACKAGE))
    assert [p.id for p in packages] == [6, 7]
    standard = wordpress_store.list_products(ProductFilter(plan_group="Standard"))
    assert [p.id for p in standard] == [3, 4]
    high_end_plans = wordpress_store.list_products(
        ProductFilter(type=ProductType.PLAN, plan_group="High End", active=True)
    )
    assert [p.id for p in high_end_plans] == [1, 2]
    assert wordpress_store.list_products(ProductFilter(active=False)) == []


# -------------------------------------------------------------------------------- customers


def test_every_customer_matches_the_summary(
    wordpress_store: WordPressStore, wordpress_summary: dict[str, Any]
) -> None:
    expected = wordpress_summary["customers"]
    customers = wordpress_store.customers_by_id([c["id"] for c in expected])
    assert len(customers) == 6
    for want in expected:
        got = customers[want["id"]]
        assert got.user_id == want["user_id"]
        assert got.email == want["email"]
        assert got.display_name == want["display_name"]
        assert got.login == want["login"]
        assert got.vip is bool(want["vip"])
        assert got.has_trialed is bool(want["has_trialed"])
        assert got.date_registered == utc(want["date_registered"])
    assert customers[6].display_name == "Chloé D'Arcy"
    assert customers[2].vip is True


def test_list_customers_pages_by_id(wordpress_store: WordPressStore) -> None:
    page = wordpress_store.list_customers(offset=4, limit=10)
    assert page.total == 6
    assert [c.id for c in page.items] == [5, 6]
    assert [c.id for c in wordpress_store.list_customers(0, 2).items] == [1, 2]


# ------------------------------------------------------------------------------ memberships

DATES = (
    "date_created",
    "date_activated",
    "date_trial_end",
    "date_renewed",
    "date_cancellation",
    "date_expiration",
    "date_modified",
)


def test_every_membership_matches_the_summary(
    wordpress_store: WordPressStore, wordpress_summary: dict[str, Any]
) -> None:
    expected = wordpress_summary["memberships"]
    memberships = wordpress_store.memberships_by_id([m["id"] for m in expected])
    assert sorted(memberships) == list(range(1, 9))
    for want in expected:
        got = memberships[want["id"]]
        assert got.customer_id == want["customer_id"]
        assert got.plan_id == want["plan_id"]
        assert dict(got.addons) == {a["product_id"]: a["quantity"] for a in want["addon_products"]}
        assert got.status.value == want["status"]
        assert got.currency == want["currency"]
        assert got.amount == Decimal(want["amount"])
        assert got.initial_amount == Decimal(want["initial_amount"])
        assert got.recurring is bool(want["recurring"])
        assert got.auto_renew is bool(want["auto_renew"])
        assert got.period == BillingPeriod(want["duration"], DurationUnit(want["duration_unit"]))
        assert got.billing_cycles == want["billing_cycles"]
        assert got.times_billed == want["times_billed"]
        for name in DATES:
            assert getattr(got, name) == utc(want[name]), (want["id"], name)
        assert got.gateway == want["gateway"]
        assert got.gateway_customer_id == (want["gateway_customer_id"] or "")
        assert got.gateway_subscription_id == (want["gateway_subscription_id"] or "")
        assert got.version == want["date_modified"]
        if want["id"] != 1:
            assert got.scheduled_change is None


def test_zero_and_epoch_expiration_dates(wordpress_store: WordPressStore) -> None:
    memberships = wordpress_store.memberships_by_id([6, 7])
    lifetime, pending = memberships[6], memberships[7]
    assert lifetime.date_expiration is None  # 0000-00-00 00:00:00
    assert lifetime.status is MembershipStatus.ACTIVE
    assert pending.date_expiration == datetime(1970, 1, 1, 23, 59, 59, tzinfo=UTC)
    for moment in (pending.date_created, pending.date_expiration):
        assert moment is not None and moment.tzinfo is UTC


def test_scheduled_downgrade_of_membership_1(
    wordpress_store: WordPressStore, wordpress_summary: dict[str, Any]
) -> None:
    change = wordpress_store.memberships_by_id([1])[1].scheduled_change
    assert change is not None
    want = wordpress_summary["scheduled_changes"][0]
    assert change.plan_id == want["target_plan_id"] == 3
    assert dict(change.addons) == {6: 1}
    assert change.amount == Decimal("28.00")
    assert change.amount == Decimal(want["after_swap"]["amount"])
    assert change.period == BillingPeriod(1, DurationUnit.MONTH)
    assert change.effective_at == datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
    assert change.effective_at == utc(want["scheduled_date"])
    # Cart::get_cart_descriptor(): "{company_name} - {titles of the product lines}".
    assert change.description == "Example Network Ltd - Basic, Unlimited Visits"


def test_network_settings_come_from_the_plugins_settings(wordpress_store: WordPressStore) -> None:
    settings = wordpress_store.network_settings()
    assert (settings.default_role, settings.company_name) == (
        "administrator",
        "Example Network Ltd",
    )
    # The fixture's currency settings: symbol left, '.' decimals, ',' thousands, 2 places.
    assert settings.money_format == MoneyFormat("%s%v", ".", ",", 2)


def test_effective_limits_of_membership_1(wordpress_store: WordPressStore) -> None:
    membership = wordpress_store.memberships_by_id([1])[1]
    products = wordpress_store.products_by_id([membership.plan_id, *membership.addons])
    limits = effective_limits(
        products[membership.plan_id],
        [(products[pid], qty) for pid, qty in membership.addons.items()],
        membership.limitations_override,
    )
    view = limits.view()
    assert limits.sites_limit() == 10
    assert view.visits.limit is None  # Premium '' + Unlimited Visits '0': unlimited
    assert view.disk_space.limit == 10240 + 2 * 2048  # Extra Disk Space x2
    assert limits.domain_limit() is None  # Premium maps domains without a number


def test_list_memberships_filters_and_pages(wordpress_store: WordPressStore) -> None:
    page = wordpress_store.list_memberships(MembershipFilter(), offset=2, limit=3)
    assert page.total == 8
    assert [m.id for m in page.items] == [3, 4, 5]
    active = wordpress_store.list_memberships(
        MembershipFilter(status=MembershipStatus.ACTIVE), 0, 50
    )
    assert [m.id for m in active.items] == [1, 2, 5, 6] and active.total == 4
    nadia = wordpress_store.list_memberships(MembershipFilter(customer_id=4), 0, 50)
    assert [m.id for m in nadia.items] == [4, 5]
    premium = wordpress_store.list_memberships(MembershipFilter(plan_id=2), 0, 50)
    assert [m.id for m in premium.items] == [1, 7, 8]


def test_memberships_by_customer_keys_every_requested_id(wordpress_store: WordPressStore) -> None:
    result = wordpress_store.memberships_by_customer([4, 5, 99])
    assert {k: [m.id for m in v] for k, v in result.items()} == {4: [4, 5], 5: [6, 7], 99: []}
    assert wordpress_store.memberships_by_id([]) == {}
    assert wordpress_store.memberships_by_id([404]) == {}


# --------------------------------------------------------------------------------- payments


def test_every_payment_matches_the_summary(
    wordpress_store: WordPressStore, wordpress_summary: dict[str, Any]
) -> None:
    expected = wordpress_summary["payments"]
    payments = wordpress_store.payments_by_id([p["id"] for p in expected])
    assert sorted(payments) == list(range(1, 14))
    for want in expected:
        got = payments[want["id"]]
        assert got.membership_id == want["membership_id"]
        assert got.customer_id == want["customer_id"]
        assert got.status.value == want["status"]
        assert got.currency == want["currency"]
        for name in ("subtotal", "refund_total", "tax_total", "discount_total", "total"):
            assert getattr(got, name) == Decimal(want[name]), (want["id"], name)
        assert got.discount_code == want["discount_code"]
        assert got.gateway == want["gateway"]
        assert got.gateway_payment_id == (want["gateway_payment_id"] or "")
        assert got.date_created == utc(want["date_created"])
        assert len(got.line_items) == len(want["line_items"])
        for line, wline in zip(got.line_items, want["line_items"], strict=True):
            assert line.type.value == wline["type"]
            assert line.product_id == wline["product_id"]
            assert line.title == wline["title"]
            assert line.description == wline["description"]
            assert line.quantity == wline["quantity"]
            assert line.recurring is wline["recurring"]
            assert line.discount_label == wline["discount_label"]
            for name in ("unit_price", "subtotal", "discount_total", "tax_total", "total"):
                assert getattr(line, name) == Decimal(repr(float(wline[name]))), name


def test_line_item_float_noise_becomes_exact_decimals(wordpress_store: WordPressStore) -> None:
    discounted = wordpress_store.payments_by_id([8])[8]
    solo, disk = discounted.line_items
    assert solo.total == Decimal("6.029999999999999")
    assert solo.discount_total == Decimal("2.97")
    assert disk.total == Decimal("3.35")
    refund = wordpress_store.payments_by_id([13])[13].line_items[0]
    assert refund.type is LineItemType.REFUND
    assert refund.product_id is None
    assert refund.total == Decimal("-49")
    assert not refund.discount_total.is_signed()  # d:-0 reads as 0


def test_payments_by_membership_in_id_order(wordpress_store: WordPressStore) -> None:
    result = wordpress_store.payments_by_membership([1, 6])
    assert [p.id for p in result[1]] == [1, 2, 3]
    assert result[6] == []


# ------------------------------------------------------------------------- discount codes


def test_discount_codes_match_the_summary(
    wordpress_store: WordPressStore, wordpress_summary: dict[str, Any]
) -> None:
    for want in wordpress_summary["discount_codes"]:
        got = wordpress_store.discount_code(want["code"].lower())  # case-insensitive
        assert got is not None
        assert got.id == want["id"]
        assert got.code == want["code"]
        assert got.type.value == want["type"]
        assert got.value == Decimal(want["value"])
        assert got.setup_fee_type.value == want["setup_fee_type"]
        assert got.setup_fee_value == Decimal(want["setup_fee_value"])
        assert got.apply_to_renewals is bool(want["apply_to_renewals"])
        assert got.uses == want["uses"]
        assert got.max_uses == want["max_uses"]
        assert got.active is bool(want["active"])
        assert got.date_start == utc(want["date_start"])
        assert got.date_expiration == utc(want["date_expiration"])
        assert got.allowed_products == tuple(int(p) for p in want["allowed_products"])
        assert got.limit_products is bool(want["limit_products_raw"])
    assert wordpress_store.discount_code("NOPE") is None


# ---------------------------------------------------------------------------- sites, usage


def test_sites_by_membership_match_the_summary(
    wordpress_store: WordPressStore, wordpress_summary: dict[str, Any]
) -> None:
    ids = list(range(1, 9))
    result = wordpress_store.sites_by_membership(ids)
    expected: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for site in wordpress_summary["sites"]:
        if site["wu_membership_id"] is not None:
            expected[site["wu_membership_id"]].append(site)
    for membership_id in ids:
        got, want = result[membership_id], expected[membership_id]
        assert [s.id for s in got] == [s["blog_id"] for s in want]
        for site, wsite in zip(got, want, strict=True):
            assert site.customer_id == wsite["wu_customer_id"]
            assert site.membership_id == membership_id
            assert site.path == wsite["path"]
            assert site.domain == wsite["domain"]
            assert site.type == wsite["wu_type"]
            assert site.published is True


def test_usage_of_membership_1_and_2(wordpress_store: WordPressStore) -> None:
    # The fixture has no per-site posts tables, so post counts are empty.
    assert wordpress_store.usage(1) == Usage(sites=2, posts={}, custom_domains=1)
    # www.silva-arquitetura.example is active (still checking SSL): apex after "www."
    assert wordpress_store.usage(2) == Usage(sites=1, posts={}, custom_domains=1)


def test_pending_membership_reports_a_pending_payment(wordpress_store: WordPressStore) -> None:
    assert wordpress_store.usage(7) == Usage(sites=0, custom_domains=0, pending_payment=True)
    assert wordpress_store.usage(4) == Usage()


def test_due_scheduled_changes(wordpress_store: WordPressStore) -> None:
    before = datetime(2026, 7, 3, 23, 59, 58, tzinfo=UTC)
    at = datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
    assert wordpress_store.due_scheduled_changes(before) == []
    assert wordpress_store.due_scheduled_changes(at) == [1]
    assert wordpress_store.due_scheduled_changes(at, limit=0) == []


def test_writes_are_disabled_unless_enabled(wordpress_store: WordPressStore) -> None:
    with pytest.raises(DomainError) as raised:
        wordpress_store.transaction()
    assert raised.value.error.code is ErrorCode.WRITES_DISABLED
    assert "PLANSWITCH_WORDPRESS_WRITES=1" in raised.value.error.message


def test_check_passes_on_a_reachable_network(wordpress_store: WordPressStore) -> None:
    wordpress_store.check()


def test_check_raises_when_the_plugin_tables_are_missing(wordpress_url: str) -> None:
    store = WordPressStore(wordpress_url, prefix="nothere_")
    try:
        with pytest.raises(Exception, match="nothere_wu_memberships"):
            store.check()
    finally:
        store.dispose()


def test_strict_mode_is_on_for_every_session(wordpress_store: WordPressStore) -> None:
    from sqlalchemy import text

    with wordpress_store.engine.connect() as conn:
        mode = conn.execute(text("SELECT @@SESSION.sql_mode")).scalar_one()
    assert "STRICT_TRANS_TABLES" in mode.split(",")


def test_dates_are_aware_utc(wordpress_store: WordPressStore) -> None:
    membership = wordpress_store.memberships_by_id([1])[1]
    assert membership.date_created == parse_datetime("2025-11-03 14:21:48")
    assert membership.date_created is not None and membership.date_created.utcoffset() is not None


@pytest.fixture
def fresh_store(load_wordpress_fixture: Any) -> Iterator[WordPressStore]:
    store = WordPressStore(load_wordpress_fixture())
    yield store
    store.dispose()
