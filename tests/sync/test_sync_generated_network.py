"""``planswitch sync`` of a generated network: full, unchanged, incremental, statement counts."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from planswitch.adapters.native import NativeStore, upgrade_database
from planswitch.adapters.native.sync_target import NativeSyncTarget
from planswitch.adapters.native.tables import NATIVE_METADATA
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.adapters.wordpress.sync_source import WordPressSyncSource
from planswitch.domain.ports import MembershipFilter
from planswitch.sync import SyncReport, sync
from planswitch.sync.read_ahead import read_in_process
from sqlalchemy import create_engine, event, select, text

from tests.support.wordpress_network import Network, generate_network, touch

pytestmark = pytest.mark.mariadb

SIZE = 120


@pytest.fixture(scope="module")
def generated(mariadb_database: Callable[[], str]) -> tuple[str, Network]:
    url = mariadb_database()
    return url, generate_network(url, SIZE, seed=11)


def run(wordpress_url: str, native_url: str, **options: object) -> SyncReport:
    source, target = WordPressStore(wordpress_url), NativeStore(native_url)
    try:
        return sync(
            WordPressSyncSource(source), NativeSyncTarget(target), progress=False, **options
        )  # type: ignore[arg-type]
    finally:
        source.dispose()
        target.close()


def total(report: SyncReport, what: str) -> int:
    return int(getattr(report.totals(), what))


def test_generated_network_syncs_then_is_unchanged(
    generated: tuple[str, Network], sqlite_url: str
) -> None:
    url, network = generated
    upgrade_database(sqlite_url)

    first = run(url, sqlite_url)
    again = run(url, sqlite_url)

    assert first.skipped == []
    assert total(first, "created") == network.rows
    assert first.tables["memberships"].created == SIZE
    assert first.tables["payments"].created == network.payments
    assert first.tables["sites"].created == network.sites + 1  # + the site template
    assert total(again, "unchanged") == network.rows and again.changed == 0
    native = NativeStore(sqlite_url)
    try:
        imported = native.memberships_by_id(range(1, SIZE + 1))
        assert native.list_memberships(MembershipFilter(), 0, 1).total == SIZE
    finally:
        native.close()
    for membership_id, facts in network.facts.items():
        m = imported[membership_id]
        assert (m.plan_id, m.addons, m.amount) == (facts.plan_id, facts.addons, facts.amount)
        scheduled = m.scheduled_change.plan_id if m.scheduled_change else None
        assert scheduled == facts.scheduled_plan_id


@pytest.mark.postgres
def test_incremental_sync_considers_and_updates_only_what_changed(
    mariadb_database: Callable[[], str], postgres_url: str
) -> None:
    url = mariadb_database()
    generate_network(url, 40, seed=5)
    upgrade_database(postgres_url)
    run(url, postgres_url)
    later = datetime(2026, 7, 1, tzinfo=UTC)
    touch(url, "memberships", [3, 4, 5], later)

    report = run(url, postgres_url, since=later)

    assert report.tables["memberships"].updated == 3
    assert report.tables["memberships"].not_considered == 37
    assert report.changed == 3
    native = NativeStore(postgres_url)
    try:
        assert native.memberships_by_id([4])[4].date_modified == later
        assert native.memberships_by_id([4])[4].version == "2"
    finally:
        native.close()


def test_statements_per_batch_do_not_depend_on_rows(
    generated: tuple[str, Network], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _network = generated
    upgrade_database(sqlite_url)
    monkeypatch.setattr("planswitch.sync.run.BATCH_SIZE", 1000)
    source, target = WordPressStore(url), NativeStore(sqlite_url)
    statements = {"source": 0, "target": 0}

    def counter(which: str) -> Callable[..., None]:
        def count(*_args: object) -> None:
            statements[which] += 1

        return count

    event.listen(source.engine, "before_cursor_execute", counter("source"))
    event.listen(target.engine, "before_cursor_execute", counter("target"))
    try:
        # In this process, so the source's statements are counted.
        sync(WordPressSyncSource(source), NativeSyncTarget(target), progress=False, reader="thread")
    finally:
        source.dispose()
        target.close()

    # One batch per table (every table has < 1000 rows). Source: count + ids + rows + meta
    # (+ sites: domains, posts tables). Target: stored rows and children, inserts, parents.
    assert statements["source"] <= 6 * 6
    assert statements["target"] <= 6 * 9


@pytest.mark.postgres
def test_a_bulk_load_into_postgresql_refreshes_statistics_an_incremental_one_does_not(
    mariadb_database: Callable[[], str], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = mariadb_database()
    generate_network(url, 30, seed=7)
    upgrade_database(postgres_url)
    monkeypatch.setattr("planswitch.adapters.native.sync_target.ANALYZE_AFTER", 20)

    def vacuums(**options: object) -> list[str]:
        source, target = WordPressStore(url), NativeStore(postgres_url)
        seen: list[str] = []

        def record(conn, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            if statement.startswith("VACUUM"):
                seen.append(statement)

        # After each statement: what ran to its end before ``sync`` returned (the tables
        # loaded first are vacuumed in a thread while the later ones are written).
        event.listen(target.engine, "after_cursor_execute", record)
        try:
            sync(WordPressSyncSource(source), NativeSyncTarget(target), progress=False, **options)  # type: ignore[arg-type]
        finally:
            source.dispose()
            target.close()
        return seen

    loaded = vacuums()
    later = datetime(2026, 7, 1, tzinfo=UTC)
    touch(url, "memberships", [2, 3], later)
    incremental = vacuums(since=later)

    vacuumed = " ".join(loaded)
    for table in ("customers", "memberships", "membership_addons", "sites", "payments"):
        assert vacuumed.count(f'"{table}"') == 1
    assert '"discount_codes"' not in vacuumed  # fewer rows than the threshold
    assert incremental == []


def native_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every native table, in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: [
                    tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
                ]
                for name, table in NATIVE_METADATA.tables.items()
                if name != "catalog_version"
            }
    finally:
        engine.dispose()


def test_the_reader_process_writes_what_the_in_process_reader_writes(
    generated: tuple[str, Network], tmp_path: object
) -> None:
    url, network = generated
    stores = {}
    reports = {}
    for reader in ("process", "thread"):
        native_url = f"sqlite:///{tmp_path}/{reader}.db"
        upgrade_database(native_url)
        reports[reader] = run(url, native_url, reader=reader)
        stores[reader] = native_rows(native_url)

    assert reports["process"].as_dict() == reports["thread"].as_dict()
    assert total(reports["process"], "created") == network.rows
    assert stores["process"] == stores["thread"]
    assert len(stores["process"]["memberships"]) == SIZE


def _failing() -> object:
    yield 1
    raise ValueError("the source broke at the second batch")


class _Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(first)  # rebuilt from one argument: unpickling it fails
        self.second = second


def _failing_oddly() -> object:
    raise _Unpicklable("odd", "failure")
    yield


def test_a_failure_in_the_reader_process_is_raised_where_the_batches_are_used() -> None:
    items = read_in_process(_failing)
    assert next(items) == 1
    with pytest.raises(ValueError, match="second batch"):
        next(items)
    with pytest.raises(RuntimeError, match="odd"):
        list(read_in_process(_failing_oddly))


def test_closing_the_batches_early_stops_the_reader_process() -> None:
    items = read_in_process(lambda: iter(range(10**9)))
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()  # returns: the child was terminated, not waited for


def counts_of_memberships(url: str) -> tuple[int, int, int]:
    """(the membership_count row, COUNT(*), what the store answers for the unfiltered count)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT count FROM membership_count WHERE id = 1")).scalar()
            counted = conn.execute(text("SELECT COUNT(*) FROM memberships")).scalar()
    finally:
        engine.dispose()
    native = NativeStore(url)
    try:
        answered = native.count_memberships(MembershipFilter())
    finally:
        native.close()
    return int(kept), int(counted), answered


