"""Root lookups of memberships: alone in a document, read at once; beside another, batched.

``membership(id:)`` as a document's only root field reads its membership on its own
(``Loaders.membership_now``: no loader batch to wait for); several lookups in one document
still share one batch, so one statement.
"""

from __future__ import annotations

from tests.api.conftest import OPERATOR, api_client, data, gql
from tests.support.statements import counting

ONE = '{ membership(id: "1", idType: DATABASE_ID) { databaseId customer { email } } }'
TWO = """{ a: membership(id: "1", idType: DATABASE_ID) { databaseId customer { email } }
  b: membership(id: "2", idType: DATABASE_ID) { databaseId customer { email } } }"""
SPREAD = """{ ...Lookup } fragment Lookup on Query {
  membership(id: "1", idType: DATABASE_ID) { databaseId customer { email } } }"""


async def test_one_lookup_and_two_in_one_document_each_cost_one_statement(
    demo_store, sqlite_url
) -> None:
    async with api_client(demo_store, sqlite_url) as client:
        await gql(client, ONE, headers=OPERATOR)  # the process's catalog read once
        with counting(demo_store.engine) as alone:
            one = data(await gql(client, ONE, headers=OPERATOR))
        with counting(demo_store.engine) as together:
            two = data(await gql(client, TWO, headers=OPERATOR))
        spread = data(await gql(client, SPREAD, headers=OPERATOR))
    assert one["membership"]["customer"]["email"]
    assert two["a"] == one["membership"] and two["b"]["databaseId"] == 2
    assert spread == one
    assert len(alone) == 1, alone
    assert len(together) == 1, together
