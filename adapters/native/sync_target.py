"""``NativeSyncTarget``: set-based writes of ``planswitch sync`` batches into the native store.

A batch of one table is written in one transaction with a constant number of statements:
one SELECT of the stored rows (and one per child table) to tell created / updated /
unchanged apart by comparing column values (no read-back per row, no domain objects
rebuilt), one multi-row INSERT of the new rows, one executemany UPDATE of the changed ones,
and per child table one DELETE plus one multi-row INSERT. Unchanged rows cost nothing but
the comparison.

If the set-based write fails (a value the database refuses), the batch's savepoint is rolled
back and its rows are written one by one, each in its own savepoint, so only the offending
rows are reported and the rest still commit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from planswitch.adapters.native import catalog, mappers
from planswitch.adapters.native.columns import MONEY_PLACES, MoneyType, UTCDateTime
from planswitch.adapters.native.store import NativeStore
from planswitch.adapters.native.tables import (
    CustomerRow,
    DiscountCodeRow,
    DomainRow,
    LineItemRow,
    MembershipAddonRow,
    MembershipRow,
    PaymentRow,
    PriceVariationRow,
    ProductAddonRow,
    ProductRow,
    ScheduledChangeRow,
    SiteRow,
)
from planswitch.domain.sync import BatchOutcome, SiteRecord, WriteResult
from sqlalchemy import (
    JSON,
    Integer,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    delete,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.types import NullType

ANALYZE_AFTER = 1000  # rows written to a table before a sync refreshes its statistics

Row = dict[str, Any]


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


@dataclass(frozen=True)
class _Child:
    """Rows of a child table that belong to one parent row and are replaced together."""

    table: Table
    key: str  # the column pointing at the parent
    order: tuple[str, ...]  # stored order (matches the order the mappers produce)
    rows: Callable[[Any], list[Row]]


@dataclass(frozen=True)
class _Kind:
    table: Table
    columns: Callable[[Any], Row]  # includes "id"
    children: tuple[_Child, ...] = ()
    versioned: bool = False  # memberships: every update bumps ``version``


def _scheduled(m: Any) -> list[Row]:
    change = m.scheduled_change
    return [mappers.scheduled_change_columns(m.id, change)] if change is not None else []


def _domains(record: SiteRecord) -> list[Row]:
    return [
        {
            "site_id": record.site.id,
            "domain": d.domain,
            "active": d.active,
            "primary_domain": d.primary,
        }
        for d in record.domains
    ]


KINDS: dict[str, _Kind] = {
    "products": _Kind(
        _table(ProductRow),
        mappers.product_columns,
        (
            _Child(
                _table(ProductAddonRow),
                "product_id",
                ("position",),
                lambda p: mappers.product_children(p)[0],
            ),
            _Child(
                _table(PriceVariationRow),
                "product_id",
                ("position",),
                lambda p: mappers.product_children(p)[1],
            ),
        ),
    ),
    "discount_codes": _Kind(_table(DiscountCodeRow), mappers.discount_code_columns),
    "customers": _Kind(_table(CustomerRow), mappers.customer_columns),
    "memberships": _Kind(
        _table(MembershipRow),
        lambda m: {"id": m.id, **mappers.membership_columns(m)},
        (
            _Child(
                _table(MembershipAddonRow),
                "membership_id",
                ("product_id",),
                mappers.membership_addon_rows,
            ),
            _Child(_table(ScheduledChangeRow), "membership_id", (), _scheduled),
        ),
        versioned=True,
    ),
    "sites": _Kind(
        _table(SiteRow),
        lambda r: mappers.site_columns(r.site, r.post_counts),
        (_Child(_table(DomainRow), "site_id", ("id",), _domains),),
    ),
    "payments": _Kind(
        _table(PaymentRow),
        lambda p: {"id": p.id, **mappers.payment_columns(p)},
        (
            _Child(
                _table(LineItemRow),
                "payment_id",
                ("position",),
                lambda p: mappers.line_item_rows(p.id, p.line_items),
            ),
        ),
    ),
}


class _Writer:
    """How one dialect's driver takes a table's values: bind-processed, as plain tuples.

    Processing a value (money to 4 places, datetimes to UTC, JSON to text) is most of the
    cost of writing it, so it is done once, in ``prepare`` (the reader process), and the
    same tuple serves the comparison with what is stored, the INSERT (COPY / the driver's
    ``executemany``) and the UPDATE. Stored rows are read raw (no result processing) to be
    compared with it; JSON is read as its text on PostgreSQL (``json`` keeps the text it
    was given) and parsed on both sides elsewhere (MySQL normalises it).
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.name = dialect.name
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._compiled: dict[tuple[str, tuple[str, ...]], Callable[[Row], Any]] = {}
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}

    def processor(self, column_type: Any) -> Any:
        """The bind processor of a column type; for the types every synced row has many of
        (money, datetimes) on SQLite and PostgreSQL a shortcut for the common value that
        gives what the type's own processor gives (any other value goes to that one)."""
        general = column_type._cached_bind_processor(self.dialect)
        if isinstance(column_type, JSON) and self.name == "postgresql":
            return _json_text  # compared with the column's text; COPY takes it
        if isinstance(column_type, MoneyType) and self.name in ("sqlite", "postgresql"):
            as_text = self.name == "sqlite"

            def money(value: Any) -> Any:
                if type(value) is not Decimal:
                    return general(value)
                stored = value.quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)
                return str(stored) if as_text else stored

            return money
        if isinstance(column_type, UTCDateTime) and self.name in ("sqlite", "postgresql"):
            naive_text = self.name == "sqlite"

            def moment(value: Any) -> Any:
                if type(value) is not datetime or value.tzinfo is not UTC:
                    return general(value)
                if naive_text:  # SQLite's DATETIME text: SQLAlchemy's format, always 6 digits
                    return value.replace(tzinfo=None).isoformat(" ", "microseconds")
                return value

            return moment
        return general

    def row_values(self, table: Table, names: tuple[str, ...]) -> Callable[[Row], Any]:
        """A function compiled for one shape of row: its values in ``names`` order, each
        through its column's processor (no loop, no lookups per value)."""
        key = (table.name, names)
        found = self._compiled.get(key)
        if found is None:
            namespace: dict[str, Any] = {}
            cells = []
            for i, name in enumerate(names):
                process = self.processor(table.c[name].type)
                if process is None:
                    cells.append(f"row[{name!r}]")
                else:
                    namespace[f"p{i}"] = process
                    cells.append(f"p{i}(row[{name!r}])")
            exec(f"def values(row):\n    return ({', '.join(cells)},)", namespace)
            found = self._compiled[key] = namespace["values"]
        return found

    def values(self, table: Table, row: Row) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        names = tuple(row)
        names = self._names.setdefault(names, names)  # one tuple per shape: pickled once
        return names, self.row_values(table, names)(row)

    def stored_columns(self, table: Table, names: Sequence[str]) -> list[Any]:
        columns: list[Any] = []
        for name in names:
            column = table.c[name]
            if isinstance(column.type, JSON) and self.name == "postgresql":
                columns.append(cast(column, Text).label(name))
            else:
                columns.append(type_coerce(column, NullType()).label(name))
        return columns

    def comparable(self, table: Table, names: Sequence[str]) -> Callable[[tuple[Any, ...]], Any]:
        """Stored or new raw values -> what is compared (JSON parsed where it is normalised)."""
        if self.name in ("postgresql", "sqlite"):
            return _same
        indexes = [i for i, n in enumerate(names) if isinstance(table.c[n].type, JSON)]
        if not indexes:
            return _same

        def parsed(values: tuple[Any, ...]) -> tuple[Any, ...]:
            out = list(values)
            for i in indexes:
                if isinstance(out[i], str):
                    out[i] = json.loads(out[i])
            return tuple(out)

        return parsed


