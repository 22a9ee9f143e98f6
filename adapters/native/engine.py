"""Engines for the native store, with each database's transaction quirks handled once.

- SQLite: the pysqlite driver's own BEGIN handling is switched off (``isolation_level=None``)
  and SQLAlchemy emits BEGIN itself (the "Serializable isolation / Savepoints /
  Transactional DDL" recipe). Write transactions use ``BEGIN IMMEDIATE`` so two writers
  serialise on the database lock instead of failing on upgrade; foreign keys are enabled.
  A file database runs in WAL mode (sqlite.org/wal.html): readers never wait for a writer.
  Reads of a SQLite store run on the event loop (``ReadStore.inline_reads``), so in the
  default rollback-journal mode a writer committing a large batch (a sync into the same
  file) would stall every request of the process for up to the lock timeout.
- MySQL/MariaDB: READ COMMITTED, so rows read after waiting on a row lock show what the
  lock holder committed (REPEATABLE READ would show the transaction's older snapshot);
  ``group_concat_max_len`` lifted on each connection (``_mysql_session``).
- PostgreSQL: its default READ COMMITTED already behaves so.
"""

from __future__ import annotations

from typing import Any

from planswitch.adapters.native import prepared
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

WRITE_OPTION = "planswitch_write"  # execution option: this connection begins a write


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (any SQLAlchemy URL) configured for the native store."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, in_memory=parsed.database in (None, "", ":memory:"), **kwargs)
    if backend in ("mysql", "mariadb"):
        kwargs.setdefault("isolation_level", "READ COMMITTED")
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if backend in ("mysql", "mariadb"):
        event.listen(engine, "connect", _mysql_session)
    return engine


def _mysql_session(dbapi_connection: Any, _record: Any) -> None:
    # A membership's add-ons and usage ride along its row as GROUP_CONCATs
    # (reads.membership_addons_column, reads.usage_columns), which MySQL cuts at 1,024
    # bytes by default and MariaDB at 1 MiB, silently. Lifted as far as each allows (MariaDB
    # clamps this to 1 GiB): a result larger than max_allowed_packet fails loudly instead.
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION group_concat_max_len = 4294967295")
    cursor.close()


def write_engine(engine: Engine) -> Engine:
    """The same engine, flagged so SQLite starts its transactions with BEGIN IMMEDIATE."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_engine(url: str, in_memory: bool, **kwargs: Any) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", 30)  # seconds a writer waits for the lock
    connect_args.setdefault("check_same_thread", False)
    if in_memory:
        # One shared connection, or each connection would see its own empty database.
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            # Persistent in the file. synchronous stays FULL: a commit that moved money
            # survives a power loss.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        # On the DBAPI cursor: through exec_driver_sql, SQLAlchemy's per-statement work
        # cost several times SQLite's own BEGIN (issue 12's profile of a quote).
        prepared.run(connection, "BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
