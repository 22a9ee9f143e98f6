"""The opt-in membership counter (adapters/wordpress/counter.py): the unfiltered count is one
read of planswitch's row while the triggers keep it, and follows rows whoever writes them.

The rows below are written with plain SQL, as the plugin (BerlinDB), WP-CLI or a person at a
SQL prompt would: the triggers, not planswitch, keep the count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from planswitch.adapters.wordpress import counter
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.memberships import MembershipStatus
from planswitch.domain.ports import MembershipFilter
from planswitch.server.cli import app
from typer.testing import CliRunner

from tests.adapters.wordpress.plans import explain, recording
from tests.support.statements import counting

pytestmark = pytest.mark.mariadb

EVERYTHING = MembershipFilter()
PLUGIN_INSERT = (
    "INSERT INTO wp_wu_memberships (customer_id, plan_id, status, currency, amount, "
    "date_created, date_modified) VALUES (1, 1, 'active', 'USD', 10, NOW(), NOW())"
)


@pytest.fixture
def store(load_wordpress_fixture: Callable[..., str]) -> Iterator[WordPressStore]:
    store = WordPressStore(load_wordpress_fixture())
    yield store
    store.dispose()


def run(store: WordPressStore, *statements: str) -> None:
    """Statements in one transaction on a connection of their own (as another client)."""
    with store.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def rows(store: WordPressStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM wp_wu_memberships").scalar_one())


def kept(store: WordPressStore) -> int:
    """The unfiltered count, asserted to come from the counter's row in one statement."""
    with counting(store.engine) as statements:
        total = store.count_memberships(EVERYTHING)
    assert len(statements) == 1, statements
    assert "planswitch_counts" in statements[0]
    assert "count(" not in statements[0].lower()
    return total


def test_the_count_follows_rows_the_plugin_inserts_and_deletes(store: WordPressStore) -> None:
    assert store.install_membership_counter() == rows(store) > 0
    store.count_memberships(EVERYTHING)  # the first read checks that the triggers exist
    start = rows(store)
    assert kept(store) == start

    run(store, PLUGIN_INSERT, PLUGIN_INSERT)
    assert kept(store) == rows(store) == start + 2

    newest = "(SELECT id FROM (SELECT MAX(id) AS id FROM wp_wu_memberships) AS last)"
    run(store, f"DELETE FROM wp_wu_memberships WHERE id = {newest}")
    assert kept(store) == rows(store) == start + 1

    # REPLACE of an existing row is a delete and an insert; an upsert of one is an update.
    run(
        store,
        "REPLACE INTO wp_wu_memberships (id, customer_id, plan_id, status) "
        "SELECT MAX(id), 1, 1, 'active' FROM wp_wu_memberships",
        "INSERT INTO wp_wu_memberships (id, customer_id, plan_id) SELECT MIN(id), 1, 1 "
        "FROM wp_wu_memberships AS m ON DUPLICATE KEY UPDATE status = 'expired'",
    )
    assert kept(store) == rows(store) == start + 1

    # A rolled-back insert takes its step back with it.
    with store.engine.connect() as conn:
        conn.exec_driver_sql(PLUGIN_INSERT)
        conn.rollback()
    assert kept(store) == rows(store) == start + 1


def test_filtered_counts_still_count_the_rows(store: WordPressStore) -> None:
    store.install_membership_counter()
    store.count_memberships(EVERYTHING)
    with counting(store.engine) as statements:
        active = store.count_memberships(MembershipFilter(status=MembershipStatus.ACTIVE))
    assert len(statements) == 1 and "count(" in statements[0].lower()
    assert "wu_memberships" in statements[0] and "planswitch_counts" not in statements[0]
    with store.engine.connect() as conn:
        expected = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM wp_wu_memberships WHERE status = 'active'"
        ).scalar_one()
    assert active == expected


def test_without_the_counter_the_rows_are_counted(store: WordPressStore) -> None:
    total = rows(store)
    assert store.count_memberships(EVERYTHING) == total
    with counting(store.engine) as statements:
        assert store.count_memberships(EVERYTHING) == total
    assert len(statements) == 1 and "count(" in statements[0].lower()

    store.install_membership_counter()
    store.remove_membership_counter()
    run(store, PLUGIN_INSERT)  # no trigger left to move a row
    assert store.count_memberships(EVERYTHING) == total + 1
    with store.engine.connect() as conn:
        left = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
        ).scalar_one()
    assert left == 0


def test_a_truncated_table_is_counted_until_installed_again(store: WordPressStore) -> None:
    store.install_membership_counter()
    run(store, "TRUNCATE TABLE wp_wu_memberships", PLUGIN_INSERT)  # fires no row trigger
    # The kept row still says the old total, which one id cannot hold: the rows are counted.
    assert store.count_memberships(EVERYTHING) == rows(store) == 1
    assert store.install_membership_counter() == 1
    store.count_memberships(EVERYTHING)
    assert kept(store) == 1


def test_triggers_dropped_by_hand_are_noticed_at_the_next_check(store: WordPressStore) -> None:
    store.install_membership_counter()
    reader = counter.MembershipCounter(store.tables, check_seconds=0)
    for name in counter.trigger_names(store.tables):
        run(store, f"DROP TRIGGER `{name}`")
    run(store, PLUGIN_INSERT)
    with store.engine.connect() as conn:
        assert reader.read(conn) is None  # the store then counts the rows


def test_the_kept_count_is_read_on_primary_keys(store: WordPressStore) -> None:
    store.install_membership_counter()
    store.count_memberships(EVERYTHING)
    with recording(store.engine) as statements:
        store.count_memberships(EVERYTHING)
    assert len(statements) == 1
    with store.engine.connect() as conn:
        plan = explain(conn, *statements[0])
    by_table = {row["table"]: row for row in plan}
    # The row by its key; MIN/MAX(id) from the ends of the primary key, no rows read.
    assert by_table["wp_planswitch_counts"]["type"] == "const"
    assert by_table["wp_planswitch_counts"]["key"] == "PRIMARY"
    assert "wp_wu_memberships" not in by_table
    subqueries = [row for row in plan if row["select_type"] == "SUBQUERY"]
    assert len(subqueries) == 2
    assert all(row["Extra"] == "Select tables optimized away" for row in subqueries)


def test_the_cli_installs_and_removes_the_counter(monkeypatch, store: WordPressStore) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PLANSWITCH_WORDPRESS_URL", url)
    installed = CliRunner().invoke(app, ["wordpress", "install-counter"])
    assert installed.exit_code == 0, installed.output
    assert f"{rows(store)} membership(s)" in installed.stdout
    store.count_memberships(EVERYTHING)
    assert kept(store) == rows(store)

    removed = CliRunner().invoke(app, ["wordpress", "remove-counter"])
    assert removed.exit_code == 0, removed.output
    with store.engine.connect() as conn:
        assert counter.triggers_present(conn, store.tables) is False


def test_the_cli_needs_a_wordpress_url(monkeypatch) -> None:
    monkeypatch.delenv("PLANSWITCH_WORDPRESS_URL", raising=False)
    result = CliRunner().invoke(app, ["wordpress", "install-counter"])
    assert result.exit_code == 2
