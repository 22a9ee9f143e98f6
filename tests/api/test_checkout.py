"""Checkout over GraphQL through the real ASGI app (issue 8), on the demo (SQLite) and on
PostgreSQL: a change with something due is pending until paid, applies exactly once when
paid, is discarded when not, and can be replaced or cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from planswitch.adapters.native import NativeStore
from planswitch.domain.pending_change import DEFAULT_TTL
from planswitch.resolvers.payments import expire_overdue
from planswitch.schema.node import encode_global_id

from tests.api.conftest import OPERATOR, api_client, customer_headers, data, gql, seeded_store
from tests.conftest import REFERENCE_NOW
from tests.resolvers.conftest import context

FREE_MEMBERSHIP, FREE_CUSTOMER, PREMIUM = 5, None, 2

MEMBERSHIP = """databaseId plan { databaseId } amount { amount } dateExpiration
  limits { sites { limit } }
  pendingChange { createdAt expiresAt paymentAction { provider }
                  quote { changeKind dueNow { amount } plan { databaseId } }
                  payment { databaseId status } }
  payments(first: 5) { nodes { databaseId status total { amount } } }"""
CHANGE = f"""mutation($input: ChangePlanInput!) {{ changePlan(input: $input) {{
  membership {{ {MEMBERSHIP} }} payment {{ databaseId status gateway total {{ amount }} }}
  pendingChange {{ expiresAt payment {{ databaseId }} }} paymentAction {{ provider }}
  userErrors {{ code message }} }} }}"""
READ = f"""query($id: ID!) {{ membership(id: $id, idType: DATABASE_ID) {{ {MEMBERSHIP} }} }}"""
COMPLETE = """mutation($id: ID!, $ref: String) {
  completePayment(input: {paymentId: $id, gatewayPaymentId: $ref}) {
    payment { databaseId status gatewayPaymentId refundRequired }
    membership { plan { databaseId } limits { sites { limit } } }
    userErrors { code message } } }"""
FAIL = """mutation($id: ID!) { failPayment(input: {paymentId: $id, reason: "card declined"}) {
  payment { status } membership { plan { databaseId } } userErrors { code } } }"""
CANCEL = """mutation($id: ID!) { cancelPendingChange(input: {membershipId: $id}) {
  payment { status } membership { pendingChange { createdAt } } userErrors { code } } }"""
PAYMENT = """query($id: ID!) { payment(id: $id, idType: DATABASE_ID) {
  databaseId status refundRequired } }"""


@pytest.fixture(
    params=[
        pytest.param("sqlite_url", id="sqlite"),
        pytest.param("postgres_url", marks=pytest.mark.postgres, id="postgres"),
    ]
)
async def server(request) -> AsyncIterator[tuple[httpx.AsyncClient, NativeStore]]:
    url = request.getfixturevalue(request.param)
    store = seeded_store(url)
    try:
        async with api_client(store, url) as http:
            yield http, store
    finally:
        store.close()


class Flow:
    def __init__(self, http: httpx.AsyncClient, store: NativeStore) -> None:
        self.http, self.store = http, store

    async def run(self, query: str, headers: dict[str, str] = OPERATOR, **variables: Any) -> dict:
        return data(await gql(self.http, query, variables, headers))

    async def upgrade(self, key: str, plan: int = PREMIUM, **fields: Any) -> dict:
        fields = {"membershipId": str(FREE_MEMBERSHIP), "planId": str(plan), **fields}
        return (await self.run(CHANGE, input={"idempotencyKey": key, **fields}))["changePlan"]

    async def read(self, membership_id: int = FREE_MEMBERSHIP) -> dict:
        return (await self.run(READ, id=str(membership_id)))["membership"]

    async def complete(self, payment_id: int, ref: str | None = None) -> dict:
        return (await self.run(COMPLETE, id=str(payment_id), ref=ref))["completePayment"]

    def plan_changes(self) -> int:
        return sum(e.kind == "plan_changed" for e in self.store.events("membership"))


@pytest.fixture
def flow(server) -> Flow:
    return Flow(*server)


async def test_an_upgrade_is_pending_until_paid_then_applies_exactly_once(flow: Flow):
    before = await flow.read()
    result = await flow.upgrade("up-1")
    assert result["userErrors"] == []
    payment = result["payment"]
    assert (payment["status"], payment["gateway"], payment["total"]) == (
        "PENDING",
        "manual",
        {"amount": "49.00"},
    )
    assert result["paymentAction"] == {"provider": "manual"}
    expires = REFERENCE_NOW + DEFAULT_TTL
    assert result["pendingChange"]["expiresAt"] == expires.isoformat()
    # Nothing moved: plan, amount, dates and limits are as before.
    pending = await flow.read()
    for field in ("plan", "amount", "dateExpiration", "limits"):
        assert pending[field] == before[field], field
    change = pending["pendingChange"]
    assert change["quote"] == {
        "changeKind": "UPGRADE",
        "dueNow": {"amount": "49.00"},
        "plan": {"databaseId": PREMIUM},
    }
    assert change["payment"] == {"databaseId": payment["databaseId"], "status": "PENDING"}
    assert change["paymentAction"] == {"provider": "manual"}
    assert pending["payments"]["nodes"][0]["databaseId"] == payment["databaseId"]  # newest first

    paid = await flow.complete(payment["databaseId"], "bank-transfer-42")
    assert paid["userErrors"] == []
    assert paid["payment"] == {
        "databaseId": payment["databaseId"],
        "status": "COMPLETED",
        "gatewayPaymentId": "bank-transfer-42",
        "refundRequired": False,
    }
    assert paid["membership"] == {
        "plan": {"databaseId": PREMIUM},
        "limits": {"sites": {"limit": 10}},
    }
    after = await flow.read()
    assert after["pendingChange"] is None
    assert after["amount"] == {"amount": "49.00"}
    assert after["dateExpiration"] == "2026-07-15T00:00:00+00:00"  # as quoted at commit
    # Completing again (a retry, a second webhook) changes nothing.
    changes = flow.plan_changes()
    again = await flow.complete(payment["databaseId"])
    assert again["userErrors"] == [] and again["payment"]["status"] == "COMPLETED"
    assert flow.plan_changes() == changes == 1
    assert await flow.read() == after


async def test_a_failed_or_cancelled_payment_discards_the_change(flow: Flow):
    before = await flow.read()
    first = await flow.upgrade("up-fail")
    failed = (await flow.run(FAIL, id=str(first["payment"]["databaseId"])))["failPayment"]
    assert failed == {
        "payment": {"status": "FAILED"},
        "membership": {"plan": {"databaseId": before["plan"]["databaseId"]}},
        "userErrors": [],
    }
    assert (await flow.read())["pendingChange"] is None

    # The owner cancels the next one (a customer token of the membership's customer).
    second = await flow.upgrade("up-cancel")
    customer = flow.store.memberships_by_id([FREE_MEMBERSHIP])[FREE_MEMBERSHIP].customer_id
    stranger = await flow.run(CANCEL, customer_headers(customer + 100), id=str(FREE_MEMBERSHIP))
    assert [e["code"] for e in stranger["cancelPendingChange"]["userErrors"]] == ["NOT_FOUND"]
    own = await flow.run(CANCEL, customer_headers(customer), id=str(FREE_MEMBERSHIP))
    assert own["cancelPendingChange"] == {
        "payment": {"status": "CANCELLED"},
        "membership": {"pendingChange": None},
        "userErrors": [],
    }
    none = await flow.run(CANCEL, id=str(FREE_MEMBERSHIP))
    assert [e["code"] for e in none["cancelPendingChange"]["userErrors"]] == ["NO_PENDING_CHANGE"]
    # A customer cannot record money.
    forged = await flow.run(
        COMPLETE, customer_headers(customer), id=str(second["payment"]["databaseId"])
    )
    assert [e["code"] for e in forged["completePayment"]["userErrors"]] == ["NOT_ALLOWED"]
    after = await flow.read()
    for field in ("plan", "amount", "dateExpiration", "limits"):
        assert after[field] == before[field], field
    assert flow.plan_changes() == 0


async def test_an_unpaid_change_expires_after_its_ttl(flow: Flow):
    result = await flow.upgrade("up-expire")
    payment_id = result["payment"]["databaseId"]

    async def expire(now: datetime) -> list[int]:
        return (await expire_overdue(context(flow.store, now=now))).expired

    assert await expire(REFERENCE_NOW + DEFAULT_TTL - timedelta(seconds=1)) == []
    assert await expire(REFERENCE_NOW + DEFAULT_TTL) == [payment_id]
    assert await expire(REFERENCE_NOW + 2 * DEFAULT_TTL) == []
    read = await flow.read()
    assert read["pendingChange"] is None
    assert read["payments"]["nodes"][0] == {
        "databaseId": payment_id,
        "status": "CANCELLED",
        "total": {"amount": "49.00"},
    }


async def test_a_new_change_replaces_the_pending_one_and_cancels_its_payment(flow: Flow):
    first = await flow.upgrade("up-a")
    # Same plan yearly: another quote, another payment; the first is cancelled.
    second = await flow.upgrade("up-b", billingPeriod={"duration": 1, "unit": "YEAR"})
    assert second["userErrors"] == []
    assert second["payment"]["total"] == {"amount": "490.00"}
    old = (await flow.run(PAYMENT, id=str(first["payment"]["databaseId"])))["payment"]
    assert old["status"] == "CANCELLED"
    read = await flow.read()
    assert read["pendingChange"]["payment"]["databaseId"] == second["payment"]["databaseId"]
    paid = await flow.complete(second["payment"]["databaseId"])
    assert paid["membership"]["plan"] == {"databaseId": PREMIUM}
    assert (await flow.read())["amount"] == {"amount": "490.00"}


async def test_a_late_payment_applies_only_on_an_unchanged_membership(flow: Flow):
    # Discarded, nothing changed since: the late money applies the change as quoted.
    first = await flow.upgrade("late-1")
    await flow.run(CANCEL, id=str(FREE_MEMBERSHIP))
    late = await flow.complete(first["payment"]["databaseId"])
    assert late["userErrors"] == []
    assert late["membership"]["plan"] == {"databaseId": PREMIUM}
    assert late["payment"]["refundRequired"] is False
    assert flow.plan_changes() == 1

    # Membership 1 (Premium): a change is discarded, then the membership changes (another
    # change applied): the late money is flagged for refund, and nothing is applied.
    change = {"membershipId": "1", "billingPeriod": {"duration": 1, "unit": "YEAR"}}
    stale = (await flow.run(CHANGE, input={"idempotencyKey": "late-2", **change}))["changePlan"]
    await flow.run(CANCEL, id="1")
    addon = {"membershipId": "1", "addons": [{"productId": "8", "quantity": 1}]}
    other = (await flow.run(CHANGE, input={"idempotencyKey": "late-3", **addon}))["changePlan"]
    await flow.complete(other["payment"]["databaseId"])
    before = await flow.read(1)
    refunded = await flow.complete(stale["payment"]["databaseId"])
    assert refunded["userErrors"] == []
    assert refunded["payment"]["status"] == "COMPLETED"
    assert refunded["payment"]["refundRequired"] is True
    after = await flow.read(1)
    assert {k: v for k, v in after.items() if k != "payments"} == {
        k: v for k, v in before.items() if k != "payments"
    }
    events = [e.kind for e in flow.store.events("payment", stale["payment"]["databaseId"])]
    assert events[-1] == "payment_refund_required"


async def test_payments_and_sites_are_nodes(flow: Flow):
    result = await flow.upgrade("node-1")
    payment_id = result["payment"]["databaseId"]
    query = """query($p: ID!, $s: ID!, $c: ID!) {
      p: node(id: $p) { id ... on Payment { databaseId status } }
      s: node(id: $s) { id ... on Site { databaseId } }
      c: customer(id: $c, idType: DATABASE_ID) { payments { nodes { databaseId } } } }"""
    site = flow.store.sites_by_membership([1])[1][0]
    customer = flow.store.memberships_by_id([FREE_MEMBERSHIP])[FREE_MEMBERSHIP].customer_id
    found = await flow.run(
        query,
        p=encode_global_id("Payment", payment_id),
        s=encode_global_id("Site", site.id),
        c=str(customer),
    )
    assert found["p"]["databaseId"] == payment_id and found["p"]["status"] == "PENDING"
    assert found["s"]["databaseId"] == site.id
    assert found["c"]["payments"]["nodes"][0]["databaseId"] == payment_id
    # Another customer sees neither.
    hidden = await flow.run(
        query,
        customer_headers(customer + 100),
        p=encode_global_id("Payment", payment_id),
        s=encode_global_id("Site", site.id),
        c=str(customer),
    )
    assert hidden == {"p": None, "s": None, "c": None}
