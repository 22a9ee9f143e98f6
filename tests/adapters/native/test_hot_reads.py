"""The hot reads carry a membership's add-ons and usage as aggregated text columns
(adapters/native/reads.py: ``membership_addons_column``, ``usage_columns``): they come back
whole however many there are (MySQL cuts ``GROUP_CONCAT`` at 1,024 bytes by default), and
the same through every read that returns them."""

from __future__ import annotations

from planswitch.adapters.native import NativeStore
from planswitch.adapters.native.writes import SiteDomain
from planswitch.domain.usage import Site, Usage

from tests.adapters.native.conftest import make_membership

ADDONS = {1_000_000_000 + i: 1_000 + i for i in range(150)}  # about 3,000 bytes as text
SITES = 120


def seed(store: NativeStore) -> Usage:
    """Membership 1 with ``ADDONS`` and ``SITES`` published sites; its expected usage."""
    store.upsert_membership(make_membership(1, addons=ADDONS))
    posts = {"post": 0, "page": 0, "a-custom-post-type-x": 0}
    for i in range(SITES):
        counts = {"post": i, "page": 2, "a-custom-post-type-x": 3 * i}
        for post_type, count in counts.items():
            posts[post_type] += count
        domains = [f"shop{i}.example", SiteDomain(f"www.shop{i}.example"), "sub.shop.example"]
        store.upsert_site(Site(100 + i, 1, 1, "network.example", f"/s{i}/"), counts, domains)
    store.upsert_site(Site(99, 1, 1, "network.example", "/draft/", published=False), {"x": 9})
    # each shopN.example once (its www. form is the same apex); sub.shop.example is no apex
    return Usage(sites=SITES, posts=dict(sorted(posts.items())), custom_domains=SITES)


def test_many_add_ons_and_sites_come_back_whole(store: NativeStore) -> None:
    expected_usage = seed(store)

    read = store.change_inputs(1)
    assert read.membership is not None
    assert read.membership.addons == ADDONS
    assert read.usage == expected_usage == store.usage(1)
    with store.transaction() as tx:  # the commit's locked read
        locked = tx.change_inputs(1)
    assert locked.membership == read.membership and locked.usage == expected_usage

    [membership] = store.membership_reads([1], customers=True).memberships
    assert membership == read.membership == store.memberships_by_id([1])[1]


def test_a_membership_without_add_ons_or_sites(store: NativeStore) -> None:
    store.upsert_membership(make_membership(1, addons={}, scheduled_change=None))

    read = store.change_inputs(1)
    assert read.membership is not None and read.membership.addons == {}
    assert read.membership.scheduled_change is None
    assert read.usage == Usage() == store.usage(1)
    assert store.membership_reads([1]).memberships == [read.membership]


def test_mysql_connections_take_aggregates_of_any_length(store: NativeStore) -> None:
    if store.engine.dialect.name != "mysql":
        return  # SQLite and PostgreSQL cut no aggregate
    with store.engine.connect() as conn:
        limit = conn.exec_driver_sql("SELECT @@SESSION.group_concat_max_len").scalar()
    # Asked for 4 GiB; MariaDB clamps it to 1 GiB. Its default, 1 MiB, would cut a big
    # network's usage (MySQL's, 1,024 bytes, a membership's add-ons).
    assert limit >= 1 << 30
