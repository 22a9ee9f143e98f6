"""Shared test fixtures: the reference clock and fresh databases on the real servers.

MariaDB and PostgreSQL tests read their server URLs from PLANSWITCH_TEST_MARIADB_URL and
PLANSWITCH_TEST_POSTGRES_URL (set by .ci/run). Each test session gets databases of its
own (created here, dropped at the end), so parallel runs never share tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
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


def _database_factory(server_url: str, kind: str) -> tuple[Callable[[], str], Callable[[], None]]:
    """Returns (create, drop_all): create() makes a fresh empty database and returns its URL."""
    base = make_url(server_url)
    admin_url = base.set(database="postgres") if kind == "postgres" else base
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def create() -> str:
        name = f"ps_{uuid.uuid4().hex[:12]}"
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
        created.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    def drop_all() -> None:
        with admin.connect() as conn:
            for name in created:
                if kind == "postgres":
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                else:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()

    return create, drop_all


@pytest.fixture(scope="session")
def mariadb_database() -> Iterator[Callable[[], str]]:
    """Factory: each call returns the URL of a new, empty MariaDB database."""
    create, drop_all = _database_factory(_server_url("PLANSWITCH_TEST_MARIADB_URL"), "mariadb")
    yield create
    drop_all()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Callable[[], str]]:
    """Factory: each call returns the URL of a new, empty PostgreSQL database."""
    create, drop_all = _database_factory(_server_url("PLANSWITCH_TEST_POSTGRES_URL"), "postgres")
    yield create
    drop_all()


@pytest.fixture
def mariadb_url(mariadb_database: Callable[[], str]) -> str:
    return mariadb_database()


@pytest.fixture
def postgres_url(postgres_database: Callable[[], str]) -> str:
    return postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'planswitch.db'}"


@pytest.fixture
def reference_now() -> datetime:
    return REFERENCE_NOW
