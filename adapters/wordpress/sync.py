"""``planswitch sync``: import an Ultimate Multisite network into the native store (SPEC §6).

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from adapters.wordpress import usage as usage_queries
from adapters.wordpress.mappers import RowError, parse_datetime
from adapters.wordpress.store import SITE_META_KEYS

if TYPE_CHECKING:
    from adapters.native.store import BulkWriter, NativeStore
    from adapters.native.writes import SiteDomain
    from adapters.wordpress.store import WordPressStore

# Import order: parents before the rows that point at them.
TABLES = ("products", "discount_codes", "customers", "memberships", "sites", "payments")
BATCH_SIZE = 200
EXIT_OK = 0  # skipped rows are reported, not an error
EXIT_UNREACHABLE = 2  # a database cannot be reached, or WordPress is not configured


# ------------------------------------------------------------------------------ report


@dataclass
class TableCounts:
    """What happened to one table's rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    not_considered: int = 0  # left out by ``since``

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SkippedRow:
    """A row that was not imported: logical table, WordPress id, and why."""

    table: str
    id: int | str | None
    reason: str


@dataclass
class SyncReport:
    """Per-table counts plus every skipped row; ``render()`` for people, ``as_dict()`` for JSON."""

    since: datetime | None = None
    dry_run: bool = False
    tables: dict[str, TableCounts] = field(
        default_factory=lambda: {name: TableCounts() for name in TABLES}
    )
    skipped: list[SkippedRow] = field(default_factory=list)

    def skip(self, table: str, row_id: int | str | None, reason: str) -> None:
        self.tables[table].skipped += 1
        self.skipped.append(SkippedRow(table, row_id, reason))

    def totals(self) -> TableCounts:
        total = TableCounts()
        for counts in self.tables.values():
            for name, value in counts.as_dict().items():
                setattr(total, name, getattr(total, name) + value)
        return total

    @property
    def changed(self) -> int:
        """Rows created or updated (what a real run writes)."""
        totals = self.totals()
        return totals.created + totals.updated

    def as_dict(self) -> dict[str, Any]:
        """JSON-able: ``{dry_run, since, tables: {name: counts}, totals, skipped: [...]}``."""
        return {
            "dry_run": self.dry_run,
            "since": self.since.isoformat() if self.since else None,
            "tables": {name: counts.as_dict() for name, counts in self.tables.items()},
            "totals": self.totals().as_dict(),
            "skipped": [{"table": s.table, "id": s.id, "reason": s.reason} for s in self.skipped],
        }

    def render(self) -> str:
        """A plain-text table, then one line per skipped row."""
        columns = ("created", "updated", "unchanged", "skipped", "not_considered")
        headers = ("table", *(c.replace("_", " ") for c in columns))
        rows = [(name, *(str(getattr(c, k)) for k in columns)) for name, c in self.tables.items()]
        rows.append(("total", *(str(getattr(self.totals(), k)) for k in columns)))
        widths = [max(len(r[i]) for r in (headers, *rows)) for i in range(len(headers))]

        def line(cells: Sequence[str]) -> str:
            first = cells[0].ljust(widths[0])
            return "  ".join(
                [first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))]
            )

        title = "planswitch sync" + (" (dry run: nothing written)" if self.dry_run else "")
        if self.since:
            title += f", rows modified since {self.since.isoformat()}"
        out = [title, line(headers), line(["-" * w for w in widths])]
        out += [line(r) for r in rows[:-1]] + [line(["-" * w for w in widths]), line(rows[-1])]
        if self.skipped:
            out.append("")
            out.append(f"Skipped rows ({len(self.skipped)}):")
            out += [f"  {s.table} #{s.id}: {s.reason}" for s in self.skipped]
        return "\n".join(out)


# ------------------------------------------------------------------------------ source


