"""schema/fast_fields.py: graphql-core calls plain fields directly, with the same answers.

The module reaches into Strawberry's field definitions (strawberry-graphql is not pinned to
one release), so these fail loudly when an upgrade changes them: the fields still qualify,
and a broad document answers exactly as through Strawberry's own resolvers.
"""

from __future__ import annotations

from planswitch.schema import fast_fields
from planswitch.schema.app import build_schema

from tests.api.conftest import OPERATOR, api_client, gql

DOCUMENT = """{
  memberships(first: 10) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id databaseId status amount { amount currency formatted } dateExpiration
      autoRenew
      plan { databaseId name slug type price { amount } recurring billingPeriod { duration unit } }
      addons { quantity product { databaseId slug name } }
      limits { sites { limit unlimited } diskSpace { limit unlimited } users { key limit } }
      customer { email databaseId } } }
  products(first: 20) { nodes { databaseId name slug type pricingType
    price { amount currency formatted } setupFee { amount } active listOrder } }
}"""


def test_plain_fields_and_argumentless_resolvers_get_direct_callables(monkeypatch) -> None:
    monkeypatch.setattr(fast_fields, "install", lambda schema: 0)
    schema = build_schema()
    monkeypatch.undo()
    # The committed schema has 255 such fields; far fewer means Strawberry changed shape.
    assert fast_fields.install(schema) > 150


async def test_answers_equal_strawberrys_own_resolvers(demo_store, sqlite_url, monkeypatch):
    async with api_client(demo_store, sqlite_url) as client:
        fast = await gql(client, DOCUMENT, headers=OPERATOR)
    monkeypatch.setattr(fast_fields, "install", lambda schema: 0)
    async with api_client(demo_store, sqlite_url) as client:
        plain = await gql(client, DOCUMENT, headers=OPERATOR)
    assert "errors" not in fast, fast
    assert fast == plain
    assert len(fast["data"]["memberships"]["nodes"]) >= 5
