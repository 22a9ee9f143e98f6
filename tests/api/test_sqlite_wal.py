"""A SQLite store answers reads while another connection writes (WAL mode).

Reads of a SQLite store run on the event loop (``ReadStore.inline_reads``): in SQLite's
default rollback-journal mode a writer holding the database (a sync committing a batch into
the same file) would block them, and with them every request of the process, for up to the
30 s lock timeout. The engine puts file databases in WAL mode (adapters/native/engine.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing

from sqlalchemy.engine import make_url

from tests.api.conftest import OPERATOR, api_client, data, gql

QUERY = 'query { membership(id: "1", idType: DATABASE_ID) { amount { amount } } }'


async def test_a_read_answers_at_once_while_another_connection_holds_a_write(
    demo_store, sqlite_url
):
    async with api_client(demo_store, sqlite_url) as client:
        before = data(await gql(client, QUERY, headers=OPERATOR))["membership"]["amount"]
        path = make_url(sqlite_url).database
        with closing(sqlite3.connect(path, isolation_level=None, timeout=0)) as writer:
            # EXCLUSIVE keeps every reader out in rollback-journal mode; in WAL mode readers
            # go on reading the last committed state.
            writer.execute("BEGIN EXCLUSIVE")
            writer.execute("UPDATE memberships SET amount = amount + 1000 WHERE id = 1")
            started = time.monotonic()
            body = await asyncio.wait_for(gql(client, QUERY, headers=OPERATOR), timeout=10)
            waited = time.monotonic() - started
            writer.execute("ROLLBACK")
    assert data(body)["membership"]["amount"] == before  # the committed state, not the write
    assert waited < 5  # answered, not after the 30 s lock timeout


def test_file_databases_run_in_wal_mode(demo_store):
    with demo_store.engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    assert mode == "wal"
