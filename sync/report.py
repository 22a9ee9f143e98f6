"""The report of ``planswitch sync``: per-table counts and every skipped row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from planswitch.domain.sync import SYNC_TABLES as TABLES


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
