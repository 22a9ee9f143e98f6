"""Migrated and seeded SQLite and PostgreSQL databases, built once per test session and
copied per test.

Migrating a fresh SQLite file and seeding the demo network took a large share of the API,
use-case and adapter tests' time; a copy of a file built once gives each test the same
fresh, private database; on PostgreSQL a fresh database made by tests/conftest.py is
remade as a copy of a template database (CREATE DATABASE ... TEMPLATE). Other URLs (MariaDB,
in-memory SQLite, an existing file, a database already written to) are migrated and seeded
for real, as before. The migrations themselves are still run for real by
tests/adapters/native/test_migrations.py and by each template's build.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Protocol

from planswitch.adapters.native import NativeStore, upgrade_database
from planswitch.adapters.native.demo import seed_demo
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

_lock = threading.RLock()
_built: dict[str, Path] = {}
_directory: list[Path] = []


def new_sqlite_file(url: str) -> Path | None:
    """The path of ``url`` if it names a SQLite file that does not exist yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def _template(name: str, build: Callable[[str], None]) -> Path:
    with _lock:
        if name not in _built:
            if not _directory:
                _directory.append(Path(tempfile.mkdtemp(prefix="planswitch-templates-")))
                atexit.register(shutil.rmtree, _directory[0], True)
            path = _directory[0] / f"{name}.db"
            build(f"sqlite:///{path}")
            _built[name] = path
        return _built[name]


class ServerDatabases(Protocol):
    """What tests/conftest.py's ``_Databases`` offers here (PostgreSQL)."""

    def create(self, template: str | None = None) -> str: ...

    def remake_from(self, url: str, template: str) -> None: ...


# Empty PostgreSQL databases made by tests/conftest.py that nothing has used yet, by URL.
FRESH_POSTGRES: dict[str, ServerDatabases] = {}
_server_built: dict[tuple[int, str], str] = {}


def _empty(url: str) -> bool:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            query = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            return conn.execute(text(query)).scalar_one() == 0
    finally:
        engine.dispose()


def _postgres_copy(url: str, name: str, build: Callable[[str], None]) -> bool:
    """PostgreSQL's own template databases (CREATE DATABASE ... TEMPLATE, docs: "Template
    Databases"): the template is built once per session into a database of its own, and the
    empty database of ``url`` is remade as its copy. False when ``url`` is not such a
    database, or something was already written to it."""
    databases = FRESH_POSTGRES.pop(url, None)
    if databases is None or not _empty(url):
        return False
    with _lock:
        key = (id(databases), name)
        if key not in _server_built:
            template = databases.create()
            FRESH_POSTGRES.pop(template, None)
            build(template)
            _server_built[key] = str(make_url(template).database)
    databases.remake_from(url, _server_built[key])
    return True


def copy_of(url: str, name: str, build: Callable[[str], None]) -> bool:
    """Make the new SQLite file or the fresh PostgreSQL database ``url`` a copy of template
    ``name`` (``build(url)`` makes it, once per session); False, doing nothing, when ``url``
    is neither."""
    path = new_sqlite_file(url)
    if path is None:
        return _postgres_copy(url, name, build)
    # SQLite's backup API copies what is committed, in the main file or still in the WAL
    # (file stores run in WAL mode, adapters/native/engine.py), whatever holds it open.
    template = _template(name, build)
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    return True


def migrate(url: str) -> None:
    """``upgrade_database(url)``, from a copy for a new SQLite file."""
    if not copy_of(url, "migrated", upgrade_database):
        upgrade_database(url)


def seeded(
    url: str, now: datetime, extra: Callable[[NativeStore], None] | None = None
) -> NativeStore:
    """A store at ``url``, migrated and seeded with the demo network as of ``now`` (then
    ``extra(store)``, whose name must be stable: it is part of the template's name)."""

    def build(target: str) -> None:
        migrate(target)
        store = NativeStore(target)
        try:
            assert seed_demo(store, now), "the demo seed needs an empty database"
            if extra is not None:
                extra(store)
        finally:
            store.close()

    name = f"demo-{now:%Y%m%dT%H%M%S}-{extra.__qualname__ if extra else 'plain'}"
    if not copy_of(url, name, build):
        build(url)
    return NativeStore(url)
