"""Shared test fixtures: the reference clock and fresh databases on the real servers.

MariaDB and PostgreSQL tests read their server URLs from PLANSWITCH_TEST_MARIADB_URL and
PLANSWITCH_TEST_POSTGRES_URL (set by .ci/run). Each test session gets databases of its
own (created here, dropped at the end), so parallel runs never share tables. A new, empty
PostgreSQL database that a test migrates or seeds becomes a copy of a template database
built once per session instead (tests/templates.py).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import templates

FIXTURES = Path(__file__).parent / "fixtures"
WORDPRESS_FIXTURE = FIXTURES / "wordpress" / "wp_public.sql"
WORDPRESS_SUMMARY = FIXTURES / "wordpress" / "wp_public.summary.json"
# The fixture network describes itself as of this instant (tests/fixtures/wordpress/README.md).
REFERENCE_NOW = datetime(2026, 6, 15, 0, 0, 0, tzinfo=UTC)


def _server_url(variable: str) -> str:
    url = os.environ.get(variable)
    if not url and os.environ.get("PLANSWITCH_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{variable} is not set but PLANSWITCH_REQUIRE_SERVICES=1 (CI must test it)")
    if not url:
        pytest.skip(f"{variable} is not set; .ci/run sets it to a real server")
    return url


class _Databases:
    """Fresh databases on one server: ``create()`` makes an empty one and returns its URL.

    They are dropped when the session ends, several at a time (one after the other took
    over a minute); not while tests run, where the extra load on the servers made timing
    tests (racing workers) fail.
    """

    def __init__(self, server_url: str, kind: str) -> None:
        self.base = make_url(server_url)
        self.kind = kind
        admin_url = self.base.set(database="postgres") if kind == "postgres" else self.base
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, template: str | None = None) -> str:
        """A new database (PostgreSQL: a copy of the database ``template``, when named)."""
        name = f"ps_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            if self.kind == "postgres":
                copy = f' TEMPLATE "{template}"' if template else ""
                conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
                # A commit returns without waiting for its WAL to reach the disk (each one
                # waited for an fsync): what every session sees, locks and isolation are
                # unchanged; only a crash of the server could lose the last commits, of a
                # database dropped at the end of the run anyway. PostgreSQL's docs,
                # "Asynchronous Commit" (runtime-config-wal, synchronous_commit).
                conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
            else:
                conn.execute(
                    text(
                        f"CREATE DATABASE `{name}` DEFAULT CHARACTER SET utf8mb4 "
                        "COLLATE utf8mb4_unicode_520_ci"
                    )
                )
        self.created.append(name)
        url = self.base.set(database=name).render_as_string(hide_password=False)
        if self.kind == "postgres" and template is None:
            templates.FRESH_POSTGRES[url] = self
        return url

    def remake_from(self, url: str, template: str) -> None:
        """Make the empty database of ``url`` a copy of the database ``template``."""
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            if self.kind == "postgres":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))

    def drop_all(self) -> None:
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix=f"drop-{self.kind}") as pool:
            list(pool.map(self._drop, self.created))
        self.admin.dispose()


# Both servers' databases are dropped at once, each server's several at a time: the session
# fixtures' teardowns only start the drops, pytest_unconfigure waits for them (the drops
# of one server after the other's took most of a minute at the end of every run).
_DROPPING: list[threading.Thread] = []


def _drop_in_background(databases: _Databases) -> None:
    thread = threading.Thread(target=databases.drop_all, name=f"drop-{databases.kind}")
    thread.start()
    _DROPPING.append(thread)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _DROPPING:
        _DROPPING.pop().join()


# The longest test files (longest first, as measured in full runs), started first so no
# worker is left with one of them at the end while the others idle (pytest-xdist hands out
# whole files in collection order, `--dist loadfile` in pyproject.toml). Order within a file
# is unchanged.
LONGEST_FIRST = (
    "tests/fuzz/test_schemathesis.py",
    "tests/web/test_frontend.py",
    "tests/payments/test_stripe_checkout.py",
    "tests/api/test_wordpress_live.py",
    "tests/adapters/native/test_roundtrip.py",
    "tests/adapters/wordpress/test_writes.py",
    "tests/adapters/wordpress/test_sync.py",
    "tests/adapters/native/test_queries.py",
    "tests/api/test_checkout.py",
    "tests/adapters/wordpress/test_generated_network.py",
    "tests/payments/test_stripe_wordpress.py",
    "tests/test_static_checks.py",
    "tests/resolvers/test_apply_due_backlog.py",
    "tests/sync/test_sync_generated_network.py",
    "tests/api/test_wordpress_apply_due.py",
    "tests/test_packaging.py",
    "tests/resolvers/test_concurrency.py",
    "tests/api/test_sign_in.py",
    "tests/domain/test_properties.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}
    root = config.rootpath

    def key(item: pytest.Item) -> int:
        return rank.get(item.path.relative_to(root).as_posix(), len(rank))

    items.sort(key=key)  # stable: everything else keeps its order


@pytest.fixture(scope="session")
def mariadb_databases() -> Iterator[_Databases]:
    databases = _Databases(_server_url("PLANSWITCH_TEST_MARIADB_URL"), "mariadb")
    yield databases
    _drop_in_background(databases)


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_Databases]:
    databases = _Databases(_server_url("PLANSWITCH_TEST_POSTGRES_URL"), "postgres")
    yield databases
    _drop_in_background(databases)


@pytest.fixture(scope="session")
def mariadb_database(mariadb_databases: _Databases) -> Callable[[], str]:
    """Factory: each call returns the URL of a new, empty MariaDB database."""
    return mariadb_databases.create


@pytest.fixture(scope="session")
def postgres_database(postgres_databases: _Databases) -> Callable[[], str]:
    """Factory: each call returns the URL of a new, empty PostgreSQL database."""
    return postgres_databases.create


@pytest.fixture
def mariadb_url(mariadb_databases: _Databases) -> str:
    return mariadb_databases.create()


@pytest.fixture
def postgres_url(postgres_databases: _Databases) -> str:
    return postgres_databases.create()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'planswitch.db'}"


@pytest.fixture
def reference_now() -> datetime:
    return REFERENCE_NOW
