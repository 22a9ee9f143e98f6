"""WordPress fixture network loaded into a fresh MariaDB database per use.

``load_wordpress_fixture(prefix="wp_")`` returns the URL of a new database holding
``tests/fixtures/wordpress/wp_public.sql``, its tables renamed for ``prefix`` (so a network
installed with ``$table_prefix = 'net7_'`` can be tested too). The dump is loaded with the
``mysql`` command-line client, exactly as its README says.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from planswitch.adapters.wordpress.store import WordPressStore
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import WORDPRESS_FIXTURE, WORDPRESS_SUMMARY

# Table identifiers in the dump (CREATE / INSERT / DROP / LOCK), and the option / usermeta
# keys WordPress derives from the prefix.
_TABLE_NAME = re.compile(r"`wp_([A-Za-z0-9_]+)`")
_PREFIXED_KEY = re.compile(r"'wp_((?:[0-9]+_)?(?:capabilities|user_level)|user_roles)'")


@cache
def _fixture_sql(prefix: str) -> bytes:
    text = WORDPRESS_FIXTURE.read_text(encoding="utf-8")
    if prefix != "wp_":
        text = _TABLE_NAME.sub(lambda m: f"`{prefix}{m.group(1)}`", text)
        text = _PREFIXED_KEY.sub(lambda m: f"'{prefix}{m.group(1)}'", text)
    return text.encode("utf-8")


def load_sql(url: str, sql: bytes) -> None:
    """Run ``sql`` with the ``mysql`` client against the database of ``url``."""
    client = shutil.which("mysql") or shutil.which("mariadb")
    if client is None:
        pytest.skip("the mysql command-line client is not installed")
    parsed = make_url(url)
    command = [
        client,
        "--default-character-set=utf8mb4",
        "-h",
        parsed.host or "127.0.0.1",
        "-P",
        str(parsed.port or 3306),
        "-u",
        parsed.username or "root",
    ]
    if parsed.password:
        command.append(f"-p{parsed.password}")
    command.append(str(parsed.database))
    subprocess.run(command, input=sql, check=True, capture_output=True)


def clone_database(source_url: str, target_url: str) -> None:
    """Copy every table of ``source_url``'s database (definition, rows, next AUTO_INCREMENT)
    into the empty database of ``target_url``, on the server (about twice as fast as
    loading the dump again)."""
    source, target = make_url(source_url).database, make_url(target_url).database
    engine = create_engine(source_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            # As the dump loads: a row whose id is 0 keeps it.
            conn.execute(text("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'"))
            tables = conn.execute(
                text(
                    "SELECT table_name, auto_increment FROM information_schema.tables "
                    "WHERE table_schema = :schema AND table_type = 'BASE TABLE'"
                ),
                {"schema": source},
            ).all()
            for table, next_id in tables:
                conn.execute(text(f"CREATE TABLE `{target}`.`{table}` LIKE `{source}`.`{table}`"))
                conn.execute(
                    text(f"INSERT INTO `{target}`.`{table}` SELECT * FROM `{source}`.`{table}`")
                )
                if next_id is not None:
                    conn.execute(
                        text(f"ALTER TABLE `{target}`.`{table}` AUTO_INCREMENT = {int(next_id)}")
                    )
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def load_wordpress_fixture(mariadb_database: Callable[[], str]) -> Callable[..., str]:
    """Factory: a fresh database with the fixture network under ``prefix``; returns its URL.

    The dump is loaded with the ``mysql`` client once per prefix, into a template nobody
    touches; each call returns a server-side copy of that template.
    """
    templates: dict[str, str] = {}

    def load(prefix: str = "wp_") -> str:
        if prefix not in templates:
            template = mariadb_database()
            load_sql(template, _fixture_sql(prefix))
            templates[prefix] = template
        url = mariadb_database()
        clone_database(templates[prefix], url)
        return url

    return load


@pytest.fixture(scope="session")
def wordpress_url(load_wordpress_fixture: Callable[..., str]) -> str:
    """One shared, read-only copy of the fixture (tests that write use their own copy)."""
    return load_wordpress_fixture()


@pytest.fixture
def wordpress_store(wordpress_url: str) -> Iterator[WordPressStore]:
    store = WordPressStore(wordpress_url)
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def wordpress_summary() -> dict[str, Any]:
    return json.loads(WORDPRESS_SUMMARY.read_text(encoding="utf-8"))