def _same(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return values


def _json_text(value: Any) -> str:
    return json.dumps(value)


@dataclass
class _Prepared:
    """A row as the target will store it: its column names and bind-processed values, and
    per child table the names and values of its child rows (names shared by the batch)."""

    id: int
    names: tuple[str, ...]
    values: tuple[Any, ...]
    children: list[tuple[tuple[str, ...], list[tuple[Any, ...]]]]


def _dense(ids: Sequence[int]) -> bool:
    # A batch read by keyset is consecutive ids, mostly: a range on the primary key reads
    # it without a list of thousands of values. With ``since`` the ids are sparse and a
    # range would read rows the batch does not hold.
    return bool(ids) and ids[-1] - ids[0] < 2 * len(ids)


def _among(column: Any, ids: Sequence[int], dialect: str, *, exact: bool = False) -> Any:
    """``column IN ids`` for reading: a range when ``ids`` (ascending) are dense (it may
    match other rows: callers look rows up by id), on PostgreSQL ``column = ANY(:ids)``
    (one array parameter), else an IN list. ``exact`` (deletes): never a range.

    A batch's IN list has thousands of values: rendered as that many placeholders, the
    statement costs more to build and parse than to run.
    """
    if not exact and _dense(ids):
        return column.between(ids[0], ids[-1])
    if dialect == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=postgresql.ARRAY(Integer)))
    return column.in_(list(ids))


