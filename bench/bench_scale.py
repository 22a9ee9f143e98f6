"""Benchmark: how reads grow with the network, 1k -> 100k memberships, on every store.

Run by hand from the repository root::

    python bench/bench_scale.py --sizes 1000,10000,100000 --stores sqlite,postgres,wordpress

For each size a network is generated into MariaDB (``tests/support/wordpress_network.py``)
and synced into SQLite and PostgreSQL (``planswitch sync``); ``wordpress`` serves the
MariaDB network directly (live mode). Over the ASGI app (in process, operator key) it
times, median of ``--iterations`` requests each:

- ``membership(id)`` with plan, add-ons and limits;
- the first page (``memberships(first: 50)``);
- a deep page (the 50 after a keyset cursor near the end of the list);
- ``totalCount`` alone (one COUNT, no page).

and prints each figure and its growth from the smallest size (target: at most 1.2x).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.constants import KEY, NOW  # noqa: E402
from bench.databases import (  # noqa: E402
    add_server_arguments,
    create_database,
    drop_database,
)

NODE = (
    "databaseId status plan { slug } addons { quantity product { slug } } "
    "limits { sites { limit } diskSpace { limit } }"
)
QUERIES = {
    "membership": "query($id: ID!) { membership(id: $id, idType: DATABASE_ID) { " + NODE + " } }",
    "first page": "{ memberships(first: 50) { nodes { " + NODE + " } } }",
    "deep page": "query($after: String) { memberships(first: 50, after: $after) { nodes { "
    + NODE
    + " } } }",
    "totalCount": "{ memberships { totalCount } }",
}


def _sync(wordpress_url: str, native_url: str) -> None:
    from planswitch.adapters.native import NativeStore, upgrade_database
    from planswitch.adapters.native.sync_target import NativeSyncTarget
    from planswitch.adapters.wordpress.store import WordPressStore
    from planswitch.adapters.wordpress.sync_source import WordPressSyncSource
    from planswitch.sync import sync

    upgrade_database(native_url)
    source, target = WordPressStore(wordpress_url), NativeStore(native_url)
    try:
        sync(WordPressSyncSource(source), NativeSyncTarget(target), progress=False)
    finally:
        source.dispose()
        target.close()


async def _time_queries(settings_values: dict, size: int, iterations: int) -> dict[str, float]:
    from planswitch.server.app import create_app
    from planswitch.server.clock import FixedClock
    from planswitch.server.settings import Settings

    app = create_app(Settings(**settings_values), clock=FixedClock(NOW))
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {KEY}"}
    near_end = base64.b64encode(f"key:{size - 60}".encode()).decode()
    variables = {
        "membership": {"id": str(size // 2)},
        "first page": {},
        "deep page": {"after": near_end},
        "totalCount": {},
    }
    medians = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        for name, query in QUERIES.items():
            payload = {"query": query, "variables": variables[name]}
            timings = []
            for _ in range(iterations + 1):
                started = time.perf_counter()
                response = await client.post("/graphql", json=payload, headers=headers)
                timings.append(time.perf_counter() - started)
                body = response.json()
                assert "errors" not in body, body
            medians[name] = statistics.median(timings[1:])  # the first warms up
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description="reads vs network size")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--stores", default="sqlite,postgres,wordpress")
    parser.add_argument("--iterations", type=int, default=15)
    add_server_arguments(parser, "mariadb", "postgres")
    args = parser.parse_args()
    logging.getLogger("planswitch").setLevel(logging.ERROR)
    from tests.support.wordpress_network import generate_network

    sizes = [int(s) for s in args.sizes.split(",")]
    stores = [s for s in args.stores.split(",") if s]
    results: dict[str, dict[int, dict[str, float]]] = {s: {} for s in stores}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            wordpress_url = create_database(args.mariadb_url, "mariadb", "bench_scale")
            generate_network(wordpress_url, size, keep_facts=False)
            try:
                for store in stores:
                    settings = {"api_keys": [KEY], "secret_key": "b" * 32, "demo": False}
                    settings["apply_due_interval_seconds"] = 0
                    target = None
                    if store == "wordpress":
                        settings["wordpress_url"] = wordpress_url
                    else:
                        target = (
                            f"sqlite:///{Path(scratch) / f'{size}.db'}"
                            if store == "sqlite"
                            else create_database(args.postgres_url, "postgres", "bench_scale")
                        )
                        _sync(wordpress_url, target)
                        settings["database_url"] = target
                    try:
                        medians = asyncio.run(_time_queries(settings, size, args.iterations))
                    finally:
                        if target:
                            drop_database(target)
                    results[store][size] = medians
                    shown = "  ".join(f"{k} {1000 * v:7.2f} ms" for k, v in medians.items())
                    print(f"{store:<9} {size:>7}  {shown}", flush=True)
            finally:
                drop_database(wordpress_url)
    print()
    smallest = sizes[0]
    print(f"growth from {smallest} memberships (target <= 1.2x), median ms per request")
    print(f"{'store':<9}{'size':>8}" + "".join(f"{name:>22}" for name in QUERIES))
    for store, by_size in results.items():
        for size, medians in by_size.items():
            cells = "".join(
                f"{1000 * medians[n]:>12.2f} ({medians[n] / by_size[smallest][n]:>4.2f}x)"
                for n in QUERIES
            )
            print(f"{store:<9}{size:>8}{cells}")


if __name__ == "__main__":
    main()
