"""Parent checks of ``planswitch sync``: a row is written only when what it points at exists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from planswitch.domain.sync import SyncTarget

PARENT_TABLES = ("products", "customers", "memberships")


class KnownParents:
    """Which products, customers and memberships exist: imported now, or already in the target.

    Ids are kept as sets (a few MB at 100,000 memberships); the target is asked once per
    batch for the ids not seen yet.
    """

    def __init__(self, target: SyncTarget) -> None:
        self.target = target
        self.ids: dict[str, set[int]] = {name: set() for name in PARENT_TABLES}
        self.absent: dict[str, set[int]] = {name: set() for name in PARENT_TABLES}

    def add(self, table: str, row_id: int) -> None:
        if table in self.ids:
            self.ids[table].add(row_id)
            self.absent[table].discard(row_id)

    def prefetch(self, wanted: Mapping[str, Iterable[int]]) -> None:
        """Look up in the target, in one read per table, the ids not yet known."""
        for table, ids in wanted.items():
            unknown = {i for i in ids if i} - self.ids[table] - self.absent[table]
            if unknown:
                found = self.target.existing_ids(table, sorted(unknown))
                self.ids[table] |= found
                self.absent[table] |= unknown - found

    def missing(self, table: str, row_id: int | None) -> bool:
        return bool(row_id) and row_id not in self.ids[table]


def parents_of(table: str, row: Any) -> list[tuple[str, str, int | None]]:
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
        return [
            ("memberships", "membership", row.membership_id),
            ("customers", "customer", row.customer_id),
        ]
    return []


Parents = list[tuple[str, str, int | None]]


def missing_parent(parents: Parents, known: KnownParents) -> str | None:
    """Why a row whose ``parents_of`` are ``parents`` cannot be written, or None."""
    for parent, label, parent_id in parents:
        if known.missing(parent, parent_id):
            return f"{label} {parent_id} does not exist"
    return None


def parent_ids(rows: Iterable[Parents]) -> dict[str, set[int]]:
    """Parent table -> the ids rows point at (0 / None left out), for ``prefetch``."""
    wanted: dict[str, set[int]] = {}
    for parents in rows:
        for parent, _label, parent_id in parents:
            if parent_id:
                wanted.setdefault(parent, set()).add(parent_id)
    return wanted
