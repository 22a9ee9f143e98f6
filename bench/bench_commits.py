"""Benchmark: ``changePlan`` commits on PostgreSQL, one writer vs many, and a conflict.

Run by hand from the repository root (PostgreSQL from ``PLANSWITCH_TEST_POSTGRES_URL``; a
database named ``bench_commits_*`` is created and dropped)::

    python bench/bench_commits.py [--commits 256] [--writers 32]

The native store on PostgreSQL is seeded with the demo and ``--commits`` copies of
membership 1 (Premium, monthly). Every commit is the same change over the ASGI app (in
process, operator key): Premium monthly -> yearly, something due, so one transaction locks
the membership, re-quotes, opens a pending payment and records the idempotency key.

- **1 writer**: ``--commits`` changes on distinct memberships, one after the other;
- **N writers**: the same number of changes on other distinct memberships, ``--writers``
  clients at once: commits/s and its ratio to one writer (issue 12: faster than one);
- **conflict**: ``--writers`` clients commit the same change to ONE membership at once, each
  with its own idempotency key and the quote token of one quote. They queue on the
  membership's row lock (``SELECT ... FOR UPDATE``); each is answered in its single request
  (the change, or a user error), none is retried: the bench prints the answers by code,
  the statements per request and the latencies next to a lone commit's (issue 12: a
  conflict costs one round trip, not a retry storm); meanwhile one client reads another
  membership back to back, and its latencies show whether other requests keep moving
  (the waiters queue per membership in the process, not in the worker threads:
  ``resolvers/membership_locks.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.constants import HEADERS, KEY, NOW  # noqa: E402
from bench.databases import (  # noqa: E402
    add_server_arguments,
    create_database,
    drop_database,
)

YEARLY = {"duration": 1, "unit": "YEAR"}
CHANGE = """mutation($input: ChangePlanInput!) { changePlan(input: $input) {
  payment { databaseId status } pendingChange { expiresAt } userErrors { code message } } }"""
QUOTE = """query($input: PlanChangeInput!) { planChangeQuote(input: $input) {
  quoteToken dueNow { amount } userErrors { code } } }"""
READ = """query($id: ID!) { membership(id: $id, idType: DATABASE_ID) {
  databaseId plan { name } limits { sites { limit } } customer { email } } }"""
FIRST_COPY = 1000


def seed(url: str, copies: int) -> Any:
    from planswitch.adapters.native import NativeStore, upgrade_database
    from planswitch.adapters.native.demo import seed_demo

    upgrade_database(url)
    store = NativeStore(url)
    seed_demo(store, NOW)
    original = store.memberships_by_id([1])[1]
    with store.bulk() as batch:
        for i in range(copies):
            batch.upsert_membership(dataclasses.replace(original, id=FIRST_COPY + i))
    return store


class Counter:
    """SQL statements sent on the store's engine (PostgreSQL round trips, roughly)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *_args: object) -> None:
        self.count += 1


async def commit(
    client: httpx.AsyncClient, membership_id: int, key: str, token: str | None = None
) -> tuple[float, dict[str, Any]]:
    fields: dict[str, Any] = {
        "membershipId": str(membership_id),
        "billingPeriod": YEARLY,
        "idempotencyKey": key,
    }
    if token:
        fields["quoteToken"] = token
    started = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": CHANGE, "variables": {"input": fields}}, headers=HEADERS
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return elapsed, body["data"]["changePlan"]


async def writers(client: httpx.AsyncClient, ids: list[int], count: int, tag: str) -> float:
    """``count`` clients share ``ids`` (each its own slice): commits/s."""
    slices = [ids[i::count] for i in range(count)]

    async def one_client(mine: list[int]) -> None:
        for membership_id in mine:
            _elapsed, result = await commit(client, membership_id, f"{tag}-{membership_id}")
            assert not result["userErrors"], result
            assert result["payment"]["status"] == "PENDING", result

    started = time.perf_counter()
    await asyncio.gather(*(one_client(s) for s in slices))
    return len(ids) / (time.perf_counter() - started)


async def read_other(client: httpx.AsyncClient) -> float:
    """``membership(id)`` of another membership (the demo's 2): its latency."""
    started = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": READ, "variables": {"id": "2"}}, headers=HEADERS
    )
    response.raise_for_status()
    assert "errors" not in response.json(), response.text
    return time.perf_counter() - started


