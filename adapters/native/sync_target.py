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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from planswitch.adapters.native import mappers
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
from sqlalchemy import Table, bindparam, delete, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

MONEY_PLACES = Decimal("0.0001")  # MoneyType keeps 4 places (rounded half up)

Row = dict[str, Any]


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


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


def _storable(value: Any) -> Any:
    """A value as the store gives it back: money at 4 places (MoneyType rounds half up).

    JSON values need nothing: the mappers already give them text keys (``limits_to_json``).
    """
    if isinstance(value, Decimal):
        return value.quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)
    return value


def _prepare(columns: Row) -> Row:
    return {key: _storable(value) for key, value in columns.items()}


@dataclass
class _Prepared:
    id: int
    columns: Row
    children: list[list[Row]]


def _not_written(exc: SQLAlchemyError) -> str:
    # The driver's first line says why; the statement and its parameters are noise here.
    cause = getattr(exc, "orig", None) or exc
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"not written: {exc.__class__.__name__}: {first}"


class NativeSyncTarget:
    """``planswitch.domain.sync.SyncTarget`` over a ``NativeStore``."""

    def __init__(self, store: NativeStore) -> None:
        self.store = store
        self.engine = store.write_engine

    def existing_ids(self, table: str, ids: Sequence[int]) -> set[int]:
        source = KINDS[table].table
        with self.store.engine.connect() as conn:
            return {
                int(i) for (i,) in conn.execute(select(source.c.id).where(source.c.id.in_(ids)))
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
        # unchanged rows apart is one tuple comparison per row.
        names = list(prepared[0].columns)  # the mappers put "id" first
        query = select(*(t.c[name] for name in names)).where(t.c.id.in_(ids))
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
                query = select(key, *(child.table.c[c] for c in columns)).where(key.in_(present))
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
            elif before == tuple(p.columns.values()) and all(
                found.get(p.id, []) == [tuple(r[c] for c in columns) for r in rows]
                for found, rows, columns in zip(
                    stored_children, p.children, child_names, strict=True
                )
            ):
                results[p.id] = "unchanged"
            else:
                updated.append(p)
                results[p.id] = "updated"

        if created:
            extra = {"version": 1} if kind.versioned else {}
            conn.execute(insert(t), [{**p.columns, **extra} for p in created])
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
                conn.execute(delete(child.table).where(key.in_([p.id for p in updated])))
            fresh = [row for p in (*created, *updated) for row in p.children[index]]
            if fresh:
                conn.execute(insert(child.table), fresh)
        return results

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
