"""The executor behind /graphql (server/execution.py): GET and POST, operation choice, the
document cache. Errors and limits have their own files (test_errors, test_hardening)."""

from __future__ import annotations

import json

from planswitch.schema.app import build_schema
from planswitch.server.execution import CACHEABLE_LENGTH, Executor

from tests.api.conftest import OPERATOR

PRODUCTS = "query Count($n: Int) { products(first: $n) { totalCount nodes { slug } } }"


async def test_a_query_over_get_takes_variables_and_an_operation_name(client) -> None:
    params = {
        "query": PRODUCTS + " query Other { products { totalCount } }",
        "variables": json.dumps({"n": 2}),
        "operationName": "Count",
    }
    response = await client.get("/graphql", params=params, headers=OPERATOR)
    assert response.status_code == 200, response.text
    products = response.json()["data"]["products"]
    assert len(products["nodes"]) == 2 and products["totalCount"] > 2


async def test_get_refuses_what_post_refuses(client) -> None:
    nul = await client.get(
        "/graphql", params={"query": PRODUCTS, "variables": '{"n": "\\u0000"}'}, headers=OPERATOR
    )
    assert (
        nul.status_code == 400 and nul.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    )
    bad = await client.get(
        "/graphql", params={"query": PRODUCTS, "variables": "{n: 2}"}, headers=OPERATOR
    )
    assert bad.status_code == 400 and "variables" in bad.json()["errors"][0]["message"]
    empty = await client.get("/graphql", params={"query": " "}, headers=OPERATOR)
    assert empty.status_code == 400 and "query" in empty.json()["errors"][0]["message"]


async def test_several_operations_need_an_operation_name(client) -> None:
    document = "query A { products { totalCount } } query B { planGroups { __typename } }"
    response = await client.post("/graphql", json={"query": document}, headers=OPERATOR)
    assert response.status_code == 400
    assert "operationName" in response.json()["errors"][0]["message"]
    response = await client.post(
        "/graphql", json={"query": document, "operationName": "B"}, headers=OPERATOR
    )
    assert response.status_code == 200 and list(response.json()["data"]) == ["planGroups"]


def test_a_document_is_parsed_and_validated_once() -> None:
    executor = Executor(build_schema(), max_tokens=2000, max_depth=10, max_aliases=15)
    first = executor.prepare(PRODUCTS)
    assert first.document is not None and not first.errors
    assert executor.prepare(PRODUCTS) is first  # the cached parse, not a new one
    invalid = executor.prepare("{ products { totalCont } }")
    assert invalid.document is None and executor.prepare("{ products { totalCont } }") is invalid


def test_long_documents_are_not_kept() -> None:
    executor = Executor(build_schema(), max_tokens=2000, max_depth=10, max_aliases=15)
    padded = PRODUCTS + " " * CACHEABLE_LENGTH  # whitespace: no tokens, still long
    prepared = executor.prepare(padded)
    assert prepared.document is not None
    assert executor.prepare(padded) is not prepared  # parsed again: the cache stays bounded
