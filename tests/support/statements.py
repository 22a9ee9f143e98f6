"""Counting the SQL statements a piece of work runs (the statement-count tests of issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def counting(target: Any = Engine) -> Iterator[list[str]]:
    """The statements run while the block runs, on ``target``: one engine, or (the default)
    every engine, for stores that make their own."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)
