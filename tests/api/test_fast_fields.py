"""schema/fast_fields.py: graphql-core calls plain fields directly, with the same answers.

The module reaches into Strawberry's field definitions and enum types (strawberry-graphql is
not pinned to one release), so these fail loudly when an upgrade changes them: the fields
still qualify, the ``@context_only`` resolvers are called as they are, every enum member
serializes as Strawberry's own scan says, fields with arguments get them converted exactly
as Strawberry's ``convert_argument`` does, and broad documents (every ``@context_only``
resolver, enums, money, lookups, inputs, their errors) answer exactly as through
Strawberry's own resolvers.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLObjectType
from graphql.utilities import coerce_input_value
from planswitch.schema import fast_fields
from planswitch.schema.app import build_schema
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types.arguments import convert_argument

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


# Argument values as clients send them (variables), per root field and argument.
ARGUMENTS: list[tuple[str, str, str, Any]] = [
    ("Query", "membership", "idType", "DATABASE_ID"),
    ("Query", "memberships", "where", {"customerId": "1", "status": "ACTIVE", "planId": "2"}),
    ("Query", "memberships", "where", {"status": None}),
    ("Query", "memberships", "first", 3),
    (
        "Query",
        "planChangeQuote",
        "input",
        {
            "membershipId": "1",
            "planId": "UHJvZHVjdDoz",
            "billingPeriod": {"duration": 1, "unit": "YEAR"},
            "addons": [{"productId": "6", "quantity": 2}],
            "removeAddons": [],
            "discountCode": "SAVE",
            "asOf": "2026-01-02T03:04:05+02:00",
        },
    ),
    ("Query", "planChangeQuote", "input", {"membershipId": "1", "addons": None}),
    (
        "Mutation",
        "changePlan",
        "input",
        {"membershipId": "1", "idempotencyKey": "k", "addons": [{"productId": "6", "quantity": 1}]},
    ),
]


@pytest.mark.parametrize(("type_name", "field_name", "argument", "raw"), ARGUMENTS)
def test_arguments_convert_as_strawberrys_convert_argument(
    type_name: str, field_name: str, argument: str, raw: Any
) -> None:
    schema = build_schema()
    graphql_field = schema._schema.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
    field = graphql_field.extensions[fast_fields.BACKREF]
    (strawberry_argument,) = [
        a for a in field.arguments if schema.config.name_converter.from_argument(a) == argument
    ]
    value = coerce_input_value(raw, graphql_field.args[argument].type)
    expected = convert_argument(
        value, strawberry_argument.type, schema.schema_converter.scalar_registry, schema.config
    )
    convert = fast_fields._Conversion(schema).of(strawberry_argument)
    assert (value if convert is None else convert(value, None)) == expected
    if isinstance(raw, dict):  # an input: planned once, not left to convert_argument
        assert convert is not None
        assert fast_fields._Conversion(schema)._compile(strawberry_argument.type) is not None


def test_fields_with_arguments_get_direct_callables() -> None:
    schema = build_schema()
    query = schema._schema.type_map["Query"]
    assert isinstance(query, GraphQLObjectType)
    for name in ("membership", "memberships", "upgradeOptions", "planChangeQuote"):
        assert query.fields[name].resolve.__module__ == fast_fields.__name__, name


LOOKUPS = """query($id: ID!, $gid: ID!, $input: PlanChangeInput!) {
  byDatabaseId: membership(id: $id, idType: DATABASE_ID) { id databaseId status
    plan { slug } customer { email } }
  byGlobalId: membership(id: $gid) { databaseId }
  missing: membership(id: "999999", idType: DATABASE_ID) { databaseId }
  active: memberships(where: {status: ACTIVE}, first: 2) { nodes { databaseId } }
  upgradeOptions(membershipId: $id) { plans { plan { slug } direction allowed
    price { amount } blockers { code } } addons { product { slug } held quantity }
    userErrors { code } membership { databaseId } }
  planChangeQuote(input: $input) { changeKind dueNow { amount } quoteToken
    plan { slug } userErrors { code field } }
}"""
BAD_INPUTS = [
    (
        'query { membership(id: "bm90IGFuIGlk") { databaseId } }',  # not a global id
        {},
    ),
    ('query { membership(id: "UHJvZHVjdDox") { databaseId } }', {}),  # a Product's id
    ('query { membership(id: "x", idType: DATABASE_ID) { databaseId } }', {}),
    ('query { upgradeOptions(membershipId: "nope") { userErrors { code field } } }', {}),
    (
        "query($input: PlanChangeInput!) { planChangeQuote(input: $input) "
        "{ changeKind userErrors { code field } } }",
        {
            "input": {
                "membershipId": "1",
                "billingPeriod": {"duration": 0, "unit": "DAY"},
                "addons": [{"productId": "zz", "quantity": 1}],
            }
        },
    ),
]


async def test_lookups_and_inputs_answer_as_through_strawberrys_resolvers(
    demo_store, sqlite_url, monkeypatch
) -> None:
    variables = {
        "id": "1",
        "gid": "TWVtYmVyc2hpcDox",
        "input": {"membershipId": "1", "billingPeriod": {"duration": 1, "unit": "YEAR"}},
    }
    documents = [(LOOKUPS, variables), *BAD_INPUTS]
    async with api_client(demo_store, sqlite_url) as client:
        fast = [await gql(client, document, values, OPERATOR) for document, values in documents]
    monkeypatch.setattr(fast_fields, "install", lambda schema: 0)
    async with api_client(demo_store, sqlite_url) as client:
        plain = [await gql(client, document, values, OPERATOR) for document, values in documents]
    assert fast == plain
    answer = fast[0]
    assert "errors" not in answer, answer
    assert answer["data"]["byDatabaseId"]["customer"]["email"]
    assert answer["data"]["byGlobalId"] == {"databaseId": 1}
    assert answer["data"]["missing"] is None
    assert answer["data"]["planChangeQuote"]["quoteToken"]
    assert all("errors" in body or body["data"] for body in fast[1:])
    assert any("errors" in body for body in fast[1:])
