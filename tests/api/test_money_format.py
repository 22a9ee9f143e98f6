"""Amounts' ``formatted`` through the API: each currency's own decimals on the native store
(JPY 0, KWD 3), and a WordPress network's own currency settings (issue 10; docs/wordpress.md
§5.5) on the fixture network in MariaDB."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from planswitch.adapters.wordpress import phpserial
from sqlalchemy import create_engine, text

from tests.adapters.wordpress import conftest as wordpress_fixtures
from tests.api.conftest import data, gql
from tests.api.test_wordpress_live import gql as live_gql
from tests.api.test_wordpress_live import live_client

load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture

PRICES = """{ products(first: 100) { nodes { databaseId price { amount currency formatted } } } }"""
MEMBERSHIP = """query($id: ID!) { membership(id: $id, idType: DATABASE_ID) {
  amount { amount currency formatted } } }"""
QUOTE = """query($input: PlanChangeInput!) { planChangeQuote(input: $input) {
  message dueNow { amount formatted } nextBillingAmount { amount formatted } } }"""


def execute(url: str, sql: str, **params: Any) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def prices(body: dict[str, Any]) -> dict[int, dict[str, str]]:
    return {p["databaseId"]: p["price"] for p in data(body)["products"]["nodes"]}


async def test_yen_and_dinar_amounts_use_their_own_decimals_on_the_native_store(
    client, sqlite_url: str
) -> None:
    execute(sqlite_url, "UPDATE products SET currency = 'JPY', amount = 1500.5 WHERE id = 2")
    execute(sqlite_url, "UPDATE products SET currency = 'KWD', amount = 1234.5675 WHERE id = 3")
    by_id = prices(await gql(client, PRICES))
    assert by_id[2] == {"amount": "1501", "currency": "JPY", "formatted": "¥1,501"}
    assert by_id[3] == {"amount": "1234.568", "currency": "KWD", "formatted": "1,234.568 KWD"}
    assert by_id[4]["formatted"] == "$390.00"  # the others unchanged


def set_settings(url: str, **changes: Any) -> None:
    """Change keys of the plugin's settings array as its settings page saves them."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            stored = conn.execute(
                text("SELECT meta_value FROM wp_sitemeta WHERE meta_key = 'wp-ultimo_v2_settings'")
            ).scalar_one()
            settings = phpserial.loads(stored)
            settings.update(changes)
            conn.execute(
                text(
                    "UPDATE wp_sitemeta SET meta_value = :value "
                    "WHERE meta_key = 'wp-ultimo_v2_settings'"
                ),
                {"value": phpserial.dumps_text(settings)},
            )
    finally:
        engine.dispose()


@pytest.mark.mariadb
async def test_a_network_writes_amounts_with_its_own_currency_settings(
    load_wordpress_fixture: Callable[..., str],
) -> None:
    url = load_wordpress_fixture()
    async with live_client(url) as client:
        fixture = {
            p["databaseId"]: p["price"]
            for p in (await live_gql(client, PRICES))["products"]["nodes"]
        }
    assert fixture[2]["formatted"] == "$49.00"  # the fixture's settings: %s%v . , 2

    set_settings(
        url,
        currency_symbol="EUR",
        currency_position="%v %s",
        decimal_separator=",",
        thousand_separator=".",
        precision="2",
    )
    execute(url, "UPDATE wp_wu_products SET currency = 'EUR'")
    execute(url, "UPDATE wp_wu_products SET amount = 1234.5 WHERE id = 4")
    execute(url, "UPDATE wp_wu_memberships SET currency = 'EUR' WHERE id = 1")
    async with live_client(url) as client:
        body = await live_gql(client, PRICES)
        by_id = {p["databaseId"]: p["price"] for p in body["products"]["nodes"]}
        membership = (await live_gql(client, MEMBERSHIP, id="1"))["membership"]
    assert by_id[4] == {"amount": "1234.50", "currency": "EUR", "formatted": "1.234,50 €"}
    assert by_id[2]["formatted"] == "49,00 €"
    assert membership["amount"] == {"amount": "68.00", "currency": "EUR", "formatted": "68,00 €"}

    set_settings(url, currency_position="%s%v", thousand_separator=" ", precision="0")
    async with live_client(url) as client:
        body = await live_gql(client, PRICES)
    by_id = {p["databaseId"]: p["price"] for p in body["products"]["nodes"]}
    # Precision 0 rounds half away from zero for display; the amount keeps its cents.
    assert by_id[4] == {"amount": "1234.50", "currency": "EUR", "formatted": "€1 235"}


@pytest.mark.mariadb
async def test_a_quote_message_writes_amounts_as_the_network_does(
    load_wordpress_fixture: Callable[..., str],
) -> None:
    url = load_wordpress_fixture()
    set_settings(url, currency_position="%v %s", decimal_separator=",", thousand_separator=".")
    async with live_client(url) as client:
        quote = (await live_gql(client, QUOTE, input={"membershipId": "6", "planId": "2"}))[
            "planChangeQuote"
        ]
    due = quote["dueNow"]
    assert due["formatted"] == f"{due['amount'].replace('.', ',')} $"
    assert due["formatted"] in quote["message"], quote["message"]


OPTIONS = """query($id: ID!) { upgradeOptions(membershipId: $id) {
  plans { plan { databaseId } price { amount formatted }
          prices { price { amount formatted } } }
  addons { product { databaseId } price { amount formatted } } } }"""


@pytest.mark.mariadb
async def test_upgrade_options_write_their_prices_as_the_network_does(
    load_wordpress_fixture: Callable[..., str],
) -> None:
    # Every Money of the options (a plan's price, each period's, an add-on's) is written with
    # the network's currency settings, as quotes are (docs/wordpress.md §5.5).
    url = load_wordpress_fixture()
    set_settings(url, currency_position="%v %s", decimal_separator=",", thousand_separator=".")
    execute(url, "UPDATE wp_wu_products SET amount = 1249 WHERE id = 2")
    async with live_client(url) as client:
        options = (await live_gql(client, OPTIONS, id="5"))["upgradeOptions"]

    def network(amount: str) -> str:
        whole, cents = amount.split(".")
        return f"{int(whole):,}".replace(",", ".") + f",{cents} $"

    moneys = [option["price"] for option in options["plans"] if option["price"]]
    moneys += [p["price"] for option in options["plans"] for p in option["prices"]]
    moneys += [option["price"] for option in options["addons"] if option["price"]]
    assert len(moneys) > 3
    assert all(money["formatted"] == network(money["amount"]) for money in moneys), moneys
    [premium] = [o for o in options["plans"] if o["plan"]["databaseId"] == 2]
    assert premium["price"] == {"amount": "1249.00", "formatted": "1.249,00 $"}
