"""Relay connections: first/after paging, pageInfo, totalCount and the 100-item cap."""

from __future__ import annotations

import base64

from tests.api.conftest import OPERATOR, data, gql

PAGE = """query($first: Int, $after: String) { memberships(first: $first, after: $after) {
  totalCount nodes { databaseId } edges { cursor node { databaseId } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


async def test_paging_walks_every_membership_once(client) -> None:
    seen, after, pages = [], None, 0
    while True:
        body = await gql(client, PAGE, {"first": 4, "after": after}, headers=OPERATOR)
        page = data(body)["memberships"]
        assert page["totalCount"] == 6
        assert [e["node"] for e in page["edges"]] == page["nodes"]
        assert page["pageInfo"]["hasPreviousPage"] is (pages > 0)
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen += [n["databaseId"] for n in page["nodes"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [1, 2, 3, 4, 5, 6]
    assert pages == 2


async def test_empty_page_after_the_end(client) -> None:
    body = await gql(client, PAGE, {"first": 3}, headers=OPERATOR)
    first = data(body)["memberships"]["pageInfo"]["endCursor"]
    second = data(await gql(client, PAGE, {"first": 3, "after": first}, headers=OPERATOR))
    end = second["memberships"]["pageInfo"]["endCursor"]
    last = data(await gql(client, PAGE, {"first": 3, "after": end}, headers=OPERATOR))
    assert last["memberships"]["nodes"] == []
    assert last["memberships"]["pageInfo"] == {
        "hasNextPage": False, "hasPreviousPage": True, "startCursor": None, "endCursor": None,
    }  # fmt: skip


async def test_pages_are_capped_at_100(client) -> None:
    body = await gql(client, PAGE, {"first": 101}, headers=OPERATOR)
    [error] = body["errors"]
    assert error["message"] == "`first` must be between 0 and 100."
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}


async def test_a_malformed_cursor_is_an_error_naming_after(client) -> None:
    body = await gql(client, PAGE, {"first": 2, "after": "bogus"}, headers=OPERATOR)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}


async def test_products_connection_pages_too(client) -> None:
    query = """{ products(first: 3) { totalCount nodes { slug } pageInfo { hasNextPage } } }"""
    products = data(await gql(client, query))["products"]
    assert products["totalCount"] == 8
    assert [p["slug"] for p in products["nodes"]] == ["free", "premium", "basic"]
    assert products["pageInfo"]["hasNextPage"] is True


async def test_memberships_paged_by_keyset_cursors_visit_every_item_once(client) -> None:
    query = """query($after: String) { memberships(first: 4, after: $after) {
      pageInfo { endCursor hasNextPage hasPreviousPage } edges { cursor node { databaseId } } } }"""
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        body = await gql(client, query, {"after": after}, headers=OPERATOR)
        page = data(body)["memberships"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [edge["node"]["databaseId"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert seen == [1, 2, 3, 4, 5, 6] and pages == 2


async def test_an_offset_cursor_is_not_a_membership_cursor(client) -> None:
    stale = base64.b64encode(b"cursor:3").decode()
    body = await gql(client, "query($a: String) { memberships(after: $a) { totalCount } }",
                     {"a": stale}, headers=OPERATOR)  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "after"
