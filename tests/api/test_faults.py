"""Faults on a server database (PostgreSQL): a connection killed in the middle of
changePlan leaves no partial change, the failure is a retryable UNAVAILABLE (HTTP 503), a
retry with the same idempotency key makes exactly one change, and /readyz reports the
database gone and recovers when it is back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.api.conftest import OPERATOR, api_client, data, gql, seeded_store

OPTIONS = """query($id: ID!) { upgradeOptions(membershipId: $id) {
  membership { plan { databaseId } }
  plans { direction allowed price { amount } plan { databaseId } } } }"""
CHANGE = """mutation($m: ID!, $p: ID!, $k: String!) {
  changePlan(input: {membershipId: $m, planId: $p, idempotencyKey: $k}) {
    membership { databaseId plan { databaseId } } payment { databaseId }
    pendingChange { payment { databaseId } }
    userErrors { code message } } }"""
# Installed for the test only: the database connection that inserts a payment kills itself,
# after the membership row was updated in the same transaction.
KILL_ON_PAYMENT = """
CREATE FUNCTION planswitch_test_kill() RETURNS trigger AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER planswitch_test_kill BEFORE INSERT ON payments
  FOR EACH ROW EXECUTE FUNCTION planswitch_test_kill();
"""


def counts(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("payments", "events", "idempotency_keys")
        }
        found["plans"] = dict(conn.execute(text("SELECT id, plan_id FROM memberships")).all())
    engine.dispose()
    return found


async def an_upgrade(client) -> tuple[str, str]:
    for membership_id in range(1, 7):
        body = data(await gql(client, OPTIONS, {"id": str(membership_id)}, OPERATOR))
        for option in body["upgradeOptions"]["plans"]:
            other_plan = (
                option["plan"]["databaseId"]
                != body["upgradeOptions"]["membership"]["plan"]["databaseId"]
            )  # not the current plan at another period (issue 8)
            if option["direction"] == "UPGRADE" and option["allowed"] and other_plan:
                return str(membership_id), str(option["plan"]["databaseId"])
    raise AssertionError("the demo network has no allowed upgrade")


@pytest.mark.postgres
async def test_a_connection_killed_mid_change_leaves_nothing_and_a_retry_changes_once(
    postgres_url,
) -> None:
    store = seeded_store(postgres_url)
    try:
        async with api_client(store, postgres_url) as client:
            membership_id, plan_id = await an_upgrade(client)
            admin = create_engine(postgres_url)
            with admin.begin() as conn:
                conn.execute(text(KILL_ON_PAYMENT))
            before = counts(postgres_url)
            variables = {"m": membership_id, "p": plan_id, "k": "fault-1"}
            response = await client.post(
                "/graphql", json={"query": CHANGE, "variables": variables}, headers=OPERATOR
            )
            assert response.status_code == 503, response.text
            [error] = response.json()["errors"]
            assert error["extensions"]["code"] == "UNAVAILABLE"
            assert counts(postgres_url) == before  # the membership update rolled back too
            with admin.begin() as conn:
                conn.execute(text("DROP TRIGGER planswitch_test_kill ON payments"))
            admin.dispose()
            # The client retries with the same key: one change, then the same answer again.
            first = data(await gql(client, CHANGE, variables, OPERATOR))["changePlan"]
            assert first["userErrors"] == [], first
            # Something is due: the change waits for its payment (issue 8).
            assert first["pendingChange"]["payment"] == first["payment"]
            assert first["membership"]["plan"]["databaseId"] != int(plan_id)
            again = data(await gql(client, CHANGE, variables, OPERATOR))["changePlan"]
            assert again["payment"] == first["payment"]
            after = counts(postgres_url)
            assert after["payments"] == before["payments"] + 1
            assert after["idempotency_keys"] == before["idempotency_keys"] + 1
    finally:
        store.close()


@pytest.mark.postgres
# psycopg reports connections the server cut as deleted while open when they are collected.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_readyz_reports_the_database_gone_and_recovers(postgres_url) -> None:
    store = seeded_store(postgres_url)
    name = make_url(postgres_url).database
    admin = create_engine(
        make_url(postgres_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with api_client(store, postgres_url) as client:
            assert (await client.get("/readyz")).status_code == 200
            with admin.connect() as conn:  # the database goes away: no new connections...
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(  # ...and the open ones are cut
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
            gone = await client.get("/readyz")
            assert gone.status_code == 503
            assert gone.json() == {"status": "unavailable", "database": "error"}
            assert (await client.get("/healthz")).status_code == 200  # the process is alive
            query = '{ membership(id: "1", idType: DATABASE_ID) { databaseId } }'
            response = await client.post("/graphql", json={"query": query}, headers=OPERATOR)
            assert response.status_code == 503
            assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            for _ in range(50):
                if (await client.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("/readyz did not recover")
            assert data(await gql(client, query, headers=OPERATOR))["membership"] == {
                "databaseId": 1
            }
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        store.close()


@pytest.mark.postgres
async def test_nul_characters_never_reach_postgresql(postgres_url) -> None:
    # PostgreSQL refuses NUL in text ("invalid byte sequence"): it used to surface as
    # "Unexpected error.". Every string is checked before GraphQL runs.
    store = seeded_store(postgres_url)
    try:
        async with api_client(store, postgres_url) as client:
            cases = [
                ('{ product(id: "a\\u0000", idType: SLUG) { name } }', {}),
                (
                    """query($k: String!) { planChangeQuote(input: {membershipId: "1",
                       planId: "3", discountCode: $k}) { userErrors { code } } }""",
                    {"k": "SAVE\x0010"},
                ),
                (
                    """mutation($k: String!) { changePlan(input: {membershipId: "1",
                       planId: "3", idempotencyKey: $k}) { userErrors { code } } }""",
                    {"k": "key\x00"},
                ),
            ]
            for query, variables in cases:
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=OPERATOR
                )
                assert response.status_code == 400, response.text
                assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    finally:
        store.close()


COMPLETE = """mutation($id: ID!) { completePayment(input: {paymentId: $id}) {
  userErrors { code message } } }"""
KILL_ON_MEMBERSHIP_UPDATE = """
CREATE FUNCTION planswitch_test_kill_update() RETURNS trigger AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER planswitch_test_kill_update BEFORE UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION planswitch_test_kill_update();
"""


def payment_state(url: str, payment_id: int) -> tuple[Any, ...]:
    engine = create_engine(url)
    with engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM payments WHERE id = :i"), {"i": payment_id}
        ).scalar()
        pending = conn.execute(text("SELECT count(*) FROM pending_changes")).scalar()
        plans = dict(conn.execute(text("SELECT id, plan_id FROM memberships")).all())
        events = conn.execute(text("SELECT count(*) FROM events")).scalar()
    engine.dispose()
    return status, pending, plans, events


@pytest.mark.postgres
async def test_a_connection_killed_mid_payment_completion_leaves_nothing(postgres_url) -> None:
    store = seeded_store(postgres_url)
    try:
        async with api_client(store, postgres_url) as client:
            membership_id, plan_id = await an_upgrade(client)
            variables = {"m": membership_id, "p": plan_id, "k": "pay-1"}
            change = data(await gql(client, CHANGE, variables, OPERATOR))["changePlan"]
            assert change["userErrors"] == [] and change["pendingChange"], change
            payment_id = change["payment"]["databaseId"]
            before = payment_state(postgres_url, payment_id)
            admin = create_engine(postgres_url)
            with admin.begin() as conn:
                conn.execute(text(KILL_ON_MEMBERSHIP_UPDATE))
            response = await client.post(
                "/graphql",
                json={"query": COMPLETE, "variables": {"id": str(payment_id)}},
                headers=OPERATOR,
            )
            assert response.status_code == 503, response.text
            assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
            assert payment_state(postgres_url, payment_id) == before  # still pending, unchanged
            with admin.begin() as conn:
                conn.execute(text("DROP TRIGGER planswitch_test_kill_update ON memberships"))
            admin.dispose()
            done = data(await gql(client, COMPLETE, {"id": str(payment_id)}, OPERATOR))
            assert done["completePayment"]["userErrors"] == [], done
            status, pending, plans, _ = payment_state(postgres_url, payment_id)
            assert status == "completed"
            assert plans[int(membership_id)] == int(plan_id)  # the change applied, once
            again = data(await gql(client, COMPLETE, {"id": str(payment_id)}, OPERATOR))
            assert payment_state(postgres_url, payment_id)[:3] == (status, pending, plans)
            assert [e["code"] for e in again["completePayment"]["userErrors"]] in (
                [],
                ["PAYMENT_NOT_PENDING"],
            )
    finally:
        store.close()
