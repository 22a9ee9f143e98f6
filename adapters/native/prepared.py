"""Hot SELECTs compiled once per dialect and run on the DBAPI cursor (issue 12).

Through ``Connection.execute`` a small SELECT on SQLite cost about 37 µs, of which the
database's own work was about 5: the rest was SQLAlchemy's per-statement machinery (the
compiled cache lookup, ``_init_compiled``, expanding ``IN`` parameters, building a
``CursorResult`` and ``Row`` objects). A ``Prepared`` statement does that work once per
dialect (and once per ``IN`` list length) and then only binds, executes and applies the
column types' own result processors, so values come back exactly as SQLAlchemy would
return them (``MoneyType``'s Decimal, ``UTCDateTime``'s aware UTC, JSON decoded).

What stays as through SQLAlchemy:

- the statement runs on the caller's connection, inside its transaction (``connection()``
  begins one where the caller asks for it: SQLite then emits its ``BEGIN``);
- ``before_cursor_execute`` and ``after_cursor_execute`` listeners see every statement
  (the statement-count tests and benches count them);
- a DBAPI error is raised as SQLAlchemy's wrapped exception, and a lost connection is
  invalidated in the pool (what ``schema/app.py`` answers ``UNAVAILABLE`` to).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

_Processor = Callable[[Any], Any]


def connection(session: Session | Connection, *, begin: bool = True) -> Connection:
    """The Connection under ``session`` (a Session or a Connection).

    ``begin``: make sure a transaction is open first, so several statements read one
    snapshot (a Session's own transaction, a write's ``BEGIN IMMEDIATE`` on SQLite). A
    single statement is its own snapshot and needs none: SQLite then runs it in autocommit
    mode and saves the ``BEGIN`` (PostgreSQL and MySQL begin implicitly either way).
    """
    if isinstance(session, Session):
        return session.connection()
    if begin and not session.in_transaction():
        session.begin()
    return session


def run(
    conn: Connection, statement: str, parameters: Sequence[Any] | Mapping[str, Any] = ()
) -> list[Any]:
    """Execute ``statement`` (the driver's SQL) on ``conn``'s DBAPI cursor; its rows."""
    return _execute(conn, statement, parameters)[0]


def _execute(
    conn: Connection, statement: str, parameters: Sequence[Any] | Mapping[str, Any]
) -> tuple[list[Any], Any]:
    """The rows and the cursor's ``description`` (None: the statement returns no rows)."""
    cursor = conn.connection.cursor()
    try:
        for listener in conn.dispatch.before_cursor_execute:
            listener(conn, cursor, statement, parameters, None, False)
        cursor.execute(statement, parameters)
        for listener in conn.dispatch.after_cursor_execute:
            listener(conn, cursor, statement, parameters, None, False)
        description = cursor.description
        # A list on every driver (PyMySQL answers a tuple).
        return (list(cursor.fetchall()) if description is not None else []), description
    except Exception as error:
        # SQLAlchemy's own handling: DBAPIError subclasses, and a lost connection is
        # invalidated in the pool. It has no public spelling; tests/adapters/native/
        # test_prepared.py holds that it still does this.
        conn._handle_dbapi_exception(error, statement, parameters, cursor, None)
    finally:
        cursor.close()


class _Compiled:
    """One dialect's form of a statement."""

    def __init__(self, query: Select[Any], dialect: Dialect) -> None:
        self.dialect = dialect
        self.compiled = query.compile(dialect=dialect)
        self.binds = {
            name: processor
            for name, bind in self.compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        self.types = [column.type for column in query.selected_columns]
        self._forms: dict[Any, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}
        self._processors: dict[tuple[Any, ...], list[tuple[int, _Processor]]] = {}

    def bind(self, params: Mapping[str, Any]) -> tuple[str, Sequence[Any] | Mapping[str, Any]]:
        """The SQL text and driver parameters for ``params`` (lists: expanding ``IN``)."""
        values: dict[str, Any] = {}
        for name, value in params.items():
            processor = self.binds.get(name)
            if isinstance(value, list | tuple):
                for i, item in enumerate(value, 1):  # named as SQLAlchemy expands them
                    values[f"{name}_{i}"] = processor(item) if processor else item
            else:
                values[name] = processor(value) if processor else value
        lengths = tuple(len(v) for v in params.values() if isinstance(v, list | tuple))
        form = self._forms.get(lengths)
        if form is None:
            form = self._forms[lengths] = self._form(params, values)
        statement, positions, constants = form
        if constants:
            values.update(constants)
        if positions is None:
            return statement, values
        return statement, tuple(values[name] for name in positions)

    def _form(
        self, params: Mapping[str, Any], values: dict[str, Any]
    ) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        """The SQL text for these list lengths, the order of its positional parameters and
        the values of the statement's own literals (the binds ``params`` does not name)."""
        state = self.compiled.construct_expanded_state(dict(params))
        if not set(values) <= set(state.parameters):
            raise RuntimeError(f"unexpected expansion of {sorted(values)}: {state.parameters}")
        constants = {
            name: (processor(value) if (processor := self.binds.get(name)) else value)
            for name, value in state.parameters.items()
            if name not in values
        }
        positions = tuple(state.positiontup) if state.positiontup is not None else None
        return state.statement, positions, constants

    def processors(self, description: Sequence[Any]) -> list[tuple[int, _Processor]]:
        """Each column's result processor, for the driver's types in ``description``."""
        codes = tuple(column[1] for column in description)
        found = self._processors.get(codes)
        if found is None:
            found = []
            for i, (type_, code) in enumerate(zip(self.types, codes, strict=True)):
                processor = type_.dialect_impl(self.dialect).result_processor(self.dialect, code)
                if processor is not None:
                    found.append((i, processor))
            self._processors[codes] = found
        return found


class Prepared:
    """A Core SELECT run on the DBAPI cursor (see the module's docstring).

    Only for statements whose rows map one to one to ``query.selected_columns``; list
    parameters are expanding ``IN`` parameters.
    """

    def __init__(self, query: Select[Any]) -> None:
        self.query = query
        self.columns = {column.key: i for i, column in enumerate(query.selected_columns)}
        # By what the compiled form depends on, not by engine: each test makes engines of
        # its own, and a compiled form keeps its dialect alive.
        self._dialects: dict[tuple[Any, ...], _Compiled] = {}

    def index(self, label: str) -> int:
        """The position of the column labelled ``label`` in each row."""
        return self.columns[label]

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The rows for ``params``: sequences of processed values, in the query's order."""
        dialect = conn.dialect
        key = (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)
        compiled = self._dialects.get(key)
        if compiled is None:
            compiled = self._dialects[key] = _Compiled(self.query, dialect)
        statement, parameters = compiled.bind(params)
        found, description = _execute(conn, statement, parameters)
        processors = compiled.processors(description) if found else None
        if not processors:
            return found
        rows = []
        for row in found:
            values = list(row)
            for i, processor in processors:
                values[i] = processor(values[i])
            rows.append(values)
        return rows
