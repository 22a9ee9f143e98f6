"""Memberships and customers on the demo seed: fields, filters, effective limits, lookups."""

from __future__ import annotations

from tests.api.conftest import OPERATOR, data, gql
from tests.api.test_catalog import gid

LIMITS = """limits { sites { enabled limit unlimited } visits { limit unlimited }
  diskSpace { limit unlimited } domainMapping { enabled limit unlimited }
  users { key enabled limit unlimited } postTypes { key limit unlimited }
  customerUserRole { role } hideCredits }"""


async def test_membership_fields_on_the_demo_seed(client) -> None:
    query = """{ membership(id: "1", idType: DATABASE_ID) { id databaseId status
      plan { slug } addons { quantity product { slug } } amount { amount currency formatted }
      initialAmount { amount } billingPeriod { duration unit } recurring autoRenew
      dateCreated dateRenewed dateExpiration timesBilled gateway scheduledChange { effectiveAt }
      customer { databaseId email displayName } payments { totalCount nodes { status
      total { amount } lineItems { type title } } } sites { totalCount } } }"""
    membership = data(await gql(client, query, headers=OPERATOR))["membership"]
    assert membership["id"] == gid("Membership", 1)
    assert membership["status"] == "ACTIVE"
    assert membership["plan"] == {"slug": "premium"}
    assert membership["addons"] == [
        {"quantity": 1, "product": {"slug": "unlimited-visits"}},
        {"quantity": 2, "product": {"slug": "extra-disk-space"}},
    ]
    assert membership["amount"] == {"amount": "68.00", "currency": "USD", "formatted": "$68.00"}
    assert membership["billingPeriod"] == {"duration": 1, "unit": "MONTH"}
    assert membership["dateRenewed"] == "2026-06-03T00:00:00+00:00"
    assert membership["dateExpiration"] == "2026-07-03T23:59:59+00:00"
    assert membership["timesBilled"] == 8
    assert membership["scheduledChange"] is None
    assert membership["customer"]["email"] == "olivia@example.com"
    assert membership["payments"]["totalCount"] == 1
    assert membership["sites"]["totalCount"] == 2


async def test_effective_limits_add_up_plan_and_addons(client) -> None:
    query = f"""{{ membership(id: "{gid("Membership", 1)}") {{ {LIMITS}
      plan {{ limits {{ diskSpace {{ limit }} visits {{ limit }} }} }}
      addons {{ quantity product {{ slug limits {{ diskSpace {{ limit }} }} }} }} }} }}"""
    membership = data(await gql(client, query, headers=OPERATOR))["membership"]
    limits = membership["limits"]
    plan_disk = membership["plan"]["limits"]["diskSpace"]["limit"]
    [visits_addon, disk_addon] = membership["addons"]
    addon_disk = disk_addon["product"]["limits"]["diskSpace"]["limit"]
    # Premium's own disk space plus 2 x Extra Disk Space.
    assert limits["diskSpace"] == {"limit": plan_disk + 2 * addon_disk, "unlimited": False}
    assert limits["diskSpace"]["limit"] == 14336
    # The Unlimited Visits add-on makes visits unlimited whatever the plan says.
    assert limits["visits"] == {"limit": None, "unlimited": True}
    assert limits["sites"] == {"enabled": True, "limit": 10, "unlimited": False}
    assert limits["domainMapping"] == {"enabled": True, "limit": None, "unlimited": True}
    assert {"key": "administrator", "enabled": True, "limit": 3, "unlimited": False} in limits[
        "users"
    ]
    assert limits["customerUserRole"] == {"role": "administrator"}


async def test_basic_membership_limits_come_from_the_plan(client) -> None:
    query = f'{{ membership(id: "3", idType: DATABASE_ID) {{ {LIMITS} }} }}'
    limits = data(await gql(client, query, headers=OPERATOR))["membership"]["limits"]
    assert limits["sites"] == {"enabled": True, "limit": 1, "unlimited": False}
    assert limits["visits"] == {"limit": 5000, "unlimited": False}
    assert limits["domainMapping"] == {"enabled": False, "limit": 0, "unlimited": False}
    assert {"key": "post", "limit": 200, "unlimited": False} in limits["postTypes"]
    assert limits["hideCredits"] is False


async def test_memberships_filters(client) -> None:
    query = """query($where: MembershipsWhere) { memberships(where: $where) {
               totalCount nodes { databaseId } } }"""

    async def ids(where: dict) -> list[int]:
        body = await gql(client, query, {"where": where}, headers=OPERATOR)
        return [m["databaseId"] for m in data(body)["memberships"]["nodes"]]

    assert await ids({}) == [1, 2, 3, 4, 5, 6]
    assert await ids({"status": "ACTIVE"}) == [1, 2, 5]
    assert await ids({"planId": gid("Product", 3)}) == [3, 4]
    assert await ids({"customerId": "2"}) == [2]
    assert await ids({"customerId": gid("Customer", 6), "status": "CANCELLED"}) == [6]


async def test_memberships_filter_with_a_malformed_id_names_the_field(client) -> None:
    body = await gql(
        client, '{ memberships(where: {planId: "%%%"}) { totalCount } }', headers=OPERATOR
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_ID", "field": "planId"}


async def test_customers_and_customer_lookup(client) -> None:
    body = await gql(
        client,
        """{ customers(first: 2) { totalCount nodes { databaseId email vip } }
             customer(id: "2", idType: DATABASE_ID) { login memberships { nodes { databaseId } } }
             unknown: customer(id: "99", idType: DATABASE_ID) { login } }""",
        headers=OPERATOR,
    )
    result = data(body)
    assert result["customers"]["totalCount"] == 6
    assert result["customers"]["nodes"] == [
        {"databaseId": 1, "email": "olivia@example.com", "vip": False},
        {"databaseId": 2, "email": "marco@example.com", "vip": True},
    ]
    assert result["customer"] == {"login": "marco", "memberships": {"nodes": [{"databaseId": 2}]}}
    assert result["unknown"] is None


async def test_lifetime_membership_has_no_expiration(client) -> None:
    query = """{ membership(id: "5", idType: DATABASE_ID) {
      recurring dateExpiration amount { amount } } }"""
    membership = data(await gql(client, query, headers=OPERATOR))["membership"]
    assert membership == {"recurring": False, "dateExpiration": None, "amount": {"amount": "0.00"}}
