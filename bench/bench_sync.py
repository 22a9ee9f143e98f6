"""Benchmark: ``planswitch sync`` of a generated network vs the raw SELECT + bulk insert floor.

Run by hand from the repository root (MariaDB for the source; SQLite and/or PostgreSQL as
targets)::

    python bench/bench_sync.py --memberships 10000,100000 --targets sqlite,postgres

Server URLs default to ``PLANSWITCH_TEST_MARIADB_URL`` / ``PLANSWITCH_TEST_POSTGRES_URL``
(databases named ``bench_sync_*`` are created and dropped). For each size it generates the
network (``tests/support/wordpress_network.py``, deterministic), then for each target, in
that run:

- **floor**: what a sync reads, SELECTed raw (no decoding) and bulk inserted into
  same-shaped text tables of a fresh target database (SQLite: ``executemany``; PostgreSQL:
  ``COPY``): the six tables and the rows a sync decodes them with (the meta keys it asks
  for, the users joined to customers, the domain mappings). Until issue 12's second pass
  the floor read the six tables only, which made the sync's reads of ~100,000 meta rows at
  10k memberships look like overhead the floor did not have; the floor's rate counts the
  same rows as the sync's (the rows imported), so the ratio is floor time / sync time;
- **full**: ``planswitch sync`` into an empty native store; rows/s and the ratio to the floor;
- **again**: the same sync over the unchanged network (everything ``unchanged``);
- **incremental**: 1% of the memberships touched, then ``sync --since``;
- **peak RSS** of each sync, measured in a child process of its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import (  # noqa: E402
    Column,
    MetaData,
    Table,
    Text,
    create_engine,
    insert,
    select,
)

from bench.databases import (  # noqa: E402
    add_server_arguments,
    create_database,
    drop_database,
)

SOURCE_TABLES = ("products", "discount_codes", "customers", "memberships", "blogs", "payments")
LATER = datetime(2026, 7, 1, tzinfo=UTC)


# ------------------------------------------------------------------------- databases
def _fresh_target(kind: str, postgres_url: str, scratch: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{scratch / f'{uuid.uuid4().hex[:8]}.db'}"
    return create_database(postgres_url, "postgres", "bench_sync")


# ------------------------------------------------------------------------- the floor
def _floor_reads(store: Any) -> list[tuple[str, Any]]:
    """(copy name, SELECT) of everything a sync reads: the six tables and the meta, users
    and domain mappings it decodes them with (the same keys ``WordPressSyncSource`` asks)."""
    from planswitch.adapters.wordpress.store import SITE_META_KEYS
    from planswitch.adapters.wordpress.sync_source import MEMBERSHIP_META_KEYS

    t = store.tables

    def meta(table: Any, keys: tuple[str, ...] | None = None) -> Any:
        query = select(table)
        return query.where(table.c.meta_key.in_(keys)) if keys else query

    users = [t.users.c.user_email, t.users.c.display_name, t.users.c.user_login]
    return [
        ("products", select(t.products)),
        ("productmeta", meta(t.productmeta)),
        ("discount_codes", select(t.discount_codes)),
        (
            "discount_codemeta",
            meta(t.discount_codemeta, ("wu_allowed_products", "wu_limit_products")),
        ),
        (
            "customers",
            select(t.customers, *users).select_from(
                t.customers.outerjoin(t.users, t.customers.c.user_id == t.users.c.ID)
            ),
        ),
        ("memberships", select(t.memberships)),
        ("membershipmeta", meta(t.membershipmeta, MEMBERSHIP_META_KEYS)),
        ("blogs", select(t.blogs)),
        ("blogmeta", meta(t.blogmeta, SITE_META_KEYS)),
        ("domain_mappings", select(t.domain_mappings)),
        ("payments", select(t.payments)),
        ("paymentmeta", meta(t.paymentmeta, ("wu_line_items",))),
    ]


def floor(wordpress_url: str, target_url: str) -> float:
    """Raw SELECT of what a sync reads + bulk insert into same-shaped text tables; seconds."""
    from planswitch.adapters.wordpress.store import WordPressStore

    store = WordPressStore(wordpress_url)
    target = create_engine(target_url)
    metadata = MetaData()
    reads = _floor_reads(store)
    copies = {
        name: Table(
            f"floor_{name}",
            metadata,
            *(Column(f"c{i}", Text) for i in range(len(query.selected_columns))),
        )
        for name, query in reads
    }
    metadata.create_all(target)
    started = time.perf_counter()
    with store.engine.connect() as source_conn, target.begin() as target_conn:
        for name, query in reads:
            result = source_conn.execution_options(stream_results=True, yield_per=5000).execute(
                query
            )
            copy = copies[name]
            columns = [c.name for c in copy.columns]
            for chunk in result.partitions():
                # PostgreSQL's text refuses NUL, which serialized PHP objects hold (the
                # protected properties of a Line_Item): dropped, the volume barely changes.
                values = [
                    tuple(None if v is None else str(v).replace("\x00", "") for v in row)
                    for row in chunk
                ]
                if target.dialect.name == "postgresql":
                    raw = target_conn.connection.driver_connection
                    quoted = ", ".join(f'"{c}"' for c in columns)
                    with (
                        raw.cursor() as cursor,
                        cursor.copy(  # type: ignore[union-attr]
                            f'COPY "{copy.name}" ({quoted}) FROM STDIN'
                        ) as copier,
                    ):
                        for value in values:
                            copier.write_row(value)
                else:
                    target_conn.execute(
                        insert(copy), [dict(zip(columns, v, strict=True)) for v in values]
                    )
    seconds = time.perf_counter() - started
    store.dispose()
    target.dispose()
    return seconds


# ------------------------------------------------------------------------- one sync, in a child
def _child_sync(wordpress_url: str, native_url: str, since: str | None) -> None:
    from planswitch.adapters.native import NativeStore, upgrade_database
    from planswitch.adapters.native.sync_target import NativeSyncTarget
    from planswitch.adapters.wordpress.store import WordPressStore
    from planswitch.adapters.wordpress.sync_source import WordPressSyncSource
    from planswitch.sync import sync

    upgrade_database(native_url)
    source, target = WordPressStore(wordpress_url), NativeStore(native_url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = sync(
        WordPressSyncSource(source),
        NativeSyncTarget(target),
        since=datetime.fromisoformat(since) if since else None,
        progress=False,
    )
    seconds = time.perf_counter() - started
    totals = report.totals()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "considered": totals.created + totals.updated + totals.unchanged + totals.skipped,
                "created": totals.created,
                "updated": totals.updated,
                "unchanged": totals.unchanged,
                "skipped": totals.skipped,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_start_mb": before / 1024,
            }
        )
    )
    source.dispose()
    target.close()


def run_sync(wordpress_url: str, native_url: str, since: datetime | None = None) -> dict:
    command = [sys.executable, __file__, "--child", wordpress_url, native_url]
    if since:
        command.append(since.isoformat())
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------- main
def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child_sync(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
        return
    parser = argparse.ArgumentParser(description="planswitch sync vs its floor")
    parser.add_argument("--memberships", default="10000")
    parser.add_argument("--targets", default="sqlite,postgres")
    add_server_arguments(parser, "mariadb", "postgres")
    args = parser.parse_args()
    from tests.support.wordpress_network import generate_network, touch

    sizes = [int(s) for s in args.memberships.split(",")]
    targets = [t for t in args.targets.split(",") if t]
    header = (
        f"{'target':<9}{'members':>9}{'rows':>9}{'floor r/s':>11}{'sync r/s':>10}"
        f"{'ratio':>7}{'again r/s':>11}{'again/full':>11}{'incr s':>8}{'incr rows':>10}"
        f"{'peak MB':>9}"
    )
    lines = []
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        for size in sizes:
            wordpress_url = create_database(args.mariadb_url, "mariadb", "bench_sync")
            try:
                network = generate_network(wordpress_url, size, keep_facts=False)
                print(
                    f"generated {size} memberships ({network.rows} rows to sync, "
                    f"{network.payments} payments, {network.sites} sites) "
                    f"in {network.seconds:.1f} s",
                    flush=True,
                )
                for kind in targets:
                    floor_url = _fresh_target(kind, args.postgres_url, scratch)
                    try:
                        floor_seconds = floor(wordpress_url, floor_url)
                    finally:
                        drop_database(floor_url)
                    native_url = _fresh_target(kind, args.postgres_url, scratch)
                    try:
                        full = run_sync(wordpress_url, native_url)
                        again = run_sync(wordpress_url, native_url)
                        touched = list(range(1, size + 1, 100))
                        touch(wordpress_url, "memberships", touched, LATER)
                        incremental = run_sync(wordpress_url, native_url, LATER)
                        touch(
                            wordpress_url, "memberships", touched, datetime(2026, 6, 1, tzinfo=UTC)
                        )
                    finally:
                        drop_database(native_url)
                    # Both rates count the rows a sync imports, so the ratio is the floor's
                    # time over the sync's for the same network.
                    floor_rate = full["considered"] / floor_seconds
                    rate = full["considered"] / full["seconds"]
                    again_rate = again["considered"] / again["seconds"]
                    line = (
                        f"{kind:<9}{size:>9}{full['considered']:>9}{floor_rate:>11.0f}"
                        f"{rate:>10.0f}{rate / floor_rate:>7.2f}{again_rate:>11.0f}"
                        f"{again['seconds'] / full['seconds']:>11.2f}"
                        f"{incremental['seconds']:>8.2f}{incremental['considered']:>10}"
                        f"{max(full['rss_mb'], again['rss_mb']):>9.0f}"
                    )
                    print(line, flush=True)
                    lines.append(line)
            finally:
                drop_database(wordpress_url)
    print()
    print(header)
    print("\n".join(lines))
    print(
        "ratio = sync rows/s / floor rows/s (same run); again = re-sync of the unchanged "
        "network; incr = sync --since after touching 1% of the memberships."
    )


if __name__ == "__main__":
    main()
