"""Benchmark: how reads grow with the network, 1k -> 100k memberships, on every store.

Run by hand from the repository root::

    python bench/bench_scale.py --sizes 1000,10000,100000 \
        --stores sqlite,postgres,wordpress,wordpress-counter

A network of each size is generated into MariaDB (``tests/support/wordpress_network.py``)
and synced into SQLite and PostgreSQL (``planswitch sync``); ``wordpress`` serves the
MariaDB network directly (live mode), ``wordpress-counter`` too, with the opt-in membership
counter installed. Over the ASGI app (in process, operator key) it times, median of
``--iterations`` requests each, the sizes' requests interleaved:

- ``membership(id)`` with plan, add-ons and limits;
- the first page (``memberships(first: 50)``);
- a deep page (the 50 after a keyset cursor near the end of the list);
- ``totalCount`` alone (no page: one COUNT, or one read of the counter's row).

and prints each figure and its growth from the smallest size (target: at most 1.2x).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


async def _time_interleaved(
    settings_by_size: dict[int, dict], iterations: int
) -> dict[int, dict[str, float]]:
    """Median seconds per query and size, the sizes' requests interleaved.

    Each round sends one request to every size's app, in an order that rotates, so a burst
    of load from elsewhere on a shared machine lands on every size alike: the ratios are
    what this bench reports, and timing the sizes minutes apart made them noise.
    """
    from planswitch.server.app import create_app
    from planswitch.server.clock import FixedClock
    from planswitch.server.settings import Settings

    headers = {"Authorization": f"Bearer {KEY}"}
    sizes = list(settings_by_size)
    timings: dict[int, dict[str, list[float]]] = {size: {n: [] for n in QUERIES} for size in sizes}
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for size, values in settings_by_size.items():
            app = create_app(Settings(**values), clock=FixedClock(NOW))
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            clients[size] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://bench")
            )
        for name, query in QUERIES.items():
            for round_ in range(iterations + 1):
                turn = round_ % len(sizes)
                for size in sizes[turn:] + sizes[:turn]:
                    payload = {"query": query, "variables": _variables(name, size)}
                    started = time.perf_counter()
                    response = await clients[size].post("/graphql", json=payload, headers=headers)
                    elapsed = time.perf_counter() - started
                    body = response.json()
                    assert "errors" not in body, body
                    if round_:  # the first round warms up
                        timings[size][name].append(elapsed)
    return {
        size: {n: statistics.median(values) for n, values in by_name.items()}
        for size, by_name in timings.items()
    }


def _variables(name: str, size: int) -> dict[str, str]:
    near_end = base64.b64encode(f"key:{size - 60}".encode()).decode()
    return {"membership": {"id": str(size // 2)}, "deep page": {"after": near_end}}.get(name, {})


def _settings(store: str, size: int, wordpress_url: str, scratch: str, args: Any) -> dict:
    """The app's settings for ``store`` over the network of ``size``; syncs a native copy.

    ``wordpress-counter`` is live mode with the opt-in membership counter installed
    (``planswitch wordpress install-counter``); ``wordpress`` is live mode without it.
    """
    settings: dict[str, Any] = {"api_keys": [KEY], "secret_key": "b" * 32, "demo": False}
    settings["apply_due_interval_seconds"] = 0
    if store.startswith("wordpress"):
        from planswitch.adapters.wordpress.store import WordPressStore

        network = WordPressStore(wordpress_url)
        try:
            if store == "wordpress-counter":
                network.install_membership_counter()
            else:
                network.remove_membership_counter()
        finally:
            network.dispose()
        settings["wordpress_url"] = wordpress_url
        return settings
    target = (
        f"sqlite:///{Path(scratch) / f'{size}.db'}"
        if store == "sqlite"
        else create_database(args.postgres_url, "postgres", "bench_scale")
    )
    _sync(wordpress_url, target)
    settings["database_url"] = target
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description="reads vs network size")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--stores",
        default="sqlite,postgres,wordpress,wordpress-counter",
        help="any of sqlite, postgres, wordpress, wordpress-counter (live mode with the "
        "opt-in membership counter)",
    )
    parser.add_argument("--iterations", type=int, default=15)
    add_server_arguments(parser, "mariadb", "postgres")
    args = parser.parse_args()
    logging.getLogger("planswitch").setLevel(logging.ERROR)
    from tests.support.wordpress_network import generate_network

    sizes = [int(s) for s in args.sizes.split(",")]
    stores = [s for s in args.stores.split(",") if s]
    results: dict[str, dict[int, dict[str, float]]] = {}
    networks: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        try:
            for size in sizes:  # every size at once: the timings interleave them
                networks[size] = create_database(args.mariadb_url, "mariadb", "bench_scale")
                generate_network(networks[size], size, keep_facts=False)
            for store in stores:
                by_size = {
                    size: _settings(store, size, url, scratch, args)
                    for size, url in networks.items()
                }
                try:
                    results[store] = asyncio.run(_time_interleaved(by_size, args.iterations))
                finally:
                    for values in by_size.values():
                        if "database_url" in values:
                            drop_database(values["database_url"])
                for size, medians in results[store].items():
                    shown = "  ".join(f"{k} {1000 * v:7.2f} ms" for k, v in medians.items())
                    print(f"{store:<17} {size:>7}  {shown}", flush=True)
        finally:
            for url in networks.values():
                drop_database(url)
    print()
    smallest = sizes[0]
    print(f"growth from {smallest} memberships (target <= 1.2x), median ms per request")
    print(f"{'store':<17}{'size':>8}" + "".join(f"{name:>22}" for name in QUERIES))
    for store, by_size in results.items():
        for size, medians in by_size.items():
            cells = "".join(
                f"{1000 * medians[n]:>12.2f} ({medians[n] / by_size[smallest][n]:>4.2f}x)"
                for n in QUERIES
            )
            print(f"{store:<17}{size:>8}{cells}")


if __name__ == "__main__":
    main()
