"""Benchmark: planswitch in process vs the graphql-core floor for the same document and result.

Run by hand from the repository root::

    python bench/bench_floor.py [--memberships 200] [--iterations 100]

For each document (``membership(id)``, ``upgradeOptions``, ``planChangeQuote``, a page of
50 memberships) it times, in the same run and process:

- **planswitch**: the request through the ASGI app in process (httpx's ASGI transport:
  Starlette, auth, graphql-core over the Strawberry schema, resolvers, the SQLite store),
  median latency;
- **floor**: graphql-core executing the same document (parsed and validated once, as
  planswitch caches both) against the committed SDL over the answer planswitch gave,
  prebuilt (dicts, default resolvers), plus ``json.dumps``: what any GraphQL server pays
  for that document and result;
- **+ bare ASGI**: that floor plus a bare Starlette app answering the same bytes over the
  same in-process transport (the HTTP part planswitch's figure includes).

Both floors are timed right after each planswitch request (interleaved), so a machine
shared with other work slows all alike and the ratios hold. It prints each figure and
planswitch's ratio to each floor (issue 12's target: at most 1.5x). For ``planChangeQuote``
the floor also includes the pure ``quote()`` over inputs already loaded (issue 12: "the floor
plus the pure quote()"), timed in the same run. ``SQL`` is the statements one request runs
(BEGIN included), counted on the store's engine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from graphql import build_schema, execute, parse, validate  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.constants import KEY, NOW  # noqa: E402

MEMBERSHIP_FIELDS = """databaseId status amount { amount currency } dateExpiration
  plan { databaseId name slug } addons { quantity product { databaseId slug } }
  limits { sites { limit unlimited } diskSpace { limit unlimited } users { key limit } }
  customer { email }"""
DOCUMENTS = {
    "membership": (
        "query($id: ID!) { membership(id: $id, idType: DATABASE_ID) { "
        + MEMBERSHIP_FIELDS
        + " } }",
        {"id": "1"},
    ),
    "upgradeOptions": (
        """query($id: ID!) { upgradeOptions(membershipId: $id) {
          plans { plan { databaseId name } direction timing allowed price { amount currency }
                  blockers { code message } }
          addons { product { databaseId } price { amount } held quantity }
          userErrors { code field message } } }""",
        {"id": "1"},
    ),
    "planChangeQuote": (
        """query($input: PlanChangeInput!) { planChangeQuote(input: $input) {
          changeKind effectiveAt scheduled lineItems { type title total { amount } }
          subtotal { amount currency } credit { amount } dueNow { amount currency }
          nextBillingAmount { amount } userErrors { code field message } } }""",
        {"input": {"membershipId": "1", "billingPeriod": {"duration": 1, "unit": "YEAR"}}},
    ),
    "page of 50": (
        "{ memberships(first: 50) { totalCount nodes { " + MEMBERSHIP_FIELDS + " } } }",
        {},
    ),
}


def seed(url: str, extra: int):
    from planswitch.adapters.native import NativeStore, upgrade_database
    from planswitch.adapters.native.demo import seed_demo
    from planswitch.domain.memberships import Membership, MembershipStatus

    upgrade_database(url)
    store = NativeStore(url)
    seed_demo(store, NOW)
    template = Membership(
        id=0, customer_id=1, plan_id=2, status=MembershipStatus.ACTIVE,
        amount=Decimal("68.00"), addons={6: 1, 7: 2}, date_created=NOW, date_expiration=NOW,
    )  # fmt: skip
    with store.bulk() as batch:
        for i in range(extra):
            batch.upsert_membership(
                dataclasses.replace(template, id=1000 + i, customer_id=1 + i % 6, plan_id=1 + i % 5)
            )
    return store


async def planswitch_timings(store, url: str, iterations: int) -> dict[str, tuple[list, dict]]:
    from planswitch.server.app import create_app
    from planswitch.server.clock import FixedClock
    from planswitch.server.settings import Settings

    settings = Settings(
        database_url=url, api_keys=[KEY], secret_key="b" * 32, demo=False,
        apply_due_interval_seconds=0,
    )  # fmt: skip
    app = create_app(settings, store=store, clock=FixedClock(NOW))
    headers = {"Authorization": f"Bearer {KEY}"}
    results = {}
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client,
    ):
        for name, (document, variables) in DOCUMENTS.items():
            payload = {"query": document, "variables": variables}
            body = (await client.post("/graphql", json=payload, headers=headers)).json()
            assert "errors" not in body, body
            floor = _floor(document, variables, body["data"])
            timings, floors, bares = [], [], []
            async with _bare_client(body["data"]) as bare:
                statements.clear()
                for _ in range(iterations):
                    started = time.perf_counter()
                    response = await client.post("/graphql", json=payload, headers=headers)
                    timings.append(time.perf_counter() - started)
                    response.raise_for_status()
                    # The floors right after, so all see the same moment of a shared machine.
                    floors.append(floor())
                    bares.append(await bare())
            sql = len(statements) / iterations
            results[name] = (timings, body["data"], sql, floors, bares)
    return results


def quote_timings(store, iterations: int) -> list[float]:
    """The pure ``quote()`` of the bench's quote over its inputs, loaded once."""
    from planswitch.domain.periods import BillingPeriod
    from planswitch.domain.plan_change import PlanChangeRequest
    from planswitch.domain.quotes import quote

    read = store.change_inputs(1)
    request = PlanChangeRequest(membership_id=1, period=BillingPeriod.of(1, "year"))
    catalog = dict(read.catalog.by_id)
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        quote(read.membership, request, catalog, NOW, usage=read.usage, customer=read.customer)
        timings.append(time.perf_counter() - started)
    return timings


