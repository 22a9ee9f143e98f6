"""Customer sessions: createCustomerSession, JWT claims, expiry, key rotation, revocation."""

from __future__ import annotations

from datetime import timedelta

import jwt
from planswitch.resolvers.sessions import SessionKeys, key_id, signing_key

from tests.api.conftest import OPERATOR, SECRET, customer_headers, data, gql
from tests.conftest import REFERENCE_NOW

CREATE = """mutation($id: ID!) { createCustomerSession(input: {customerId: $id}) {
  token expiresAt customer { databaseId } userErrors { code field message } } }"""
REVOKE = """mutation($id: ID!) { revokeCustomerSessions(input: {customerId: $id}) {
  customer { databaseId } userErrors { code field message } } }"""
VIEWER = "{ viewer { databaseId } }"


async def viewer_status(client, token: str) -> tuple[int, dict]:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


async def test_operator_creates_a_session_the_customer_can_use(client) -> None:
    result = data(await gql(client, CREATE, {"id": "3"}, OPERATOR))["createCustomerSession"]
    assert result["userErrors"] == [] and result["customer"] == {"databaseId": 3}
    assert result["expiresAt"] == "2026-06-15T01:00:00+00:00"  # one hour after the clock
    token = result["token"]
    header, claims = (
        jwt.get_unverified_header(token),
        jwt.decode(token, options={"verify_signature": False}),
    )
    assert header == {"alg": "HS256", "kid": key_id(SECRET), "typ": "JWT"}
    assert claims["sub"] == "3" and claims["exp"] - claims["iat"] == 3600
    assert claims["iat"] == int(REFERENCE_NOW.timestamp())
    status, body = await viewer_status(client, token)
    assert status == 200 and body["data"]["viewer"] == {"databaseId": 3}


async def test_only_operators_create_sessions_and_only_for_existing_customers(client) -> None:
    for headers in ({}, customer_headers(3)):
        result = data(await gql(client, CREATE, {"id": "3"}, headers))["createCustomerSession"]
        assert result["token"] is None
        assert [e["code"] for e in result["userErrors"]] == ["NOT_ALLOWED"]
    missing = data(await gql(client, CREATE, {"id": "999"}, OPERATOR))["createCustomerSession"]
    assert missing["token"] is None
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [("NOT_FOUND", "customerId")]


async def test_expired_forged_and_foreign_tokens_are_refused(client) -> None:
    keys = SessionKeys.of(SECRET)
    expired, _ = keys.issue(3, REFERENCE_NOW - timedelta(hours=1, seconds=1), 0)
    valid, _ = keys.issue(3, REFERENCE_NOW - timedelta(minutes=59), 0)
    assert (await viewer_status(client, valid))[0] == 200
    status, body = await viewer_status(client, expired)
    assert status == 401 and "expired" in body["errors"][0]["message"]
    foreign, _ = SessionKeys.of("another-secret-" + "x" * 40).issue(3, REFERENCE_NOW, 0)
    # "none" algorithm, a changed subject, a token for quotes: never accepted.
    unsigned = jwt.encode({"sub": "3", "iat": 1, "exp": 2**40}, None, algorithm="none")
    payload = jwt.decode(valid, options={"verify_signature": False})
    tampered = jwt.encode(
        {**payload, "sub": "1"}, "wrong-key-" + "y" * 40, algorithm="HS256",
        headers={"kid": key_id(SECRET)},
    )  # fmt: skip
    wrong_audience = jwt.encode(
        {**payload, "aud": "something-else"}, signing_key(SECRET), algorithm="HS256",
        headers={"kid": key_id(SECRET)},
    )  # fmt: skip
    for token in (foreign, unsigned, tampered, wrong_audience, valid + "x", "a.b.c"):
        status, body = await viewer_status(client, token)
        assert status == 401, token
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_rotation_accepts_previous_secrets_and_signs_with_the_new_one(
    client_factory,
) -> None:
    old_token, _ = SessionKeys.of(SECRET).issue(2, REFERENCE_NOW, 0)
    new_secret = "rotated-secret-0123456789abcdef0123456789abcdef"
    async with client_factory(secret_key=new_secret, previous_secret_keys=[SECRET]) as http:
        assert (await viewer_status(http, old_token))[0] == 200
        result = data(await gql(http, CREATE, {"id": "2"}, OPERATOR))["createCustomerSession"]
        assert jwt.get_unverified_header(result["token"])["kid"] == key_id(new_secret)
    async with client_factory(secret_key=new_secret) as http:  # the old secret retired
        assert (await viewer_status(http, old_token))[0] == 401


async def test_revoking_a_customers_sessions_refuses_every_earlier_token(client) -> None:
    first = data(await gql(client, CREATE, {"id": "4"}, OPERATOR))["createCustomerSession"]
    other = data(await gql(client, CREATE, {"id": "5"}, OPERATOR))["createCustomerSession"]
    # Customers cannot revoke (not even their own); operators can.
    denied = data(await gql(client, REVOKE, {"id": "4"}, customer_headers(4)))
    assert [e["code"] for e in denied["revokeCustomerSessions"]["userErrors"]] == ["NOT_ALLOWED"]
    revoked = data(await gql(client, REVOKE, {"id": "4"}, OPERATOR))["revokeCustomerSessions"]
    assert revoked == {"customer": {"databaseId": 4}, "userErrors": []}
    status, body = await viewer_status(client, first["token"])
    assert status == 401 and "revoked" in body["errors"][0]["message"]
    assert (await viewer_status(client, other["token"]))[0] == 200  # only customer 4's
    again = data(await gql(client, CREATE, {"id": "4"}, OPERATOR))["createCustomerSession"]
    assert (await viewer_status(client, again["token"]))[0] == 200  # a new session works
    missing = data(await gql(client, REVOKE, {"id": "999"}, OPERATOR))["revokeCustomerSessions"]
    assert [e["code"] for e in missing["userErrors"]] == ["NOT_FOUND"]