class _Source:
    """Batch reads of one table of the network, with the rows' modification dates."""

    def __init__(self, store: WordPressStore) -> None:
        self.store = store
        self.t = store.tables
        self.network = store.names.network_id or 1

    def stamps(self, table: str) -> list[tuple[int, datetime | None]]:
        """(id, modified) of every row of ``table``, ordered by id (one statement)."""
        t = self.t
        if table == "sites":
            b = t.blogs
            query = (
                select(b.c.blog_id, b.c.last_updated)
                .where(b.c.site_id == self.network, b.c.blog_id != self.main_site_id())
                .order_by(b.c.blog_id)
            )
        else:
            source = getattr(t, table)
            query = select(source.c.id, source.c.date_modified).order_by(source.c.id)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(int(row_id), _when(modified)) for row_id, modified in rows]

    def main_site_id(self) -> int:
        # wp_site has no main-site column in the tables we define; WordPress uses the
        # lowest blog id of the network with the network's domain and path: blog 1 on the
        # main network. On another network, its first blog.
        if self.network == 1:
            return 1
        b = self.t.blogs
        with self.store.engine.connect() as conn:
            first = conn.execute(
                select(b.c.blog_id).where(b.c.site_id == self.network).order_by(b.c.blog_id)
            ).first()
        return int(first[0]) if first else 0

    def read(self, table: str, ids: list[int]) -> tuple[dict[int, Any], list[RowError]]:
        """Domain objects by id, and the rows that could not be decoded."""
        self.store.take_read_errors()  # earlier reads' errors belong to no row of this batch
        if table == "discount_codes":
            return self._discount_codes(ids)
        if table == "sites":
            return self._sites(ids)
        reader: Callable[[list[int]], dict[int, Any]] = {
            "products": self.store.products_by_id,
            "customers": self.store.customers_by_id,
            "memberships": self.store.memberships_by_id,
            "payments": self.store.payments_by_id,
        }[table]
        found = reader(ids)
        return found, self.store.take_read_errors()

    def _meta(
        self, conn: Connection, table: Any, column: str, ids: list[int], keys: Sequence[str]
    ) -> dict[int, dict[str, Any]]:
        # Single meta values, the first row of a key wins (get_metadata(..., single=true)).
        meta: dict[int, dict[str, Any]] = {i: {} for i in ids}
        query = (
            select(table.c[column], table.c.meta_key, table.c.meta_value)
            .where(table.c[column].in_(ids), table.c.meta_key.in_(list(keys)))
            .order_by(table.c.meta_id)
        )
        for owner, key, value in conn.execute(query):
            meta.setdefault(int(owner), {}).setdefault(str(key), value)
        return meta

    def _discount_codes(self, ids: list[int]) -> tuple[dict[int, Any], list[RowError]]:
        d = self.t.discount_codes
        with self.store.engine.connect() as conn:
            rows = [r._mapping for r in conn.execute(select(d).where(d.c.id.in_(ids)))]
            meta = self._meta(
                conn,
                self.t.discount_codemeta,
                "wu_discount_code_id",
                ids,
                ("wu_allowed_products", "wu_limit_products"),
            )
        return _map_rows(
            rows, "id", lambda r: self.store.mapper.discount_code(r, meta[int(r["id"])])
        )

    def _sites(self, ids: list[int]) -> tuple[dict[int, Any], list[RowError]]:
        b = self.t.blogs
        mapper = self.store.mapper
        main = self.main_site_id()
        with self.store.engine.connect() as conn:
            rows = [r._mapping for r in conn.execute(select(b).where(b.c.blog_id.in_(ids)))]
            meta = self._meta(conn, self.t.blogmeta, "blog_id", ids, SITE_META_KEYS)
            domains = self._domains(conn, ids)
            sites, errors = _map_rows(
                rows, "blog_id", lambda r: mapper.site(r, meta[int(r["blog_id"])], main)
            )
            result = {
                site_id: (
                    site,
                    usage_queries.post_counts(conn, self.t, [site_id]),
                    domains.get(site_id, []),
                )
                for site_id, site in sites.items()
            }
        return result, errors

    def _domains(self, conn: Connection, ids: list[int]) -> dict[int, list[SiteDomain]]:
        from adapters.native.writes import SiteDomain

        mappings = self.t.domain_mappings
        if not usage_queries.existing_tables(conn, [mappings.name]):
            return {}
        query = (
            select(
                mappings.c.blog_id, mappings.c.domain, mappings.c.active, mappings.c.primary_domain
            )
            .where(mappings.c.blog_id.in_(ids))
            .order_by(mappings.c.id)
        )
        found: dict[int, list[SiteDomain]] = {}
        for blog_id, domain, active, primary in conn.execute(query):
            found.setdefault(int(blog_id), []).append(
                SiteDomain(str(domain), bool(active), bool(primary))
            )
        return found


