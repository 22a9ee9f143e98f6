"""Live mode end to end: the real ASGI app serving the fixture network's plugin tables.

Every query and mutation goes through ``create_app`` (HTTP via httpx's ASGI transport, or a
real ``planswitch serve`` process) over a ``WordPressStore`` on the fixture dump loaded into
a fresh MariaDB database; the expected values come from ``wp_public.summary.json`` or from
the domain functions computed directly on the same store's objects.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.money import round_money
from planswitch.domain.plan_change import PlanChangeRequest
from planswitch.domain.quotes import quote as compute_quote
from planswitch.domain.upgrade_options import upgrade_options
from planswitch.server.app import create_app
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings
from sqlalchemy import create_engine, text

from tests.adapters.wordpress import conftest as wordpress_fixtures
from tests.conftest import REFERENCE_NOW

pytestmark = pytest.mark.mariadb

API_KEY = "live-operator-key"
SECRET = "live-secret-key-0123456789abcdef0123456789abcdef"
OPERATOR = {"Authorization": f"Bearer {API_KEY}"}
ROOT = Path(__file__).resolve().parents[2]

# The WordPress adapter's fixtures (the dump loaded into fresh MariaDB databases), shared here.
load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture
wordpress_url = wordpress_fixtures.wordpress_url
wordpress_summary = wordpress_fixtures.wordpress_summary

MONEY = "{ amount currency }"
PERIOD = "{ duration unit }"
LIMIT = "{ enabled limit unlimited }"
PRODUCTS = f"""{{ products(first: 100) {{ totalCount nodes {{
  databaseId slug name type pricingType price {MONEY} setupFee {MONEY}
  billingPeriod {PERIOD} trialPeriod {PERIOD} recurring billingCycles listOrder active
  dateCreated dateModified planGroup {{ name }} availableAddons {{ databaseId }}
  priceVariations {{ billingPeriod {PERIOD} price {MONEY} }}
  limits {{ sites {LIMIT} visits {LIMIT} diskSpace {LIMIT} }}
}} }} }}"""
CUSTOMERS = """{ customers(first: 100) { totalCount nodes {
  databaseId userId email displayName login vip hasTrialed dateRegistered
  memberships(first: 100) { nodes { databaseId } }
} } }"""
MEMBERSHIP = f"""
  databaseId status currency amount {MONEY} initialAmount {MONEY} billingPeriod {PERIOD}
  recurring autoRenew dateCreated dateActivated dateTrialEnd dateRenewed dateCancellation
  dateExpiration timesBilled billingCycles gateway gatewayCustomerId gatewaySubscriptionId
  plan {{ databaseId name }} addons {{ quantity product {{ databaseId name }} }}
  customer {{ databaseId }} sites(first: 100) {{ nodes {{ databaseId }} }}
  limits {{ sites {LIMIT} visits {LIMIT} diskSpace {LIMIT} }}
  scheduledChange {{ effectiveAt plan {{ databaseId name }} amount {MONEY}
                     billingPeriod {PERIOD} addons {{ quantity product {{ databaseId name }} }} }}