@pytest.mark.parametrize(
    "kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "mariadb"]
)
def test_the_membership_count_row_follows_syncs_and_deletes(
    kind: str, mariadb_database: Callable[[], str], request: pytest.FixtureRequest
) -> None:
    url = mariadb_database()
    generate_network(url, 40, seed=3)
    native_url = request.getfixturevalue(f"{kind}_url")
    upgrade_database(native_url)
    assert counts_of_memberships(native_url) == (0, 0, 0)

    run(url, native_url)
    assert counts_of_memberships(native_url) == (40, 40, 40)
    run(url, native_url)  # unchanged
    assert counts_of_memberships(native_url) == (40, 40, 40)
    later = datetime(2026, 7, 1, tzinfo=UTC)
    touch(url, "memberships", [3, 4], later)
    run(url, native_url, since=later)  # incremental: updates only
    assert counts_of_memberships(native_url) == (40, 40, 40)

    engine = create_engine(native_url)
    try:
        with engine.begin() as conn:
            for child in ("membership_addons", "scheduled_changes"):
                conn.execute(text(f"DELETE FROM {child} WHERE membership_id IN (1, 2)"))
            conn.execute(text("DELETE FROM memberships WHERE id IN (1, 2)"))
    finally:
        engine.dispose()
    assert counts_of_memberships(native_url) == (38, 38, 38)
    assert run(url, native_url).tables["memberships"].created == 2
    assert counts_of_memberships(native_url) == (40, 40, 40)


def test_a_failed_write_stops_every_reader_process(
    generated: tuple[str, Network], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _network = generated
    upgrade_database(sqlite_url)
    write_batch = NativeSyncTarget.write_batch

    def failing(self: NativeSyncTarget, table: str, *args: object, **options: object) -> object:
        if table == "memberships":  # the sites and payments reader is already reading
            raise RuntimeError("the native store broke")
        return write_batch(self, table, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(NativeSyncTarget, "write_batch", failing)

    with pytest.raises(RuntimeError, match="native store broke"):
        run(url, sqlite_url)
    assert multiprocessing.active_children() == []
