"""Live mode's reads on the plugin's tables: ``totalCount`` alone is one COUNT (no page
read), or with the opt-in counter one read of its row; a deep page costs the statements of
the first (keyset on the primary key); ``membership(id)`` reads only through indexes.

Counted with an engine event on every engine (the app builds its WordPress store itself).
"""

from __future__ import annotations

import pytest
from planswitch.adapters.wordpress.store import WordPressStore
from sqlalchemy import create_engine

from tests.adapters.wordpress import conftest as wordpress_fixtures
from tests.adapters.wordpress.plans import INDEX_LOOKUPS, explain, recording
from tests.api.test_wordpress_live import gql, live_client
from tests.support.statements import counting
from tests.support.wordpress_network import generate_network

pytestmark = pytest.mark.mariadb

load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture
wordpress_url = wordpress_fixtures.wordpress_url


async def test_total_count_alone_runs_one_count_on_the_plugin_tables(wordpress_url) -> None:
    async with live_client(wordpress_url) as client:
        # Warm up: the first count of a process (and one every 30 s) also looks for the
        # counter's triggers (adapters/wordpress/counter.py).
        await gql(client, "{ memberships(first: 1) { totalCount nodes { databaseId } } }")
        with counting() as statements:
            data = await gql(client, "{ memberships { totalCount } }")
    assert data["memberships"]["totalCount"] > 0
    assert len(statements) == 1, "\n".join(statements)
    assert "count(" in statements[0].lower()
    assert "wu_memberships" in statements[0]


async def test_a_deep_page_on_the_plugin_tables_is_a_keyset_read(wordpress_url) -> None:
    query = """query($after: String) { memberships(first: 2, after: $after) {
      pageInfo { endCursor } nodes { databaseId } } }"""
    async with live_client(wordpress_url) as client:
        await gql(client, query, after=None)  # warm up
        with counting() as first:
            page = await gql(client, query, after=None)
        cursor = page["memberships"]["pageInfo"]["endCursor"]
        with counting() as deep:
            after = await gql(client, query, after=cursor)
    ids = [n["databaseId"] for n in page["memberships"]["nodes"]]
    later = [n["databaseId"] for n in after["memberships"]["nodes"]]
    assert later and min(later) > max(ids)
    assert len(deep) == len(first)
    assert any("wu_memberships.id > " in s for s in deep), "\n".join(deep)


# Tables that grow with the network: a read of one must go through an index, never a scan.
GROWING = (
    "wu_memberships",
    "wu_membershipmeta",
    "wu_customers",
    "wu_customermeta",
    "wu_payments",
    "wu_paymentmeta",
    "blogs",
    "blogmeta",
    "users",
    "usermeta",
    "wu_domain_mappings",
)
MEMBERSHIP = """query($id: ID!) { membership(id: $id, idType: DATABASE_ID) {
  databaseId status plan { slug } addons { quantity product { slug } }
  limits { sites { limit } diskSpace { limit } } } }"""


def grows(table: str | None) -> bool:
    return table is not None and any(table == f"wp_{name}" for name in GROWING)


@pytest.fixture(scope="module")
def generated_url(mariadb_database) -> str:
    # Big enough that MariaDB's plans are those of a real network (on a handful of rows a
    # scan is cheapest and proves nothing).
    url = mariadb_database()
    generate_network(url, 400, seed=12, keep_facts=False)
    return url


async def test_membership_by_id_reads_the_plugin_tables_through_indexes(generated_url) -> None:
    async with live_client(generated_url) as client:
        await gql(client, MEMBERSHIP, id="200")  # warm up: time zone, settings, catalog
        with recording() as statements:
            data = await gql(client, MEMBERSHIP, id="200")
    assert data["membership"]["databaseId"] == 200
    assert len(statements) == 3, [s for s, _ in statements]  # membership, its meta, catalog
    engine = create_engine(generated_url)
    try:
        with engine.connect() as conn:
            plans = [explain(conn, *recorded) for recorded in statements]
    finally:
        engine.dispose()
    rows = [row for plan in plans for row in plan]
    assert {"wp_wu_memberships", "wp_wu_membershipmeta"} <= {row["table"] for row in rows}
    for row in rows:
        if grows(row["table"]):
            assert row["type"] in INDEX_LOOKUPS and row["key"], row


async def test_total_count_with_the_counter_reads_its_row(load_wordpress_fixture) -> None:
    url = load_wordpress_fixture()
    store = WordPressStore(url)
    try:
        total = store.install_membership_counter()
    finally:
        store.dispose()
    async with live_client(url) as client:
        await gql(client, "{ memberships { totalCount } }")  # warm up: finds the triggers
        with counting() as statements:
            data = await gql(client, "{ memberships { totalCount } }")
    assert data["memberships"]["totalCount"] == total
    assert len(statements) == 1, "\n".join(statements)
    assert "planswitch_counts" in statements[0] and "count(" not in statements[0].lower()
