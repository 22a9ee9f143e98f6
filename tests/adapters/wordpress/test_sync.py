"""``planswitch sync``: the fixture network imported into a fresh native store.

Source: the fixture in MariaDB. Target: a migrated native store on SQLite and, when
configured, PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from planswitch.adapters.native import NativeStore, upgrade_database
from planswitch.adapters.native.sync_target import NativeSyncTarget
from planswitch.adapters.native.tables import NATIVE_METADATA
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.adapters.wordpress.sync_source import WordPressSyncSource
from planswitch.domain.limits import Limitations, effective_limits
from planswitch.domain.memberships import Membership
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.server.settings import Settings
from planswitch.sync import TABLES, SyncReport
from planswitch.sync import sync as sync_ports
from planswitch.sync.command import sync_command
from sqlalchemy import create_engine, func, select, text

from tests.templates import migrate

pytestmark = pytest.mark.mariadb

TARGETS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", id="mariadb"),  # the native store on MySQL/MariaDB by URL
]
# Every blog of the network except the main site (1): the template (2) and sites 3-9.
IMPORTED_SITES = 8


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(params=TARGETS)
def native_url(request: pytest.FixtureRequest) -> str:
    url = request.getfixturevalue(f"{request.param}_url")
    migrate(url)
    return url


@pytest.fixture
def sqlite_native(sqlite_url: str) -> str:
    migrate(sqlite_url)
    return sqlite_url


def open_stores(wordpress_url: str, native_url: str, prefix: str = "wp_"):
    return WordPressStore(wordpress_url, prefix=prefix), NativeStore(native_url)


@pytest.fixture
def stores(wordpress_url: str, native_url: str) -> Iterator[tuple[WordPressStore, NativeStore]]:
    source, target = open_stores(wordpress_url, native_url)
    yield source, target
    source.dispose()
    target.close()


@pytest.fixture
def own_copy(load_wordpress_fixture: Callable[..., str]) -> str:
    """A fixture copy this test may change."""
    return load_wordpress_fixture()


def sync(source: WordPressStore, target: NativeStore, **options: Any) -> SyncReport:
    """The sync of ``source`` into ``target`` as ``planswitch sync`` wires it."""
    return sync_ports(WordPressSyncSource(source), NativeSyncTarget(target), **options)


def expected_counts(summary: dict[str, Any]) -> dict[str, int]:
    return {
        "products": len(summary["products"]),
        "discount_codes": len(summary["discount_codes"]),
        "customers": len(summary["customers"]),
        "memberships": len(summary["memberships"]),
        "sites": IMPORTED_SITES,
        "payments": len(summary["payments"]),
    }


def counts(report: SyncReport, kind: str) -> dict[str, int]:
    return {table: getattr(c, kind) for table, c in report.tables.items()}


def native_row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in NATIVE_METADATA.tables.items()
                # bookkeeping: one row each from the migrations on
                if name not in ("catalog_version", "membership_count")
            }
    finally:
        engine.dispose()


def run_sql(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def skipped(report: SyncReport) -> set[tuple[str, int]]:
    return {(s.table, int(s.id)) for s in report.skipped}


# ------------------------------------------------------------------------------ tests


def test_first_sync_creates_every_row_of_the_fixture(
    stores: tuple[WordPressStore, NativeStore], wordpress_summary: dict[str, Any]
) -> None:
    source, target = stores

    report = sync(source, target, progress=False)

    assert counts(report, "created") == expected_counts(wordpress_summary)
    assert counts(report, "updated") == dict.fromkeys(TABLES, 0)
    assert counts(report, "unchanged") == dict.fromkeys(TABLES, 0)
    assert report.skipped == []
    assert report.as_dict()["totals"]["created"] == 45
    assert [p.id for p in target.list_products()] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert target.list_customers(0, 100).total == 6
    assert target.payments_by_id(range(1, 14)).keys() == set(range(1, 14))


def test_second_sync_reports_everything_unchanged_and_writes_nothing(
    stores: tuple[WordPressStore, NativeStore],
    native_url: str,
    wordpress_summary: dict[str, Any],
) -> None:
    source, target = stores
    sync(source, target, progress=False)
    rows_before = native_row_counts(native_url)

    again = sync(source, target, progress=False)

    assert counts(again, "unchanged") == expected_counts(wordpress_summary)
    assert again.changed == 0 and again.skipped == []
    assert native_row_counts(native_url) == rows_before
    # An update bumps the membership's version; none happened.
    versions = {m.version for m in target.memberships_by_id(range(1, 9)).values()}
    assert versions == {"1"}


def test_since_considers_only_rows_modified_after_it(
    own_copy: str, sqlite_native: str, wordpress_summary: dict[str, Any]
) -> None:
    source, target = open_stores(own_copy, sqlite_native)
    sync(source, target, progress=False)
    run_sql(
        own_copy,
        "UPDATE wp_wu_memberships SET amount = '77.5000', "
        "date_modified = '2026-06-16 10:00:00' WHERE id = 1",
    )

    report = sync(source, target, since=datetime(2026, 6, 16, tzinfo=UTC), progress=False)

    assert report.tables["memberships"].updated == 1
    assert report.changed == 1
    assert report.tables["memberships"].not_considered == 7
    # Every other row of the fixture is older than the reference date.
    assert counts(report, "not_considered") == {
        **expected_counts(wordpress_summary),
        "memberships": 7,
    }
    assert counts(report, "unchanged") == dict.fromkeys(TABLES, 0)
    assert target.memberships_by_id([1])[1].amount == Decimal("77.5")
    assert target.memberships_by_id([1])[1].version == "2"
    source.dispose()
    target.close()


def test_dry_run_reports_the_same_numbers_and_writes_nothing(
    wordpress_url: str, sqlite_native: str
) -> None:
    source, target = open_stores(wordpress_url, sqlite_native)
    empty = native_row_counts(sqlite_native)

    dry = sync(source, target, dry_run=True, progress=False)

    assert native_row_counts(sqlite_native) == empty
    assert set(empty.values()) == {0}
    real = sync(source, target, progress=False)
    assert dry.dry_run and not real.dry_run
    assert {**dry.as_dict(), "dry_run": False} == real.as_dict()
    assert "dry run: nothing written" in dry.render()
    source.dispose()
    target.close()


def test_many_small_batches_import_the_same_rows(
    wordpress_url: str,
    sqlite_native: str,
    wordpress_summary: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("planswitch.sync.run.BATCH_SIZE", 3)
    source, target = open_stores(wordpress_url, sqlite_native)

    report = sync(source, target, progress=False)

    assert counts(report, "created") == expected_counts(wordpress_summary)
    assert native_row_counts(sqlite_native)["payment_line_items"] > 13
    source.dispose()
    target.close()


def test_unreadable_rows_are_skipped_with_their_table_and_id(
    own_copy: str, sqlite_native: str, wordpress_summary: dict[str, Any]
) -> None:
    run_sql(
        own_copy,
        # Membership 4 (expired, no site) and payment 13's line items become garbage.
        "UPDATE wp_wu_memberships SET addon_products = 'a:1:{i:6;garbage' WHERE id = 4",
        "UPDATE wp_wu_paymentmeta SET meta_value = 'a:2:{s:3:\"LN_' "
        "WHERE wu_payment_id = 13 AND meta_key = 'wu_line_items'",
    )
    source, target = open_stores(own_copy, sqlite_native)

    report = sync(source, target, progress=False)

    # Payments 6 and 7 belong to membership 4, which was not imported.
    assert skipped(report) == {
        ("memberships", 4),
        ("payments", 6),
        ("payments", 7),
        ("payments", 13),
    }
    reasons = {(s.table, int(s.id)): s.reason for s in report.skipped}
    assert reasons[("memberships", 4)].startswith("unreadable (wp_wu_memberships)")
    assert "addon_products" in reasons[("memberships", 4)]
    assert reasons[("payments", 13)].startswith("unreadable (wp_wu_paymentmeta)")
    assert reasons[("payments", 6)] == "membership 4 does not exist"
    assert report.tables["memberships"].created == 7
    assert report.tables["payments"].created == 10
    assert report.tables["payments"].skipped == 3
    assert report.tables["sites"].created == IMPORTED_SITES
    assert set(target.memberships_by_id(range(1, 9))) == {1, 2, 3, 5, 6, 7, 8}
    rendered = report.render()
    assert "Skipped rows (4):" in rendered
    assert "  payments #6: membership 4 does not exist" in rendered
    source.dispose()
    target.close()


def test_rows_whose_parent_is_missing_are_skipped(own_copy: str, sqlite_native: str) -> None:
    run_sql(own_copy, "UPDATE wp_wu_memberships SET plan_id = 99 WHERE id = 2")
    source, target = open_stores(own_copy, sqlite_native)

    report = sync(source, target, progress=False)

    # Membership 2 has site 5 and payment 4.
    assert skipped(report) == {("memberships", 2), ("sites", 5), ("payments", 4)}
    reasons = {(s.table, int(s.id)): s.reason for s in report.skipped}
    assert reasons[("memberships", 2)] == "plan 99 does not exist"
    assert reasons[("sites", 5)] == "membership 2 does not exist"
    assert report.tables["memberships"].created == 7
    source.dispose()
    target.close()


@pytest.mark.postgres
def test_a_row_the_native_store_refuses_is_skipped_and_the_batch_still_commits(
    own_copy: str, postgres_url: str
) -> None:
    # The native gateway column holds 80 characters; PostgreSQL refuses longer text.
    run_sql(own_copy, "UPDATE wp_wu_memberships SET gateway = REPEAT('g', 100) WHERE id = 8")
    upgrade_database(postgres_url)
    source, target = open_stores(own_copy, postgres_url)

    report = sync(source, target, progress=False)

    reasons = {(s.table, int(s.id)): s.reason for s in report.skipped}
    assert reasons[("memberships", 8)].startswith("not written: DataError")
    # Its site (9) and payments (11-13) then have no membership to point at.
    assert skipped(report) == {
        ("memberships", 8),
        ("sites", 9),
        ("payments", 11),
        ("payments", 12),
        ("payments", 13),
    }
    assert set(target.memberships_by_id(range(1, 9))) == {1, 2, 3, 4, 5, 6, 7}
    source.dispose()
    target.close()


def test_imported_membership_matches_wordpress(
    stores: tuple[WordPressStore, NativeStore],
) -> None:
    source, target = stores
    sync(source, target, progress=False)

    wp = source.memberships_by_id([1])[1]
    native = target.memberships_by_id([1])[1]

    assert native.plan_id == wp.plan_id == 2
    assert dict(native.addons) == dict(wp.addons) == {6: 1, 7: 2}
    assert native.amount == wp.amount == Decimal("68")
    assert native.period == wp.period == BillingPeriod(1, DurationUnit.MONTH)
    assert native.date_expiration == wp.date_expiration
    assert native.date_expiration == datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
    assert native.status == wp.status
    change, wp_change = native.scheduled_change, wp.scheduled_change
    assert change is not None and wp_change is not None
    assert (change.plan_id, dict(change.addons)) == (wp_change.plan_id, dict(wp_change.addons))
    assert (change.plan_id, dict(change.addons)) == (3, {6: 1})
    assert change.amount == wp_change.amount == Decimal("28")
    assert change.effective_at == wp_change.effective_at
    assert change.period == wp_change.period
    native_limits, wp_limits = limits_of(target, native), limits_of(source, wp)
    assert as_json(native_limits) == as_json(wp_limits)
    assert native_limits.view() == wp_limits.view()
    assert native_limits.sites_limit() == wp_limits.sites_limit() == 10
    # Premium's 10240 MB plus Extra Disk Space (2048 MB) twice.
    assert native_limits.view().disk_space.limit == 10240 + 2 * 2048


def test_imported_catalog_payments_and_sites_match_wordpress(
    stores: tuple[WordPressStore, NativeStore],
) -> None:
    source, target = stores
    sync(source, target, progress=False)

    wp_products, products = source.products_by_id(range(1, 9)), target.products_by_id(range(1, 9))
    for pid in range(1, 9):
        assert products[pid].available_addons == wp_products[pid].available_addons
        assert products[pid].price_variations == wp_products[pid].price_variations
        assert products[pid].plan_group == wp_products[pid].plan_group
    assert products[2].price_variations[0].amount == Decimal("490")
    payment = target.payments_by_id([8])[8]
    assert [line.total for line in payment.line_items][0] == Decimal("6.03")  # PHP 6.0299…
    assert len(payment.line_items) == len(source.payments_by_id([8])[8].line_items)
    assert target.sites_by_membership([1, 5]) == source.sites_by_membership([1, 5])
    assert target.usage(1).custom_domains == source.usage(1).custom_domains == 1
    assert target.discount_code("newyear33").value == Decimal("33")


def test_a_network_with_another_table_prefix_syncs(
    load_wordpress_fixture: Callable[..., str],
    sqlite_native: str,
    wordpress_summary: dict[str, Any],
) -> None:
    url = load_wordpress_fixture("net7_")
    source, target = open_stores(url, sqlite_native, prefix="net7_")

    report = sync(source, target, progress=False)

    assert counts(report, "created") == expected_counts(wordpress_summary)
    assert report.skipped == []
    assert target.memberships_by_id([1])[1].addons == {6: 1, 7: 2}
    source.dispose()
    target.close()


def test_sync_command_prints_the_report_and_returns_0(
    wordpress_url: str, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(wordpress_url=wordpress_url, database_url="sqlite://")

    code = sync_command(settings, since=None, dry_run=False, database_url=sqlite_url)

    out = capsys.readouterr().out
    assert code == 0
    assert "memberships" in out and "total" in out
    assert native_row_counts(sqlite_url)["memberships"] == 8


def test_sync_command_returns_2_when_wordpress_cannot_be_reached(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        wordpress_url="mysql+pymysql://nobody:secret@127.0.0.1:1/none", database_url=sqlite_url
    )

    code = sync_command(settings, since=None, dry_run=False, database_url=None)

    err = capsys.readouterr().err
    assert code == 2
    assert "cannot use the WordPress database" in err
    assert "secret" not in err


def test_report_renders_a_table_and_a_json_shape() -> None:
    report = SyncReport(since=datetime(2026, 6, 1, tzinfo=UTC))
    report.tables["products"].created = 8
    report.tables["payments"].unchanged = 12
    report.skip("payments", 13, "unreadable (wp_wu_paymentmeta): wu_line_items: bad")

    lines = report.render().splitlines()

    assert lines[0] == "planswitch sync, rows modified since 2026-06-01T00:00:00+00:00"
    assert lines[1].split() == [
        "table",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "not",
        "considered",
    ]
    assert lines[3].split() == ["products", "8", "0", "0", "0", "0"]
    assert lines[8].split() == ["payments", "0", "0", "12", "1", "0"]
    assert lines[10].split() == ["total", "8", "0", "12", "1", "0"]
    assert lines[-1] == "  payments #13: unreadable (wp_wu_paymentmeta): wu_line_items: bad"
    data = report.as_dict()
    assert data["since"] == "2026-06-01T00:00:00+00:00"
    assert data["tables"]["payments"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 12,
        "skipped": 1,
        "not_considered": 0,
    }
    assert data["skipped"] == [
        {
            "table": "payments",
            "id": 13,
            "reason": "unreadable (wp_wu_paymentmeta): wu_line_items: bad",
        }
    ]
    assert json.loads(json.dumps(data)) == data


# ------------------------------------------------------------------------------ helpers


def limits_of(store: Any, membership: Membership) -> Limitations:
    """The membership's effective limits, from the products ``store`` holds."""
    products = store.products_by_id([membership.plan_id, *membership.addons])
    return effective_limits(
        products[membership.plan_id],
        [(products[pid], qty) for pid, qty in membership.addons.items()],
        membership.limitations_override,
    )


def as_json(limits: Limitations) -> dict[str, Any]:
    """The stored JSON shape (PHP's integer keys and JSON's string keys compare alike)."""
    return json.loads(json.dumps(limits.to_raw()))
