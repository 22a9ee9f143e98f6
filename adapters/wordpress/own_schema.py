"""planswitch's own tables in a WordPress database, and their migrations (docs/wordpress.md §5.7).

planswitch never creates or alters a table of the plugin (one exception, opt-in and made
by hand: the membership counter's triggers, ``counter.py``, with its own table). It owns
``{bp}planswitch_idempotency``, ``{bp}planswitch_events`` and
``{bp}planswitch_pending_changes`` (``tables.py``), and records
how far they are migrated in ``{bp}planswitch_schema`` (one row: ``version``), as Alembic's
``alembic_version`` does for the native store.

:func:`upgrade` runs the migrations a database has not had, in order, each on its own
connection (DDL commits implicitly in MySQL, so never in the middle of a change). Every step
checks before it acts, so a database whose tables an earlier planswitch created without the
version table (version 0) is brought up to date too. It runs before a write (the first
``WordPressTransaction`` of a process), from ``WordPressStore.ensure_own_tables`` and from
``planswitch db upgrade``; reads never alter anything: they read the columns that exist
(``pending.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from planswitch.adapters.wordpress.tables import WordPressTables
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select
from sqlalchemy.dialects.mysql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateColumn, CreateTable

Migration = Callable[[Engine, WordPressTables], None]


def _create(engine: Engine, table: Table) -> None:
    # IF NOT EXISTS: two processes starting at once both get past a check-then-create.
    with engine.begin() as conn:
        conn.execute(CreateTable(table, if_not_exists=True))


def _create_tables(engine: Engine, tables: WordPressTables) -> None:
    # 1. The three tables as they are defined now (a later step then finds its column).
    for table in (tables.idempotency, tables.own_events, tables.pending_changes):
        _create(engine, table)


def _has_column(engine: Engine, table: Table, name: str) -> bool:
    return name in {c["name"] for c in inspect(engine).get_columns(table.name)}


def _add_column(name: str) -> Migration:
    def add(engine: Engine, tables: WordPressTables) -> None:
        table = tables.pending_changes
        if _has_column(engine, table, name):
            return
        quoted = engine.dialect.identifier_preparer.format_table(table)
        column = CreateColumn(table.c[name]).compile(engine)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"ALTER TABLE {quoted} ADD COLUMN {column}")
        except OperationalError:
            if not _has_column(engine, table, name):  # not another process adding it first
                raise

    return add


# In order; the version of a database is how many of them it has had. Never edit or reorder
# a step that shipped: add one.
MIGRATIONS: tuple[Migration, ...] = (
    _create_tables,
    # 2. membership_fingerprint: tells the payment's own renewal from a stale membership
    #    (domain/gateway_renewal.py, issue 10).
    _add_column("membership_fingerprint"),
    # 3. renewal_baseline: what a renewal moves, at commit (the same rule).
    _add_column("renewal_baseline"),
)
SCHEMA_VERSION = len(MIGRATIONS)


def _version_table(tables: WordPressTables) -> Table:
    name = f"{tables.names.base_prefix}planswitch_schema"
    return Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("version", Integer, nullable=False),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )


def version(engine: Engine, tables: WordPressTables) -> int:
    """How many migrations the database has had (0: none recorded)."""
    table = _version_table(tables)
    if not inspect(engine).has_table(table.name):
        return 0
    with engine.connect() as conn:
        found = conn.execute(select(table.c.version).where(table.c.id == 1)).scalar()
    return int(found or 0)


def upgrade(engine: Engine, tables: WordPressTables) -> int:
    """Run the migrations the database has not had; returns its version (``SCHEMA_VERSION``)."""
    at = version(engine, tables)
    if at >= SCHEMA_VERSION:
        return at
    table = _version_table(tables)
    _create(engine, table)
    for step in MIGRATIONS[at:]:
        step(engine, tables)
    with engine.begin() as conn:
        statement = insert(table).values(id=1, version=SCHEMA_VERSION)
        conn.execute(statement.on_duplicate_key_update(version=SCHEMA_VERSION))
    return SCHEMA_VERSION
