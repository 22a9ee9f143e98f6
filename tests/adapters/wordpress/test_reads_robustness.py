"""Unreadable rows are skipped and reported; local-time dates; constant statement counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from planswitch.adapters.wordpress.mappers import RowError
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.ports import MembershipFilter
from sqlalchemy import create_engine, event, text

pytestmark = pytest.mark.mariadb


def run_sql(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@pytest.fixture(scope="module")
def corrupted_url(load_wordpress_fixture: Callable[..., str]) -> str:
    """A copy whose membership 3 add-ons, payment 8 line items and product 5 limits are garbage."""
    url = load_wordpress_fixture()
    run_sql(
        url,
        "UPDATE wp_wu_memberships SET addon_products = 'a:2:{i:6;garbage' WHERE id = 3",
        "UPDATE wp_wu_paymentmeta SET meta_value = 'O:28:\"WP_Ultimo\\\\Checkout' "
        "WHERE wu_payment_id = 8 AND meta_key = 'wu_line_items'",
        "UPDATE wp_wu_productmeta SET meta_value = 'a:11:{s:5:\"sites\";' "
        "WHERE wu_product_id = 5 AND meta_key = 'wu_limitations'",
        "UPDATE wp_wu_membershipmeta SET meta_value = 'O:23:\"WP_Ultimo' "
        "WHERE wu_membership_id = 1 AND meta_key = 'wu_swap_order'",
    )
    return url


@pytest.fixture
def corrupted(corrupted_url: str) -> Iterator[WordPressStore]:
    store = WordPressStore(corrupted_url)
    yield store
    store.dispose()


def test_a_corrupt_membership_row_is_skipped_and_reported(corrupted: WordPressStore) -> None:
    page = corrupted.list_memberships(MembershipFilter(), 0, 50)
    assert [m.id for m in page.items] == [2, 4, 5, 6, 7, 8]
    tables_and_ids = {(e.table, e.id) for e in corrupted.read_errors}
    assert ("wp_wu_memberships", 3) in tables_and_ids
    assert ("wp_wu_membershipmeta", 1) in tables_and_ids  # the unreadable swap order
    error = next(e for e in corrupted.read_errors if e.table == "wp_wu_memberships")
    assert "addon_products" in error.reason


def test_a_corrupt_line_item_meta_skips_only_that_payment(corrupted: WordPressStore) -> None:
    payments = corrupted.payments_by_membership([5])
    assert [p.id for p in payments[5]] == [9]
    assert corrupted.read_errors == [
        RowError("wp_wu_paymentmeta", 8, corrupted.read_errors[0].reason)
    ]
    assert corrupted.read_errors[0].reason.startswith("wu_line_items")


def test_a_corrupt_product_is_skipped_from_the_catalog(corrupted: WordPressStore) -> None:
    products = corrupted.list_products()
    assert [p.id for p in products if p.id == 5] == []
    assert len(products) == 7
    assert [(e.table, e.id) for e in corrupted.take_read_errors()] == [("wp_wu_products", 5)]
    assert corrupted.read_errors == []


def test_local_time_dates_are_converted_to_utc(
    load_wordpress_fixture: Callable[..., str],
) -> None:
    url = load_wordpress_fixture()
    run_sql(
        url,
        "UPDATE wp_options SET option_value = 'America/Sao_Paulo' "
        "WHERE option_name = 'timezone_string'",
    )
    store = WordPressStore(url)
    try:
        membership = store.memberships_by_id([1])[1]
    finally:
        store.dispose()
    # date_renewed is written in site-local time (UTC-3): 14:22:37 local = 17:22:37 UTC
    assert membership.date_renewed == datetime(2026, 6, 3, 17, 22, 37, tzinfo=UTC)
    # everything else is stored in UTC already
    assert membership.date_expiration == datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)


class StatementCounter:
    def __init__(self, store: WordPressStore) -> None:
        self.count = 0
        event.listen(store.engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any) -> None:
        self.count += 1

    def measure(self, call: Callable[[], Any]) -> int:
        self.count = 0
        call()
        return self.count


@pytest.mark.parametrize(
    ("method", "all_ids"),
    [
        ("products_by_id", range(1, 9)),
        ("customers_by_id", range(1, 7)),
        ("memberships_by_id", range(1, 9)),
        ("memberships_by_customer", range(1, 7)),
        ("payments_by_id", range(1, 14)),
        ("payments_by_membership", range(1, 9)),
        ("sites_by_membership", range(1, 9)),
    ],
)
def test_batch_reads_use_a_constant_number_of_statements(
    wordpress_store: WordPressStore, method: str, all_ids: range
) -> None:
    wordpress_store.mapper  # noqa: B018 - the one-off time zone read, outside the count
    counter = StatementCounter(wordpress_store)
    call = getattr(wordpress_store, method)
    one = counter.measure(lambda: call([1]))
    everything = counter.measure(lambda: call(list(all_ids)))
    assert one == everything
    assert everything <= 2


def test_usage_uses_a_constant_number_of_statements(wordpress_store: WordPressStore) -> None:
    counter = StatementCounter(wordpress_store)
    one = counter.measure(lambda: wordpress_store.usage(1))  # two sites
    assert one == counter.measure(lambda: wordpress_store.usage(2))  # one site
    assert one <= 5


POSTS_DDL = """CREATE TABLE `{name}` (
  `ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `post_author` bigint(20) unsigned NOT NULL DEFAULT 0,
  `post_date_gmt` datetime NOT NULL DEFAULT '2026-01-01 00:00:00',
  `post_title` text NOT NULL,
  `post_status` varchar(20) NOT NULL DEFAULT 'publish',
  `post_name` varchar(200) NOT NULL DEFAULT '',
  `post_parent` bigint(20) unsigned NOT NULL DEFAULT 0,
  `post_type` varchar(20) NOT NULL DEFAULT 'post',
  PRIMARY KEY (`ID`)
)"""


def test_posts_are_counted_per_type_over_published_sites(
    load_wordpress_fixture: Callable[..., str],
) -> None:
    url = load_wordpress_fixture()
    rows = {
        "wp_3_posts": [
            ("post", "publish"),
            ("post", "private"),
            ("post", "draft"),
            ("attachment", "inherit"),
            ("page", "publish"),
            ("post", "trash"),
        ],
        "wp_4_posts": [("post", "publish"), ("attachment", "private"), ("page", "future")],
    }
    statements = []
    for name, posts in rows.items():
        statements.append(POSTS_DDL.format(name=name))
        statements += [
            f"INSERT INTO {name} (post_title, post_type, post_status) VALUES ('t', '{t}', '{s}')"
            for t, s in posts
        ]
    run_sql(url, *statements)
    store = WordPressStore(url)
    try:
        assert store.usage(1).posts == {"post": 3, "attachment": 2, "page": 1}
        # an archived site no longer counts (its posts neither)
        run_sql(url, "UPDATE wp_blogs SET archived = 1 WHERE blog_id = 4")
        usage = store.usage(1)
        assert (usage.sites, usage.posts) == (1, {"post": 2, "attachment": 1, "page": 1})
    finally:
        store.dispose()
