"""The manual provider on a WordPress network: the plugin can collect, planswitch applies once.

On the fixture network in MariaDB (strict mode), through GraphQL over the real ASGI app and
``planswitch payments reconcile``: a change with money due leaves the membership row as it
is and writes the payment the plugin's checkout writes (checked by PHP with classes that
declare the plugin's properties); the plugin marking it completed (an UPDATE of its status and
gateway ids) and a reconcile apply the change once; a cancelled payment discards it; a
scheduled downgrade and an add-on removal write no payment; a change paid with Stripe or
PayPal through the plugin's "Pay Now", or confirmed by an admin, which renews the membership
first, applies over that renewal, once; a renewal the rows do not tie to the change's payment
flags it for refund (docs/wordpress.md §5.6).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from planswitch.adapters.wordpress import own_schema
from planswitch.server.cli import app as cli_app
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.adapters.wordpress import conftest as wordpress_fixtures
from tests.adapters.wordpress.test_php_roundtrip import php_read
from tests.api.test_money_format import set_settings
from tests.api.test_wordpress_live import (
    API_KEY,
    CHANGE,
    COMPLETE,
    PREVIEW,
    SECRET,
    api_when,
    gql,
    live_client,
    pays_by_invoice,
    query_rows,
    table_checksums,
)
from tests.conftest import REFERENCE_NOW

pytestmark = pytest.mark.mariadb

# The WordPress adapter's fixture (the dump loaded into a fresh MariaDB database), shared here.
load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture
PHP_READER = Path(__file__).resolve().parents[1] / "adapters/wordpress/php/checkout_payment.php"
RECONCILE_AT = "2026-06-15T12:00:00"


@pytest.fixture
def writable_url(load_wordpress_fixture: Callable[..., str]) -> str:
    """A copy of the fixture network of this test's own."""
    return load_wordpress_fixture()


def _run(url: str, query: str, **variables: Any) -> dict[str, Any]:
    async def call() -> dict[str, Any]:
        async with live_client(url, writes=True) as client:
            return await gql(client, query, **variables)

    return asyncio.run(call())


def _commit(url: str, key: str, **change: Any) -> dict[str, Any]:
    return _commit_for(url, 5, key, **change)


def _commit_for(url: str, membership_id: int, key: str, **change: Any) -> dict[str, Any]:
    """Quote then commit ``change``: the quote's fields plus changePlan's result."""
    request = {"membershipId": str(membership_id), **change}
    quote = _run(url, PREVIEW, input=request)["planChangeQuote"]
    assert quote["userErrors"] == [] and quote["quoteToken"], quote
    result = _run(
        url, CHANGE, input={**request, "idempotencyKey": key, "quoteToken": quote["quoteToken"]}
    )["changePlan"]
    assert result["userErrors"] == [], result["userErrors"]
    return {"quote": quote, **result}


def _row(url: str, table: str, row_id: int) -> dict[str, Any]:
    [row] = query_rows(url, f"SELECT * FROM wp_{table} WHERE id = :id", id=row_id)
    return row


def _meta(url: str, payment_id: int) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    rows = query_rows(
        url,
        "SELECT meta_key, meta_value FROM wp_wu_paymentmeta WHERE wu_payment_id = :id "
        "ORDER BY meta_id",
        id=payment_id,
    )
    for row in rows:
        found.setdefault(row["meta_key"], []).append(row["meta_value"])
    return found


