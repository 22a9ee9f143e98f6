"""The authorization matrix: every query and mutation × anonymous / customer A / customer B /
operator, asserting exactly who gets what (the decisions of ``resolvers.policy``), and that
what B may not see is answered exactly like what does not exist.

Customer A is demo customer 1 (membership 1), customer B demo customer 2 (membership 2).
Every operation is aimed at A's records; each cell's outcome is reduced to a label:
``data`` (a non-null object or a non-empty list), ``null`` / ``empty``, ``ok`` (a payload
without errors), or the first user error's code. A schema field without a row fails the
test, so new operations cannot skip the matrix.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from planswitch.schema.app import build_schema

from tests.api.conftest import OPERATOR, customer_headers, gql

A, B = 1, 2
MISSING = 9  # no customer or membership 9 in the demo network
VIEWERS: dict[str, dict[str, str]] = {
    "anonymous": {},
    "customer A": customer_headers(A),
    "customer B": customer_headers(B),
    "operator": OPERATOR,
}


def gid(type_name: str, database_id: int) -> str:
    return base64.b64encode(f"{type_name}:{database_id}".encode()).decode()


def obj(path: str) -> Callable[[dict[str, Any]], str]:
    def label(data: dict[str, Any]) -> str:
        return "null" if data[path] is None else "data"

    return label


def count(path: str) -> Callable[[dict[str, Any]], str]:
    def label(data: dict[str, Any]) -> str:
        connection = data[path]
        ids = sorted(node["databaseId"] for node in connection["nodes"])
        return "empty" if not ids else ",".join(map(str, ids))

    return label


def payload(path: str) -> Callable[[dict[str, Any]], str]:
    def label(data: dict[str, Any]) -> str:
        errors = data[path]["userErrors"]
        return errors[0]["code"] if errors else "ok"

    return label


@dataclass(frozen=True)
class Row:
    field: str
    document: str  # uses $id (A's record, or the missing one for the comparison)
    id_of: Callable[[int], str] | None  # how $id is spelled; None: no id argument
    label: Callable[[dict[str, Any]], str]
    expected: tuple[str, str, str, str]  # anonymous, customer A, customer B, operator


SIGN_IN_FIRST = "NOT_ALLOWED"
ALL = "1,2,3,4,5,6"
ROWS = [
    Row("products", "{ products { nodes { databaseId } } }", None,
        lambda d: "data" if d["products"]["nodes"] else "empty", ("data",) * 4),
    Row("product", '{ product(id: "1", idType: DATABASE_ID) { name } }', None,
        obj("product"), ("data",) * 4),
    Row("planGroups", "{ planGroups { name } }", None,
        lambda d: "data" if d["planGroups"] else "empty", ("data",) * 4),
    Row("customers", "{ customers { nodes { databaseId } } }", None,
        count("customers"), ("empty", "1", "2", ALL)),
    Row("customer", "query($id: ID!) { customer(id: $id, idType: DATABASE_ID) { email } }",
        str, obj("customer"), ("null", "data", "null", "data")),
    Row("memberships",
        "query($id: ID!) { memberships(where: {customerId: $id}) { nodes { databaseId } } }",
        str, count("memberships"), ("empty", "1", "empty", "1")),
    Row("membership",
        "query($id: ID!) { membership(id: $id, idType: DATABASE_ID) { databaseId } }",
        str, obj("membership"), ("null", "data", "null", "data")),
    Row("viewer", "{ viewer { databaseId } }", None,
        lambda d: "null" if d["viewer"] is None else str(d["viewer"]["databaseId"]),
        ("null", "1", "2", "null")),
    Row("node", "query($id: ID!) { node(id: $id) { id } }",
        lambda i: gid("Membership", i), obj("node"), ("null", "data", "null", "data")),
    Row("upgradeOptions",
        """query($id: ID!) { upgradeOptions(membershipId: $id) {
           userErrors { code field message } } }""",
        str, payload("upgradeOptions"), (SIGN_IN_FIRST, "ok", "NOT_FOUND", "ok")),
    Row("planChangeQuote",
        """query($id: ID!) { planChangeQuote(input: {membershipId: $id}) {
           userErrors { code field message } } }""",
        str, payload("planChangeQuote"), (SIGN_IN_FIRST, "ok", "NOT_FOUND", "ok")),
    # Authorized callers get past the policy to the business rule: no change requested.
    Row("changePlan",
        """mutation($id: ID!) { changePlan(input: {membershipId: $id, idempotencyKey: "m"}) {
           payment { id } userErrors { code field message } } }""",
        str, payload("changePlan"), (SIGN_IN_FIRST, "NO_CHANGE", "NOT_FOUND", "NO_CHANGE")),
    Row("cancelScheduledChange",
        """mutation($id: ID!) { cancelScheduledChange(input: {membershipId: $id}) {
           userErrors { code field message } } }""",
        str, payload("cancelScheduledChange"),
        (SIGN_IN_FIRST, "NO_SCHEDULED_CHANGE", "NOT_FOUND", "NO_SCHEDULED_CHANGE")),
    Row("updateProduct",
        """mutation { updateProduct(input: {id: "1", active: true}) {
           userErrors { code field message } } }""",
        None, payload("updateProduct"), ("NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED", "ok")),
    Row("createCustomerSession",
        """mutation($id: ID!) { createCustomerSession(input: {customerId: $id}) {
           token userErrors { code field message } } }""",
        str, payload("createCustomerSession"),
        ("NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED", "ok")),
    # Public, like a login form; a native store has no passwords to check.
    Row("signIn",
        """mutation { signIn(input: {login: "olivia", password: "x"}) {
           token userErrors { code field message } } }""",
        None, payload("signIn"), ("NOT_ALLOWED",) * 4),
    # Issue 8's checkout: payment 1 is A's (completed); nothing of A's is pending.
    Row("payment", "query($id: ID!) { payment(id: $id, idType: DATABASE_ID) { status } }",
        str, obj("payment"), ("null", "data", "null", "data")),
    Row("completePayment",
        """mutation($id: ID!) { completePayment(input: {paymentId: $id}) {
           userErrors { code field message } } }""",
        str, payload("completePayment"), ("NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED", "ok")),
    Row("failPayment",
        """mutation($id: ID!) { failPayment(input: {paymentId: $id}) {
           userErrors { code field message } } }""",
        str, payload("failPayment"),
        ("NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED", "PAYMENT_NOT_PENDING")),
    Row("cancelPendingChange",
        """mutation($id: ID!) { cancelPendingChange(input: {membershipId: $id}) {
           userErrors { code field message } } }""",
        str, payload("cancelPendingChange"),
        (SIGN_IN_FIRST, "NO_PENDING_CHANGE", "NOT_FOUND", "NO_PENDING_CHANGE")),
    # Last: the operator's revocation ends A's session for the rest of the test.
    Row("revokeCustomerSessions",
        """mutation($id: ID!) { revokeCustomerSessions(input: {customerId: $id}) {
           userErrors { code field message } } }""",
        str, payload("revokeCustomerSessions"),
        ("NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED", "ok")),
]  # fmt: skip


def test_every_query_and_mutation_has_a_row() -> None:
    schema = build_schema()._schema
    fields = set(schema.query_type.fields) | set(schema.mutation_type.fields)
    assert fields == {row.field for row in ROWS}


def _normalized(body: dict[str, Any]) -> Any:
    """The response with every number in messages blanked (the ids differ, nothing else may)."""
    text = re.sub(r'"message": ?"[^"]*"', lambda m: re.sub(r"\d+", "#", m.group(0)), str(body))
    return re.sub(r"'message': '[^']*'", lambda m: re.sub(r"\d+", "#", m.group(0)), text)


async def test_the_authorization_matrix(client) -> None:
    got: dict[str, tuple[str, ...]] = {}
    for row in ROWS:
        labels = []
        for viewer, headers in VIEWERS.items():
            variables = {"id": row.id_of(A)} if row.id_of else {}
            body = await gql(client, row.document, variables, headers)
            assert "errors" not in body, (row.field, viewer, body)
            labels.append(row.label(body["data"]))
            if row.id_of and viewer != "operator" and not row.field.startswith(("create", "rev")):
                # Denied looks like missing: the same answer, to the byte but for the id.
                variables = {"id": row.id_of(MISSING)}
                missing = await gql(client, row.document, variables, headers)
                if labels[-1] in ("null", "empty", "NOT_FOUND", SIGN_IN_FIRST):
                    assert _normalized(missing) == _normalized(body), (row.field, viewer)
        got[row.field] = tuple(labels)
    expected = {row.field: row.expected for row in ROWS}
    mismatches = {f: (got[f], expected[f]) for f in expected if got[f] != expected[f]}
    assert not mismatches, mismatches


@pytest.mark.parametrize("viewer", ["customer B", "anonymous"])
async def test_other_customers_records_never_leak_through_nested_fields(client, viewer) -> None:
    # Reaching A through a list or node must not work either.
    query = """query($m: ID!, $c: ID!) { node(id: $m) { id }
      other: node(id: $c) { id }
      memberships(where: {customerId: "1"}) { totalCount }
      customers { nodes { databaseId memberships { nodes { databaseId } } } } }"""
    body = await gql(
        client, query, {"m": gid("Membership", A), "c": gid("Customer", A)}, VIEWERS[viewer]
    )
    data = body["data"]
    assert data["node"] is None and data["other"] is None
    assert data["memberships"]["totalCount"] == 0
    visible = {node["databaseId"] for node in data["customers"]["nodes"]}
    assert A not in visible
