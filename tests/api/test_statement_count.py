"""No N+1: a page of 50 memberships costs the same SQL statements as a page of 1.

Counted with a SQLAlchemy engine event on the store's own engine (Saleor's benchmark style).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from planswitch.adapters.native import NativeStore
from planswitch.domain.memberships import Membership, MembershipStatus

from tests.api.conftest import OPERATOR, data, gql
from tests.conftest import REFERENCE_NOW
from tests.support.statements import counting

PAGE = """query($first: Int!) { memberships(first: $first) { totalCount nodes {
  databaseId status amount { amount }
  plan { slug planGroup { name } }
  addons { quantity product { slug } }
  limits { sites { limit } diskSpace { limit unlimited } users { key limit } }
  customer { email } payments { totalCount } sites { totalCount } } } }"""


def add_memberships(store: NativeStore, count: int) -> None:
    """``count`` more memberships over every plan and customer, each with two add-ons."""
    template = Membership(
        id=0, customer_id=1, plan_id=2, status=MembershipStatus.ACTIVE, amount=Decimal("68.00"),
        addons={6: 1, 7: 2}, date_created=REFERENCE_NOW, date_expiration=REFERENCE_NOW,
    )  # fmt: skip
    with store.bulk() as batch:
        for i in range(count):
            batch.upsert_membership(
                dataclasses.replace(template, id=100 + i, customer_id=1 + i % 6, plan_id=1 + i % 5)
            )


async def test_a_page_of_50_costs_the_same_statements_as_a_page_of_1(client, demo_store) -> None:
    add_memberships(demo_store, 50)
    await gql(client, PAGE, {"first": 1}, headers=OPERATOR)  # the catalog is cached now
    with counting(demo_store.engine) as one:
        body = await gql(client, PAGE, {"first": 1}, headers=OPERATOR)
    assert len(data(body)["memberships"]["nodes"]) == 1
    with counting(demo_store.engine) as fifty:
        body = await gql(client, PAGE, {"first": 50}, headers=OPERATOR)
    nodes = data(body)["memberships"]["nodes"]
    assert len(nodes) == 50
    assert all(node["limits"]["diskSpace"]["limit"] for node in nodes[6:] if node["addons"])
    assert len(fifty) == len(one), "\n".join(fifty)
    # One statement for the page (the memberships with their scheduled change, customer,
    # add-ons, the catalog's version and the count as columns), then payments (3) and sites
    # (2). Was 9 with the page in its own session (BEGIN, count, add-ons apart), 20 before.
    assert len(one) <= 6, "\n".join(one)


async def test_total_count_alone_runs_one_count_and_fetches_no_page(client, demo_store) -> None:
    add_memberships(demo_store, 30)
    with counting(demo_store.engine) as statements:
        body = await gql(client, "{ memberships { totalCount } }", headers=OPERATOR)
    assert data(body)["memberships"]["totalCount"] == 36
    queries = [s for s in statements if s != "BEGIN"]  # SQLite's transaction start
    assert len(queries) == 1, "\n".join(statements)
    assert "count(" in queries[0].lower()


async def test_a_page_without_total_count_runs_no_count(client, demo_store) -> None:
    with counting(demo_store.engine) as statements:
        body = await gql(
            client, "{ memberships(first: 2) { nodes { databaseId } } }", headers=OPERATOR
        )
    assert [n["databaseId"] for n in data(body)["memberships"]["nodes"]] == [1, 2]
    assert not any("count(" in s.lower() for s in statements), "\n".join(statements)


async def test_a_deep_page_costs_the_statements_of_the_first(client, demo_store) -> None:
    add_memberships(demo_store, 60)
    query = """query($after: String) { memberships(first: 5, after: $after) {
      totalCount pageInfo { endCursor hasNextPage } nodes { databaseId plan { slug } } } }"""
    await gql(client, query, {"after": None}, headers=OPERATOR)  # the catalog is cached now
    with counting(demo_store.engine) as first:
        body = await gql(client, query, {"after": None}, headers=OPERATOR)
    cursor = data(body)["memberships"]["pageInfo"]["endCursor"]
    for _ in range(10):  # walk to the deep end
        body = await gql(client, query, {"after": cursor}, headers=OPERATOR)
        cursor = data(body)["memberships"]["pageInfo"]["endCursor"]
    with counting(demo_store.engine) as deep:
        body = await gql(client, query, {"after": cursor}, headers=OPERATOR)
    page = data(body)["memberships"]
    assert [n["databaseId"] for n in page["nodes"]] == [149, 150, 151, 152, 153]
    assert len(deep) == len(first)
    assert any("memberships.id > " in s for s in deep)  # keyset: WHERE id > :after
