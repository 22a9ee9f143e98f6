"""Regression tests for issue 11's defects 2, 3, 4 (outage), 6 and 7."""

from __future__ import annotations

import json

import httpx
import pytest
from planswitch.adapters.native import NativeStore, upgrade_database
from planswitch.adapters.native.demo import is_demo_database, seed_demo
from planswitch.server.app import create_app
from planswitch.server.cli import app as cli
from planswitch.server.clock import FixedClock
from planswitch.server.settings import DEMO_SECRET_KEY, Settings, UnsafeSettings
from typer.testing import CliRunner

from tests.api.conftest import OPERATOR, SECRET, customer_headers, gql, make_settings
from tests.conftest import REFERENCE_NOW

# --- defect 2: header and body parsing never end in a 500 -------------------------------


@pytest.mark.parametrize(
    "header",
    ["Bearer café", "Bearer c.².x", "Bearer \u00ff\u00fe", "Basic w6k=", "Basic ////", "Bearer  "],
)
async def test_non_ascii_or_malformed_authorization_is_a_401(client, header) -> None:
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": "{ products { totalCount } }"}).encode(),
        headers={"Authorization": header.encode("utf-8"), "Content-Type": "application/json"},
    )
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["message"] and error["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"null", 400),
        (b'"a json string"', 400),
        (b"42", 400),
        (b"\xff\xfe{}", 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b'{"query": "{ products { totalCount } }"', 400),
        (b"[{\"query\": \"{ products { totalCount } }\"}]", 400),
        (b'{"query": 5}', 400),
        (b'{"query": "{ products { totalCount } }", "variables": [1]}', 400),
        (b'{"query": "{ products { totalCount } }", "operationName": 3}', 400),
        (b"{}", 400),
        (b"x" * 1_000_001, 413),
    ],
    ids=[
        "null", "string", "number", "invalid-utf8", "deep-array", "truncated", "batch",
        "query-not-string", "variables-list", "operation-name-number", "empty", "too-large",
    ],
)  # fmt: skip
async def test_bad_bodies_get_a_4xx_with_a_graphql_shaped_error(client, body, status) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["message"] and error["extensions"]["code"]


