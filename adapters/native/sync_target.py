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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from planswitch.adapters.native import catalog, mappers
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
    Integer,
    Table,
    any_,
    bindparam,
    delete,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.types import NullType

ANALYZE_AFTER = 1000  # rows written to a table before a sync refreshes its statistics
MONEY_PLACES = Decimal("0.0001")  # MoneyType keeps 4 places (rounded half up)

Row = dict[str, Any]


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


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


def _prepare(columns: Row) -> Row:
    """Values as the store gives them back: money at 4 places (MoneyType rounds half up).

    JSON values need nothing: the mappers already give them text keys (``limits_to_json``).
    One comprehension, no call per value: it runs for every column of every synced row.
    """
    return {
        key: value.quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)
        if type(value) is Decimal
        else value
        for key, value in columns.items()
    }


@dataclass
class _Prepared:
    id: int
    columns: Row
    children: list[list[Row]]


def _among(column: Any, ids: Sequence[int], dialect: str) -> Any:
    """``column IN ids``; on PostgreSQL ``column = ANY(:ids)``, one array parameter.

    A batch's IN list has thousands of values: rendered as that many placeholders, the
    statement costs more to build and parse than to run; one array costs nothing.
    """
    if dialect == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=postgresql.ARRAY(Integer)))
    return column.in_(list(ids))


def _not_written(exc: SQLAlchemyError) -> str:
    # The driver's first line says why; the statement and its parameters are noise here.
    cause = getattr(exc, "orig", None) or exc
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"not written: {exc.__class__.__name__}: {first}"


def _insert_many(conn: Connection, table: Table, rows: list[Row]) -> None:
    """One bulk insert: COPY on PostgreSQL (several times faster for new rows), the driver's
    ``executemany`` on SQLite, SQLAlchemy's multi-row INSERT elsewhere.

    COPY and SQLite's ``executemany`` take the values SQLAlchemy would bind: each column
    type's bind processor runs first (money quantized, datetimes in UTC, JSON as text);
    only SQLAlchemy's per-row parameter bookkeeping is left out.
    """
    dialect = conn.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(conn.dialect) for name in names]
    pairs = list(zip(names, processors, strict=True))
    values = (
        [row[name] if process is None else process(row[name]) for name, process in pairs]
        for row in rows
    )
    columns = ", ".join(f'"{name}"' for name in names)
    if dialect == "postgresql":
        statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    else:
        marks = ", ".join("?" for _ in names)
        statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
    driver: Any = conn.connection.driver_connection
    error: Any = conn.dialect.dbapi.Error  # type: ignore[union-attr]
    try:
        if dialect == "postgresql":
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for value in values:
                    copy.write_row(value)
        else:
            cursor = driver.cursor()
            try:
                cursor.executemany(statement, values)
            finally:
                cursor.close()
    except error as exc:
        # Reported as SQLAlchemy reports a failed statement (DataError, IntegrityError, ...).
        raise DBAPIError.instance(statement, None, exc, error) from exc


class _Compare:
    """How stored and new values are put side by side: processed, or raw as stored."""

    def __init__(self, conn: Connection, *, raw: bool) -> None:
        self.raw = raw
        self.dialect = conn.dialect
        self._processors: dict[tuple[str, str], Any] = {}

    def columns(self, table: Table, names: Sequence[str]) -> list[Any]:
        if not self.raw:
            return [table.c[name] for name in names]
        return [type_coerce(table.c[name], NullType()).label(name) for name in names]

    def values(self, table: Table, names: Sequence[str], row: Row) -> tuple[Any, ...]:
        if not self.raw:
            return tuple(row[name] for name in names)
        out = []
        for name in names:
            key = (table.name, name)
            if key not in self._processors:
                self._processors[key] = table.c[name].type._cached_bind_processor(self.dialect)
            process = self._processors[key]
            value = row[name]
            out.append(value if process is None else process(value))
        return tuple(out)


