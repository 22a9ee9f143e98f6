"""Alembic environment of the native store.

Run programmatically by ``adapters.native.migrate.upgrade_database(url)``, which passes an
open connection in ``config.attributes["connection"]``; with only ``sqlalchemy.url`` set
(e.g. the ``alembic`` command with a hand-made config) it opens its own engine.
"""

from __future__ import annotations

from alembic import context
from planswitch.adapters.native.engine import make_engine
from planswitch.adapters.native.tables import NATIVE_METADATA

config = context.config
target_metadata = NATIVE_METADATA


def _run(connection) -> None:  # noqa: ANN001 - alembic hands us a Connection
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic: sqlalchemy.url is not set")
    engine = make_engine(url)
    try:
        with engine.begin() as own:
            _run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
