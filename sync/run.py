"""``planswitch sync``: import an Ultimate Multisite network into the native store.

What it imports and reports: docs/wordpress.md §8.

Tables are imported parents first: products (limitations, add-ons, price variations),
discount codes, customers, memberships (add-ons, overrides, scheduled change), sites (links,
post counts, custom domains), payments (line items). Native ids are the WordPress ids, so
every row is keyed by its id and a second run reports everything ``unchanged``.

This module knows neither database: it streams batches from a ``SyncSource`` and hands them
to a ``SyncTarget`` (``planswitch.domain.sync``); ``planswitch.sync.command`` wires the
WordPress store to the native one.

Decisions:
- **Incremental**: with ``since``, a row is considered when its ``date_modified`` (sites:
  ``wp_blogs.last_updated``) is at or after ``since``, or when it has no date (NULL or the
  zero date). Rows left out are counted as ``not_considered``. Changes that do not bump those
  dates (e.g. a blogmeta-only edit) are seen only by a full run.
- **Sites**: every site of the network except the main site (the network itself), i.e. the
  customer sites and the site templates. A membership's ``pending_site`` (not yet a blog) is
  not imported.
- **Skipped rows** (never fatal): rows the source cannot decode, rows referencing a missing
  parent (a membership whose plan, customer or add-on product exists neither in this run nor
  in the native store; a payment or site whose membership or customer is missing; id 0 /
  NULL means "none" and is allowed), and rows the native store refuses to write.
- **Transactions**: one native transaction per batch of ``BATCH_SIZE`` rows of one table,
  written set-based (the target compares the whole batch with what it holds in one read and
  writes only what changed). ``dry_run`` runs exactly the same writes and rolls each batch
  back, so the report is the one a real run would print and nothing is written.
- **Memory**: batches are streamed; what is kept across batches is the report and the sets
  of parent ids (ints), so memory barely grows with the network.
- **Several cores**: reading and decoding the source is pure-Python work heavier than
  preparing and writing the native rows, so by default forked child processes read
  (``read_in_process``) while this one writes: one per ``READER_GROUPS`` group, all
  started at once, so sites and payments are read while the first tables are still read
  and written. Batches cross as pickles; each reader holds a constant number in flight
  (one being built, one in the pipe, one received ahead by a thread), so memory does not
  grow with the network; the later reader spools up to ``SPOOL_BATCHES`` to disk.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import chain
from typing import Any, Literal

from planswitch.domain.sync import SourceBatch, SyncSource, SyncTarget
from planswitch.sync.parents import KnownParents, missing_parent, parent_ids, parents_of
from planswitch.sync.read_ahead import ProcessReader, ReadAhead, read_ahead, read_in_process
from planswitch.sync.report import TABLES, SyncReport
from tqdm import tqdm

BATCH_SIZE = 5000
Reader = Literal["process", "thread"]
# Tables read by each reader process (contiguous runs of ``TABLES``, in order). Reading and
# decoding is the slower half of a sync; with one reader the writer waited on it for about
# half of a 10,000-membership sync. A second reader reads sites and payments (whose parents
# come from the first) while the first group is still being read and written.
# Until its turn comes, the second reader spools up to SPOOL_BATCHES batches to temporary
# files (some 70 MB of disk at most); memory holds two of them.
READER_GROUPS = (TABLES[:4], TABLES[4:])
SPOOL_BATCHES = 64


def _error_id(value: int | str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _report_unreadable(table: str, batch: SourceBatch, report: SyncReport) -> None:
    reported: set[int] = set()
    for error in batch.errors:
        row_id = _error_id(error.id)
        if row_id is not None and row_id in batch.rows:
            continue  # an error of another table's row read along the way
        if row_id is not None:
            reported.add(row_id)
        report.skip(table, error.id, f"unreadable ({error.table}): {error.reason}")
    for row_id in batch.ids:
        if row_id not in batch.rows and row_id not in reported:
            report.skip(table, row_id, "not found (deleted during the sync?)")


def _sync_batch(
    table: str,
    batch: SourceBatch,
    target: SyncTarget,
    report: SyncReport,
    known: KnownParents,
    dry_run: bool,
) -> None:
    _report_unreadable(table, batch, report)
    # The rows are prepared here, not in the reader process: reading and decoding is the
    # larger half, and a prepared row pickles slower than the domain object (measured on
    # a generated network: the reader 3.4 s and this side 2.7 s of CPU, against 4.6 and
    # 2.0 with the rows prepared there).
    parents = {row_id: parents_of(table, row) for row_id, row in batch.rows.items()}
    known.prefetch(parent_ids(parents.values()))
    writable = []
    for row_id in batch.ids:
        row = batch.rows.get(row_id)
        if row is None:
            continue
        reason = missing_parent(parents[row_id], known)
        if reason:
            report.skip(table, row_id, reason)
        else:
            writable.append((row_id, target.prepare(table, row)))
    outcome = target.write_batch(table, writable, dry_run=dry_run)
    counts = report.tables[table]
    for row_id, result in outcome.results.items():
        setattr(counts, result, getattr(counts, result) + 1)
        known.add(table, row_id)
    for row_id, reason in sorted(outcome.failures.items()):
        report.skip(table, row_id, reason)


def _batches(
    source: SyncSource, tables: Sequence[str], since: datetime | None
) -> Iterator[tuple[str, SourceBatch]]:
    for table in tables:
        for batch in source.batches(table, since, BATCH_SIZE):
            yield table, batch


def _readers(source: SyncSource, since: datetime | None, reader: Reader) -> list[ReadAhead[Any]]:
    """The batches of every table, in ``TABLES`` order, split among the iterators returned
    (to be consumed one after the other): one reader process per ``READER_GROUPS`` group,
    else one thread."""
    if reader != "process" or "fork" not in multiprocessing.get_all_start_methods():
        return [read_ahead(_batches(source, TABLES, since))]
    # Every child is forked before the first receiving thread starts.
    children: list[ProcessReader[Any]] = []
    try:
        for group in READER_GROUPS:
            produce = partial(_batches, source, group, since)
            spool = SPOOL_BATCHES if children else 0  # the first group is consumed at once
            children.append(read_in_process(produce, setup=source.after_fork, spool=spool))
    except BaseException:
        for child in children:
            child.close()
        raise
    return [read_ahead(child) for child in children]


def sync(
    source: SyncSource,
    target: SyncTarget,
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    progress: bool = True,
    reader: Reader = "process",
) -> SyncReport:
    """Import the network read by ``source`` into ``target``; returns what happened.

    Args:
        source: a ``SyncSource`` (the WordPress adapter's ``WordPressSyncSource``).
        target: a ``SyncTarget`` (the native adapter's ``NativeSyncTarget``).
        since: only rows modified at or after this aware instant (naive = UTC); rows
            without a date are always considered; the others are counted ``not_considered``.
        dry_run: compute the same report, writing nothing (each batch is rolled back).
        progress: show a tqdm bar per table (only on a terminal).
        reader: ``"process"`` reads and decodes the source in a child process (another
            core), one batch ahead, plus one more received by a thread; ``"thread"`` reads
            one batch ahead in a thread of this process. Both deliver the same batches in
            the same order; ``"process"`` needs ``fork`` (else the thread is used).

    Example: a second ``sync(source, target)`` reports every row ``unchanged``.
    """
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    report = SyncReport(since=since, dry_run=dry_run)
    known = KnownParents(target)
    show = progress and sys.stderr.isatty()
    bars: dict[str, tqdm[Any]] = {}
    # Each batch makes and drops some 10^5 tuples: with the default thresholds the
    # cyclic collector runs every 700 of them and rescans what survives, which cost as
    # much as unpickling the batch. Rows hold no cycles; collections are made rarer
    # (not disabled) for the sync only, here and in the readers (forked after this).
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    readers: list[ReadAhead[Any]] = []
    try:
        # The readers start first (forked before any thread exists), so counting the
        # source overlaps their first reads.
        readers = _readers(source, since, reader)
        considered: dict[str, int] = {}
        for table in TABLES:
            total, considered[table] = source.count(table, since)
            report.tables[table].not_considered = total - considered[table]
        # Tables stay in order (parents first); only the reading runs ahead.
        for table, batch in chain.from_iterable(readers):
            if table not in bars:
                for other in bars.values():
                    other.close()
                bars[table] = tqdm(
                    total=considered[table], desc=table, unit="row", disable=not show
                )
            _sync_batch(table, batch, target, report, known, dry_run)
            bars[table].update(len(batch.ids))
    finally:
        for one in readers:
            one.close()
        gc.set_threshold(*thresholds)
        for bar in bars.values():
            bar.close()
    if not dry_run:
        target.finish({name: c.created + c.updated for name, c in report.tables.items()})
    return report
