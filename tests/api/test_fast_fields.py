"""schema/fast_fields.py: graphql-core calls plain fields directly, with the same answers.

The module reaches into Strawberry's field definitions and enum types (strawberry-graphql is
not pinned to one release), so these fail loudly when an upgrade changes them: the fields
still qualify, the ``@context_only`` resolvers are called as they are, every enum member
serializes as Strawberry's own scan says, and a broad document (every ``@context_only``
resolver, enums, money) answers exactly as through Strawberry's own resolvers.
"""

from __future__ import annotations

from graphql import GraphQLObjectType
from planswitch.schema import fast_fields
from planswitch.schema.app import build_schema
from strawberry.schema.schema_converter import CustomGraphQLEnumType

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
    price { amount currency formatted } setupFee { amount } active listOrder
    limits { sites { limit unlimited } users { key limit } customerUserRole { role } }
    availableAddons { databaseId slug } } }
}"""


def test_plain_fields_and_argumentless_resolvers_get_direct_callables(monkeypatch) -> None:
    monkeypatch.setattr(fast_fields, "install", lambda schema: 0)
    schema = build_schema()
    monkeypatch.undo()
    # The committed schema has 255 such fields; far fewer means Strawberry changed shape.
    assert fast_fields.install(schema) > 150
    # The marked resolvers are graphql-core's resolvers themselves (no wrapper, no Info).
    resolvers = {
        field.resolve
        for graphql_type in schema._schema.type_map.values()
        if isinstance(graphql_type, GraphQLObjectType)
        for field in graphql_type.fields.values()
    }
    assert fast_fields._CONTEXT_ONLY
    assert fast_fields._CONTEXT_ONLY.issubset(resolvers)


def test_enum_members_serialize_as_strawberrys_scan() -> None:
    schema = build_schema()  # fast_fields installed
    enums = [t for t in schema._schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)]
    assert len(enums) >= 10
    for graphql_type in enums:
        for member in graphql_type.wrapped_cls:
            scanned = CustomGraphQLEnumType.coerce_output_value(graphql_type, member)
            assert graphql_type.coerce_output_value(member) == scanned
            assert graphql_type.serialize(member) == scanned
        # Not a member (a member's raw value): Strawberry's own coercion, unchanged.
        raw = next(iter(graphql_type.wrapped_cls)).value
        scanned = CustomGraphQLEnumType.coerce_output_value(graphql_type, raw)
        assert graphql_type.coerce_output_value(raw) == scanned


async def test_answers_equal_strawberrys_own_resolvers(demo_store, sqlite_url, monkeypatch):
    async with api_client(demo_store, sqlite_url) as client:
        fast = await gql(client, DOCUMENT, headers=OPERATOR)
    monkeypatch.setattr(fast_fields, "install", lambda schema: 0)
    async with api_client(demo_store, sqlite_url) as client:
        plain = await gql(client, DOCUMENT, headers=OPERATOR)
    assert "errors" not in fast, fast
    assert fast == plain
    assert len(fast["data"]["memberships"]["nodes"]) >= 5
    assert any(node["availableAddons"] for node in fast["data"]["products"]["nodes"])
