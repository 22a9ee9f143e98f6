"""SQL statements per request on the hot paths: a membership, options, a quote, a commit.

Counted with an engine event on the store's engine. The bounds are today's counts: a change
that adds statements to a hot path fails here and has to say why (issue 12 asks for a quote
or an option list in at most 4 and a commit in a constant number).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from planswitch.server.app import create_app
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings

from tests.api.test_plan_change_flow import API_KEY, CHANGE, OPTIONS, PREVIEW, READ, SECRET, Api
from tests.conftest import REFERENCE_NOW
from tests.resolvers.conftest import seeded_store
from tests.support.statements import counting

# Counts on SQLite, BEGIN included, with the process's catalog cached (WARM). Lower them
# when a change saves statements; raising one needs a reason in the commit.
# One statement (adapters/native/membership_reads.py): the membership joined with its
# scheduled change and its customer when asked, its add-ons and the catalog's version as
# columns; one statement is one snapshot, so no BEGIN. Was 3 in one session, 6 in 2
# sessions, 8 in 3 with its customer.
MEMBERSHIP_MAX = 1
# One statement (adapters/native/inputs.py): the membership with its add-ons, customer,
# usage, the catalog's version and whether a payment is pending, no BEGIN. Issue 12's
# target is 4; was 4 with the add-ons and the usage apart, 19 (options) and 13 (quote)
# before issue 12.
OPTIONS_MAX = 1
QUOTE_MAX = 1
QUOTE_WITH_CODE_MAX = 3  # a discount code adds its lookup, in the same snapshot (BEGIN)
# One transaction, the same count whatever the add-ons (line items are one executemany per
# shape): BEGIN IMMEDIATE and the locked inputs (one statement, as a quote), the
# idempotency key, the waiting change, and 7 writes. Was 13 with the add-ons and the usage
# read apart, 29 when the payload re-read the payment and the catalog.
COMMIT_MAX = 11


@pytest.fixture
def store(sqlite_url):
    return seeded_store(sqlite_url)


@pytest.fixture
async def api(store, sqlite_url) -> AsyncIterator[Api]:
    settings = Settings(
        database_url=sqlite_url,
        api_keys=[API_KEY],
        secret_key=SECRET,
        demo=False,
        apply_due_interval_seconds=0,
    )
    app = create_app(settings, store=store, clock=FixedClock(REFERENCE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client_api = Api(client, sqlite_url)
        await client_api.run(WARM)  # the process has read its catalog once (see WARM)
        yield client_api
        client_api.engine.dispose()


# Any request reading the catalog fills the process's cache; a server does that once, after
# which every request only checks the catalog's version (adapters/native/catalog.py).
WARM = "{ planGroups { name } }"


async def test_a_membership_read_costs_a_fixed_handful(api: Api, store) -> None:
    with counting(store.engine) as statements:
        data = await api.run(READ, id="1")
    assert data["membership"]["databaseId"] == 1
    assert len(statements) <= MEMBERSHIP_MAX, "\n".join(statements)


async def test_a_membership_with_its_customer_costs_no_more(api: Api, store) -> None:
    document = """query($id: ID!) { membership(id: $id, idType: DATABASE_ID) {
      databaseId plan { slug } addons { quantity product { slug } }
      limits { sites { limit } } customer { email } } }"""
    with counting(store.engine) as statements:
        data = await api.run(document, id="1")
    assert data["membership"]["customer"]["email"]
    assert data["membership"]["limits"]["sites"]
    assert len(statements) <= MEMBERSHIP_MAX, "\n".join(statements)
    assert "BEGIN" not in statements  # one statement: its own snapshot


async def test_upgrade_options_cost_a_fixed_number(api: Api, store) -> None:
    with counting(store.engine) as statements:
        data = await api.run(OPTIONS, id="1")
    assert data["upgradeOptions"]["plans"]
    assert len(statements) <= OPTIONS_MAX, "\n".join(statements)


async def test_a_quote_costs_a_fixed_number(api: Api, store) -> None:
    with counting(store.engine) as statements:
        data = await api.run(
            PREVIEW, input={"membershipId": "1", "billingPeriod": {"duration": 1, "unit": "YEAR"}}
        )
    assert data["planChangeQuote"]["userErrors"] == []
    assert len(statements) <= QUOTE_MAX, "\n".join(statements)


async def test_a_commit_costs_a_fixed_number(api: Api, store) -> None:
    change = {
        "idempotencyKey": "hot-1",
        "membershipId": "1",
        "billingPeriod": {"duration": 1, "unit": "YEAR"},
    }
    with counting(store.engine) as statements:
        data = await api.run(CHANGE, input=change)
    assert data["changePlan"]["userErrors"] == []
    assert data["changePlan"]["payment"]["databaseId"]
    assert len(statements) <= COMMIT_MAX, "\n".join(statements)


async def test_a_quote_with_a_discount_code_costs_one_lookup_more(api: Api, store) -> None:
    quote = {"membershipId": "1", "billingPeriod": {"duration": 1, "unit": "YEAR"}}
    with counting(store.engine) as statements:
        await api.run(PREVIEW, input={**quote, "discountCode": "NO-SUCH-CODE"})
    assert len(statements) <= QUOTE_WITH_CODE_MAX, "\n".join(statements)


@pytest.mark.parametrize("addons", [[], [{"productId": "6", "quantity": 1}],
                                    [{"productId": "6", "quantity": 2},
                                     {"productId": "7", "quantity": 3}]])  # fmt: skip
async def test_a_commit_costs_the_same_whatever_the_add_ons(api: Api, store, addons) -> None:
    change = {
        "idempotencyKey": f"hot-addons-{len(addons)}",
        "membershipId": "1",
        # Add-ons are sold at the membership's period; without any, change the period.
        **({"addons": addons} if addons else {"billingPeriod": {"duration": 1, "unit": "YEAR"}}),
    }
    with counting(store.engine) as statements:
        data = await api.run(CHANGE, input=change)
    assert data["changePlan"]["userErrors"] == []
    assert len(data["changePlan"]["payment"]["lineItems"]) >= len(addons)
    assert len(statements) <= COMMIT_MAX, "\n".join(statements)
