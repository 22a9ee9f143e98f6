"""signIn and HTTP Basic with a WordPress network's credentials, on the fixture network in
MariaDB; the password hashes are made by real PHP (tests/adapters/wordpress/php)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from planswitch.adapters.wordpress import phpserial
from planswitch.server.app import create_app
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings
from sqlalchemy import create_engine, text

from tests.adapters.wordpress import conftest as wordpress_fixtures
from tests.adapters.wordpress.test_passwords import php_hashes
from tests.conftest import REFERENCE_NOW

load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture

API_KEY = "sign-in-operator-key"
SECRET = "sign-in-secret-0123456789abcdef0123456789abcdef"
OPERATOR = {"Authorization": f"Bearer {API_KEY}"}
APP_PASSWORD = "AbCd1234EfGh5678IjKl9012"

SIGN_IN = """mutation($login: String!, $password: String!) {
  signIn(input: {login: $login, password: $password}) {
    token expiresAt customer { databaseId email } userErrors { code field message } } }"""
VIEWER = "{ viewer { databaseId email } }"

# WordPress user -> (customer id, how their password is stored, the password)
USERS = {
    "olivia": (1, "wp68", "olivia-6.8-password"),
    "marco": (2, "phpass", "marco-phpass-password"),
    "yuki": (3, "md5", "yuki-md5-password"),
}


@pytest.fixture(scope="module")
def network(load_wordpress_fixture: Callable[..., str]) -> str:
    """The fixture network with PHP-made password hashes and Application Passwords."""
    url = load_wordpress_fixture()
    kinds = [(kind, password) for _, kind, password in USERS.values()]
    user_hashes = php_hashes(kinds)
    fast, old = php_hashes([("fast", APP_PASSWORD), ("phpass", APP_PASSWORD)])
    engine = create_engine(url)
    with engine.begin() as conn:
        for login, stored in zip(USERS, user_hashes, strict=True):
            conn.execute(
                text("UPDATE wp_users SET user_pass = :p WHERE user_login = :l"),
                {"p": stored, "l": login},
            )
        for user_id, stored in ((5, fast), (6, old)):  # nadia: 6.8+ form; sam: pre-6.8 form
            add_application_password(conn, user_id, stored)
        # The network admin (user 1) is no customer; give them a known password too.
        conn.execute(text("UPDATE wp_users SET user_pass = MD5('admin-password') WHERE ID = 1"))
    engine.dispose()
    return url


def add_application_password(conn: Any, user_id: int, stored: str) -> None:
    item = {
        "uuid": f"00000000-0000-4000-8000-00000000000{user_id}",
        "app_id": "",
        "name": "planswitch test",
        "password": stored,
        "created": 1750000000,
        "last_used": None,
        "last_ip": None,
    }
    conn.execute(
        text(
            "INSERT INTO wp_usermeta (user_id, meta_key, meta_value) "
            "VALUES (:u, '_application_passwords', :v)"
        ),
        {"u": user_id, "v": phpserial.dumps_text([item])},
    )


@asynccontextmanager
async def live(url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    values: dict[str, Any] = {
        "wordpress_url": url,
        "wordpress_writes": True,
        "demo": False,
        "api_keys": [API_KEY],
        "secret_key": SECRET,
        "apply_due_interval_seconds": 0,
        "sign_in_limit_per_login": "50/minute",
        "sign_in_limit_per_address": "500/minute",
    }
    values.update(overrides)
    app = create_app(Settings(**values), clock=FixedClock(REFERENCE_NOW))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 4242)),
        base_url="http://live.test",
    ) as client:
        yield client


async def sign_in(client: httpx.AsyncClient, login: str, password: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": SIGN_IN, "variables": {"login": login, "password": password}}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["signIn"]


async def viewer(client: httpx.AsyncClient, authorization: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": authorization}
    )


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


@pytest.mark.php
async def test_users_sign_in_with_every_stored_password_form(network: str) -> None:
    async with live(network) as client:
        for login, (customer_id, _kind, password) in USERS.items():
            result = await sign_in(client, login, password)
            assert result["userErrors"] == [], (login, result)
            assert result["customer"]["databaseId"] == customer_id
            assert result["expiresAt"] == "2026-06-15T01:00:00+00:00"
            me = (await viewer(client, f"Bearer {result['token']}")).json()
            assert me["data"]["viewer"]["databaseId"] == customer_id
        # By e-mail address too, as wp_authenticate_email_password() allows.
        by_email = await sign_in(client, "olivia@bennett-bakery.example", USERS["olivia"][2])
        assert by_email["customer"]["databaseId"] == 1


@pytest.mark.php
async def test_application_passwords_sign_in_both_forms(network: str) -> None:
    async with live(network) as client:
        for login, customer_id in (("nadia", 4), ("sam", 5)):
            spaced = " ".join(APP_PASSWORD[i : i + 4] for i in range(0, 24, 4))
            for typed in (APP_PASSWORD, spaced):
                result = await sign_in(client, login, typed)
                assert result["customer"] == {
                    "databaseId": customer_id,
                    "email": result["customer"]["email"],
                }, result
            # HTTP Basic with an Application Password on any request, as WordPress' REST API.
            response = await viewer(client, basic(login, APP_PASSWORD))
            assert response.status_code == 200, response.text
            assert response.json()["data"]["viewer"]["databaseId"] == customer_id


@pytest.mark.php
async def test_wrong_unknown_non_customer_and_revoked_credentials_are_refused(
    load_wordpress_fixture: Callable[..., str], network: str
) -> None:
    async with live(network) as client:
        refusals = [
            await sign_in(client, "olivia", "olivia-6.8-password!"),
            await sign_in(client, "olivia", ""),
            await sign_in(client, "nobody", "whatever"),
            await sign_in(client, "admin", "admin-password"),  # a user, but not a customer
            await sign_in(client, "nadia", APP_PASSWORD[:-1] + "x"),
        ]
        for result in refusals:
            assert result["token"] is None and result["customer"] is None
            assert [e["code"] for e in result["userErrors"]] == ["INVALID_CREDENTIALS"]
        assert len({r["userErrors"][0]["message"] for r in refusals}) == 1  # one answer
        # Basic takes Application Passwords only, never the account password.
        response = await viewer(client, basic("olivia", USERS["olivia"][2]))
        assert response.status_code == 401
    # Revoking an Application Password (WordPress deletes it from the list) refuses it.
    engine = create_engine(network)
    with engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM wp_usermeta WHERE user_id = 5 AND meta_key = '_application_passwords'"
            )
        )
    engine.dispose()
    async with live(network) as client:
        result = await sign_in(client, "nadia", APP_PASSWORD)
        assert [e["code"] for e in result["userErrors"]] == ["INVALID_CREDENTIALS"]
        assert (await viewer(client, basic("nadia", APP_PASSWORD))).status_code == 401
        # A user marked spam (multisite) cannot sign in either.
        engine = create_engine(network)
        with engine.begin() as conn:
            conn.execute(text("UPDATE wp_users SET spam = 1 WHERE user_login = 'yuki'"))
        engine.dispose()
        spam = await sign_in(client, "yuki", USERS["yuki"][2])
        assert [e["code"] for e in spam["userErrors"]] == ["INVALID_CREDENTIALS"]


@pytest.mark.php
async def test_sign_in_attempts_are_limited_per_login_and_per_address(network: str) -> None:
    limits = {"sign_in_limit_per_login": "3/minute", "sign_in_limit_per_address": "5/minute"}
    async with live(network, **limits) as client:
        for _ in range(3):
            assert (await sign_in(client, "marco", "wrong"))["userErrors"][0]["code"] == (
                "INVALID_CREDENTIALS"
            )
        # The fourth attempt on this login is refused before the password is checked,
        # even with the right password.
        limited = await sign_in(client, "marco", USERS["marco"][2])
        assert [e["code"] for e in limited["userErrors"]] == ["RATE_LIMITED"]
        assert limited["token"] is None
        # Another login from the same address: the address has one attempt left (5 in all).
        assert (await sign_in(client, "olivia", USERS["olivia"][2]))["token"]
        address_limited = await sign_in(client, "olivia", USERS["olivia"][2])
        assert [e["code"] for e in address_limited["userErrors"]] == ["RATE_LIMITED"]


async def test_sign_in_on_a_native_store_says_to_ask_the_backend(client) -> None:
    response = await client.post(
        "/graphql", json={"query": SIGN_IN, "variables": {"login": "olivia", "password": "x"}}
    )
    result = response.json()["data"]["signIn"]
    assert result["token"] is None
    assert [e["code"] for e in result["userErrors"]] == ["NOT_ALLOWED"]
    assert "WordPress" in result["userErrors"][0]["message"]


@pytest.mark.php
async def test_revoking_sessions_on_a_wordpress_network(network: str) -> None:
    revoke = """mutation { revokeCustomerSessions(input: {customerId: "2"}) {
      userErrors { code } } }"""
    async with live(network) as client:
        token = (await sign_in(client, "marco", USERS["marco"][2]))["token"]
        assert (await viewer(client, f"Bearer {token}")).status_code == 200
        response = await client.post("/graphql", json={"query": revoke}, headers=OPERATOR)
        assert response.json()["data"]["revokeCustomerSessions"]["userErrors"] == []
        assert (await viewer(client, f"Bearer {token}")).status_code == 401
        fresh = (await sign_in(client, "marco", USERS["marco"][2]))["token"]
        assert (await viewer(client, f"Bearer {fresh}")).status_code == 200
    async with live(network, wordpress_writes=False) as client:  # read-only network
        response = await client.post("/graphql", json={"query": revoke}, headers=OPERATOR)
        codes = [e["code"] for e in response.json()["data"]["revokeCustomerSessions"]["userErrors"]]
        assert codes == ["WRITES_DISABLED"]