def _not_written(exc: SQLAlchemyError) -> str:
    # The driver's first line says why; the statement and its parameters are noise here.
    cause = getattr(exc, "orig", None) or exc
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"not written: {exc.__class__.__name__}: {first}"


def _quote(conn: Connection, name: str) -> str:
    """``name`` as the database quotes an identifier (backticks on MySQL, double quotes
    elsewhere)."""
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _quoted(conn: Connection, names: Sequence[str]) -> str:
    return ", ".join(_quote(conn, name) for name in names)


def _driver(conn: Connection, statement: str, work: Callable[[Any], None]) -> None:
    """Run ``work(cursor)`` on the driver's own cursor; its errors are reported as
    SQLAlchemy reports a failed statement (DataError, IntegrityError, ...)."""
    driver: Any = conn.connection.driver_connection
    error: Any = conn.dialect.dbapi.Error  # type: ignore[union-attr]
    cursor = driver.cursor()
    try:
        work(cursor)
    except error as exc:
        raise DBAPIError.instance(statement, None, exc, error) from exc
    finally:
        cursor.close()


def _insert_many(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """One bulk insert of bind-processed values: COPY on PostgreSQL (several times faster
    for new rows), the driver's ``executemany`` elsewhere."""
    if conn.dialect.name == "postgresql":
        statement = f"COPY {_quote(conn, table.name)} ({_quoted(conn, names)}) FROM STDIN"

        def copy(cursor: Any) -> None:
            with cursor.copy(statement) as copier:
                for row in rows:
                    copier.write_row(row)

        _driver(conn, statement, copy)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    values = ", ".join(mark for _ in names)
    statement = f"INSERT INTO {_quote(conn, table.name)} ({_quoted(conn, names)}) VALUES ({values})"
    _driver(conn, statement, lambda cursor: cursor.executemany(statement, rows))


def _update_many(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    versioned: bool,
) -> None:
    """One ``executemany`` UPDATE by id of bind-processed values (``version`` bumped)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    position = names.index("id")
    others = [name for name in names if name != "id"]
    sets = [f"{_quote(conn, name)} = {mark}" for name in others]
    if versioned:
        version = _quote(conn, "version")
        sets.append(f"{version} = {version} + 1")
    where = f"{_quote(conn, 'id')} = {mark}"
    statement = f"UPDATE {_quote(conn, table.name)} SET {', '.join(sets)} WHERE {where}"
    params = [(*row[:position], *row[position + 1 :], row[position]) for row in rows]
    _driver(conn, statement, lambda cursor: cursor.executemany(statement, params))


class NativeSyncTarget:
    """``planswitch.domain.sync.SyncTarget`` over a ``NativeStore``."""

    def __init__(self, store: NativeStore) -> None:
        self.store = store
        self.engine = store.write_engine
        self.writer = _Writer(self.engine.dialect)
        # Bulk loads whose statistics are refreshed in the background (``finish``).
        self._table: str | None = None  # the table of the last batch written
        self._written: dict[str, int] = {}  # rows created or updated per table
        self._vacuumed: set[str] = set()
        self._vacuums: list[tuple[threading.Thread, list[BaseException]]] = []

    def existing_ids(self, table: str, ids: Sequence[int]) -> set[int]:
        source = KINDS[table].table
        wanted = sorted(ids)
        with self.store.engine.connect() as conn:
            found = {
                int(i)
                for (i,) in conn.execute(
                    select(source.c.id).where(_among(source.c.id, wanted, conn.dialect.name))
                )
            }
        return found & set(wanted)

    def prepare(self, table: str, row: Any) -> _Prepared:
        """The row's values as this store's driver takes them (no database involved)."""
        kind = KINDS[table]
        names, values = self.writer.values(kind.table, kind.columns(row))
        children = []
        for child in kind.children:
            rows = [self.writer.values(child.table, r) for r in child.rows(row)]
            child_names = rows[0][0] if rows else ()
            children.append((child_names, [v for _n, v in rows]))
        return _Prepared(int(values[names.index("id")]), names, values, children)

    def write_batch(
        self, table: str, rows: Sequence[tuple[int, Any]], *, dry_run: bool
    ) -> BatchOutcome:
        outcome = BatchOutcome()
        if table != self._table:
            # A sync writes its tables one after the other: the previous one is complete.
            if self._table is not None:
                self._vacuum_in_background(self._table)
            self._table = table
        if not rows:
            return outcome
        kind = KINDS[table]
        prepared: list[_Prepared] = [row for _row_id, row in rows]
        with self.engine.connect() as conn:
            transaction = conn.begin()
            try:
                try:
                    with conn.begin_nested():
                        outcome.results.update(self._apply(conn, kind, prepared))
                except SQLAlchemyError:
                    for one in prepared:  # find the rows the database refuses
                        try:
                            with conn.begin_nested():
                                outcome.results.update(self._apply(conn, kind, [one]))
                        except SQLAlchemyError as exc:
                            outcome.failures[one.id] = _not_written(exc)
                if dry_run:
                    transaction.rollback()
                else:
                    self._advance_sequence(conn, kind.table)
                    if table == "products":  # cached catalogs reload (catalog.py)
                        catalog.bump(conn)
                    transaction.commit()
                    changed = sum(1 for r in outcome.results.values() if r != "unchanged")
                    self._written[table] = self._written.get(table, 0) + changed
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                raise
        return outcome

    # ---------------------------------------------------------------------------------
    def _apply(
        self, conn: Connection, kind: _Kind, prepared: list[_Prepared]
    ) -> dict[int, WriteResult]:
        t = kind.table
        ids = sorted(p.id for p in prepared)
        dialect = conn.dialect.name
        writer = self.writer
        # Stored values are read raw, as plain tuples in the prepared column order, so
        # telling unchanged rows apart is one tuple comparison per row.
        names = prepared[0].names
        same = writer.comparable(t, names)
        query = select(*writer.stored_columns(t, names)).where(_among(t.c.id, ids, dialect))
        position = names.index("id")
        stored = {int(row[position]): same(tuple(row)) for row in conn.execute(query)}
        present = [i for i in ids if i in stored]
        stored_children: list[dict[int, list[tuple[Any, ...]]]] = []
        child_names: list[tuple[str, ...]] = []
        child_same = []
        for index, child in enumerate(kind.children):
            columns = next((n for p in prepared if (n := p.children[index][0])), ())
            child_names.append(columns)
            child_same.append(writer.comparable(child.table, columns))
            found: dict[int, list[tuple[Any, ...]]] = {}
            if present:
                key = child.table.c[child.key]
                query = select(key, *writer.stored_columns(child.table, columns or [child.key]))
                query = query.where(_among(key, present, dialect))
                query = query.order_by(key, *(child.table.c[c] for c in child.order))
                for row in conn.execute(query):
                    values = tuple(row)[1:]
                    found.setdefault(int(row[0]), []).append(
                        child_same[index](values) if columns else ()
                    )
            stored_children.append(found)

        results: dict[int, WriteResult] = {}
        created: list[_Prepared] = []
        updated: list[_Prepared] = []
        for p in prepared:
            before = stored.get(p.id)
            if before is None:
                created.append(p)
                results[p.id] = "created"
            elif before == same(p.values) and all(
                found.get(p.id, []) == [compare(v) for v in values]
                for found, (_n, values), compare in zip(
                    stored_children, p.children, child_same, strict=True
                )
            ):
                results[p.id] = "unchanged"
            else:
                updated.append(p)
                results[p.id] = "updated"

        if created:
            if kind.versioned:
                _insert_many(conn, t, (*names, "version"), [(*p.values, 1) for p in created])
            else:
                _insert_many(conn, t, names, [p.values for p in created])
        if updated:
            _update_many(conn, t, names, [p.values for p in updated], versioned=kind.versioned)
        for index, child in enumerate(kind.children):
            if updated:
                key = child.table.c[child.key]
                gone = _among(key, sorted(p.id for p in updated), dialect, exact=True)
                conn.execute(delete(child.table).where(gone))
            fresh = [row for p in (*created, *updated) for row in p.children[index][1]]
            if fresh:
                _insert_many(conn, child.table, child_names[index], fresh)
        return results

    def finish(self, changed: Mapping[str, int]) -> None:
        """PostgreSQL: ``VACUUM (ANALYZE)`` the tables a sync loaded in bulk.

        Right after a bulk load the planner has no statistics for the new rows and no page
        is marked all-visible, so ``COUNT(*)`` (``totalCount``) and lookups read the heap
        row by row until autovacuum comes around (a minute or more later). Tables that
        changed by fewer than ``ANALYZE_AFTER`` rows are left to autovacuum, so an
        incremental sync stays proportional to what changed. SQLite and MySQL keep their
        statistics up to date by themselves or need none for these primary-key reads.

        A table is vacuumed as soon as the sync moves on to the next one, on a connection
        of its own in a thread, while the later tables are written (its lock does not block
        their writes): at the end only the last tables are left, and this waits for all.
        """
        try:
            if self.engine.dialect.name != "postgresql":
                return
            loaded = [
                name
                for name, rows in changed.items()
                if rows >= ANALYZE_AFTER and name in KINDS and name not in self._vacuumed
            ]
            if loaded:
                self._vacuum(loaded)
            for thread, errors in self._vacuums:
                thread.join()
                if errors:
                    raise errors[0]
        finally:
            self._table = None
            self._written.clear()
            self._vacuumed.clear()
            self._vacuums.clear()

    def _vacuum_in_background(self, table: str) -> None:
        if self.engine.dialect.name != "postgresql" or self._written.get(table, 0) < ANALYZE_AFTER:
            return
        self._vacuumed.add(table)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                self._vacuum([table])
            except BaseException as error:  # raised by ``finish``
                errors.append(error)

        thread = threading.Thread(target=run, name=f"sync-vacuum-{table}", daemon=True)
        thread.start()
        self._vacuums.append((thread, errors))

    def _vacuum(self, tables: Sequence[str]) -> None:
        """``VACUUM (ANALYZE)`` of ``tables`` (logical names) and their child tables."""
        loaded = [KINDS[name] for name in tables]
        names = [kind.table.name for kind in loaded]
        names += [child.table.name for kind in loaded for child in kind.children]
        # VACUUM cannot run inside a transaction block.
        with self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) " + ", ".join(f'"{n}"' for n in names))

    def _advance_sequence(self, conn: Connection, table: Table) -> None:
        # PostgreSQL: explicit ids do not move the id sequence; the next plain INSERT would
        # collide. MySQL/MariaDB and SQLite move past the largest id by themselves.
        if conn.dialect.name != "postgresql":
            return
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )
        )
