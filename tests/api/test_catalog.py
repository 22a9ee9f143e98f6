"""Catalog queries on the demo seed: products, filters, plan groups, lookups by idType."""

from __future__ import annotations

import base64

from tests.api.conftest import data, gql

PRODUCT = "databaseId slug name type price { amount currency formatted } listOrder active"


def gid(type_name: str, database_id: int) -> str:
    return base64.b64encode(f"{type_name}:{database_id}".encode()).decode()


async def test_products_lists_the_demo_catalog_in_list_order(client) -> None:
    body = await gql(client, f"{{ products(first: 100) {{ totalCount nodes {{ {PRODUCT} }} }} }}")
    products = data(body)["products"]
    assert products["totalCount"] == 8
    assert [p["slug"] for p in products["nodes"]] == [
        "free", "premium", "basic", "business", "solo",
        "unlimited-visits", "extra-disk-space", "site-migration",
    ]  # fmt: skip
    premium = products["nodes"][1]
    assert premium["price"] == {"amount": "49.00", "currency": "USD", "formatted": "$49.00"}
    assert premium["type"] == "PLAN"


async def test_products_filter_by_type_group_and_active(client) -> None:
    query = """query($where: ProductsWhere) { products(where: $where) { totalCount
               nodes { slug } } }"""
    packages = data(await gql(client, query, {"where": {"type": "PACKAGE"}}))["products"]
    assert [p["slug"] for p in packages["nodes"]] == ["unlimited-visits", "extra-disk-space"]
    standard = data(await gql(client, query, {"where": {"planGroup": "Standard"}}))["products"]
    assert [p["slug"] for p in standard["nodes"]] == ["basic", "business"]
    inactive = data(await gql(client, query, {"where": {"active": False}}))["products"]
    assert inactive["totalCount"] == 0


async def test_plan_groups_list_their_plans_in_order(client) -> None:
    body = await gql(client, "{ planGroups { name plans { slug listOrder } } }")
    assert data(body)["planGroups"] == [
        {"name": "High End", "plans": [
            {"slug": "free", "listOrder": 1}, {"slug": "premium", "listOrder": 2}]},
        {"name": "Standard", "plans": [
            {"slug": "basic", "listOrder": 3}, {"slug": "business", "listOrder": 4}]},
    ]  # fmt: skip


async def test_product_plan_group_and_available_addons(client) -> None:
    query = """{ product(id: "premium", idType: SLUG) { planGroup { name plans { slug } }
                 availableAddons { slug type } priceVariations { billingPeriod { duration unit }
                 price { amount } } billingPeriod { duration unit } } }"""
    product = data(await gql(client, query))["product"]
    assert product["planGroup"] == {
        "name": "High End",
        "plans": [{"slug": "free"}, {"slug": "premium"}],
    }
    assert [a["slug"] for a in product["availableAddons"]] == [
        "unlimited-visits",
        "extra-disk-space",
        "site-migration",
    ]
    assert product["billingPeriod"] == {"duration": 1, "unit": "MONTH"}


async def test_product_without_group_has_null_plan_group(client) -> None:
    body = await gql(client, '{ product(id: "solo", idType: SLUG) { planGroup { name } } }')
    assert data(body)["product"] == {"planGroup": None}


async def test_product_lookup_by_each_id_type(client) -> None:
    query = "query($id: ID!, $t: ProductIdType) { product(id: $id, idType: $t) { slug id } }"
    by_global = data(await gql(client, query, {"id": gid("Product", 2)}))["product"]
    by_database = data(await gql(client, query, {"id": "2", "t": "DATABASE_ID"}))["product"]
    by_slug = data(await gql(client, query, {"id": "premium", "t": "SLUG"}))["product"]
    assert by_global == by_database == by_slug == {"slug": "premium", "id": gid("Product", 2)}


async def test_unknown_ids_return_null(client) -> None:
    query = "query($id: ID!, $t: ProductIdType) { product(id: $id, idType: $t) { slug } }"
    for variables in (
        {"id": gid("Product", 999)},
        {"id": "999", "t": "DATABASE_ID"},
        {"id": "no-such-plan", "t": "SLUG"},
    ):
        body = await gql(client, query, variables)
        assert body == {"data": {"product": None}}


async def test_malformed_global_id_is_an_error_naming_the_field(client) -> None:
    body = await gql(client, '{ product(id: "not base64!") { slug } }')
    assert body["data"] == {"product": None}
    [error] = body["errors"]
    assert "`id` is not a valid id" in error["message"]
    assert error["extensions"] == {"code": "INVALID_ID", "field": "id"}
    assert error["path"] == ["product"]


async def test_global_id_of_another_type_is_rejected(client) -> None:
    body = await gql(client, f'{{ product(id: "{gid("Membership", 1)}") {{ slug }} }}')
    [error] = body["errors"]
    assert error["message"] == "`id` is the id of a Membership, not of a Product."


async def test_database_id_type_needs_an_integer(client) -> None:
    body = await gql(client, '{ product(id: "premium", idType: DATABASE_ID) { slug } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_ID"
    assert "DATABASE_ID" in error["message"]


async def test_wrong_id_type_for_the_object_is_a_validation_error(client) -> None:
    # Memberships have no slug: SLUG is not a MembershipIdType value.
    body = await gql(client, '{ membership(id: "x", idType: SLUG) { databaseId } }')
    [error] = body["errors"]
    assert "MembershipIdType" in error["message"]
    assert "data" not in body or body["data"] is None


async def test_node_query_refetches_by_global_id(client) -> None:
    query = """query($id: ID!) { node(id: $id) { id __typename
               ... on Product { slug } } }"""
    node = data(await gql(client, query, {"id": gid("Product", 3)}))["node"]
    assert node == {"id": gid("Product", 3), "__typename": "Product", "slug": "basic"}
    missing = data(await gql(client, query, {"id": gid("Product", 404)}))["node"]
    assert missing is None


async def test_product_limits_are_the_products_own(client) -> None:
    query = """{ product(id: "basic", idType: SLUG) { limits { sites { enabled limit unlimited }
               diskSpace { limit } domainMapping { enabled limit unlimited }
               postTypes { key limit unlimited } } } }"""
    limits = data(await gql(client, query))["product"]["limits"]
    assert limits["sites"] == {"enabled": True, "limit": 1, "unlimited": False}
    assert limits["diskSpace"] == {"limit": 1024}
    assert limits["domainMapping"] == {"enabled": False, "limit": 0, "unlimited": False}
    assert {"key": "post", "limit": 200, "unlimited": False} in limits["postTypes"]
