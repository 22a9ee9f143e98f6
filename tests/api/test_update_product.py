"""updateProduct: the operator's catalog edit; every rejected input writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import OPERATOR, customer_headers, data, gql
from tests.api.test_catalog import gid

UPDATE = """mutation($input: UpdateProductInput!) { updateProduct(input: $input) {
  product { databaseId planGroup { name } listOrder active availableAddons { databaseId } }
  userErrors { code field message } } }"""
READ = """{ product(id: "3", idType: DATABASE_ID) { planGroup { name } listOrder active
  availableAddons { databaseId } dateModified } }"""


async def read_basic(client) -> dict[str, Any]:
    return data(await gql(client, READ))["product"]


async def test_operator_updates_group_order_active_and_addons(client) -> None:
    payload = data(
        await gql(
            client,
            UPDATE,
            {
                "input": {
                    "id": gid("Product", 3),
                    "planGroup": "High End",
                    "listOrder": 7,
                    "active": False,
                    "availableAddons": ["8", gid("Product", 6)],
                }
            },
            headers=OPERATOR,
        )  # fmt: skip
    )["updateProduct"]
    assert payload["userErrors"] == []
    assert payload["product"] == {
        "databaseId": 3,
        "planGroup": {"name": "High End"},
        "listOrder": 7,
        "active": False,
        "availableAddons": [{"databaseId": 8}, {"databaseId": 6}],
    }
    after = await read_basic(client)
    assert after["planGroup"] == {"name": "High End"}
    assert after["listOrder"] == 7 and after["active"] is False
    groups = data(await gql(client, "{ planGroups { name plans { slug } } }"))["planGroups"]
    assert groups[0] == {"name": "High End", "plans": [
        {"slug": "free"}, {"slug": "premium"}, {"slug": "basic"}]}  # fmt: skip


async def test_omitted_fields_are_left_alone_and_empty_group_clears_it(client) -> None:
    before = await read_basic(client)
    body = await gql(client, UPDATE, {"input": {"id": "3", "planGroup": ""}}, headers=OPERATOR)
    assert data(body)["updateProduct"]["userErrors"] == []
    after = await read_basic(client)
    assert after["planGroup"] is None
    assert after["listOrder"] == before["listOrder"]
    assert after["availableAddons"] == before["availableAddons"]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"id": "not-an-id!", "listOrder": 1}, "INVALID_ID", "id"),
        ({"id": gid("Membership", 3), "listOrder": 1}, "INVALID_ID", "id"),
        ({"id": "999", "listOrder": 1}, "NOT_FOUND", "id"),
        ({"id": "3", "planGroup": "x" * 21, "listOrder": 1}, "PLAN_GROUP_TOO_LONG", "planGroup"),
        ({"id": "3", "availableAddons": ["6", "999"]}, "NOT_FOUND", "availableAddons"),
        ({"id": "3", "availableAddons": ["%%"], "active": False}, "INVALID_ID", "availableAddons"),
        ({"id": "3", "availableAddons": ["2"]}, "ADDON_NOT_AVAILABLE", "availableAddons"),
    ],
)  # fmt: skip
async def test_bad_input_is_a_user_error_and_writes_nothing(client, changes, code, field) -> None:
    before = await read_basic(client)
    payload = data(await gql(client, UPDATE, {"input": changes}, headers=OPERATOR))
    [error] = payload["updateProduct"]["userErrors"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert payload["updateProduct"]["product"] is None
    assert await read_basic(client) == before


async def test_plan_group_of_exactly_20_characters_is_accepted(client) -> None:
    body = await gql(
        client, UPDATE, {"input": {"id": "3", "planGroup": "y" * 20}}, headers=OPERATOR
    )
    assert data(body)["updateProduct"]["product"]["planGroup"] == {"name": "y" * 20}


@pytest.mark.parametrize("headers", [{}, customer_headers(1)], ids=["anonymous", "customer"])
async def test_only_operators_may_update_products(client, headers) -> None:
    before = await read_basic(client)
    body = await gql(client, UPDATE, {"input": {"id": "3", "active": False}}, headers=headers)
    payload = data(body)["updateProduct"]
    assert payload["product"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_ALLOWED"]
    assert await read_basic(client) == before
