"""The catalog is cached per process, and a product written through one process is seen by
every other process sharing the database at its next request (issue 12).

Two apps, each with its own store (engine, pool and catalog cache), stand for two server
processes over one database: SQLite file, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from planswitch.adapters.native import NativeStore
from planswitch.server.app import create_app
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings

from tests.api.test_plan_change_flow import API_KEY, OPTIONS, SECRET, Api
from tests.conftest import REFERENCE_NOW
from tests.resolvers.conftest import seeded_store
from tests.support.statements import counting

PRODUCT = """query($id: ID!) { product(id: $id, idType: DATABASE_ID) {
  listOrder active planGroup { name } availableAddons { databaseId } } }"""
UPDATE = """mutation($input: UpdateProductInput!) { updateProduct(input: $input) {
  product { listOrder } userErrors { code field message } } }"""


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def shared_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    seeded_store(url).close()
    return url


@asynccontextmanager
async def instance(url: str) -> AsyncIterator[tuple[Api, NativeStore]]:
    """One server process: its own store over ``url``."""
    store = NativeStore(url)
    settings = Settings(
        database_url=url, api_keys=[API_KEY], secret_key=SECRET, demo=False,
        apply_due_interval_seconds=0,
    )  # fmt: skip
    app = create_app(settings, store=store, clock=FixedClock(REFERENCE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        api = Api(client, url)
        try:
            yield api, store
        finally:
            api.engine.dispose()
            store.close()


async def test_a_product_updated_through_one_process_is_seen_by_the_other(shared_url) -> None:
    async with AsyncExitStack() as stack:
        one, _ = await stack.enter_async_context(instance(shared_url))
        other, other_store = await stack.enter_async_context(instance(shared_url))
        before = (await other.run(PRODUCT, id="3"))["product"]
        assert (await other.run(PRODUCT, id="3"))["product"] == before  # served from its cache

        changes = {"id": "3", "listOrder": 77, "active": False, "availableAddons": ["7"]}
        updated = await one.run(UPDATE, input=changes)
        assert updated["updateProduct"]["userErrors"] == []

        after = (await other.run(PRODUCT, id="3"))["product"]
        assert after["listOrder"] == 77
        assert after["active"] is False
        assert after["availableAddons"] == [{"databaseId": 7}]
        assert other_store.catalog().by_id[3].list_order == 77


async def test_the_next_request_after_a_product_write_reloads_the_catalog_once(
    shared_url,
) -> None:
    async with AsyncExitStack() as stack:
        one, _ = await stack.enter_async_context(instance(shared_url))
        other, other_store = await stack.enter_async_context(instance(shared_url))
        await other.run(OPTIONS, id="1")  # the other process has its catalog
        with counting(other_store.engine) as warm:
            await other.run(OPTIONS, id="1")

        await one.run(UPDATE, input={"id": "3", "listOrder": 5})
        with counting(other_store.engine) as reload:
            await other.run(OPTIONS, id="1")
        with counting(other_store.engine) as again:
            await other.run(OPTIONS, id="1")

    catalog_statements = 3  # products, their add-ons, their price variations
    # The options are one statement, needing no transaction; the products and their children
    # are read in one (SQLite: their BEGIN).
    begin = 1 if other_store.engine.dialect.name == "sqlite" else 0
    assert len(reload) == len(warm) + catalog_statements + begin, "\n".join(reload)
    assert reload.count("BEGIN") == begin
    assert len(again) == len(warm), "\n".join(again)


def test_a_rolled_back_product_write_leaves_the_cache_as_the_database_is(sqlite_url) -> None:
    store = seeded_store(sqlite_url)
    try:
        before = store.catalog()
        product = before.by_id[3]
        with pytest.raises(RuntimeError), store.transaction() as tx:
            tx.save_product(replace(product, list_order=99))
            assert tx.change_inputs(1).catalog.by_id[3].list_order == 99  # the tx sees it
            raise RuntimeError("roll back")
        assert store.catalog().by_id[3].list_order == product.list_order
        assert store.catalog() is before  # still the cached one: the version did not move
    finally:
        store.close()
