"""Filters, ordering, grouping, usage counts and the statement budget of batch reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from planswitch.adapters.native import SiteDomain
from planswitch.adapters.native.reads import apex_domain
from planswitch.domain.memberships import MembershipStatus
from planswitch.domain.payments import PaymentStatus
from planswitch.domain.ports import MembershipFilter, ProductFilter
from planswitch.domain.products import ProductType
from planswitch.domain.usage import Site, Usage

from tests.support.statements import counting

from .conftest import NOW, make_customer, make_membership, make_payment, make_product


def _catalog(store) -> None:
    store.upsert_product(make_product(id=1, slug="free", list_order=1, plan_group="High End"))
    store.upsert_product(make_product(id=2, slug="premium", list_order=2, plan_group="High End"))
    store.upsert_product(make_product(id=3, slug="basic", list_order=3, plan_group="Standard"))
    store.upsert_product(make_product(id=4, slug="old", list_order=2, active=False, plan_group=""))
    store.upsert_product(
        make_product(id=6, slug="visits", list_order=0, type=ProductType.PACKAGE, plan_group="")
    )


def test_list_products_orders_by_list_order_then_id_and_filters(store):
    _catalog(store)

    assert [p.id for p in store.list_products()] == [6, 1, 2, 4, 3]
    assert [p.id for p in store.list_products(ProductFilter(type=ProductType.PLAN))] == [1, 2, 4, 3]
    assert [p.id for p in store.list_products(ProductFilter(plan_group="High End"))] == [1, 2]
    assert [p.id for p in store.list_products(ProductFilter(active=False))] == [4]
    both = ProductFilter(type=ProductType.PLAN, active=True, plan_group="Standard")
    assert [p.id for p in store.list_products(both)] == [3]
    assert store.product_by_slug("basic").id == 3
    assert store.product_by_slug("nope") is None


def test_list_memberships_filters_pages_and_counts(store):
    for mid, customer, plan, status in [
        (1, 1, 2, MembershipStatus.ACTIVE),
        (2, 2, 4, MembershipStatus.ACTIVE),
        (3, 1, 3, MembershipStatus.TRIALING),
        (4, 1, 2, MembershipStatus.EXPIRED),
    ]:
        store.upsert_membership(
            make_membership(mid, customer_id=customer, plan_id=plan, status=status)
        )

    page = store.list_memberships(MembershipFilter(), offset=1, limit=2)
    assert [m.id for m in page.items] == [2, 3] and page.total == 4
    by_customer = store.list_memberships(MembershipFilter(customer_id=1), 0, 10)
    assert [m.id for m in by_customer.items] == [1, 3, 4] and by_customer.total == 3
    active = store.list_memberships(MembershipFilter(status=MembershipStatus.ACTIVE), 0, 10)
    assert [m.id for m in active.items] == [1, 2]
    premium_of_1 = MembershipFilter(customer_id=1, plan_id=2, status=MembershipStatus.EXPIRED)
    assert [m.id for m in store.list_memberships(premium_of_1, 0, 10).items] == [4]
    assert store.memberships_by_id([1])[1].addons == {6: 1, 7: 2}


def test_list_customers_pages_by_id(store):
    for cid in (3, 1, 2):
        store.upsert_customer(make_customer(cid))

    page = store.list_customers(offset=0, limit=2)

    assert [c.id for c in page.items] == [1, 2] and page.total == 3


def test_grouped_reads_key_every_requested_id(store):
    store.upsert_membership(make_membership(1, customer_id=1))
    store.upsert_membership(make_membership(2, customer_id=1))
    store.upsert_payment(make_payment(1, membership_id=1))
    store.upsert_payment(make_payment(2, membership_id=1))
    store.upsert_site(Site(3, 1, 1, "network.example", "/a/"), {"post": 1})

    assert {k: [m.id for m in v] for k, v in store.memberships_by_customer([1, 9]).items()} == {
        1: [1, 2],
        9: [],
    }
    assert {k: [p.id for p in v] for k, v in store.payments_by_membership([1, 2]).items()} == {
        1: [1, 2],
        2: [],
    }
    assert store.sites_by_membership([1, 2]) == {
        1: [Site(3, 1, 1, "network.example", "/a/")],
        2: [],
    }
    assert store.products_by_id([]) == {} and store.memberships_by_id([99]) == {}


def test_usage_counts_published_sites_posts_and_active_apex_domains(store):
    store.upsert_membership(make_membership(1))
    store.upsert_site(
        Site(3, 1, 1, "network.example", "/bakery/"),
        {"post": 42, "page": 7},
        [SiteDomain("bakery.example", primary=True), "www.bakery.example", "shop.bakery.example"],
    )
    store.upsert_site(
        Site(4, 1, 1, "network.example", "/catering/"),
        {"post": 3, "attachment": 10},
        ["www.catering.co.uk", SiteDomain("off.example", active=False)],
    )
    store.upsert_site(Site(5, 1, 1, "network.example", "/draft/", published=False), {"post": 99})
    store.upsert_site(Site(6, 2, 2, "network.example", "/other/"), {"post": 5}, ["other.example"])

    assert store.usage(1) == Usage(
        sites=2, posts={"attachment": 10, "page": 7, "post": 45}, custom_domains=2
    )
    assert store.usage(404) == Usage()


def test_usage_reports_a_pending_payment_or_a_pending_membership(store):
    store.upsert_membership(make_membership(1))
    store.upsert_membership(make_membership(2, status=MembershipStatus.PENDING))
    store.upsert_payment(make_payment(1, membership_id=1, status=PaymentStatus.COMPLETED))
    assert store.usage(1).pending_payment is False

    store.upsert_payment(make_payment(2, membership_id=1, status=PaymentStatus.PENDING))

    assert store.usage(1).pending_payment is True
    assert store.usage(2).pending_payment is True


@pytest.mark.parametrize(
    ("domain", "apex"),
    [
        ("example.com", "example.com"),
        ("www.example.com", "example.com"),
        ("WWW.Example.com.", "example.com"),
        ("shop.example.com", None),
        ("example.co.uk", "example.co.uk"),
        ("www.example.com.br", "example.com.br"),
        ("shop.example.co.uk", None),
        ("example.org.uk", None),
    ],
)
def test_apex_domain_follows_the_plugins_rule(domain, apex):
    assert apex_domain(domain) == apex


def test_due_scheduled_changes_returns_due_ids_oldest_first(store):
    base = make_membership().scheduled_change
    for mid, days in [(1, -2), (2, 5), (3, -10), (4, 0)]:
        change = base.__class__(**{**base.__dict__, "effective_at": NOW + timedelta(days=days)})
        store.upsert_membership(make_membership(mid, scheduled_change=change))
    store.upsert_membership(make_membership(5, scheduled_change=None))

    assert store.due_scheduled_changes(NOW) == [3, 1, 4]
    assert store.due_scheduled_changes(NOW, limit=1) == [3]


def _statements(store, read: Callable[[list[int]], object], ids: list[int]) -> int:
    with counting(store.engine) as statements:
        read(ids)
    return len(statements)


def test_batch_reads_run_the_same_number_of_statements_for_1_or_50_ids(store):
    with store.bulk() as batch:
        for i in range(1, 51):
            batch.upsert_product(make_product(i, slug=f"p{i}"))
            batch.upsert_customer(make_customer(i))
            batch.upsert_membership(make_membership(i, customer_id=i))
            batch.upsert_payment(make_payment(i, membership_id=i))
            batch.upsert_site(Site(i, i, i, "network.example", f"/s{i}/"), {"post": i}, [])
    many = list(range(1, 51))
    store.catalog()  # products come from the catalog cache (one version check) from now on

    for read in (
        store.products_by_id,
        store.customers_by_id,
        store.memberships_by_id,
        store.memberships_by_customer,
        store.payments_by_id,
        store.payments_by_membership,
        store.sites_by_membership,
    ):
        one = _statements(store, read, [1])
        assert _statements(store, read, many) == one, read.__name__
        assert one <= 4, read.__name__
    assert len(store.memberships_by_id(many)) == 50
    assert sum(len(p.line_items) for p in store.payments_by_id(many).values()) == 150
    assert store.products_by_id(many)[50].price_variations[0].amount == Decimal("490")
