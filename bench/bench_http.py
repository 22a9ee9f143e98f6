"""Benchmark: the GraphQL service over HTTP under uvicorn vs floors under the same uvicorn.

Run by hand from the repository root::

    python bench/bench_http.py [--memberships 200] [--seconds 5] [--clients 1,32]

Four servers are started side by side (an idle one costs nothing), each a
``uvicorn.run`` of one worker in a process of its own with the same options
(``loop="auto"``/``http="auto"``: uvloop and httptools when installed, as
``uvicorn[standard]`` installs them; no access log):

- **planswitch**: ``create_app`` over a seeded SQLite store (demo catalog plus
  ``--memberships`` memberships), operator key;
- **graphql-core**: a bare Starlette app whose endpoint runs graphql-core on the same
  document over planswitch's answer prebuilt (parsed and validated once) and ``json.dumps``
  it: issue 12's floor, "that same floor served by a bare Starlette app";
- **starlette**: a bare Starlette app returning planswitch's response bytes as they are;
- **bytes**: a bare ASGI callable returning the same bytes (the physical limit of this
  uvicorn, this client and this machine).

For each document (``membership(id)`` and a page of 50 memberships) and each number of
concurrent clients, a small bounded load client (httpx async, one connection per client,
keep-alive) sends requests back to back for ``--seconds`` after a warm-up, in windows of
``--window`` seconds taken in turn from each server (planswitch, then each floor, round after
round), so a machine shared with other work slows them alike; and the bench
prints requests/s, p50 and p99 latency, and planswitch's throughput as a share of each
floor. Issue 12's targets: at least 60% of the floor's throughput at 1 and 32 clients, and
p99 at most 4x p50 at 32 clients. The client runs on the same machine and takes CPU from
the server: the ratios, measured in the same run, are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.bench_floor import DOCUMENTS as FLOOR_DOCUMENTS  # noqa: E402
from bench.bench_floor import seed  # noqa: E402
from bench.constants import HEADERS, KEY, NOW  # noqa: E402

# The in-process bench's documents, served over HTTP.
DOCUMENTS = {name: FLOOR_DOCUMENTS[name] for name in ("membership", "page of 50")}
KINDS = ("planswitch", "graphql-core", "starlette", "bytes")


# ------------------------------------------------------------------------- the servers
def _uvicorn(app: object, port: int) -> None:
    import uvicorn

    uvicorn.run(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        workers=1,
        loop="auto",
        http="auto",
        access_log=False,
        log_level="warning",
    )


def _planswitch_app(database_url: str) -> object:
    from planswitch.server.app import create_app
    from planswitch.server.clock import FixedClock
    from planswitch.server.settings import Settings

    logging.getLogger("planswitch").setLevel(logging.ERROR)
    settings = Settings(
        database_url=database_url, api_keys=[KEY], secret_key="b" * 32, demo=False,
        apply_due_interval_seconds=0,
    )  # fmt: skip
    return create_app(settings, clock=FixedClock(NOW))


def _graphql_core_app(document: str, variables: dict, body: bytes) -> object:
    from graphql import build_schema, execute, parse, validate
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    schema = build_schema((ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8"))
    parsed = parse(document)
    assert not validate(schema, parsed)
    data = json.loads(body)["data"]

    async def answer(request: Request) -> Response:
        await request.body()
        result = execute(schema, parsed, root_value=data, variable_values=variables)
        payload = json.dumps({"data": result.data}).encode()  # type: ignore[union-attr]
        return Response(payload, media_type="application/json")

    return Starlette(routes=[Route("/graphql", answer, methods=["POST"])])


def _starlette_app(body: bytes) -> object:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/graphql", answer, methods=["POST"])])


def _bytes_app(body: bytes) -> object:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def serve(kind: str, port: int, spec_file: str) -> None:
    spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    body = spec["body"].encode()
    if kind == "planswitch":
        app = _planswitch_app(spec["database_url"])
    elif kind == "graphql-core":
        app = _graphql_core_app(spec["document"], spec["variables"], body)
    elif kind == "starlette":
        app = _starlette_app(body)
    else:
        app = _bytes_app(body)
    _uvicorn(app, port)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(kind: str, spec_file: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, str(port), str(spec_file)], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{kind} server exited with {process.returncode}") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


# ------------------------------------------------------------------------- the load client
@dataclasses.dataclass
class Figures:
    """What the load client saw of one server, over all its windows."""

    count: int = 0
    elapsed: float = 0.0
    latencies: list[float] = dataclasses.field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed

    @property
    def p50(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def load(
    url: str, payload: dict, clients: int, seconds: float, warm: bool, figures: Figures
) -> None:
    """``clients`` connections sending back to back for ``seconds``, added to ``figures``.

    Each client has an httpx client of its own with one keep-alive connection (a shared
    pool of 32 costs the load client more than the servers it measures).
    """
    content = json.dumps(payload).encode()
    headers = {**HEADERS, "Content-Type": "application/json"}
    one_connection = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    sessions = [
        httpx.AsyncClient(base_url=url, limits=one_connection, timeout=60) for _ in range(clients)
    ]
    latencies: list[float] = []

    async def worker(client: httpx.AsyncClient, until: float, record: bool) -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            response = await client.post("/graphql", content=content, headers=headers)
            response.raise_for_status()
            if record:
                latencies.append(time.perf_counter() - started)

    try:
        # A warm-up opens the connections (and, the first time, warms the server).
        until = time.perf_counter() + (min(1.0, seconds / 2) if warm else 0.05)
        await asyncio.gather(*(worker(c, until, False) for c in sessions))
        started = time.perf_counter()
        await asyncio.gather(*(worker(c, started + seconds, True) for c in sessions))
        figures.elapsed += time.perf_counter() - started
    finally:
        for client in sessions:
            await client.aclose()
    figures.count += len(latencies)
    figures.latencies.extend(latencies)


def _run(work: Any) -> Any:
    """The load client on uvloop when installed (a lighter client leaves more CPU to the
    server being measured)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    return uvloop.run(work)


