"""The demo seed fills an empty database once, with a catalog shaped like the fixture."""

from __future__ import annotations

from decimal import Decimal

from planswitch.adapters.native.demo import seed_demo
from planswitch.adapters.native.mappers import limits_to_json
from planswitch.domain.memberships import MembershipStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.ports import MembershipFilter, ProductFilter
from planswitch.domain.products import PricingType, ProductType

from .conftest import NOW


def test_seed_demo_seeds_an_empty_database_once(store):
    assert seed_demo(store, NOW) is True
    first = store.list_products()

    assert seed_demo(store, NOW) is False
    assert store.list_products() == first
    assert len(first) == 8


def test_demo_catalog_has_the_documented_plans_addons_and_limits(store):
    seed_demo(store, NOW)
    products = {p.slug: p for p in store.list_products()}

    high_end = store.list_products(ProductFilter(plan_group="High End"))
    assert [p.slug for p in high_end] == ["free", "premium"]
    free, premium = products["free"], products["premium"]
    assert free.pricing_type is PricingType.FREE and free.is_free
    assert premium.amount == Decimal("49.00") and premium.available_addons == (6, 7, 8)
    assert premium.price_at(BillingPeriod(1, DurationUnit.YEAR)) == Decimal("490.00")
    assert products["basic"].plan_group != "High End"
    assert products["business"].setup_fee == Decimal("50.00")
    assert products["unlimited-visits"].type is ProductType.PACKAGE
    assert products["site-migration"].type is ProductType.SERVICE
    assert not products["site-migration"].recurring
    assert {p.currency for p in products.values()} == {"USD"}

    raw = {slug: limits_to_json(p.limitations) for slug, p in products.items()}
    assert raw["free"]["sites"] == {"enabled": True, "limit": "1"}
    assert raw["free"]["visits"] == {"enabled": True, "limit": "1000"}
    assert raw["free"]["disk_space"] == {"enabled": True, "limit": "100"}
    assert raw["premium"]["sites"]["limit"] == "10" and raw["premium"]["visits"]["limit"] == ""
    assert raw["premium"]["disk_space"]["limit"] == "10240"
    assert raw["unlimited-visits"]["visits"] == {"enabled": True, "limit": "0"}
    assert raw["extra-disk-space"]["disk_space"] == {"enabled": True, "limit": "2048"}
    assert raw["free"]["post_types"]["limit"]["post"] == {"number": "20", "enabled": True}


def test_demo_memberships_cover_the_statuses_and_usage_shows_blockers(store):
    seed_demo(store, NOW)

    memberships = store.list_memberships(MembershipFilter(), 0, 50).items
    assert {m.status for m in memberships} >= {
        MembershipStatus.ACTIVE,
        MembershipStatus.TRIALING,
        MembershipStatus.EXPIRED,
        MembershipStatus.CANCELLED,
    }
    olivia = memberships[0]
    assert olivia.addons == {6: 1, 7: 2} and olivia.amount == Decimal("68.00")
    assert olivia.date_expiration > NOW
    assert any(m.is_lifetime for m in memberships)
    usage = store.usage(olivia.id)
    assert usage.sites == 2 and usage.custom_domains == 1 and usage.posts["post"] == 54
    assert store.customers_by_id([1])[1].email == "olivia@example.com"
    assert len(store.payments_by_membership([1])[1][0].line_items) == 3
    assert store.discount_code("welcome10").value == Decimal("10")
