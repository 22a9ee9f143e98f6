"""Live mode's list reads on the plugin's tables: ``totalCount`` alone is one COUNT (no page
read), and a deep page costs the statements of the first (keyset on the primary key).

Counted with an engine event on every engine (the app builds its WordPress store itself).
"""

from __future__ import annotations

import pytest

from tests.adapters.wordpress import conftest as wordpress_fixtures
from tests.api.test_wordpress_live import gql, live_client
from tests.support.statements import counting

pytestmark = pytest.mark.mariadb

load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture
wordpress_url = wordpress_fixtures.wordpress_url


async def test_total_count_alone_runs_one_count_on_the_plugin_tables(wordpress_url) -> None:
    async with live_client(wordpress_url) as client:
        await gql(client, "{ memberships(first: 1) { nodes { databaseId } } }")  # warm up
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