async def conflict(
    client: httpx.AsyncClient, counter: Counter, membership_id: int, clients: int
) -> dict[str, Any]:
    quote = await client.post(
        "/graphql",
        json={
            "query": QUOTE,
            "variables": {"input": {"membershipId": str(membership_id), "billingPeriod": YEARLY}},
        },
        headers=HEADERS,
    )
    token = quote.json()["data"]["planChangeQuote"]["quoteToken"]
    # Meanwhile, one client reads another membership back to back: do other requests keep
    # moving while the conflict's waiters queue? (its statements are not the conflict's)
    before = counter.count
    await read_other(client)
    per_read = counter.count - before
    before = counter.count
    commits = asyncio.gather(
        *(commit(client, membership_id, f"conflict-{i}", token) for i in range(clients))
    )
    reads: list[float] = []
    while not commits.done():
        reads.append(await read_other(client))
    answers = await commits
    statements = counter.count - before - per_read * len(reads)
    codes = collections.Counter(
        "committed" if not r["userErrors"] else r["userErrors"][0]["code"] for _t, r in answers
    )
    latencies = [t for t, _r in answers]
    return {
        "codes": dict(codes),
        "statements per request": statements / clients,
        "p50 ms": 1000 * statistics.median(latencies),
        "max ms": 1000 * max(latencies),
        "reads": len(reads),
        "read p50 ms": 1000 * statistics.median(reads) if reads else 0.0,
        "read max ms": 1000 * max(reads) if reads else 0.0,
    }


async def run(url: str, store: Any, commits: int, count: int) -> None:
    from planswitch.server.app import create_app
    from planswitch.server.clock import FixedClock
    from planswitch.server.settings import Settings

    settings = Settings(
        database_url=url, api_keys=[KEY], secret_key="b" * 32, demo=False,
        apply_due_interval_seconds=0,
    )  # fmt: skip
    app = create_app(settings, store=store, clock=FixedClock(NOW))
    counter = Counter(store.engine)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client,
    ):
        await commit(client, 1, "warm-up")
        first = FIRST_COPY
        alone_ids = list(range(first, first + commits))
        many_ids = list(range(first + commits, first + 2 * commits))
        lone: list[float] = []
        before = counter.count
        one = await writers(client, alone_ids, 1, "one")
        per_commit = (counter.count - before) / commits
        for membership_id in range(first + 2 * commits, first + 2 * commits + 5):
            elapsed, _ = await commit(client, membership_id, f"lone-{membership_id}")
            lone.append(elapsed)
        many = await writers(client, many_ids, count, "many")
        clash = await conflict(client, counter, first + 2 * commits + 5, count)
    print(f"changePlan on PostgreSQL over the ASGI app, {commits} commits per figure")
    print(f"{'writers':<22}{'commits/s':>10}{'ratio':>8}")
    print(f"{'1':<22}{one:>10.1f}{1.0:>8.2f}   ({per_commit:.1f} statements per commit)")
    print(f"{count:<22}{many:>10.1f}{many / one:>8.2f}   (target: > 1.00)")
    print()
    print(f"conflict: {count} clients commit the same change to one membership at once")
    print(f"  answers: {clash['codes']}")
    print(f"  statements per request: {clash['statements per request']:.1f}")
    print(
        f"  latency p50 {clash['p50 ms']:.1f} ms, max {clash['max ms']:.1f} ms;"
        f" a lone commit {1000 * statistics.median(lone):.1f} ms"
    )
    print(
        f"  meanwhile {clash['reads']} reads of another membership, one after the other:"
        f" p50 {clash['read p50 ms']:.1f} ms, max {clash['read max ms']:.1f} ms"
    )
    print(
        "  (a change with something due becomes the membership's pending change, and a later "
        "changePlan replaces it: the commits queue on the membership's row lock, one request "
        "each, none retried; a refusal would be a userError in that same request)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="changePlan commits: 1 vs N writers, conflict")
    parser.add_argument("--commits", type=int, default=256)
    parser.add_argument("--writers", type=int, default=32)
    add_server_arguments(parser, "postgres")
    args = parser.parse_args()
    logging.getLogger("planswitch").setLevel(logging.ERROR)
    url = create_database(args.postgres_url, "postgres", "bench_commits")
    try:
        store = seed(url, 2 * args.commits + 6)
        try:
            asyncio.run(run(url, store, args.commits, args.writers))
        finally:
            store.close()
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