"""
MEMBERSHIPS = f"{{ memberships(first: 100) {{ totalCount nodes {{ {MEMBERSHIP} }} }} }}"
READ_MEMBERSHIP = f"""query($id: ID!) {{
  membership(id: $id, idType: DATABASE_ID) {{ {MEMBERSHIP} }} }}"""
LINE = f"""type title description quantity unitPrice {MONEY} subtotal {MONEY}
  discountTotal {MONEY} taxTotal {MONEY} total {MONEY} recurring billingPeriod {PERIOD}
  product {{ databaseId }}"""
PAYMENT = f"""databaseId status currency subtotal {MONEY} discountTotal {MONEY}
  taxTotal {MONEY} total {MONEY} refundTotal {MONEY} discountCode gateway
  membershipDatabaseId dateCreated lineItems {{ {LINE} }}"""
PAYMENTS = f"""{{ memberships(first: 100) {{ nodes {{ databaseId
  payments(first: 100) {{ totalCount nodes {{ {PAYMENT} }} }} }} }} }}"""
OPTIONS = f"""query($id: ID!) {{ upgradeOptions(membershipId: $id) {{
  plans {{ plan {{ databaseId }} direction timing allowed price {MONEY}
          blockers {{ code module current allowed }} }}
  addons {{ product {{ databaseId }} held quantity price {MONEY} }}
  userErrors {{ code field message }} }} }}"""
QUOTE = f"""changeKind message quoteToken effectiveAt nextBillingDate scheduled
  lineItems {{ type title quantity unitPrice {MONEY} total {MONEY} }}
  subtotal {MONEY} credit {MONEY} discount {MONEY} dueNow {MONEY} unusedCredit {MONEY}
  nextBillingAmount {MONEY} plan {{ databaseId }} billingPeriod {PERIOD}
  addons {{ quantity product {{ databaseId }} }}
  limitChanges {{ module key before after }} userErrors {{ code field message }}"""
PREVIEW = f"query($input: PlanChangeInput!) {{ planChangeQuote(input: $input) {{ {QUOTE} }} }}"
COMPLETE = """mutation($input: CompletePaymentInput!) { completePayment(input: $input) {
  payment { status } userErrors { code } } }"""
CHANGE = f"""mutation($input: ChangePlanInput!) {{ changePlan(input: $input) {{
  membership {{ {MEMBERSHIP} }}
  payment {{ {PAYMENT} }}
  quote {{ {QUOTE} }}
  userErrors {{ code field message }} }} }}"""


# ----------------------------------------------------------------------------- helpers


def settings_for(url: str, prefix: str = "wp_", writes: bool = False) -> Settings:
    return Settings(
        wordpress_url=url,
        wordpress_prefix=prefix,
        wordpress_writes=writes,
        demo=False,
        api_keys=[API_KEY],
        secret_key=SECRET,
        apply_due_interval_seconds=0,
    )


@asynccontextmanager
async def live_client(
    url: str, prefix: str = "wp_", writes: bool = False
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app built from settings alone (``make_store`` picks the WordPress adapter)."""
    app = create_app(settings_for(url, prefix, writes), clock=FixedClock(REFERENCE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://live.test") as client:
        yield client


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=OPERATOR
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def dec(value: Any) -> Decimal:
    """A summary amount (decimal string or PHP float) as the API rounds it."""
    return round_money(Decimal(str(value)))


def money(api: dict[str, Any]) -> Decimal:
    assert api["currency"] == "USD"
    return Decimal(api["amount"])


def when(text_value: str | None) -> datetime | None:
    """A summary datetime (UTC ``Y-m-d H:i:s``; the zero date = never) as an aware datetime."""
    if text_value is None or text_value.startswith("0000-00-00"):
        return None
    return datetime.strptime(text_value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def api_when(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0, value
    return parsed


def period(duration: Any, unit: str) -> dict[str, Any]:
    return {"duration": int(duration), "unit": unit.upper()}


def headline_matches(api_limit: dict[str, Any], stored: dict[str, Any], module: str) -> None:
    """A product's own limit as the plugin reads it: '' or 0 = unlimited (visits, disk)."""
    assert api_limit["enabled"] is stored["enabled"], (module, api_limit, stored)
    if not stored["enabled"]:
        return
    raw = stored["limit"]
    if raw in ("", "0", 0) and module != "sites":
        assert api_limit["unlimited"] is True and api_limit["limit"] is None, (module, api_limit)
    else:
        assert api_limit == {"enabled": True, "limit": int(raw), "unlimited": False}, module


def table_checksums(url: str) -> dict[str, Any]:
    """CHECKSUM TABLE of every table of the database (the set of tables included)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = [row[0] for row in conn.execute(text("SHOW TABLES"))]
            quoted = ", ".join(f"`{name}`" for name in names)
            return {row[0]: row[1] for row in conn.execute(text(f"CHECKSUM TABLE {quoted}"))}
    finally:
        engine.dispose()


def query_rows(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


@pytest.fixture
def writable_url(load_wordpress_fixture: Callable[..., str]) -> str:
    """A copy of the fixture of this test's own (tests that may write)."""
    return load_wordpress_fixture()


# ---------------------------------------------------------------- 1. reads vs the summary


async def test_products_match_the_summary(wordpress_url, wordpress_summary) -> None:
    async with live_client(wordpress_url) as client:
        products = (await gql(client, PRODUCTS))["products"]
    expected = wordpress_summary["products"]
    assert products["totalCount"] == len(expected) == 8
    by_id = {node["databaseId"]: node for node in products["nodes"]}
    assert sorted(by_id) == sorted(p["id"] for p in expected)
    for stored in expected:
        api = by_id[stored["id"]]
        assert api["name"] == stored["name"]
        assert api["slug"] == stored["slug"]
        assert (
            api["type"]
            == {"plan": "PLAN", "package": "PACKAGE", "service": "SERVICE"}[stored["type"]]
        )
        assert api["pricingType"] == stored["pricing_type"].upper()
        assert money(api["price"]) == dec(stored["amount"])
        assert money(api["setupFee"]) == dec(stored["setup_fee"])
        assert api["billingPeriod"] == period(stored["duration"], stored["duration_unit"])
        if stored["trial_duration"]:
            assert api["trialPeriod"] == period(
                stored["trial_duration"], stored["trial_duration_unit"]
            )
        else:
            assert api["trialPeriod"] is None
        assert api["recurring"] is bool(stored["recurring"])
        assert api["billingCycles"] == stored["billing_cycles"]
        assert api["listOrder"] == stored["list_order"]
        assert api["active"] is bool(stored["active"])
        assert api_when(api["dateCreated"]) == when(stored["date_created"])
        assert api_when(api["dateModified"]) == when(stored["date_modified"])
        group = stored["product_group"] or None
        assert (api["planGroup"] or {}).get("name") == group
        assert [a["databaseId"] for a in api["availableAddons"]] == stored["available_addons"]
        assert [(v["billingPeriod"], money(v["price"])) for v in api["priceVariations"]] == [
            (period(v["duration"], v["duration_unit"]), dec(v["amount"]))
            for v in stored["price_variations"]
        ]
        for module, field in (
            ("sites", "sites"),
            ("visits", "visits"),
            ("disk_space", "diskSpace"),
        ):
            headline_matches(api["limits"][field], stored["limits_headline"][module], module)


async def test_customers_match_the_summary(wordpress_url, wordpress_summary) -> None:
    async with live_client(wordpress_url) as client:
        customers = (await gql(client, CUSTOMERS))["customers"]
    expected = wordpress_summary["customers"]
    assert customers["totalCount"] == len(expected) == 6
    by_id = {node["databaseId"]: node for node in customers["nodes"]}
    assert sorted(by_id) == [c["id"] for c in expected]
    for stored in expected:
        api = by_id[stored["id"]]
        assert api["userId"] == stored["user_id"]
        assert api["email"] == stored["email"]
        assert api["displayName"] == stored["display_name"]
        assert api["login"] == stored["login"]
        assert api["vip"] is bool(stored["vip"])
        assert api["hasTrialed"] is bool(stored["has_trialed"])
        assert api_when(api["dateRegistered"]) == when(stored["date_registered"])
        held = sorted(m["databaseId"] for m in api["memberships"]["nodes"])
        assert held == sorted(stored["membership_ids"])


async def test_memberships_match_the_summary(wordpress_url, wordpress_summary) -> None:
    async with live_client(wordpress_url) as client:
        memberships = (await gql(client, MEMBERSHIPS))["memberships"]
    expected = wordpress_summary["memberships"]
    assert memberships["totalCount"] == len(expected) == 8
    by_id = {node["databaseId"]: node for node in memberships["nodes"]}
    assert sorted(by_id) == [m["id"] for m in expected]
    for stored in expected:
        api = by_id[stored["id"]]
        assert api["status"] == stored["status"].upper(), stored["id"]
        assert api["currency"] == stored["currency"]
        assert money(api["amount"]) == dec(stored["amount"])
        assert money(api["initialAmount"]) == dec(stored["initial_amount"])
        assert api["billingPeriod"] == period(stored["duration"], stored["duration_unit"])
        assert api["recurring"] is bool(stored["recurring"])
        assert api["autoRenew"] is bool(stored["auto_renew"])
        assert api["timesBilled"] == stored["times_billed"]
        assert api["billingCycles"] == stored["billing_cycles"]
        assert api["gateway"] == stored["gateway"]
        assert api["gatewayCustomerId"] == stored["gateway_customer_id"]
        assert api["gatewaySubscriptionId"] == stored["gateway_subscription_id"]
        for field, column in (
            ("dateCreated", "date_created"),
            ("dateActivated", "date_activated"),
            ("dateTrialEnd", "date_trial_end"),
            ("dateRenewed", "date_renewed"),
            ("dateCancellation", "date_cancellation"),
            ("dateExpiration", "date_expiration"),
        ):
            assert api_when(api[field]) == when(stored[column]), (stored["id"], field)
        assert api["plan"] == {"databaseId": stored["plan_id"], "name": stored["plan_name"]}
        assert [
            (a["product"]["databaseId"], a["product"]["name"], a["quantity"]) for a in api["addons"]
        ] == [(a["product_id"], a["name"], a["quantity"]) for a in stored["addon_products"]]
        assert api["customer"] == {"databaseId": stored["customer_id"]}
        assert sorted(s["databaseId"] for s in api["sites"]["nodes"]) == stored["site_ids"]
        if stored["id"] != 1:
            assert api["scheduledChange"] is None, stored["id"]

    # The lifetime membership never expires; the one awaiting its first payment keeps the
    # plugin's "day 0" expiration as stored.
    assert by_id[6]["dateExpiration"] is None
    assert api_when(by_id[7]["dateExpiration"]) == datetime(1970, 1, 1, 23, 59, 59, tzinfo=UTC)

    # Membership 1: Premium + Unlimited Visits x1 + Extra Disk Space x2.
    first = by_id[1]
    assert first["limits"]["sites"] == {"enabled": True, "limit": 10, "unlimited": False}
    assert first["limits"]["visits"] == {"enabled": True, "limit": None, "unlimited": True}
    assert first["limits"]["diskSpace"] == {"enabled": True, "limit": 14336, "unlimited": False}
    swap = wordpress_summary["scheduled_changes"][0]
    change = first["scheduledChange"]
    assert api_when(change["effectiveAt"]) == when(swap["scheduled_date"])
    assert api_when(change["effectiveAt"]) == datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
    assert change["plan"] == {"databaseId": 3, "name": "Basic"}
    assert [(a["product"]["name"], a["quantity"]) for a in change["addons"]] == [
        ("Unlimited Visits", 1)
    ]
    assert money(change["amount"]) == Decimal("28.00") == dec(swap["after_swap"]["amount"])
    assert change["billingPeriod"] == period(1, "month")


async def test_payments_match_the_summary(wordpress_url, wordpress_summary) -> None:
    async with live_client(wordpress_url) as client:
        nodes = (await gql(client, PAYMENTS))["memberships"]["nodes"]
    payments = {
        payment["databaseId"]: (membership["databaseId"], payment)
        for membership in nodes
        for payment in membership["payments"]["nodes"]
    }
    expected = wordpress_summary["payments"]
    assert sorted(payments) == [p["id"] for p in expected] and len(expected) == 13
    for stored in expected:
        membership_id, api = payments[stored["id"]]
        assert membership_id == stored["membership_id"] == api["membershipDatabaseId"]
        assert api["status"] == stored["status"].upper().replace("-", "_")
        assert api["currency"] == stored["currency"]
        for field, column in (
            ("subtotal", "subtotal"),
            ("discountTotal", "discount_total"),
            ("taxTotal", "tax_total"),
            ("total", "total"),
            ("refundTotal", "refund_total"),
        ):
            assert money(api[field]) == dec(stored[column]), (stored["id"], field)
        assert api["discountCode"] == stored["discount_code"]
        assert api["gateway"] == stored["gateway"]
        assert api_when(api["dateCreated"]) == when(stored["date_created"])
        assert len(api["lineItems"]) == len(stored["line_items"]), stored["id"]
        for line, item in zip(api["lineItems"], stored["line_items"], strict=True):
            assert line["type"] == item["type"].upper()
            assert line["title"] == item["title"]
            assert line["description"] == item["description"]
            assert line["quantity"] == item["quantity"]
            assert money(line["unitPrice"]) == dec(item["unit_price"])
            assert money(line["subtotal"]) == dec(item["subtotal"])
            assert money(line["discountTotal"]) == dec(item["discount_total"])
            assert money(line["taxTotal"]) == dec(item["tax_total"])
            assert money(line["total"]) == dec(item["total"]), (stored["id"], item["title"])
            assert line["recurring"] is item["recurring"]
            assert (line["product"] or {}).get("databaseId") == item["product_id"]
    # Payment 8's Solo line is a PHP float (6.029999999999999) served as exactly 6.03.
    solo = payments[8][1]["lineItems"][0]
    assert solo["total"] == {"amount": "6.03", "currency": "USD"}


# ---------------------------------------------------------- 2. options and exact quotes


def pays_by_invoice(url: str, membership_id: int) -> str:
    """Make the membership renew through the plugin (manual gateway, no subscription), so a
    change does not touch a gateway subscription planswitch cannot update (issue 10)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE wp_wu_memberships SET gateway = 'manual', "
                    "gateway_subscription_id = '' WHERE id = :id"
                ),
                {"id": membership_id},
            )
    finally:
        engine.dispose()
    return url


async def test_upgrade_options_and_quotes_for_membership_5(writable_url) -> None:
    wordpress_url = pays_by_invoice(writable_url, 5)
    store = WordPressStore(wordpress_url)
    try:
        membership = store.memberships_by_id([5])[5]
        catalog = {product.id: product for product in store.list_products()}
        usage = store.usage(5)
        customer = store.customers_by_id([membership.customer_id])[membership.customer_id]
    finally:
        store.dispose()
    expected = upgrade_options(membership, catalog, REFERENCE_NOW, usage=usage)
    active_plans = sorted(
        p.id for p in catalog.values() if p.type.value == "plan" and p.active and p.id != 5
    )
    assert active_plans == [1, 2, 3, 4]

    async with live_client(wordpress_url) as client:
        options = (await gql(client, OPTIONS, id="5"))["upgradeOptions"]
        assert options["userErrors"] == []
        # Solo has no plan group: every other active plan is offered.
        others = [o for o in options["plans"] if o["plan"]["databaseId"] != 5]
        assert sorted(o["plan"]["databaseId"] for o in others) == active_plans
        assert [o["plan"]["databaseId"] for o in options["plans"]] == [
            o.plan_id for o in expected.plans
        ]
        for api, option in zip(options["plans"], expected.plans, strict=True):
            assert api["direction"] == option.direction.name
            assert api["timing"] == option.timing.name
            assert api["allowed"] is option.allowed
            assert [b["code"] for b in api["blockers"]] == [b.code.name for b in option.blockers]
            if option.price is None:
                assert api["price"] is None
            else:
                assert money(api["price"]) == option.price.amount
        assert [money(a["price"]) for a in options["addons"]] == [
            a.price.amount for a in expected.addons if a.price is not None
        ]

        assert [
            (a["product"]["databaseId"], a["held"], a["quantity"]) for a in options["addons"]
        ] == [(a.product_id, a.held, a.quantity) for a in expected.addons]

        for plan_id in active_plans:
            api = (await gql(client, PREVIEW, input={"membershipId": "5", "planId": str(plan_id)}))[
                "planChangeQuote"
            ]
            direct = compute_quote(
                membership,
                PlanChangeRequest(membership_id=5, plan_id=plan_id),
                catalog,
                REFERENCE_NOW,
                usage=usage,
                customer=customer,
            )
            assert api["changeKind"] == direct.change_kind.name, plan_id
            assert [e["code"] for e in api["userErrors"]] == [e.code.name for e in direct.errors]
            for field, value in (
                ("subtotal", direct.subtotal),
                ("credit", direct.credit),
                ("discount", direct.discount),
                ("dueNow", direct.due_now),
                ("unusedCredit", direct.unused_credit),
            ):
                assert money(api[field]) == value, (plan_id, field)
            if direct.next_billing_amount is None:
                assert api["nextBillingAmount"] is None
            else:
                assert money(api["nextBillingAmount"]) == direct.next_billing_amount
            assert api_when(api["nextBillingDate"]) == direct.next_billing_date
            assert api_when(api["effectiveAt"]) == direct.effective_at
            assert api["scheduled"] is direct.scheduled
            assert [(line["title"], money(line["total"])) for line in api["lineItems"]] == [
                (line.title, line.total) for line in direct.line_items
            ]

        # Pinned: Solo + Extra Disk Space (14.00/month) with 5 whole days left of the term
        # → Premium + Extra Disk Space now: credit 14 × 5 / 30.4375 = 2.30, due 54.00 − 2.30.
        premium = (await gql(client, PREVIEW, input={"membershipId": "5", "planId": "2"}))[
            "planChangeQuote"
        ]
        assert premium["changeKind"] == "UPGRADE" and premium["scheduled"] is False
        assert [(line["title"], line["total"]["amount"]) for line in premium["lineItems"]] == [
            ("Premium", "49.00"),
            ("Extra Disk Space", "5.00"),
            ("Credit", "-2.30"),
        ]
        assert premium["subtotal"] == {"amount": "54.00", "currency": "USD"}
        assert premium["credit"]["amount"] == "2.30"
        assert premium["dueNow"] == {"amount": "51.70", "currency": "USD"}
        assert premium["nextBillingAmount"]["amount"] == "54.00"
        assert api_when(premium["nextBillingDate"]) == datetime(2026, 7, 15, tzinfo=UTC)
        free = (await gql(client, PREVIEW, input={"membershipId": "5", "planId": "1"}))[
            "planChangeQuote"
        ]
        assert free["changeKind"] == "DOWNGRADE" and free["scheduled"] is True
        assert free["dueNow"]["amount"] == "0.00"
        assert api_when(free["effectiveAt"]) == datetime(2026, 6, 20, 23, 59, 59, tzinfo=UTC)
        monthly = {"duration": 1, "unit": "MONTH"}
        business = (
            await gql(
                client,
                PREVIEW,
                input={"membershipId": "5", "planId": "4", "billingPeriod": monthly},
            )
        )["planChangeQuote"]
        assert business["changeKind"] == "BLOCKED"
        assert [e["code"] for e in business["userErrors"]] == ["PERIOD_NOT_AVAILABLE"]
        # Without a period it is quoted where upgradeOptions judged it (issue 8: they agree).
        [option] = [o for o in options["plans"] if o["plan"]["databaseId"] == 4]
        default = (await gql(client, PREVIEW, input={"membershipId": "5", "planId": "4"}))[
            "planChangeQuote"
        ]
        assert (default["userErrors"] == []) is option["allowed"]


# ------------------------------------------------------------------- 3. read-only mode


async def test_change_plan_with_writes_off_is_refused_and_writes_nothing(writable_url) -> None:
    before = table_checksums(writable_url)
    async with live_client(writable_url, writes=False) as client:
        result = (
            await gql(
                client,
                CHANGE,
                input={"membershipId": "5", "planId": "2", "idempotencyKey": "ro-1"},
            )
        )["changePlan"]
        cancel = (
            await gql(
                client,
                "mutation($input: CancelScheduledChangeInput!) { cancelScheduledChange("
                "input: $input) { userErrors { code } } }",
                input={"membershipId": "1", "idempotencyKey": "ro-2"},
            )
        )["cancelScheduledChange"]
    assert [e["code"] for e in result["userErrors"]] == ["WRITES_DISABLED"]
    assert result["payment"] is None
    assert [e["code"] for e in cancel["userErrors"]] == ["WRITES_DISABLED"]
    assert table_checksums(writable_url) == before


# ------------------------------------------------------------------- 4. writes through


async def test_change_plan_writes_the_plugin_tables(writable_url) -> None:
    pays_by_invoice(writable_url, 5)
    [row_before] = query_rows(writable_url, "SELECT * FROM wp_wu_memberships WHERE id = 5")
    payments_before = query_rows(writable_url, "SELECT id FROM wp_wu_payments ORDER BY id")
    assert row_before["plan_id"] == 5 and len(payments_before) == 13

    async with live_client(writable_url, writes=True) as client:
        preview = (await gql(client, PREVIEW, input={"membershipId": "5", "planId": "2"}))[
            "planChangeQuote"
        ]
        assert preview["changeKind"] == "UPGRADE" and preview["quoteToken"]
        change_input = {
            "membershipId": "5",
            "planId": "2",
            "idempotencyKey": "live-upgrade-5",
            "quoteToken": preview["quoteToken"],
        }
        first = (await gql(client, CHANGE, input=change_input))["changePlan"]
        assert first["userErrors"] == []
        # Something is due: nothing moves until it is paid (issue 8).
        assert first["membership"]["plan"] == {"databaseId": 5, "name": "Solo"}
        payment = first["payment"]
        assert money(payment["total"]) == Decimal(preview["dueNow"]["amount"]) == Decimal("51.70")
        assert [
            (line["type"], line["title"], line["total"]["amount"]) for line in payment["lineItems"]
        ] == [
            ("PRODUCT", "Premium", "49.00"),
            ("PRODUCT", "Extra Disk Space", "5.00"),
            ("CREDIT", "Credit", "-2.30"),
        ]
        assert payment["membershipDatabaseId"] == 5
        [waiting] = query_rows(
            writable_url,
            "SELECT membership_id, status FROM wp_planswitch_pending_changes "
            "WHERE payment_id = :id",
            id=payment["databaseId"],
        )
        assert (waiting["membership_id"], waiting["status"]) == (5, "pending")
        [row_pending] = query_rows(writable_url, "SELECT * FROM wp_wu_memberships WHERE id = 5")
        assert row_pending == row_before

        # The operator records the money: the change applies as quoted.
        paid = (await gql(client, COMPLETE, input={"paymentId": str(payment["databaseId"])}))[
            "completePayment"
        ]
        assert paid["userErrors"] == [] and paid["payment"]["status"] == "COMPLETED"

        # Read back through the API: the new plan and its limits (Premium 10 sites,
        # unlimited visits, 10240 MB + Extra Disk Space 2048 MB kept).
        read = (await gql(client, READ_MEMBERSHIP, id="5"))["membership"]
        assert read["plan"] == {"databaseId": 2, "name": "Premium"}
        assert [(a["product"]["databaseId"], a["quantity"]) for a in read["addons"]] == [(7, 1)]
        assert read["limits"]["sites"] == {"enabled": True, "limit": 10, "unlimited": False}
        assert read["limits"]["visits"] == {"enabled": True, "limit": None, "unlimited": True}
        assert read["limits"]["diskSpace"] == {"enabled": True, "limit": 12288, "unlimited": False}
        assert money(read["amount"]) == Decimal(preview["nextBillingAmount"]["amount"])
        assert read["amount"]["amount"] == "54.00"
        assert api_when(read["dateExpiration"]) == datetime(2026, 7, 15, tzinfo=UTC)

        # The rows the plugin would have.
        [row_after] = query_rows(writable_url, "SELECT * FROM wp_wu_memberships WHERE id = 5")
        assert row_after["plan_id"] == 2
        assert row_after["addon_products"] == "a:1:{i:7;i:1;}"
        assert row_after["amount"] == Decimal("54.0000")
        assert row_after["date_modified"] != row_before["date_modified"]
        assert row_after["date_modified"] > row_before["date_modified"]
        [stored_payment] = query_rows(
            writable_url,
            "SELECT * FROM wp_wu_payments WHERE id = :id",
            id=payment["databaseId"],
        )
        assert stored_payment["membership_id"] == 5
        assert Decimal(stored_payment["total"]) == money(payment["total"])
        assert stored_payment["status"] == "completed"
        meta = query_rows(
            writable_url,
            "SELECT meta_value FROM wp_wu_paymentmeta "
            "WHERE wu_payment_id = :id AND meta_key = 'wu_line_items'",
            id=payment["databaseId"],
        )
        assert len(meta) == 1 and meta[0]["meta_value"].startswith("a:")
        assert "WP_Ultimo\\Checkout\\Line_Item" in meta[0]["meta_value"]
        payments_after = query_rows(writable_url, "SELECT id FROM wp_wu_payments ORDER BY id")
        assert len(payments_after) == 14

        # Retry with the same key: the same payment, no new row.
        retry = (await gql(client, CHANGE, input=change_input))["changePlan"]
        assert retry["userErrors"] == []
        assert retry["payment"]["databaseId"] == payment["databaseId"]
        assert query_rows(writable_url, "SELECT id FROM wp_wu_payments ORDER BY id") == (
            payments_after
        )
        [row_retry] = query_rows(writable_url, "SELECT * FROM wp_wu_memberships WHERE id = 5")
        assert row_retry["date_modified"] == row_after["date_modified"]


# ------------------------------------------------------------------- 5. other prefix


async def test_another_prefix_serves_the_same_products(
    wordpress_url, load_wordpress_fixture
) -> None:
    net7 = load_wordpress_fixture("net7_")
    assert query_rows(net7, "SHOW TABLES LIKE 'wp\\_%'") == []
    async with live_client(wordpress_url) as client:
        default = (await gql(client, PRODUCTS))["products"]
    async with live_client(net7, prefix="net7_") as client:
        renamed = (await gql(client, PRODUCTS))["products"]
        first = (await gql(client, READ_MEMBERSHIP, id="1"))["membership"]
    assert renamed == default and renamed["totalCount"] == 8
    assert first["limits"]["diskSpace"]["limit"] == 14336


# --------------------------------------------------------------- 6. a real `serve`


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(wordpress_url: str, tmp_path: Path) -> Iterator[str]:
    """``planswitch serve`` in a subprocess on an ephemeral port; yields its base URL."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLANSWITCH_")}
    env.update(
        PLANSWITCH_WORDPRESS_URL=wordpress_url,
        PLANSWITCH_WORDPRESS_PREFIX="wp_",
        PLANSWITCH_API_KEYS=API_KEY,
        PLANSWITCH_SECRET_KEY=SECRET,
        PLANSWITCH_PORT=str(port),
        PLANSWITCH_HOST="127.0.0.1",
        PLANSWITCH_APPLY_DUE_INTERVAL_SECONDS="0",
    )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from planswitch.server.cli import main; main()", "serve"],
        cwd=tmp_path,  # no stray planswitch.db in the repository
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited: {(tmp_path / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"serve not ready: {(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_serve_runs_in_live_mode(served: str, wordpress_summary) -> None:
    assert httpx.get(f"{served}/readyz", timeout=5).json() == {
        "status": "ready",
        "database": "ok",
    }
    response = httpx.post(
        f"{served}/graphql",
        json={"query": "{ products(first: 100) { totalCount nodes { databaseId name } } }"},
        headers=OPERATOR,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    products = body["data"]["products"]
    assert products["totalCount"] == 8
    assert sorted((p["databaseId"], p["name"]) for p in products["nodes"]) == [
        (p["id"], p["name"]) for p in wordpress_summary["products"]
    ]
    # Outside demo mode an anonymous caller sees the catalog but not memberships.
    anonymous = httpx.post(
        f"{served}/graphql",
        json={"query": "{ memberships(first: 5) { totalCount } }"},
        timeout=10,
    ).json()
    assert anonymous == {"data": {"memberships": {"totalCount": 0}}}


# ------------------------------------------------- 6. never desynchronise a gateway


async def test_a_stripe_renewing_membership_is_refused_without_stripe_configured(
    writable_url,
) -> None:
    """Membership 5 renews through a Stripe subscription (auto-renew on): an upgrade would
    leave Stripe billing 14.00, so options, the quote and the commit all refuse it."""
    before = table_checksums(writable_url)
    async with live_client(writable_url, writes=True) as client:
        options = (await gql(client, OPTIONS, id="5"))["upgradeOptions"]
        by_plan = {o["plan"]["databaseId"]: o for o in options["plans"]}
        assert by_plan[2]["allowed"] is False
        assert [b["code"] for b in by_plan[2]["blockers"]] == ["GATEWAY_SYNC_UNAVAILABLE"]
        assert by_plan[1]["allowed"] is False  # a scheduled downgrade changes the amount too
        preview = (await gql(client, PREVIEW, input={"membershipId": "5", "planId": "2"}))[
            "planChangeQuote"
        ]
        assert preview["changeKind"] == "BLOCKED" and preview["quoteToken"] is None
        [error] = preview["userErrors"]
        assert error["code"] == "GATEWAY_SYNC_UNAVAILABLE"
        assert "Stripe" in error["message"] and "(stripe)" in error["message"]
        change = (
            await gql(
                client,
                CHANGE,
                input={"membershipId": "5", "planId": "2", "idempotencyKey": "desync-1"},
            )
        )["changePlan"]
        assert [e["code"] for e in change["userErrors"]] == ["GATEWAY_SYNC_UNAVAILABLE"]
        assert change["payment"] is None
    after = table_checksums(writable_url)
    # planswitch's own idempotency table may appear (created before the first write); the
    # plugin's tables are untouched.
    assert {k: v for k, v in after.items() if "planswitch_" not in k} == before


# ------------------------------------------------- 7. the network's own settings


async def test_a_default_role_limit_shows_the_networks_default_role(writable_url) -> None:
    """Membership 1's merged role limit is ``default`` (its first add-on is merged last);
    the plugin gives the customer the network's ``default_role`` setting (issue 10)."""
    query = """query($id: ID!) { membership(id: $id, idType: DATABASE_ID) {
      limits { customerUserRole { enabled role } hideCredits } } }"""
    async with live_client(writable_url) as client:
        limits = (await gql(client, query, id="1"))["membership"]["limits"]
    assert limits == {
        "customerUserRole": {"enabled": True, "role": "administrator"},
        "hideCredits": False,
    }
    engine = create_engine(writable_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE wp_sitemeta SET meta_value = REPLACE(meta_value, :old, :new) "
                    "WHERE meta_key = 'wp-ultimo_v2_settings'"
                ),
                {
                    "old": 's:12:"default_role";s:13:"administrator";',
                    "new": 's:12:"default_role";s:6:"editor";',
                },
            )
    finally:
        engine.dispose()
    async with live_client(writable_url) as client:
        limits = (await gql(client, query, id="1"))["membership"]["limits"]
    assert limits["customerUserRole"] == {"enabled": True, "role": "editor"}