def _answer(database_url: str, document: str, variables: dict) -> bytes:
    """planswitch's response bytes for the document (what the floors return)."""
    spec = Path(tempfile.mkstemp(suffix=".json")[1])
    spec.write_text(json.dumps({"database_url": database_url, "body": ""}), encoding="utf-8")
    process, url = _start("planswitch", spec)
    try:
        response = httpx.post(
            f"{url}/graphql", json={"query": document, "variables": variables}, headers=HEADERS
        )
        response.raise_for_status()
        assert "errors" not in response.json(), response.text
        return response.content
    finally:
        process.terminate()
        process.wait()
        spec.unlink()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description="planswitch over HTTP vs floors")
    parser.add_argument("--memberships", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,32")
    parser.add_argument("--window", type=float, default=1.0, help="seconds per turn")
    args = parser.parse_args()
    concurrency = [int(c) for c in args.clients.split(",")]
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed(database_url, args.memberships).close()
        for name, (document, variables) in DOCUMENTS.items():
            body = _answer(database_url, document, variables)
            spec = Path(tmp) / "spec.json"
            spec.write_text(
                json.dumps(
                    {
                        "database_url": database_url,
                        "document": document,
                        "variables": variables,
                        "body": body.decode(),
                    }
                ),
                encoding="utf-8",
            )
            payload = {"query": document, "variables": variables}
            servers = {kind: _start(kind, spec) for kind in KINDS}
            try:
                for clients in concurrency:
                    measured = {kind: Figures() for kind in KINDS}
                    rounds = max(1, round(args.seconds / args.window))
                    for turn in range(rounds):
                        for kind, (_, url) in servers.items():
                            work = load(
                                url, payload, clients, args.seconds / rounds, turn == 0,
                                measured[kind],
                            )  # fmt: skip
                            _run(work)
                    for kind, figures in measured.items():
                        rows.append((name, kind, clients, figures))
                        print(
                            f"{name:<12}{kind:<14}{clients:>4} clients "
                            f"{figures.rps:>9.0f} req/s  p50 {figures.p50:8.2f} ms  "
                            f"p99 {figures.p99:8.2f} ms",
                            flush=True,
                        )
            finally:
                for process, _ in servers.values():
                    process.terminate()
                    process.wait()
    print()
    print(
        f"uvicorn, 1 worker, loop {loop}, {os.cpu_count()} CPUs shared with the load client; "
        f"{args.seconds:.0f} s per figure; response of planswitch reused by the floors"
    )
    header = (
        f"{'document':<12}{'clients':>8}{'planswitch r/s':>16}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'p99/p50':>8}{'gql-core r/s':>13}{'ratio':>7}{'starlette r/s':>14}{'ratio':>7}"
        f"{'bytes r/s':>10}{'ratio':>7}"
    )
    print(header)
    found = {(n, k, c): f for n, k, c, f in rows}
    for name in DOCUMENTS:
        for clients in concurrency:
            ours = found[(name, "planswitch", clients)]
            cells = [
                f"{name:<12}{clients:>8}{ours.rps:>16.0f}{ours.p50:>8.2f}"
                f"{ours.p99:>8.2f}{ours.p99 / ours.p50:>8.1f}"
            ]
            for kind, width in (("graphql-core", 13), ("starlette", 14), ("bytes", 10)):
                floor = found[(name, kind, clients)]
                cells.append(f"{floor.rps:>{width}.0f}{ours.rps / floor.rps:>7.2f}")
            print("".join(cells))
    print(
        "ratio = planswitch req/s / that server's req/s (same run). Targets (issue 12): "
        ">= 0.60 of the floor at 1 and 32 clients; p99 <= 4x p50 at 32 clients."
    )


if __name__ == "__main__":
    main()
