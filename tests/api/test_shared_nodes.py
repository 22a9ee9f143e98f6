"""Nodes shared for equal values (issue 12): shared Money, and a page's membership limits
remembered per combination within the request, never across different overrides."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from planswitch.domain.limits import Limitations
from planswitch.schema.scalars import Money

from tests.api.conftest import OPERATOR, api_client, data, gql


def test_equal_amounts_share_one_money_rounded_alike() -> None:
    assert Money.of(Decimal("68"), "USD") is Money.of(Decimal("68.000"), "USD")
    assert Money.of(Decimal("68"), "USD").amount.as_tuple() == Decimal("68.00").as_tuple()
    assert Money.of(Decimal("68"), "USD") is not Money.of(Decimal("68"), "EUR")
    assert str(Money.of(Decimal("1500.5"), "JPY").amount) == "1501"
    assert str(Money.of(Decimal("-0.001"), "USD").amount) == "0.00"
    with pytest.raises(TypeError):
        Money.of(68, "USD")  # type: ignore[arg-type]


async def test_same_plan_and_addons_with_other_overrides_keep_their_own_limits(
    demo_store, sqlite_url
) -> None:
    first = demo_store.memberships_by_id([1])[1]
    # Same plan and add-ons, one with a sites override: same combination, other limits.
    twin = dataclasses.replace(first, id=900, version="")
    other = dataclasses.replace(
        first,
        id=901,
        version="",
        limitations_override=Limitations({"sites": {"enabled": True, "limit": 77}}),
    )
    with demo_store.bulk() as batch:
        batch.upsert_membership(twin)
        batch.upsert_membership(other)
    query = """{ memberships(first: 100) { nodes { databaseId limits { sites { limit } } } } }"""
    async with api_client(demo_store, sqlite_url) as client:
        nodes = data(await gql(client, query, headers=OPERATOR))["memberships"]["nodes"]
    limits = {node["databaseId"]: node["limits"]["sites"]["limit"] for node in nodes}
    assert limits[901] == 77
    assert limits[900] == limits[1] != 77
