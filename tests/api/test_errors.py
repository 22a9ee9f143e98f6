"""Failures reach clients as clear messages, never as tracebacks; abusive documents are refused."""

from __future__ import annotations

import logging

from sqlalchemy import text

from tests.api.conftest import OPERATOR, gql


async def test_an_unexpected_database_error_is_masked_and_logged(
    client, demo_store, caplog
) -> None:
    with demo_store.engine.begin() as connection:
        connection.execute(text("DROP TABLE payment_line_items"))
    query = '{ membership(id: "1", idType: DATABASE_ID) { databaseId payments { totalCount } } }'
    with caplog.at_level(logging.ERROR, logger="planswitch.graphql"):
        body = await gql(client, query, headers=OPERATOR)
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert "payment_line_items" not in str(body) and "Traceback" not in str(body)
    assert "extensions" not in error or "code" not in error["extensions"]
    assert any(record.exc_info for record in caplog.records), "the traceback must be logged"


async def test_field_suggestions_are_disabled(client) -> None:
    body = await gql(client, "{ products { totalCont } }")
    [error] = body["errors"]
    assert "Did you mean" not in error["message"]
    assert "totalCont" in error["message"]


async def test_too_deep_queries_are_refused(client) -> None:
    deep = "{ products { nodes { " + "availableAddons { " * 12 + "slug" + " }" * 14 + " }"
    body = await gql(client, deep)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(client) -> None:
    aliases = " ".join(f"a{i}: products {{ totalCount }}" for i in range(20))
    body = await gql(client, f"{{ {aliases} }}")
    assert "aliases" in body["errors"][0]["message"].lower()


async def test_a_syntax_error_is_reported_as_such(client) -> None:
    body = await gql(client, "{ products { ")
    assert "Syntax Error" in body["errors"][0]["message"]