class NativeSyncTarget:
    """``planswitch.domain.sync.SyncTarget`` over a ``NativeStore``."""

    def __init__(self, store: NativeStore) -> None:
        self.store = store
        self.engine = store.write_engine

    def existing_ids(self, table: str, ids: Sequence[int]) -> set[int]:
        source = KINDS[table].table
        with self.store.engine.connect() as conn:
            return {
                int(i)
                for (i,) in conn.execute(
                    select(source.c.id).where(_among(source.c.id, ids, conn.dialect.name))
                )
            }

    def write_batch(
        self, table: str, rows: Sequence[tuple[int, Any]], *, dry_run: bool
    ) -> BatchOutcome:
        outcome = BatchOutcome()
        if not rows:
            return outcome
        kind = KINDS[table]
        prepared = [
            _Prepared(
                row_id,
                _prepare(kind.columns(row)),
                [[_prepare(r) for r in child.rows(row)] for child in kind.children],
            )
            for row_id, row in rows
        ]
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
        ids = [p.id for p in prepared]
        # Stored values are read as plain tuples in the mappers' column order, so telling
        # unchanged rows apart is one tuple comparison per row. On SQLite they are compared
        # as stored (the new values go through the bind processors an INSERT would apply):
        # parsing its text datetimes and money back costs more than writing them.
        as_stored = _Compare(conn, raw=conn.dialect.name == "sqlite")
        names = list(prepared[0].columns)  # the mappers put "id" first
        dialect = conn.dialect.name
        query = select(*as_stored.columns(t, names)).where(_among(t.c.id, ids, dialect))
        stored = {int(row[0]): tuple(row) for row in conn.execute(query)}
        present = [i for i in ids if i in stored]
        stored_children: list[dict[int, list[tuple[Any, ...]]]] = []
        child_names: list[list[str]] = []
        for index, child in enumerate(kind.children):
            sample = next((rows[0] for p in prepared if (rows := p.children[index])), None)
            columns = list(sample) if sample is not None else [child.key]
            child_names.append(columns)
            found: dict[int, list[tuple[Any, ...]]] = {}
            if present:
                key = child.table.c[child.key]
                query = select(key, *as_stored.columns(child.table, columns))
                query = query.where(_among(key, present, dialect))
                query = query.order_by(key, *(child.table.c[c] for c in child.order))
                for row in conn.execute(query):
                    found.setdefault(int(row[0]), []).append(tuple(row)[1:])
            stored_children.append(found)

        results: dict[int, WriteResult] = {}
        created: list[_Prepared] = []
        updated: list[_Prepared] = []
        for p in prepared:
            before = stored.get(p.id)
            if before is None:
                created.append(p)
                results[p.id] = "created"
            elif before == as_stored.values(t, names, p.columns) and all(
                found.get(p.id, []) == [as_stored.values(child.table, columns, r) for r in rows]
                for found, rows, columns, child in zip(
                    stored_children, p.children, child_names, kind.children, strict=True
                )
            ):
                results[p.id] = "unchanged"
            else:
                updated.append(p)
                results[p.id] = "updated"

        if created:
            extra = {"version": 1} if kind.versioned else {}
            _insert_many(conn, t, [{**p.columns, **extra} for p in created])
        if updated:
            statement = update(t).where(t.c.id == bindparam("row_id"))
            names = [name for name in updated[0].columns if name != "id"]
            values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in names}
            if kind.versioned:
                values["version"] = t.c.version + 1
            conn.execute(
                statement.values(values),
                [
                    {"row_id": p.id, **{f"v_{name}": p.columns[name] for name in names}}
                    for p in updated
                ],
            )
        for index, child in enumerate(kind.children):
            if updated:
                key = child.table.c[child.key]
                gone = _among(key, [p.id for p in updated], dialect)
                conn.execute(delete(child.table).where(gone))
            fresh = [row for p in (*created, *updated) for row in p.children[index]]
            if fresh:
                _insert_many(conn, child.table, fresh)
        return results

    def finish(self, changed: Mapping[str, int]) -> None:
        """PostgreSQL: ``VACUUM (ANALYZE)`` the tables a sync loaded in bulk.

        Right after a bulk load the planner has no statistics for the new rows and no page
        is marked all-visible, so ``COUNT(*)`` (``totalCount``) and lookups read the heap
        row by row until autovacuum comes around (a minute or more later). Tables that
        changed by fewer than ``ANALYZE_AFTER`` rows are left to autovacuum, so an
        incremental sync stays proportional to what changed. SQLite and MySQL keep their
        statistics up to date by themselves or need none for these primary-key reads.
        """
        if self.engine.dialect.name != "postgresql":
            return
        loaded = [
            KINDS[name] for name, rows in changed.items() if rows >= ANALYZE_AFTER and name in KINDS
        ]
        if not loaded:
            return
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
