"""Quotes per second through ``preview_change`` on the seeded SQLite store (run by hand).

    python bench/bench_quotes.py [seconds-per-case]

Prints, per request shape, quotes per second and the mean time per quote; each quote loads
the membership, catalog, usage and customer from the database and prices the change, as
the API's ``planChangeQuote`` does (minus the GraphQL layer).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from adapters.native import NativeStore
from adapters.native.demo import seed_demo
from adapters.native.migrate import upgrade_database
from domain.periods import BillingPeriod, DurationUnit
from domain.plan_change import AddonSelection, PlanChangeRequest
from resolvers.context import Viewer
from resolvers.plan_change import preview_change

NOW = datetime(2026, 6, 15, tzinfo=UTC)
CASES = {
    "upgrade free -> premium": PlanChangeRequest(5, plan_id=2),
    "premium monthly -> yearly": PlanChangeRequest(1, period=BillingPeriod(1, DurationUnit.YEAR)),
    "buy an add-on": PlanChangeRequest(1, add_addons=(AddonSelection(6, 1),)),
    "blocked downgrade": PlanChangeRequest(1, plan_id=1),
    "no change": PlanChangeRequest(1),
}


def main(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade_database(url)
        store = NativeStore(url)
        seed_demo(store, NOW)
        viewer = Viewer.operator()
        print(f"{'case':<28} {'quotes/s':>10} {'ms/quote':>10}")
        for name, request in CASES.items():
            preview_change(store, viewer, request, NOW, secret="bench")  # warm up
            count, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds:
                preview_change(store, viewer, request, NOW, secret="bench")
                count += 1
            print(f"{name:<28} {count / elapsed:>10.0f} {1000 * elapsed / count:>10.2f}")
        store.close()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
