"""Benchmark: requests/s for a page of memberships over the ASGI app on seeded SQLite.

Run by hand: ``python bench/bench_api.py [--memberships 500] [--page 50] [--requests 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from adapters.native import NativeStore, upgrade_database
from adapters.native.demo import seed_demo
from domain.memberships import Membership, MembershipStatus
from server.app import create_app
from server.clock import FixedClock
from server.settings import Settings

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


async def run(store: NativeStore, url: str, page: int, requests: int) -> float:
    settings = Settings(database_url=url, demo=True, apply_due_interval_seconds=0)
    app = create_app(settings, store=store, clock=FixedClock(NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        payload = {"query": QUERY, "variables": {"first": page}}
        (await client.post("/graphql", json=payload)).raise_for_status()  # warm up
        started = time.perf_counter()
        for _ in range(requests):
            response = await client.post("/graphql", json=payload)
            response.raise_for_status()
            assert "errors" not in response.json()
        return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memberships", type=int, default=500)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = seed(url, args.memberships)
        try:
            one = asyncio.run(run(store, url, 1, args.requests))
            full = asyncio.run(run(store, url, args.page, args.requests))
        finally:
            store.close()
    print(f"page of 1: {one:8.1f} requests/s")
    print(f"page of {args.page}: {full:8.1f} requests/s ({full * args.page:,.0f} memberships/s)")
    print(f"ratio page-of-1 / page-of-{args.page}: {one / full:.2f}x")


if __name__ == "__main__":
    main()
