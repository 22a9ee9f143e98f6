"""Use cases answered at once where the store's reads are inline (``loaders.read_soon``).

A root lookup with nothing to batch it with, the option list and the quote return their
result itself on SQLite (graphql-core then stays synchronous) and an awaitable of the same
result on a store whose reads hop to a worker thread; either way what they read is kept for
the fields asked next, as the loaders' own reads are.
"""

from __future__ import annotations

import asyncio
import inspect

from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import PlanChangeRequest
from planswitch.resolvers import memberships, plan_change
from planswitch.resolvers.context import Viewer
from planswitch.resolvers.loaders import then

from tests.resolvers.conftest import context, seeded_store
from tests.support.statements import counting

YEARLY = PlanChangeRequest(membership_id=1, period=BillingPeriod.of(1, "year"))


def test_then_applies_now_or_once_awaited() -> None:
    assert then(2, lambda n: n * 3) == 6

    async def two() -> int:
        return 2

    later = then(two(), lambda n: n * 3)
    assert inspect.isawaitable(later)
    assert asyncio.run(later) == 6  # type: ignore[arg-type]


def test_a_lone_lookup_on_sqlite_answers_at_once_and_primes_the_loader(sqlite_url) -> None:
    store = seeded_store(sqlite_url)

    async def scenario() -> None:
        ctx = context(store)
        found = memberships.lookup_membership(ctx, "1", "DATABASE_ID")
        assert not inspect.isawaitable(found)
        assert found is not None and found.id == 1
        assert ctx.loaders.catalog_at_hand() is not None  # read with it, as the loader does
        with counting(store.engine) as statements:
            again = await ctx.loaders.memberships_by_id.load(1)
        assert again is found and statements == []

    asyncio.run(scenario())


def test_a_lone_lookup_on_a_hopping_store_awaits_the_same_answer(sqlite_url) -> None:
    store = seeded_store(sqlite_url)
    store.inline_reads = False  # as PostgreSQL, MariaDB and the WordPress store

    async def scenario() -> None:
        ctx = context(store)
        found = memberships.lookup_membership(ctx, "1", "DATABASE_ID", customers=True)
        assert inspect.isawaitable(found)
        membership = await found
        assert membership is not None and membership.id == 1
        assert ctx.loaders.customer_at_hand(membership.customer_id)[0]
        assert await ctx.loaders.memberships_by_id.load(1) is membership

    asyncio.run(scenario())


def test_a_lone_lookup_hides_what_the_viewer_may_not_see(sqlite_url) -> None:
    store = seeded_store(sqlite_url)
    owner = store.memberships_by_id([1])[1].customer_id
    stranger = Viewer.customer(owner + 1)

    async def scenario() -> None:
        assert memberships.lookup_membership(context(store, stranger), "1", "DATABASE_ID") is None
        assert memberships.lookup_membership(context(store), "999999", "ID") is None

    asyncio.run(scenario())


def test_options_and_quotes_answer_at_once_on_sqlite_as_their_use_cases(sqlite_url) -> None:
    store = seeded_store(sqlite_url)

    async def scenario() -> None:
        options = plan_change.upgrade_options_soon(context(store), 1)
        assert not inspect.isawaitable(options)
        assert options == await plan_change.get_upgrade_options(context(store), 1)
        quote = plan_change.preview_soon(context(store), YEARLY)
        assert not inspect.isawaitable(quote)
        assert quote == await plan_change.preview_change(context(store), YEARLY)
        assert quote.token is not None

    asyncio.run(scenario())


def test_a_quote_shown_without_its_token_signs_none(sqlite_url) -> None:
    store = seeded_store(sqlite_url)

    async def scenario() -> None:
        signed = plan_change.preview_soon(context(store), YEARLY)
        unsigned = plan_change.preview_soon(context(store), YEARLY, token=False)
        assert not inspect.isawaitable(signed) and not inspect.isawaitable(unsigned)
        assert signed.token is not None and unsigned.token is None
        assert unsigned.quote == signed.quote

    asyncio.run(scenario())
