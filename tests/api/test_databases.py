"""The API on the production databases: PostgreSQL and MariaDB (skipped without their URLs)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.api.conftest import OPERATOR, api_client, data, gql, seeded_store
from tests.api.test_statement_count import PAGE, add_memberships
from tests.support.statements import counting


@pytest.fixture(
    params=[
        pytest.param("postgres_url", marks=pytest.mark.postgres, id="postgres"),
        pytest.param("mariadb_url", marks=pytest.mark.mariadb, id="mariadb"),
    ]
)
async def server(request) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    url = request.getfixturevalue(request.param)
    store = seeded_store(url)
    try:
        async with api_client(store, url) as http:
            yield http, store
    finally:
        store.close()


async def test_catalog_and_limits(server) -> None:
    http, _ = server
    body = await gql(
        http,
        """{ products(where: {type: PLAN}) { totalCount nodes { slug price { amount } } }
             planGroups { name plans { slug } }
             membership(id: "1", idType: DATABASE_ID) { amount { amount }
               limits { diskSpace { limit } visits { unlimited } sites { limit } } } }""",
        headers=OPERATOR,
    )
    result = data(body)
    assert result["products"]["totalCount"] == 5
    assert result["products"]["nodes"][1] == {"slug": "premium", "price": {"amount": "49.00"}}
    assert [g["name"] for g in result["planGroups"]] == ["High End", "Standard"]
    assert result["membership"] == {
        "amount": {"amount": "68.00"},
        "limits": {"diskSpace": {"limit": 14336}, "visits": {"unlimited": True},
                   "sites": {"limit": 10}},
    }  # fmt: skip


async def test_update_product_and_rejection(server) -> None:
    http, _ = server
    mutation = """mutation($input: UpdateProductInput!) { updateProduct(input: $input) {
      product { listOrder planGroup { name } } userErrors { code field } } }"""
    ok = await gql(http, mutation, {"input": {"id": "4", "listOrder": 9, "planGroup": "Pro"}},
                   headers=OPERATOR)  # fmt: skip
    assert data(ok)["updateProduct"] == {
        "product": {"listOrder": 9, "planGroup": {"name": "Pro"}},
        "userErrors": [],
    }
    bad = await gql(http, mutation, {"input": {"id": "4", "listOrder": 1, "planGroup": "z" * 21}},
                    headers=OPERATOR)  # fmt: skip
    assert data(bad)["updateProduct"]["userErrors"] == [
        {"code": "PLAN_GROUP_TOO_LONG", "field": "planGroup"}
    ]
    read = await gql(http, '{ product(id: "4", idType: DATABASE_ID) { listOrder } }')
    assert data(read)["product"] == {"listOrder": 9}


async def test_statement_count_does_not_grow_with_the_page(server) -> None:
    http, store = server
    add_memberships(store, 30)
    data(await gql(http, PAGE, {"first": 1}, headers=OPERATOR))  # the catalog is cached now
    with counting(store.engine) as one:
        data(await gql(http, PAGE, {"first": 1}, headers=OPERATOR))
    with counting(store.engine) as many:
        data(await gql(http, PAGE, {"first": 30}, headers=OPERATOR))
    assert len(many) == len(one)