def _when(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        return None  # an unreadable date: always considered


def _map_rows(
    rows: Iterable[Mapping[str, Any]], key: str, build: Callable[[Mapping[str, Any]], Any]
) -> tuple[dict[int, Any], list[RowError]]:
    found: dict[int, Any] = {}
    errors: list[RowError] = []
    for row in rows:
        try:
            found[int(row[key])] = build(row)
        except RowError as error:
            errors.append(error)
    return found, errors


# ------------------------------------------------------------------------------ parents


class _Known:
    """Which products, customers and memberships exist: imported now, or already native."""

    READERS = {
        "products": "products_by_id",
        "customers": "customers_by_id",
        "memberships": "memberships_by_id",
    }

    def __init__(self, target: NativeStore) -> None:
        self.target = target
        self.ids: dict[str, set[int]] = {name: set() for name in self.READERS}
        self.absent: dict[str, set[int]] = {name: set() for name in self.READERS}

    def add(self, table: str, row_id: int) -> None:
        if table in self.ids:
            self.ids[table].add(row_id)
            self.absent[table].discard(row_id)

    def prefetch(self, wanted: Mapping[str, Iterable[int]]) -> None:
        """Look up in the native store, in one read per table, the ids not yet known."""
        for table, ids in wanted.items():
            unknown = {i for i in ids if i} - self.ids[table] - self.absent[table]
            if unknown:
                found = getattr(self.target, self.READERS[table])(sorted(unknown))
                self.ids[table] |= set(found)
                self.absent[table] |= unknown - set(found)

    def missing(self, table: str, row_id: int | None) -> bool:
        return bool(row_id) and row_id not in self.ids[table]


def _parents(table: str, row: Any) -> list[tuple[str, str, int | None]]:
    """(parent table, label, id) pairs a row needs."""
    if table == "memberships":
        needed = [("products", "plan", row.plan_id), ("customers", "customer", row.customer_id)]
        needed += [("products", "add-on product", pid) for pid in row.addons]
        if row.scheduled_change is not None:
            change = row.scheduled_change
            needed.append(("products", "scheduled plan", change.plan_id))
            needed += [("products", "scheduled add-on product", pid) for pid in change.addons]
        return needed
    if table in ("payments", "sites"):
        site_or_payment = row[0] if table == "sites" else row
        return [
            ("memberships", "membership", site_or_payment.membership_id),
            ("customers", "customer", site_or_payment.customer_id),
        ]
    return []


def _missing_parent(table: str, row: Any, known: _Known) -> str | None:
    for parent, label, parent_id in _parents(table, row):
        if known.missing(parent, parent_id):
            return f"{label} {parent_id} does not exist"
    return None


# ------------------------------------------------------------------------------ sync


class _Rollback(Exception):
    """Raised inside a dry-run batch so the native store rolls it back."""


MONEY_PLACES = Decimal("0.0001")  # the native store keeps 4 places, like decimal(13,4)


def _money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def _storable(table: str, row: Any) -> Any:
    """``row`` as the native store keeps it, so an unchanged row compares equal.

    Line items and scheduled-change totals are PHP floats (``6.029999999999999``); the
    native store rounds money to 4 places (half up, as its column type does).
    """
    if table == "products":
        variations = tuple(replace(v, amount=_money(v.amount)) for v in row.price_variations)
        return replace(row, price_variations=variations)
    if table == "memberships":
        change = row.scheduled_change
        if change is not None:
            change = replace(change, amount=_money(change.amount))
        return replace(row, scheduled_change=change)
    if table == "payments":
        lines = tuple(
            replace(
                line,
                unit_price=_money(line.unit_price),
                subtotal=_money(line.subtotal),
                discount_total=_money(line.discount_total),
                tax_total=_money(line.tax_total),
                total=_money(line.total),
            )
            for line in row.line_items
        )
        return replace(row, line_items=lines)
    return row


def _upsert(batch: BulkWriter, table: str, row: Any) -> str:
    row = _storable(table, row)
    if table == "sites":
        site, post_counts, domains = row
        return batch.upsert_site(site, post_counts, domains)
    method = {
        "products": batch.upsert_product,
        "discount_codes": batch.upsert_discount_code,
        "customers": batch.upsert_customer,
        "memberships": batch.upsert_membership,
        "payments": batch.upsert_payment,
    }[table]
    return method(row)


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _error_id(error: RowError) -> int | None:
    try:
        return int(error.id) if error.id is not None else None
    except (TypeError, ValueError):
        return None


def _not_written(exc: SQLAlchemyError) -> str:
    # The driver's first line says why; the statement and its parameters are noise here.
    cause = getattr(exc, "orig", None) or exc
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"not written: {exc.__class__.__name__}: {first}"


def _write_batch(
    target: NativeStore,
    table: str,
    chunk: list[int],
    rows: Mapping[int, Any],
    report: SyncReport,
    known: _Known,
    dry_run: bool,
) -> None:
    counts = report.tables[table]
    results: list[tuple[int, str]] = []  # applied only once the batch is over
    failures: list[tuple[int, str]] = []
    try:
        with target.bulk() as batch:
            for row_id in chunk:
                if row_id not in rows:
                    continue
                reason = _missing_parent(table, rows[row_id], known)
                if reason:
                    failures.append((row_id, reason))
                    continue
                try:
                    with batch.session.begin_nested():
                        results.append((row_id, _upsert(batch, table, rows[row_id])))
                except SQLAlchemyError as exc:
                    failures.append((row_id, _not_written(exc)))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    for row_id, result in results:
        setattr(counts, result, getattr(counts, result) + 1)
        known.add(table, row_id)
    for row_id, reason in failures:
        report.skip(table, row_id, reason)


def _sync_table(
    source: _Source,
    target: NativeStore,
    table: str,
    report: SyncReport,
    known: _Known,
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
            known.prefetch(_parent_ids(table, rows.values()))
            _write_batch(target, table, chunk, rows, report, known, dry_run)
            bar.update(len(chunk))


def _parent_ids(table: str, rows: Iterable[Any]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {}
    for row in rows:
        for parent, _label, parent_id in _parents(table, row):
            if parent_id:
                wanted.setdefault(parent, set()).add(parent_id)
    return wanted


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
    reader = _Source(source)
    known = _Known(target)
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
    from adapters.native import NativeStore, upgrade_database
    from adapters.wordpress.store import WordPressStore

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
