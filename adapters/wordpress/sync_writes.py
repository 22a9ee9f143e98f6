"""Upserts of ``planswitch sync``: parent checks, storable money, one batch per transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from planswitch.adapters.wordpress.sync_report import SyncReport
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from planswitch.adapters.native.store import BulkWriter, NativeStore
    from planswitch.adapters.native.writes import UpsertResult


class KnownParents:
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


def _missing_parent(table: str, row: Any, known: KnownParents) -> str | None:
    for parent, label, parent_id in _parents(table, row):
        if known.missing(parent, parent_id):
            return f"{label} {parent_id} does not exist"
    return None


def parent_ids(table: str, rows: Iterable[Any]) -> dict[str, set[int]]:
    """Parent table -> the ids ``rows`` point at (0 / None left out), for ``prefetch``."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        for parent, _label, parent_id in _parents(table, row):
            if parent_id:
                wanted.setdefault(parent, set()).add(parent_id)
    return wanted


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
    methods: dict[str, Callable[[Any], UpsertResult]] = {
        "products": batch.upsert_product,
        "discount_codes": batch.upsert_discount_code,
        "customers": batch.upsert_customer,
        "memberships": batch.upsert_membership,
        "payments": batch.upsert_payment,
    }
    method = methods[table]
    return method(row)


def _not_written(exc: SQLAlchemyError) -> str:
    # The driver's first line says why; the statement and its parameters are noise here.
    cause = getattr(exc, "orig", None) or exc
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"not written: {exc.__class__.__name__}: {first}"


def write_batch(
    target: NativeStore,
    table: str,
    chunk: list[int],
    rows: Mapping[int, Any],
    report: SyncReport,
    known: KnownParents,
    dry_run: bool,
) -> None:
    """Upsert the ``chunk`` ids found in ``rows`` in one transaction; count them in ``report``.

    A row with a missing parent, or one the store refuses (rolled back to a savepoint), is
    skipped; ``dry_run`` rolls the whole batch back after the same upserts.
    """
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
