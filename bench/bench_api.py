"""Benchmark: latency and requests/s of a memberships page over the ASGI app on seeded SQLite.

Run by hand::

    python bench/bench_api.py [--memberships 200] [--pages 1,10,50,100] [--iterations 50]

For each page size it sends one warm-up request, then ``--iterations`` sequential requests
(in-process, through httpx's ASGI transport), and prints the median and 90th-percentile
latency, requests/s and memberships/s.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import statistics
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from planswitch.adapters.native import NativeStore, upgrade_database
from planswitch.adapters.native.demo import seed_demo
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.server.app import create_app
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings

NOW = datetime(2026, 6, 15, tzinfo=UTC)
QUERY = """query($first: Int!) { memberships(first: $first) { totalCount nodes {
  databaseId status amount { amount } plan { slug } addons { quantity product { slug } }
  limits { sites { limit } diskSpace { limit } users { key limit } } customer { email } } } }"""


def seed(url: str, count: int) -> NativeStore:
    upgrade_database(url)
    store = NativeStore(url)
    seed_demo(store, NOW)
    template = Membership(
        id=0, customer_id=1, plan_id=2, status=MembershipStatus.ACTIVE,
        amount=Decimal("68.00"), addons={6: 1, 7: 2}, date_created=NOW,
    )  # fmt: skip
    with store.bulk() as batch:
        for i in range(count):
            batch.upsert_membership(
                dataclasses.replace(template, id=1000 + i, customer_id=1 + i % 6, plan_id=1 + i % 5)
            )
    return store


async def run(store: NativeStore, url: str, page: int, iterations: int) -> list[float]:
    """Seconds taken by each of ``iterations`` requests for a page of ``page`` memberships."""
    settings = Settings(database_url=url, demo=True, apply_due_interval_seconds=0)
    app = create_app(settings, store=store, clock=FixedClock(NOW))
    transport = httpx.ASGITransport(app=app)  # sends no lifespan events: enter it here,
    async with (  # as uvicorn does (startup work such as gc.freeze belongs to the server)
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        payload = {"query": QUERY, "variables": {"first": page}}
        (await client.post("/graphql", json=payload)).raise_for_status()  # warm up
        timings = []
        for _ in range(iterations):
            started = time.perf_counter()
            response = await client.post("/graphql", json=payload)
            timings.append(time.perf_counter() - started)
            response.raise_for_status()
            body = response.json()
            assert "errors" not in body, body["errors"]
            assert len(body["data"]["memberships"]["nodes"]) == page
        return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memberships", type=int, default=200, help="extra memberships seeded")
    parser.add_argument("--pages", default="1,10,50,100", help="comma-separated page sizes")
    parser.add_argument("--iterations", type=int, default=50, help="timed requests per page")
    args = parser.parse_args()
    logging.getLogger("planswitch.server").setLevel(logging.ERROR)  # no demo-mode warning
    pages = [int(p) for p in args.pages.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = seed(url, args.memberships)
        try:
            results = {page: asyncio.run(run(store, url, page, args.iterations)) for page in pages}
        finally:
            store.close()
    print(f"memberships page over ASGI, SQLite, {args.iterations} requests per page size")
    print(f"{'page':>6} {'median ms':>10} {'p90 ms':>10} {'req/s':>10} {'memberships/s':>14}")
    for page, timings in results.items():
        median = statistics.median(timings)
        p90 = statistics.quantiles(timings, n=10)[-1] if len(timings) > 1 else median
        rate = len(timings) / sum(timings)
        latency = f"{1000 * median:>10.2f} {1000 * p90:>10.2f}"
        print(f"{page:>6} {latency} {rate:>10.1f} {rate * page:>14,.0f}")


if __name__ == "__main__":
    main()
