"""``planswitch sync``: import an Ultimate Multisite network into the native store.

What it imports and reports: docs/wordpress.md §8.

Tables are imported parents first: products (limitations, add-ons, price variations),
discount codes, customers, memberships (add-ons, overrides, scheduled change), sites (links,
post counts, custom domains), payments (line items). Native ids are the WordPress ids, so
every row is an upsert keyed by its id and a second run reports everything ``unchanged``.

Decisions:
- **Incremental**: with ``since``, a row is considered when its ``date_modified`` (sites:
  ``wp_blogs.last_updated``) is at or after ``since``, or when it has no date (NULL or the
  zero date). Rows left out are counted as ``not_considered``. Changes that do not bump those
  dates (e.g. a blogmeta-only edit) are seen only by a full run.
- **Sites**: every site of the network except the main site (the network itself), i.e. the
  customer sites and the site templates. A membership's ``pending_site`` (not yet a blog) is
  not imported.
- **Skipped rows** (never fatal): rows the source cannot decode (its ``read_errors``), rows
  referencing a missing parent (a membership whose plan, customer or add-on product exists
  neither in this run nor in the native store; a payment or site whose membership or
  customer is missing; id 0 / NULL means "none" and is allowed), and rows the native store
  refuses to write (rolled back to a savepoint, the rest of the batch commits).
- **Transactions**: one native transaction per batch of ``BATCH_SIZE`` rows of one table.
  ``dry_run`` runs exactly the same upserts and rolls each batch back, so the report is the
  one a real run would print and nothing is written (``sync_command`` still brings the
  native schema up to date first: that is schema, not data).
- **Exit codes** of ``sync_command``: 0 when the sync ran, skipped rows included (they are
  listed in the report); 2 when WordPress is not configured or a database is unreachable.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from planswitch.adapters.wordpress.mappers import RowError
from planswitch.adapters.wordpress.sync_report import TABLES, SkippedRow, SyncReport, TableCounts
from planswitch.adapters.wordpress.sync_source import SyncSource
from planswitch.adapters.wordpress.sync_writes import KnownParents, parent_ids, write_batch
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

if TYPE_CHECKING:
    from planswitch.adapters.native.store import NativeStore
    from planswitch.adapters.wordpress.store import WordPressStore

__all__ = [
    "BATCH_SIZE",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "TABLES",
    "SkippedRow",
    "SyncReport",
    "TableCounts",
    "sync",
    "sync_command",
]

BATCH_SIZE = 200
EXIT_OK = 0  # skipped rows are reported, not an error
EXIT_UNREACHABLE = 2  # a database cannot be reached, or WordPress is not configured


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _error_id(error: RowError) -> int | None:
    try:
        return int(error.id) if error.id is not None else None
    except (TypeError, ValueError):
        return None


def _sync_table(
    source: SyncSource,
    target: NativeStore,
    table: str,
    report: SyncReport,
    known: KnownParents,
    *,
    since: datetime | None,
    dry_run: bool,
    progress: bool,
) -> None:
    stamps = source.stamps(table)
    ids = [i for i, modified in stamps if since is None or modified is None or modified >= since]
    report.tables[table].not_considered = len(stamps) - len(ids)
    show = progress and sys.stderr.isatty()
    with tqdm(total=len(ids), desc=table, unit="row", disable=not show, leave=True) as bar:
        for chunk in _chunks(ids, BATCH_SIZE):
            rows, errors = source.read(table, chunk)
            reported: set[int] = set()
            for error in errors:
                row_id = _error_id(error)
                if row_id is not None and row_id in rows:
                    continue  # an error of another table's row read along the way
                if row_id is not None:
                    reported.add(row_id)
                report.skip(table, error.id, f"unreadable ({error.table}): {error.reason}")
            for row_id in chunk:
                if row_id not in rows and row_id not in reported:
                    report.skip(table, row_id, "not found (deleted during the sync?)")
            known.prefetch(parent_ids(table, rows.values()))
            write_batch(target, table, chunk, rows, report, known, dry_run)
            bar.update(len(chunk))


def sync(
    source: WordPressStore,
    target: NativeStore,
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    progress: bool = True,
) -> SyncReport:
    """Import the network read by ``source`` into ``target``; returns what happened.

    Args:
        source: a ``WordPressStore`` (read-only is enough).
        target: a migrated ``NativeStore``.
        since: only rows modified at or after this aware instant (naive = UTC); rows
            without a date are always considered; the others are counted ``not_considered``.
        dry_run: compute the same report, writing nothing (each batch is rolled back).
        progress: show a tqdm bar per table (only on a terminal).

    Example: a second ``sync(source, target)`` reports every row ``unchanged``.
    """
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    report = SyncReport(since=since, dry_run=dry_run)
    reader = SyncSource(source)
    known = KnownParents(target)
    for table in TABLES:
        _sync_table(
            reader,
            target,
            table,
            report,
            known,
            since=since,
            dry_run=dry_run,
            progress=progress,
        )
    return report


def sync_command(
    settings: Any,
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    database_url: str | None = None,
) -> int:
    """``planswitch sync``: build both stores from ``settings``, sync, print the report.

    Returns the exit code: 0 when the sync ran (skipped rows are listed in the report, not
    an error), 2 when WordPress is not configured or a database cannot be reached.
    """
    from planswitch.adapters.native import NativeStore, upgrade_database
    from planswitch.adapters.wordpress.store import WordPressStore

    if not settings.wordpress_url:
        print("planswitch sync: PLANSWITCH_WORDPRESS_URL is not set.", file=sys.stderr)
        return EXIT_UNREACHABLE
    native_url = database_url or settings.database_url
    source = WordPressStore(
        settings.wordpress_url,
        prefix=settings.wordpress_prefix,
        network_id=settings.wordpress_network_id,
        writes=False,
    )
    target: NativeStore | None = None
    try:
        try:
            source.check()
        except (SQLAlchemyError, OSError) as exc:
            return _unreachable("WordPress", settings.wordpress_url, exc)
        try:
            upgrade_database(native_url)
            target = NativeStore(native_url)
            target.check()
        except (SQLAlchemyError, OSError) as exc:
            return _unreachable("native", native_url, exc)
        report = sync(source, target, since=since, dry_run=dry_run, progress=True)
        print(report.render())
        return EXIT_OK
    finally:
        source.dispose()
        if target is not None:
            target.close()


def _unreachable(which: str, url: str, exc: Exception) -> int:
    shown = make_url(url).render_as_string(hide_password=True)
    cause = getattr(exc, "orig", None) or exc
    print(f"planswitch sync: cannot use the {which} database {shown}: {cause}", file=sys.stderr)
    return EXIT_UNREACHABLE