async def test_nul_bytes_are_refused_in_variables_and_literals(client) -> None:
    query = "query($s: String!) { product(id: $s, idType: SLUG) { name } }"
    response = await client.post("/graphql", json={"query": query, "variables": {"s": "a\x00b"}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    literal = '{ product(id: "a\\u0000b", idType: SLUG) { name } }'
    response = await client.post("/graphql", json={"query": literal})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


# --- defect 3: unsafe settings outside demo mode ------------------------------------------


def test_the_server_refuses_unsafe_settings_outside_demo_mode(demo_store, sqlite_url) -> None:
    unsafe = [
        {"secret_key": DEMO_SECRET_KEY},
        {"secret_key": ""},
        {"secret_key": "short"},
        {"api_keys": []},
        {"previous_secret_keys": [DEMO_SECRET_KEY]},
    ]
    for overrides in unsafe:
        with pytest.raises(UnsafeSettings):
            create_app(make_settings(sqlite_url, **overrides), store=demo_store)
    # A private network may go without API keys or a configured secret, never with the
    # published one.
    create_app(
        make_settings(sqlite_url, api_keys=[], secret_key="", private_network=True),
        store=demo_store,
    )
    with pytest.raises(UnsafeSettings):
        create_app(
            make_settings(sqlite_url, secret_key=DEMO_SECRET_KEY, private_network=True),
            store=demo_store,
        )
    create_app(make_settings(sqlite_url, demo=True, secret_key="", api_keys=[]), store=demo_store)


def test_serve_refuses_the_published_demo_secret(monkeypatch, sqlite_url) -> None:
    monkeypatch.setenv("PLANSWITCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PLANSWITCH_SECRET_KEY", DEMO_SECRET_KEY)
    monkeypatch.setenv("PLANSWITCH_API_KEYS", "k")
    result = CliRunner().invoke(cli, ["serve", "--no-demo", "--port", "1"])
    assert result.exit_code == 2
    assert "published demo secret" in result.output


# --- defect 6: demo mode only for the database planswitch seeded itself -------------------


def test_demo_mode_is_never_inferred_from_a_sqlite_url(tmp_path) -> None:
    synced = f"sqlite:///{tmp_path / 'synced.db'}"
    upgrade_database(synced)
    store = NativeStore(synced)
    assert seed_demo(store, REFERENCE_NOW)  # the demo rows...
    with store.engine.begin() as conn:  # ...but written by a sync, say: no demo mark
        conn.exec_driver_sql("DELETE FROM events WHERE kind = 'demo_seeded'")
    assert not is_demo_database(store)
    assert Settings(database_url=synced).demo is False
    from planswitch.server.cli import _resolve_demo

    settings = Settings(database_url=synced, api_keys=["k"], secret_key=SECRET)
    assert _resolve_demo(settings, {}, store).demo is False
    fresh = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade_database(fresh)
    demo_store = NativeStore(fresh)
    seed_demo(demo_store, REFERENCE_NOW)
    assert is_demo_database(demo_store)
    assert _resolve_demo(Settings(database_url=fresh), {}, demo_store).demo is True
    store.close()
    demo_store.close()


async def test_anonymous_callers_are_not_operators_on_a_synced_sqlite_file(client) -> None:
    # `client` serves a SQLite file with the demo data but demo off (as after a sync).
    body = await gql(client, "{ customers { totalCount } memberships { totalCount } }")
    assert body["data"] == {"customers": {"totalCount": 0}, "memberships": {"totalCount": 0}}


# --- defect 7: introspection and CORS ------------------------------------------------------

INTROSPECT = "{ __schema { queryType { name } } }"


async def test_introspection_is_off_for_anonymous_callers_outside_demo(client) -> None:
    response = await client.post("/graphql", json={"query": INTROSPECT})
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    typed = await client.post("/graphql", json={"query": '{ __type(name: "Product") { name } }'})
    assert typed.status_code == 403
    got = await client.get("/graphql", params={"query": INTROSPECT})
    assert got.status_code == 403
    # __typename is not introspection of the schema: allowed.
    assert (await gql(client, "{ __typename }"))["data"] == {"__typename": "Query"}
    for headers in (OPERATOR, customer_headers(1)):
        body = await gql(client, INTROSPECT, headers=headers)
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_is_on_in_demo_and_debug_mode(client_factory) -> None:
    for overrides in ({"demo": True}, {"debug": True}):
        async with client_factory(**overrides) as http:
            body = await gql(http, INTROSPECT)
            assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_cors_preflight_and_response_for_configured_origins(client_factory) -> None:
    origin = "https://shop.example.com"
    async with client_factory(cors_origins=[origin]) as http:
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        response = await http.post(
            "/graphql", json={"query": "{ products { totalCount } }"}, headers={"Origin": origin}
        )
        assert response.headers["access-control-allow-origin"] == origin
        other = await http.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_are_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PLANSWITCH_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


# --- defect 4 (outage): UNAVAILABLE and 503 -------------------------------------------------


async def test_a_database_outage_is_unavailable_with_http_503(tmp_path) -> None:
    # A server database that refuses connections (nothing listens on port 1).
    down = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"
    store = NativeStore(down)
    app = create_app(make_settings(down), store=store, clock=FixedClock(REFERENCE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post(
            "/graphql",
            json={"query": '{ membership(id: "1", idType: DATABASE_ID) { databaseId } }'},
            headers=OPERATOR,
        )
        assert response.status_code == 503
        assert response.headers["retry-after"]
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "UNAVAILABLE"
        assert "same idempotency key" in error["message"]
        assert "127.0.0.1" not in response.text and "Traceback" not in response.text
        assert (await http.get("/readyz")).status_code == 503
    store.close()


# --- defect 1: one request must not take the server down ------------------------------------

HUGE_ADDON = """query($q: Int!) { planChangeQuote(input: {membershipId: "1",
  addons: [{productId: "7", quantity: $q}]}) { changeKind userErrors { code field message } } }"""


async def test_a_huge_add_on_quantity_is_refused_at_once(client) -> None:
    # Was: memory grew until the kernel killed the server. Refused before any work now.
    body = await gql(client, HUGE_ADDON, {"q": 2147483647}, customer_headers(1))
    [error] = body["data"]["planChangeQuote"]["userErrors"]
    assert error["code"] == "INVALID_QUANTITY"
    assert error["field"] == "addons[0].quantity"
    assert "at most 1000" in error["message"]


async def test_the_add_on_quantity_bound_is_a_setting(client_factory) -> None:
    async with client_factory(max_addon_quantity=3) as http:
        body = await gql(http, HUGE_ADDON, {"q": 4}, OPERATOR)
        [error] = body["data"]["planChangeQuote"]["userErrors"]
        assert error["code"] == "INVALID_QUANTITY" and "at most 3" in error["message"]
        allowed = await gql(http, HUGE_ADDON, {"q": 3}, OPERATOR)
        codes = [e["code"] for e in allowed["data"]["planChangeQuote"]["userErrors"]]
        assert "INVALID_QUANTITY" not in codes


# --- defect 4: year 10000 ------------------------------------------------------------------


async def test_an_instant_near_year_10000_is_a_clear_error(client) -> None:
    # Membership 5 may move to plan 2: the quote used to add a period to 9999-12-31.
    query = """query($t: DateTime!) { planChangeQuote(input: {membershipId: "5", planId: "2",
      asOf: $t}) { userErrors { code field message } } }"""
    body = await gql(client, query, {"t": "9999-12-31T00:00:00Z"}, OPERATOR)
    [error] = body["data"]["planChangeQuote"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "asOf")
    fine = await gql(client, query, {"t": "2026-06-15T00:00:00Z"}, OPERATOR)
    assert fine["data"]["planChangeQuote"]["userErrors"] == []


async def test_no_cors_headers_without_configured_origins(client) -> None:
    origin = "https://shop.example.com"
    preflight = await client.options(
        "/graphql", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert 400 <= preflight.status_code < 500
    assert "access-control-allow-origin" not in preflight.headers
    response = await client.post(
        "/graphql", json={"query": "{ products { totalCount } }"}, headers={"Origin": origin}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
