"""Scratch databases for the benches: created on a server, dropped afterwards."""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def create_database(server_url: str, kind: str, prefix: str) -> str:
    """A new empty database on the server (``kind``: ``postgres`` or ``mariadb``); its URL."""
    base = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        base.set(database="postgres") if kind == "postgres" else base, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        if kind == "postgres":
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(
                text(
                    f"CREATE DATABASE `{name}` DEFAULT CHARACTER SET utf8mb4 "
                    "COLLATE utf8mb4_unicode_520_ci"
                )
            )
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a database made by ``create_database`` (a SQLite file is deleted)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(str(parsed.database)).unlink(missing_ok=True)
        return
    postgres = parsed.get_backend_name() == "postgresql"
    admin = create_engine(
        parsed.set(database="postgres") if postgres else parsed.set(database=None),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        if postgres:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        else:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
    admin.dispose()


# The servers a bench may use: the test suite's variables, else the local defaults.
SERVERS = {
    "mariadb": ("PLANSWITCH_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1/test"),
    "postgres": ("PLANSWITCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test"),
}


def add_server_arguments(parser: argparse.ArgumentParser, *kinds: str) -> None:
    """``--mariadb-url`` / ``--postgres-url`` options defaulting as the test suite does."""
    for kind in kinds:
        variable, fallback = SERVERS[kind]
        parser.add_argument(f"--{kind}-url", default=os.environ.get(variable, fallback))
