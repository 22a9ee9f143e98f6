"""The WordPress store's catalog cache follows what the plugin writes (docs/api.md §10).

The plugin saves products itself, so the cache watches a fingerprint of its product tables;
a second store over the same database stands for another planswitch process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from planswitch.adapters.wordpress.store import WordPressStore
from sqlalchemy import text

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def url(load_wordpress_fixture: Callable[..., str]) -> str:
    return load_wordpress_fixture()


@pytest.fixture
def stores(url: str) -> Iterator[tuple[WordPressStore, WordPressStore]]:
    one, other = WordPressStore(url, writes=True), WordPressStore(url, writes=True)
    yield one, other
    one.dispose()
    other.dispose()


def _first_id(store: WordPressStore) -> int:
    return store.catalog().products[0].id


def test_the_catalog_is_kept_while_the_tables_do_not_change(stores) -> None:
    one, _ = stores
    assert one.catalog() is one.catalog()


def test_a_product_the_plugin_saves_is_seen_at_the_next_read(stores) -> None:
    one, _ = stores
    product_id = _first_id(one)
    with one.engine.begin() as conn:  # what the plugin's save does: the row and its stamp
        conn.execute(
            text(
                f"UPDATE {one.names.products} SET name = 'Renamed by the plugin', "
                "date_modified = '2030-01-01 00:00:00' WHERE id = :id"
            ),
            {"id": product_id},
        )
    assert one.catalog().by_id[product_id].name == "Renamed by the plugin"


def test_update_product_through_one_store_is_seen_by_another(stores) -> None:
    one, other = stores
    product = other.catalog().products[0]
    with one.transaction(NOW) as tx:
        tx.save_product(replace(product, list_order=product.list_order + 7))
    assert one.catalog().by_id[product.id].list_order == product.list_order + 7
    assert other.catalog().by_id[product.id].list_order == product.list_order + 7