def _php_read(line_items: str, cart: str) -> dict[str, Any]:
    php = shutil.which("php")
    assert php is not None, "php-cli is required (PHP reads what the plugin would read)"
    done = subprocess.run(
        [php, str(PHP_READER)],
        input=json.dumps({"line_items": line_items, "cart": cart}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _as_plugin(url: str, payment_id: int, status: str, gateway_payment_id: str = "") -> None:
    """What the plugin's gateway, its clean-up or an admin does: one UPDATE of the row."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE wp_wu_payments SET status = :status, gateway = 'manual', "
                    "gateway_payment_id = :ref, date_modified = '2026-06-15 09:30:00' "
                    "WHERE id = :id"
                ),
                {"status": status, "ref": gateway_payment_id, "id": payment_id},
            )
    finally:
        engine.dispose()


def _reconcile(monkeypatch: pytest.MonkeyPatch, url: str, as_of: str = RECONCILE_AT) -> str:
    """``planswitch payments reconcile`` on the network, as an operator runs it."""
    for name, value in {
        "PLANSWITCH_WORDPRESS_URL": url,
        "PLANSWITCH_WORDPRESS_WRITES": "true",
        "PLANSWITCH_DEMO": "false",
        "PLANSWITCH_API_KEYS": API_KEY,
        "PLANSWITCH_SECRET_KEY": SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli_app, ["payments", "reconcile", "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return result.output


def _plugin_checksums(url: str) -> dict[str, Any]:
    """The checksums of the plugin's and WordPress's tables (planswitch's own left out)."""
    return {k: v for k, v in table_checksums(url).items() if ".wp_planswitch_" not in k}


def _pending_change(url: str, payment_id: int) -> dict[str, Any]:
    [row] = query_rows(
        url,
        "SELECT status, reason FROM wp_planswitch_pending_changes WHERE payment_id = :id",
        id=payment_id,
    )
    return row


def test_db_upgrade_migrates_planswitchs_own_tables_on_a_network(writable_url, monkeypatch) -> None:
    for name, value in {
        "PLANSWITCH_WORDPRESS_URL": writable_url,
        "PLANSWITCH_WORDPRESS_WRITES": "true",
        "PLANSWITCH_DEMO": "false",
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli_app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"at version {own_schema.SCHEMA_VERSION}" in result.output
    assert query_rows(writable_url, "SELECT version FROM wp_planswitch_schema") == [
        {"version": own_schema.SCHEMA_VERSION}
    ]
    monkeypatch.setenv("PLANSWITCH_WORDPRESS_WRITES", "false")  # read-only: refused
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 1


# --------------------------------------------------------------- the payment as written


def test_an_upgrade_writes_the_payment_the_plugins_checkout_writes(writable_url) -> None:
    url = pays_by_invoice(writable_url, 5)
    before = _row(url, "wu_memberships", 5)
    result = _commit(url, "manual-upgrade", planId="2")
    payment_id = result["payment"]["databaseId"]

    # Nothing of the membership moves before payment.
    assert _row(url, "wu_memberships", 5) == before
    stored = _row(url, "wu_payments", payment_id)
    assert {
        k: v for k, v in stored.items() if k not in ("id", "date_created", "date_modified")
    } == {
        "status": "pending",
        "customer_id": 4,
        "membership_id": 5,
        "parent_id": 0,
        "product_id": 0,
        "migrated_from_id": 0,
        "discount_code": "",
        "currency": "USD",
        "subtotal": Decimal("54.0000"),  # the cart's subtotal leaves the credit out
        "refund_total": Decimal("0.0000"),
        "tax_total": Decimal("0.0000"),
        "discount_total": Decimal("0.0000"),
        "total": Decimal("51.7000"),
        "gateway": "manual",
        "gateway_payment_id": "",
    }
    assert stored["date_created"] == stored["date_modified"] == REFERENCE_NOW.replace(tzinfo=None)

    meta = _meta(url, payment_id)
    assert sorted(meta) == ["wu_line_items", "wu_original_cart"]
    assert [len(values) for values in meta.values()] == [1, 1]
    read = _php_read(meta["wu_line_items"][0], meta["wu_original_cart"][0])
    lines = [(li["type"], li["product_id"], li["quantity"], li["total"]) for li in read["lines"]]
    assert lines == [
        ("product", 2, 1, 49.0),
        ("product", 7, 1, 5.0),
        ("credit", None, 1, -2.3),
    ]
    assert [li["key"] for li in read["lines"]] == read["cart"]["line_ids"]
    assert all(li["duration"] == 1 and li["duration_unit"] == "month" for li in read["lines"])
    assert read["cart"] | {"line_ids": None} == {
        "cart_type": "retry",
        "plan_id": 2,
        "duration": 1,
        "duration_unit": "month",
        "currency": "USD",
        "auto_renew": bool(before["auto_renew"]),  # the membership's, as the checkout's cart
        "membership_id": "5",
        "payment_id": str(payment_id),
        "line_ids": None,
        "total": 51.7,  # what "Pay Now" charges
        "subtotal": 54.0,
        "recurring_total": 54.0,  # what a gateway's subscription then bills
    }
    # The API shows the payment as stored.
    assert [line["total"]["amount"] for line in result["payment"]["lineItems"]] == [
        "49.00",
        "5.00",
        "-2.30",
    ]


def test_the_payment_is_in_the_networks_currency_as_the_checkout_writes_it(writable_url) -> None:
    # wu_create_payment() takes the currency from the network's setting (payment.php:112);
    # the checkout's cart keeps the membership's (class-cart.php:781-783).
    url = pays_by_invoice(writable_url, 5)
    set_settings(url, currency_symbol="EUR")
    payment_id = _commit(url, "currency-network", planId="2")["payment"]["databaseId"]
    assert _row(url, "wu_payments", payment_id)["currency"] == "EUR"
    meta = _meta(url, payment_id)
    read = _php_read(meta["wu_line_items"][0], meta["wu_original_cart"][0])
    assert read["cart"]["currency"] == "USD"


def test_an_addon_purchase_is_written_as_the_whole_new_membership(writable_url) -> None:
    url = pays_by_invoice(writable_url, 5)
    result = _commit(url, "manual-addon", addons=[{"productId": "7", "quantity": 1}])
    quote = result["quote"]
    assert quote["changeKind"] == "ADDON"
    due = Decimal(quote["dueNow"]["amount"])
    assert Decimal("0") < due < Decimal("5.00")  # the new add-on, prorated

    payment_id = result["payment"]["databaseId"]
    meta = _meta(url, payment_id)
    read = _php_read(meta["wu_line_items"][0], meta["wu_original_cart"][0])
    lines = [(li["type"], li["product_id"], li["quantity"], li["total"]) for li in read["lines"]]
    credit = float(due - Decimal("19.00"))
    assert lines == [
        ("product", 5, 1, 9.0),  # the plan and every add-on at their recurring price
        ("product", 7, 2, 10.0),
        ("credit", None, 1, credit),  # down to what is due now
    ]
    assert (read["cart"]["cart_type"], read["cart"]["recurring_total"]) == ("retry", 19.0)
    assert Decimal(str(read["cart"]["total"])) == due
    stored = _row(url, "wu_payments", payment_id)
    assert (stored["subtotal"], stored["total"]) == (Decimal("19.0000"), due)


def test_an_earlier_pending_change_is_replaced_and_its_payment_cancelled(writable_url) -> None:
    url = pays_by_invoice(writable_url, 5)
    first = _commit(url, "manual-first", planId="2")["payment"]["databaseId"]
    second = _commit(url, "manual-second", planId="3")["payment"]["databaseId"]
    # As the plugin's checkout cancels the membership's last pending payment.
    assert _row(url, "wu_payments", first)["status"] == "cancelled"
    assert _row(url, "wu_payments", second)["status"] == "pending"
    assert _pending_change(url, first) == {"status": "discarded", "reason": "replaced"}
    assert _pending_change(url, second)["status"] == "pending"


def test_a_pending_payment_of_the_plugins_own_blocks_the_change(writable_url) -> None:
    url = pays_by_invoice(writable_url, 5)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:  # e.g. a renewal invoice the manual gateway waits for
            conn.execute(
                text(
                    "INSERT INTO wp_wu_payments (id, status, customer_id, membership_id, "
                    "parent_id, product_id, migrated_from_id, discount_code, currency, subtotal, "
                    "refund_total, tax_total, discount_total, total, gateway, "
                    "gateway_payment_id, date_created, date_modified) VALUES (40, 'pending', 4, "
                    "5, 0, 0, 0, '', 'USD', 14, 0, 0, 0, 14, 'manual', '', "
                    "'2026-06-10 08:00:00', '2026-06-10 08:00:00')"
                )
            )
    finally:
        engine.dispose()
    checksums = _plugin_checksums(url)
    quote = _run(url, PREVIEW, input={"membershipId": "5", "planId": "2"})["planChangeQuote"]
    assert [e["code"] for e in quote["userErrors"]] == ["MEMBERSHIP_NOT_CHANGEABLE"]
    change = _run(
        url, CHANGE, input={"membershipId": "5", "planId": "2", "idempotencyKey": "blocked"}
    )["changePlan"]
    assert [e["code"] for e in change["userErrors"]] == ["MEMBERSHIP_NOT_CHANGEABLE"]
    assert _plugin_checksums(url) == checksums


# ----------------------------------------------------------------- the plugin's events

SESSION = """mutation($input: CreateCustomerSessionInput!) { createCustomerSession(input: $input) {
  token userErrors { code } } }"""
CANCEL = """mutation($input: CancelPendingChangeInput!) { cancelPendingChange(input: $input) {
  userErrors { code } } }"""


def _as_customer(url: str, customer_id: int, query: str, **variables: Any) -> dict[str, Any]:
    """``query`` sent with a session of ``customer_id`` (created by the operator)."""

    async def call() -> dict[str, Any]:
        async with live_client(url, writes=True) as client:
            session = await gql(client, SESSION, input={"customerId": str(customer_id)})
            token = session["createCustomerSession"]["token"]
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text
            return response.json()["data"]

    return asyncio.run(call())


def _payment_events(url: str, payment_id: int) -> list[dict[str, Any]]:
    rows = query_rows(
        url,
        "SELECT slug, initiator, author_id, severity, payload, date_created FROM wp_wu_events "
        "WHERE object_type = 'payment' AND object_id = :id ORDER BY id",
        id=payment_id,
    )
    return [{**row, "payload": php_read(row["payload"], slashed=True)} for row in rows]


def test_payment_saves_write_the_events_the_plugin_writes(writable_url) -> None:
    # log_transitions on every Payment::save() (class-event-manager.php:104-187): "created"
    # with an empty payload for a new row, "changed" with the changed properties; "manual"
    # with the WordPress user when a customer acts, "system" (author 0) otherwise.
    url = pays_by_invoice(writable_url, 5)
    first = _commit(url, "events-first", planId="2")["payment"]["databaseId"]
    at = REFERENCE_NOW.replace(tzinfo=None)
    created = {"slug": "created", "severity": 3, "payload": {}, "date_created": at}
    assert _payment_events(url, first) == [created | {"initiator": "system", "author_id": 0}]

    # The customer (customer 4 is WordPress user 5) cancels it.
    cancelled = _as_customer(url, 4, CANCEL, input={"membershipId": "5"})
    assert cancelled["cancelPendingChange"]["userErrors"] == []
    assert _payment_events(url, first)[1:] == [
        {
            "slug": "changed",
            "initiator": "manual",
            "author_id": 5,
            "severity": 3,
            "payload": {"status": {"old_value": "pending", "new_value": "cancelled"}},
            "date_created": at,
        }
    ]

    # An operator records the next one as paid: system, the status and the reference.
    second = _commit(url, "events-second", planId="2")["payment"]["databaseId"]
    paid = _run(url, COMPLETE, input={"paymentId": str(second), "gatewayPaymentId": "bank-9"})
    assert paid["completePayment"]["userErrors"] == []
    assert [e["slug"] for e in _payment_events(url, second)] == ["created", "changed"]
    change = _payment_events(url, second)[1]
    assert (change["initiator"], change["author_id"]) == ("system", 0)
    assert change["payload"] == {
        "status": {"old_value": "pending", "new_value": "completed"},
        "gateway_payment_id": {"old_value": "", "new_value": "bank-9"},
    }
    # The membership's own save in the same change is logged beside it.
    [membership] = query_rows(
        url,
        "SELECT slug, initiator FROM wp_wu_events WHERE object_type = 'membership' "
        "AND object_id = 5 AND date_created = :at ORDER BY id",
        at=at,
    )
    assert membership == {"slug": "changed", "initiator": "system"}


# ----------------------------------------------------------------------------- reconcile


def test_a_payment_the_plugin_completes_applies_the_change_once(writable_url, monkeypatch) -> None:
    url = pays_by_invoice(writable_url, 5)
    before = _row(url, "wu_memberships", 5)
    result = _commit(url, "manual-paid", planId="2")
    quote, payment_id = result["quote"], result["payment"]["databaseId"]
    _as_plugin(url, payment_id, "completed", "bank-transfer-0042")
    paid_row = _row(url, "wu_payments", payment_id)

    assert "applied 1" in _reconcile(monkeypatch, url)
    after = _row(url, "wu_memberships", 5)
    assert (after["plan_id"], after["addon_products"]) == (2, "a:1:{i:7;i:1;}")
    assert (after["amount"], after["initial_amount"]) == (Decimal("54.0000"), Decimal("51.7000"))
    # As the plugin leaves a membership whose manual payment an admin confirmed: active,
    # billed once more; its gateway fields are the manual gateway's, untouched.
    assert (after["status"], after["times_billed"]) == ("active", before["times_billed"] + 1)
    assert (after["gateway"], after["gateway_subscription_id"]) == ("manual", "")
    assert after["gateway_customer_id"] == before["gateway_customer_id"]
    assert after["auto_renew"] == before["auto_renew"]
    # The period starts when the change was committed and ends on the quoted date.
    expiration = api_when(quote["nextBillingDate"])
    assert expiration is not None
    assert after["date_expiration"] == expiration.replace(tzinfo=None)
    assert after["date_renewed"] == REFERENCE_NOW.replace(tzinfo=None)
    assert _row(url, "wu_payments", payment_id) == paid_row  # the plugin's row, as it left it
    assert _pending_change(url, payment_id)["status"] == "applied"

    checksums = table_checksums(url)
    assert "applied 0" in _reconcile(monkeypatch, url)
    assert table_checksums(url) == checksums


def test_a_payment_the_plugin_cancels_discards_the_change(writable_url, monkeypatch) -> None:
    url = pays_by_invoice(writable_url, 5)
    before = _row(url, "wu_memberships", 5)
    result = _commit(url, "manual-cancelled", planId="2")
    payment_id = result["payment"]["databaseId"]
    _as_plugin(url, payment_id, "cancelled")  # its 30-day clean-up, or the customer
    cancelled_row = _row(url, "wu_payments", payment_id)

    assert "discarded 1" in _reconcile(monkeypatch, url)
    assert _row(url, "wu_memberships", 5) == before
    assert _row(url, "wu_payments", payment_id) == cancelled_row
    assert _pending_change(url, payment_id) == {"status": "discarded", "reason": "cancelled"}

    checksums = table_checksums(url)
    assert "discarded 0" in _reconcile(monkeypatch, url)
    assert table_checksums(url) == checksums


def test_by_default_a_change_waits_as_long_as_the_plugins_pay_now_link(
    writable_url, monkeypatch
) -> None:
    # The plugin's daily clean-up cancels pending payments 30 days old (class-checkout.php:
    # 2712-2740); until it does, the customer can pay through "Pay Now". planswitch's own
    # expiry defaults to 31 days on a network, so the plugin's comes first.
    url = pays_by_invoice(writable_url, 5)
    monkeypatch.delenv("PLANSWITCH_PENDING_CHANGE_TTL_SECONDS", raising=False)
    payment_id = _commit(url, "ttl-default", planId="2")["payment"]["databaseId"]
    [row] = query_rows(
        url,
        "SELECT created_at, expires_at FROM wp_planswitch_pending_changes WHERE payment_id = :id",
        id=payment_id,
    )
    assert row["expires_at"] - row["created_at"] == timedelta(days=31)

    day_30 = (REFERENCE_NOW + timedelta(days=30, hours=23)).strftime("%Y-%m-%dT%H:%M:%S")
    assert "discarded 0" in _reconcile(monkeypatch, url, day_30)
    assert _row(url, "wu_payments", payment_id)["status"] == "pending"
    assert _pending_change(url, payment_id)["status"] == "pending"


# Stripe's "Pay Now" (docs/wordpress.md §5.6): the plugin's checkout rebuilds a cart from the
# payment's lines and its Stripe gateway charges it, then writes the payment completed and
# renews the membership itself: gateway and customer (class-stripe-gateway.php:264-265), a new
# subscription, times_billed + 1 and renew() to the period end, active (:610-635).
PAID_AT = "2026-06-15 09:30:00"
STRIPE_RENEWAL = {
    "gateway": "stripe",
    "gateway_customer_id": "cus_PayNow1",
    "gateway_subscription_id": "sub_PayNow1",
    "status": "active",
    "auto_renew": 1,
    "date_renewed": PAID_AT,
    "date_expiration": "2026-07-15 23:59:59",
}


STRIPE_PAYMENT = {"status": "completed", "gateway": "stripe", "ref": "ch_PayNow1"}


def _stripe_pay_now(url: str, payment_id: int, also: dict[str, Any] | None = None) -> None:
    """The two UPDATEs the plugin's Stripe gateway makes when "Pay Now" is paid; ``also``:
    another change to the membership made meanwhile (an admin's edit)."""
    _paid_and_renewed(url, payment_id, STRIPE_PAYMENT, {**STRIPE_RENEWAL, **(also or {})})


def test_a_change_paid_with_stripe_through_pay_now_applies_over_its_renewal(
    writable_url, monkeypatch
) -> None:
    url = pays_by_invoice(writable_url, 5)
    before = _row(url, "wu_memberships", 5)
    payment_id = _commit(url, "paynow-stripe", planId="2")["payment"]["databaseId"]
    _stripe_pay_now(url, payment_id)
    paid_row = _row(url, "wu_payments", payment_id)

    assert "applied 1, discarded 0, refund required 0" in _reconcile(monkeypatch, url)
    after = _row(url, "wu_memberships", 5)
    # The change: plan, add-ons and amounts as quoted.
    assert (after["plan_id"], after["addon_products"]) == (2, "a:1:{i:7;i:1;}")
    assert (after["amount"], after["initial_amount"]) == (Decimal("54.0000"), Decimal("51.7000"))
    # The gateway's renewal, kept: its dates and gateway fields, and one billing, not two.
    renewed = {key: after[key] for key in STRIPE_RENEWAL}
    assert renewed == {
        **STRIPE_RENEWAL,
        "date_renewed": datetime.fromisoformat(PAID_AT),
        "date_expiration": datetime.fromisoformat(STRIPE_RENEWAL["date_expiration"]),
    }
    assert after["times_billed"] == before["times_billed"] + 1
    assert _row(url, "wu_payments", payment_id) == paid_row
    assert _pending_change(url, payment_id) == {"status": "applied", "reason": ""}

    checksums = table_checksums(url)
    assert "applied 0, discarded 0, refund required 0" in _reconcile(monkeypatch, url)
    assert table_checksums(url) == checksums


@pytest.mark.parametrize(
    "meanwhile",
    [{"plan_id": 3}, {"amount": 99}, {"status": "cancelled"}],
    ids=["plan", "amount", "cancelled"],
)
def test_a_membership_changed_otherwise_meanwhile_still_needs_a_refund(
    writable_url, monkeypatch, meanwhile
) -> None:
    url = pays_by_invoice(writable_url, 5)
    key = f"paynow-{next(iter(meanwhile))}"
    payment_id = _commit(url, key, planId="2")["payment"]["databaseId"]
    _stripe_pay_now(url, payment_id, also=meanwhile)
    left = _row(url, "wu_memberships", 5)

    assert "applied 0, discarded 0, refund required 1" in _reconcile(monkeypatch, url)
    assert _row(url, "wu_memberships", 5) == left  # as the plugin left it
    assert _pending_change(url, payment_id)["status"] == "refund_required"


# PayPal's "Pay Now" (class-paypal-gateway.php:1313-1374): the checkout sets the payment's
# gateway; on confirmation the gateway writes the payment completed with the transaction id
# (:1328-1345), then the membership: the new recurring profile, the payer, gateway paypal
# (:1347-1350), one more billing (:1353) and, for a cart that is neither upgrade, addon nor
# downgrade, renew(true) (:1371-1372): active, auto-renew on, expiration one period past the
# current one at 23:59:59 (Membership::calculate_expiration, class-membership.php:1251-1294).
PAYPAL_PAYMENT = {"status": "completed", "gateway": "paypal", "ref": "5TY05013RG002845M"}
PAYPAL_RENEWAL = {
    "gateway": "paypal",
    "gateway_customer_id": "PAYER7QK2",
    "gateway_subscription_id": "I-BW452GLLEP1G",
    "status": "active",
    "auto_renew": 1,
    "date_renewed": PAID_AT,
    "date_expiration": "2026-07-20 23:59:59",
}
# An admin marking the manual payment completed with "confirm membership" ticked
# (class-payment-edit-admin-page.php:1315-1331): the payment saved completed, then one more
# billing and renew(false, 'active'): auto-renew off, the same expiration rule; no gateway
# field of the membership moves.
ADMIN_PAYMENT = {"status": "completed", "gateway": "manual", "ref": "bank-transfer-0042"}
ADMIN_RENEWAL = {
    "status": "active",
    "auto_renew": 0,
    "date_renewed": PAID_AT,
    "date_expiration": "2026-07-20 23:59:59",
}


def _paid_and_renewed(
    url: str, payment_id: int, payment: dict[str, str], renewal: dict[str, Any]
) -> None:
    """The payment row, then the membership row, as the plugin's gateway or admin leaves them
    in one request."""
    columns = ", ".join(f"{column} = :{column}" for column in renewal)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE wp_wu_payments SET status = :status, gateway = :gateway, "
                    "gateway_payment_id = :ref, date_modified = :at WHERE id = :id"
                ),
                {**payment, "at": PAID_AT, "id": payment_id},
            )
            conn.execute(
                text(
                    f"UPDATE wp_wu_memberships SET {columns}, "
                    "times_billed = times_billed + 1, date_modified = :at WHERE id = 5"
                ),
                {**renewal, "at": PAID_AT},
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("payment", "renewal"),
    [(PAYPAL_PAYMENT, PAYPAL_RENEWAL), (ADMIN_PAYMENT, ADMIN_RENEWAL)],
    ids=["paypal-pay-now", "admin-confirms"],
)
def test_a_change_paid_and_renewed_by_the_plugin_applies_once_over_the_renewal(
    writable_url, monkeypatch, payment, renewal
) -> None:
    url = pays_by_invoice(writable_url, 5)
    before = _row(url, "wu_memberships", 5)
    payment_id = _commit(url, f"paid-{payment['gateway']}", planId="2")["payment"]["databaseId"]
    _paid_and_renewed(url, payment_id, payment, renewal)
    paid_row = _row(url, "wu_payments", payment_id)

    assert "applied 1, discarded 0, refund required 0" in _reconcile(monkeypatch, url)
    after = _row(url, "wu_memberships", 5)
    assert (after["plan_id"], after["addon_products"]) == (2, "a:1:{i:7;i:1;}")
    assert (after["amount"], after["initial_amount"]) == (Decimal("54.0000"), Decimal("51.7000"))
    # What the plugin's renewal set stays, billed once, not twice.
    kept = {
        **renewal,
        "date_renewed": datetime.fromisoformat(PAID_AT),
        "date_expiration": datetime.fromisoformat(renewal["date_expiration"]),
    }
    assert {key: after[key] for key in renewal} == kept
    assert after["times_billed"] == before["times_billed"] + 1
    if "gateway" not in renewal:  # the admin touches no gateway field
        gateway_fields = ("gateway", "gateway_customer_id", "gateway_subscription_id")
        assert [after[k] for k in gateway_fields] == [before[k] for k in gateway_fields]
    assert _row(url, "wu_payments", payment_id) == paid_row
    assert _pending_change(url, payment_id) == {"status": "applied", "reason": ""}

    checksums = table_checksums(url)
    assert "applied 0, discarded 0, refund required 0" in _reconcile(monkeypatch, url)
    assert table_checksums(url) == checksums


@pytest.mark.parametrize("offset", ["-7", "5.5"])
def test_a_renewal_stamped_in_the_sites_local_time_is_tied_in_any_zone(
    writable_url, monkeypatch, offset
) -> None:
    # renew() stamps date_renewed in the main site's local time (class-membership.php:2214).
    # Paid half an hour after the commit: at UTC-7 the local stamp reads the day before the
    # commit, and only read as local time is it after it.
    url = pays_by_invoice(writable_url, 5)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:  # the main site's zone: gmt_offset hours, no name
            for name, value in (("timezone_string", ""), ("gmt_offset", offset)):
                conn.execute(
                    text("UPDATE wp_options SET option_value = :v WHERE option_name = :n"),
                    {"v": value, "n": name},
                )
    finally:
        engine.dispose()
    payment_id = _commit(url, f"zone-{offset}", planId="2")["payment"]["databaseId"]
    paid_utc = REFERENCE_NOW + timedelta(minutes=30)
    local = (paid_utc + timedelta(hours=float(offset))).strftime("%Y-%m-%d %H:%M:%S")
    _paid_and_renewed(url, payment_id, ADMIN_PAYMENT, {**ADMIN_RENEWAL, "date_renewed": local})

    assert "applied 1, discarded 0, refund required 0" in _reconcile(monkeypatch, url)
    after = _row(url, "wu_memberships", 5)
    assert after["plan_id"] == 2
    assert after["date_renewed"] == datetime.fromisoformat(local)  # left as the plugin wrote it


def test_a_renewal_beside_another_completed_payment_is_not_tied_to_the_change(
    writable_url, monkeypatch
) -> None:
    # The admin confirms the membership's renewal invoice (a payment of its own), not the
    # change's; the change's payment completes later: the renewal is not its renewal.
    url = pays_by_invoice(writable_url, 5)
    payment_id = _commit(url, "paid-beside", planId="2")["payment"]["databaseId"]
    _paid_and_renewed(url, payment_id, ADMIN_PAYMENT, ADMIN_RENEWAL)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO wp_wu_payments (status, customer_id, membership_id, parent_id, "
                    "product_id, migrated_from_id, discount_code, currency, subtotal, "
                    "refund_total, tax_total, discount_total, total, gateway, "
                    "gateway_payment_id, date_created, date_modified) VALUES ('completed', 4, "
                    "5, 0, 0, 0, '', 'USD', 14, 0, 0, 0, 14, 'manual', '', :at, :at)"
                ),
                {"at": PAID_AT},
            )
    finally:
        engine.dispose()
    left = _row(url, "wu_memberships", 5)

    assert "applied 0, discarded 0, refund required 1" in _reconcile(monkeypatch, url)
    assert _row(url, "wu_memberships", 5) == left
    assert _pending_change(url, payment_id)["status"] == "refund_required"


# ------------------------------------------------------------------- no payment at all


def test_a_scheduled_downgrade_and_an_addon_removal_write_no_payment(writable_url) -> None:
    url = pays_by_invoice(writable_url, 5)
    payments = query_rows(url, "SELECT * FROM wp_wu_payments ORDER BY id")
    meta = query_rows(url, "SELECT * FROM wp_wu_paymentmeta ORDER BY meta_id")

    removal = _commit(url, "manual-removal", removeAddons=[{"productId": "7", "quantity": 1}])
    assert removal["quote"]["changeKind"] == "REMOVE_ADDON" and removal["payment"] is None
    downgrade = _commit(url, "manual-downgrade", planId="1")
    assert downgrade["quote"]["changeKind"] == "DOWNGRADE" and downgrade["quote"]["scheduled"]
    assert downgrade["payment"] is None

    assert query_rows(url, "SELECT * FROM wp_wu_payments ORDER BY id") == payments
    assert query_rows(url, "SELECT * FROM wp_wu_paymentmeta ORDER BY meta_id") == meta


def test_an_immediate_addon_removal_writes_no_payment(writable_url) -> None:
    # Membership 4 expired: a removal applies at once instead of waiting for the expiration.
    url = pays_by_invoice(writable_url, 4)
    payments = query_rows(url, "SELECT * FROM wp_wu_payments ORDER BY id")
    removal = _commit_for(
        url, 4, "manual-removal-now", removeAddons=[{"productId": "6", "quantity": 1}]
    )
    assert removal["quote"]["changeKind"] == "REMOVE_ADDON" and not removal["quote"]["scheduled"]
    assert removal["payment"] is None
    assert _row(url, "wu_memberships", 4)["addon_products"] == "a:0:{}"
    assert query_rows(url, "SELECT * FROM wp_wu_payments ORDER BY id") == payments
