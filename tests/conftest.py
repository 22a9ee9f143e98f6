"""Shared test fixtures: the reference clock and fresh databases on the real servers.

MariaDB and PostgreSQL tests read their server URLs from PLANSWITCH_TEST_MARIADB_URL and
PLANSWITCH_TEST_POSTGRES_URL (set by .ci/run). Each test session gets databases of its
own (created here, dropped once a test is done with them), so parallel runs never share
tables.
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

    A database a test is done with is dropped by a background thread while later tests run
    (``release``); whatever is left (still in use, or made by a session fixture) is dropped
    when the session ends. Dropping them all at the end used to take over a minute.
    """

    def __init__(self, server_url: str, kind: str) -> None:
        self.base = make_url(server_url)
        self.kind = kind
        admin_url = self.base.set(database="postgres") if kind == "postgres" else self.base
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.left: set[str] = set()
        self.lock = threading.Lock()
        self.dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"drop-{kind}")

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
        with self.lock:
            self.left.add(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def release(self, url: str) -> None:
        """Drop the database of ``url`` in the background (at the end if it is still in use)."""
        self.dropper.submit(self._drop_if_unused, make_url(url).database or "")

    def _drop_if_unused(self, name: str) -> None:
        try:
            with self.admin.connect() as conn:
                if self.kind == "postgres":
                    # Without FORCE: refused while a connection (an open pool) remains.
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                else:
                    # Never wait long on a transaction left open; the end drops it then.
                    conn.execute(text("SET SESSION lock_wait_timeout = 5"))
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        except Exception:
            return  # dropped at the end of the session
        with self.lock:
            self.left.discard(name)

    def drop_all(self) -> None:
        self.dropper.shutdown(wait=True)
        with self.admin.connect() as conn:
            for name in sorted(self.left):
                if self.kind == "postgres":
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                else:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
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
def mariadb_url(mariadb_databases: _Databases) -> Iterator[str]:
    url = mariadb_databases.create()
    yield url
    mariadb_databases.release(url)


@pytest.fixture
def postgres_url(postgres_databases: _Databases) -> Iterator[str]:
    url = postgres_databases.create()
    yield url
    postgres_databases.release(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'planswitch.db'}"


@pytest.fixture
def reference_now() -> datetime:
    return REFERENCE_NOW
