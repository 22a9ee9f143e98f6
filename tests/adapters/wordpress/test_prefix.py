"""Any table prefix, and second networks (``{bp}wu_<network_id>_*``), read the same data."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from planswitch.adapters.wordpress.names import TableNames
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.ports import MembershipFilter
from sqlalchemy import create_engine, text

PLUGIN_TABLES = (
    "products",
    "productmeta",
    "memberships",
    "membershipmeta",
    "customers",
    "customermeta",
    "payments",
    "paymentmeta",
    "events",
    "discount_codes",
    "discount_codemeta",
    "domain_mappings",
    "forms",
    "formmeta",
    "posts",
    "postmeta",
    "webhooks",
)


def test_names_for_the_default_prefix() -> None:
    names = TableNames()
    assert names.products == "wp_wu_products"
    assert names.membershipmeta == "wp_wu_membershipmeta"
    assert names.meta_id_column("membership") == "wu_membership_id"
    assert names.blogs == "wp_blogs" and names.blogmeta == "wp_blogmeta"
    assert names.users == "wp_users" and names.usermeta == "wp_usermeta"
    assert names.sitemeta == "wp_sitemeta" and names.options == "wp_options"
    assert names.posts(3) == "wp_3_posts"
    assert names.posts(1) == "wp_posts"  # the main site uses the base prefix
    assert names.as_actions == "wp_actionscheduler_actions"
    assert names.as_groups == "wp_actionscheduler_groups"
    assert names.as_logs == "wp_actionscheduler_logs"
    assert names.as_claims == "wp_actionscheduler_claims"
    assert names.idempotency == "wp_planswitch_idempotency"
    assert names.capabilities_key(3) == "wp_3_capabilities"


def test_second_network_names_keep_the_meta_id_column() -> None:
    names = TableNames("net7_", network_id=2)
    assert names.products == "net7_wu_2_products"
    assert names.productmeta == "net7_wu_2_productmeta"
    assert names.meta_id_column("product") == "wu_product_id"
    assert names.blogs == "net7_blogs"  # WordPress core tables are shared
    assert names.as_actions == "net7_actionscheduler_actions"
    assert TableNames("wp_", network_id=1).products == "wp_wu_products"  # the main network


@pytest.mark.parametrize("prefix", ["", "wp-", "wp_; DROP", "wp_`"])
def test_unsafe_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        TableNames(prefix)


def _snapshot(store: WordPressStore) -> tuple[object, ...]:
    """Everything the store reads, for comparing two copies of the network."""
    ids = list(range(1, 9))
    return (
        store.list_products(),
        store.list_customers(0, 50),
        store.list_memberships(MembershipFilter(), 0, 50),
        store.payments_by_membership(ids),
        store.sites_by_membership(ids),
        [store.usage(i) for i in ids],
        store.discount_code("NEWYEAR33"),
        store.due_scheduled_changes(store.memberships_by_id([1])[1].date_expiration),
    )


@pytest.fixture(scope="module")
def reference(wordpress_url: str) -> tuple[object, ...]:
    store = WordPressStore(wordpress_url)
    try:
        return _snapshot(store)
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def net7_url(load_wordpress_fixture: Callable[..., str]) -> str:
    return load_wordpress_fixture("net7_")


@pytest.fixture
def net7_store(net7_url: str) -> Iterator[WordPressStore]:
    store = WordPressStore(net7_url, prefix="net7_")
    yield store
    store.dispose()


@pytest.mark.mariadb
def test_another_prefix_reads_the_same_network(
    net7_store: WordPressStore, reference: tuple[object, ...]
) -> None:
    engine = create_engine(net7_store.engine.url)
    with engine.connect() as conn:
        tables = {row[0] for row in conn.execute(text("SHOW TABLES"))}
    engine.dispose()
    assert "net7_wu_memberships" in tables and not any(t.startswith("wp_") for t in tables)
    assert _snapshot(net7_store) == reference
    assert net7_store.read_errors == []


@pytest.mark.mariadb
def test_the_wp_prefix_store_does_not_see_net7_tables(net7_url: str) -> None:
    store = WordPressStore(net7_url)  # default prefix wp_
    try:
        with pytest.raises(Exception, match="wp_wu_memberships"):
            store.check()
    finally:
        store.dispose()


@pytest.mark.mariadb
def test_a_second_network_reads_its_own_plugin_tables(
    load_wordpress_fixture: Callable[..., str], reference: tuple[object, ...]
) -> None:
    url = load_wordpress_fixture("net7_")
    engine = create_engine(url)
    with engine.begin() as conn:
        for name in PLUGIN_TABLES:
            conn.execute(text(f"RENAME TABLE net7_wu_{name} TO net7_wu_2_{name}"))
        # A second network has its own network options (the plugin's settings among them).
        conn.execute(
            text(
                "INSERT INTO net7_sitemeta (site_id, meta_key, meta_value) "
                "SELECT 2, meta_key, meta_value FROM net7_sitemeta WHERE site_id = 1"
            )
        )
    engine.dispose()
    store = WordPressStore(url, prefix="net7_", network_id=2)
    try:
        assert _snapshot(store) == reference
    finally:
        store.dispose()