@contextlib.asynccontextmanager
async def _bare_client(data: dict):  # type: ignore[no-untyped-def]
    """A function timing one request to a bare Starlette app answering the same bytes over
    the same in-process transport (the HTTP part planswitch's figure includes)."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = json.dumps({"data": data}).encode()

    async def answer(request):  # type: ignore[no-untyped-def]
        await request.body()
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/graphql", answer, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as c:

        async def once() -> float:
            started = time.perf_counter()
            (await c.post("/graphql", json={"query": "{ x }"})).raise_for_status()
            return time.perf_counter() - started

        yield once


def _floor(document: str, variables: dict, data: dict):  # type: ignore[no-untyped-def]
    """A function timing one execution of the floor: graphql-core over ``data``."""
    sdl = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    schema = build_schema(sdl)
    # Parsed and validated once, as planswitch's parser and validation caches do.
    parsed = parse(document)
    assert not validate(schema, parsed)

    def once() -> float:
        started = time.perf_counter()
        result = execute(schema, parsed, root_value=data, variable_values=variables)
        json.dumps({"data": result.data})  # type: ignore[union-attr]
        elapsed = time.perf_counter() - started
        assert not result.errors, result.errors  # type: ignore[union-attr]
        return elapsed

    return once


def main() -> None:
    parser = argparse.ArgumentParser(description="planswitch vs the graphql-core floor")
    parser.add_argument("--memberships", type=int, default=200)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    logging.getLogger("planswitch").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = seed(url, args.memberships)
        try:
            measured = asyncio.run(planswitch_timings(store, url, args.iterations))
            pure_quote = statistics.median(quote_timings(store, args.iterations))
        finally:
            store.close()
    print(f"in process, median of {args.iterations} requests (SQLite, operator)")
    print(
        f"{'document':<18}{'planswitch ms':>15}{'SQL':>5}{'graphql-core':>14}{'ratio':>8}"
        f"{'+ bare ASGI':>13}{'ratio':>8}"
    )
    for name, (timings, _, sql, floors, bares) in measured.items():
        floor = statistics.median(floors)
        if name == "planChangeQuote":
            floor += pure_quote
        bare = statistics.median(bares)
        ours = statistics.median(timings)
        print(
            f"{name:<18}{1000 * ours:>15.2f}{sql:>5.0f}{1000 * floor:>14.2f}{ours / floor:>8.1f}"
            f"{1000 * (floor + bare):>13.2f}{ours / (floor + bare):>8.1f}"
        )
    print(
        "graphql-core: execute() of the same document over the prebuilt result (for "
        f"planChangeQuote plus the pure quote(), {1000 * pure_quote:.2f} ms); + bare ASGI: plus "
        "a bare Starlette app returning the same bytes over the same in-process transport "
        "(the HTTP part planswitch's figure includes). SQL: statements per request."
    )


if __name__ == "__main__":
    main()
