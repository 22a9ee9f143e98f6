"""Quotes per second through the ``preview_change`` use case on the seeded SQLite store.

    python bench/bench_quotes.py [--iterations 200]

Prints, per request shape, quotes per second and the median time per quote (after one
warm-up quote, ``--iterations`` sequential quotes per shape); each quote loads
the membership, catalog, usage and customer from the database and prices the change, as
the API's ``planChangeQuote`` does (minus the GraphQL layer).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from planswitch.adapters.native import NativeStore
from planswitch.adapters.native.demo import seed_demo
from planswitch.adapters.native.migrate import upgrade_database
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, PlanChangeRequest
from planswitch.resolvers.context import Context, Viewer
from planswitch.resolvers.plan_change import preview_change
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings

NOW = datetime(2026, 6, 15, tzinfo=UTC)
CASES = {
    "upgrade free -> premium": PlanChangeRequest(5, plan_id=2),
    "premium monthly -> yearly": PlanChangeRequest(1, period=BillingPeriod(1, DurationUnit.YEAR)),
    "buy an add-on": PlanChangeRequest(1, add_addons=(AddonSelection(6, 1),)),
    "blocked downgrade": PlanChangeRequest(1, plan_id=1),
    "no change": PlanChangeRequest(1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=200, help="timed quotes per case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade_database(url)
        store = NativeStore(url)
        seed_demo(store, NOW)
        settings = Settings(database_url=url, secret_key="bench", apply_due_interval_seconds=0)
        ctx = Context(store, FixedClock(NOW), settings, Viewer.operator())
        asyncio.run(_run(ctx, args.iterations))
        store.close()


async def _run(ctx: Context, iterations: int) -> None:
    print(f"preview_change on seeded SQLite, {iterations} quotes per case")
    print(f"{'case':<28} {'quotes/s':>10} {'median ms':>10}")
    every: list[float] = []
    for name, request in CASES.items():
        await preview_change(ctx, request)  # warm up
        timings = []
        for _ in range(iterations):
            started = time.perf_counter()
            await preview_change(ctx, request)
            timings.append(time.perf_counter() - started)
        every.extend(timings)
        print(
            f"{name:<28} {len(timings) / sum(timings):>10.0f}"
            f" {1000 * statistics.median(timings):>10.2f}"
        )
    print(
        f"{'all cases':<28} {len(every) / sum(every):>10.0f}"
        f" {1000 * statistics.median(every):>10.2f}"
    )


if __name__ == "__main__":
    main()
