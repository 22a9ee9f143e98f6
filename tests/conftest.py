"""Shared test fixtures: the reference clock and fresh databases on the real servers.

MariaDB and PostgreSQL tests read their server URLs from PLANSWITCH_TEST_MARIADB_URL and
PLANSWITCH_TEST_POSTGRES_URL (set by .ci/run). Each test session gets databases of its
own (created here, dropped at the end), so parallel runs never share tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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

    def create(self) -> str:
        name = f"ps_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            if self.kind == "postgres":
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(
                    text(
                        f"CREATE DATABASE `{name}` DEFAULT CHARACTER SET utf8mb4 "
                        "COLLATE utf8mb4_unicode_520_ci"
                    )
                )
        self.created.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            if self.kind == "postgres":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))

    def drop_all(self) -> None:
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix=f"drop-{self.kind}") as pool:
            list(pool.map(self._drop, self.created))
        self.admin.dispose()


@pytest.fixture(scope="session")
def mariadb_databases() -> Iterator[_Databases]:
    databases = _Databases(_server_url("PLANSWITCH_TEST_MARIADB_URL"), "mariadb")
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_Databases]:
    databases = _Databases(_server_url("PLANSWITCH_TEST_POSTGRES_URL"), "postgres")
    yield databases
    databases.drop_all()


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
