"""What MariaDB plans for the statements a piece of work runs (the plan tests of issue 12):
statements recorded with their parameters, then EXPLAINed on the same database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

# Index reads whose cost does not grow with the table (ranges: bounded by what is asked).
INDEX_LOOKUPS = frozenset({"system", "const", "eq_ref", "ref", "range"})


@contextmanager
def recording(target: Any = Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements run on ``target`` (default: every engine) in the block, with their
    parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


def explain(conn: Connection, statement: str, parameters: Any) -> list[dict[str, Any]]:
    """The rows of ``EXPLAIN statement`` (table, type, key, Extra, ...)."""
    return [
        dict(row) for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters).mappings()
    ]
