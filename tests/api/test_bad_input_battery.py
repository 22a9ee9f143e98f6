# ruff: noqa: E501 (the cases are GraphQL documents, kept on one line each to read as a table)
"""The bad-input battery (issue 11): ids, quantities, periods, dates, enums and scalars inline
and as variables, huge and deep documents, batches, bodies and headers. Every case must be
answered with a clear error (a GraphQL error or a user error, with a message), never with a
5xx or "Unexpected error.", and none may change anything."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from planswitch.server.app import create_app
from planswitch.server.clock import FixedClock

from tests.api.conftest import OPERATOR, make_settings, seeded_store
from tests.conftest import REFERENCE_NOW


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass(frozen=True)
class Case:
    name: str
    query: str | None = None
    variables: dict[str, Any] | None = None
    raw: bytes | None = None  # a body sent as is instead of query/variables
    headers: dict[str, Any] = field(default_factory=lambda: dict(OPERATOR))
    content_type: str = "application/json"


BAD_IDS = {
    "2^63": "9223372036854775808",
    "10^30": "1" + "0" * 30,
    "5000-digits": "9" * 5000,
    "negative": "-1",
    "letters": "abc",
    "empty": "",
    "blank": "   ",
    "superscript": "²",
    "decimal": "1.5",
    "hex": "0x10",
    "b64-no-type": "MQ==",
    "b64-huge": b64("Membership:99999999999999999999999"),
    "b64-negative": b64("Membership:-1"),
    "b64-wrong-type": b64("Site:1"),
    "long-garbage": "x" * 10_000,
}
ID_DOCUMENTS = {
    "product": "query($v: ID!) { product(id: $v) { name } }",
    "customer": "query($v: ID!) { customer(id: $v) { email } }",
    "membership": "query($v: ID!) { membership(id: $v) { databaseId } }",
    "membership-db": "query($v: ID!) { membership(id: $v, idType: DATABASE_ID) { databaseId } }",
    "node": "query($v: ID!) { node(id: $v) { id } }",
    "upgradeOptions": "query($v: ID!) { upgradeOptions(membershipId: $v) { userErrors { code message } } }",
    "quote-membership": "query($v: ID!) { planChangeQuote(input: {membershipId: $v}) { userErrors { code message } } }",
    "quote-plan": 'query($v: ID!) { planChangeQuote(input: {membershipId: "1", planId: $v}) { userErrors { code message } } }',
    "quote-addon": 'query($v: ID!) { planChangeQuote(input: {membershipId: "1", addons: [{productId: $v, quantity: 1}]}) { userErrors { code message } } }',
    "change-membership": 'mutation($v: ID!) { changePlan(input: {membershipId: $v, planId: "2", idempotencyKey: "b"}) { userErrors { code message } } }',
    "cancel": "mutation($v: ID!) { cancelScheduledChange(input: {membershipId: $v}) { userErrors { code message } } }",
    "updateProduct": "mutation($v: ID!) { updateProduct(input: {id: $v, active: true}) { userErrors { code message } } }",
    "updateProduct-addons": 'mutation($v: ID!) { updateProduct(input: {id: "1", availableAddons: [$v]}) { userErrors { code message } } }',
    "session": "mutation($v: ID!) { createCustomerSession(input: {customerId: $v}) { userErrors { code message } } }",
    "memberships-customer": "query($v: ID!) { memberships(where: {customerId: $v}) { totalCount } }",
}  # fmt: skip
# Every bad id in the id arguments where the id is read first (the rest get a sample).
ID_CASES = (
    [
        Case(f"id:{doc}:{label}", ID_DOCUMENTS[doc], {"v": value})
        for doc in ("membership", "membership-db", "upgradeOptions", "quote-membership", "cancel")
        for label, value in BAD_IDS.items()
    ]
    + [
        Case(f"id:{doc}:{label}", ID_DOCUMENTS[doc], {"v": BAD_IDS[label]})
        for doc in ID_DOCUMENTS
        for label in ("2^63", "10^30", "superscript", "b64-huge", "letters")
        if doc
        not in ("membership", "membership-db", "upgradeOptions", "quote-membership", "cancel")
    ]
    + [
        Case(
            "id-inline:membership:10^30",
            '{{ membership(id: "{}") {{ databaseId }} }}'.format(BAD_IDS["10^30"]),
        ),
        Case(
            "id-inline:node:2^63",
            '{{ node(id: "{}") {{ id }} }}'.format(b64("Membership:9223372036854775808")),
        ),
    ]
)

QUOTE_ADDON = """query($q: Int!) { planChangeQuote(input: {membershipId: "1",
  addons: [{productId: "6", quantity: $q}]}) { userErrors { code field message } } }"""
CHANGE_ADDON = """mutation($q: Int!) { changePlan(input: {membershipId: "1", idempotencyKey: "q",
  addons: [{productId: "6", quantity: $q}]}) { userErrors { code field message } } }"""
REMOVE_ADDON = """query($q: Int!) { planChangeQuote(input: {membershipId: "1",
  removeAddons: [{productId: "6", quantity: $q}]}) { userErrors { code field message } } }"""
QUANTITY_CASES = (
    [
        Case(f"quantity:{name}:{q}", doc, {"q": q})
        for name, doc in (
            ("quote", QUOTE_ADDON),
            ("change", CHANGE_ADDON),
            ("remove", REMOVE_ADDON),
        )
        for q in (0, -1, 1001, 1_000_000, 2147483647)
    ]
    + [
        Case(f"quantity-var:{v!r}", QUOTE_ADDON, {"q": v})
        for v in (2147483648, -2147483649, 1.5, "3", None, [1], 10**40)
    ]
    + [
        Case(
            "quantity-inline:2^31",
            QUOTE_ADDON.replace("$q", "2147483648").replace("($q: Int!)", ""),
        ),
        Case("quantity-inline:float", QUOTE_ADDON.replace("$q", "1.5").replace("($q: Int!)", "")),
    ]
)

PERIOD = """query($d: Int!, $u: DurationUnit!) { planChangeQuote(input: {membershipId: "1",
  billingPeriod: {duration: $d, unit: $u}}) { userErrors { code field message } } }"""
PERIOD_CASES = [
    Case(f"period:{d}:{u}", PERIOD, {"d": d, "u": u})
    for d, u in (
        (0, "MONTH"), (-1, "MONTH"), (2147483647, "YEAR"), (100000, "DAY"), (7, "MONTH"),
        (1, "FORTNIGHT"), (1, "month"), (1, ""),
    )
] + [
    Case("period-inline:bad-unit", PERIOD.replace("$d", "1").replace("$u", "FORTNIGHT")
         .replace("($d: Int!, $u: DurationUnit!)", "")),
]  # fmt: skip

AS_OF = """query($t: DateTime!) { planChangeQuote(input: {membershipId: "1", planId: "3",
  asOf: $t}) { userErrors { code field message } } }"""
AS_OF_CHANGE = """mutation($t: DateTime!) { changePlan(input: {membershipId: "1", planId: "3",
  idempotencyKey: "t", asOf: $t}) { userErrors { code field message } } }"""
BAD_DATES = [
    "9999-12-31T00:00:00Z", "9999-12-31T23:59:59+00:00", "10000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z", "not-a-date", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
    "2026-06-15T00:00:00+25:00", "", 1718409600,
]  # fmt: skip
DATE_CASES = [
    Case(f"date:{name}:{value!r}", doc, {"t": value})
    for name, doc in (("quote", AS_OF), ("change", AS_OF_CHANGE))
    for value in BAD_DATES
] + [
    Case("date-inline:year-10000",
         AS_OF.replace("$t", '"9999-12-31T00:00:00Z"').replace("($t: DateTime!)", "")),
    Case("date:allowed-change:year-10000", AS_OF.replace('planId: "3"', 'planId: "2"').replace('membershipId: "1"', 'membershipId: "5"'), {"t": "9999-12-31T00:00:00Z"}),
    Case("date-inline:garbage", AS_OF.replace("$t", '"yesterday"').replace("($t: DateTime!)", "")),
]  # fmt: skip

ENUM_CASES = [
    Case("enum-var:idType", "query($t: MembershipIdType) { membership(id: \"1\", idType: $t) { databaseId } }", {"t": "BAD"}),
    Case("enum-var:idType-lower", "query($t: MembershipIdType) { membership(id: \"1\", idType: $t) { databaseId } }", {"t": "database_id"}),
    Case("enum-var:idType-number", "query($t: MembershipIdType) { membership(id: \"1\", idType: $t) { databaseId } }", {"t": 1}),
    Case("enum-inline:idType", '{ membership(id: "1", idType: BAD) { databaseId } }'),
    Case("enum-inline:idType-string", '{ membership(id: "1", idType: "DATABASE_ID") { databaseId } }'),
    Case("enum-var:status", "query($s: MembershipStatus) { memberships(where: {status: $s}) { totalCount } }", {"s": "ZOMBIE"}),
    Case("enum-inline:status", "{ memberships(where: {status: ZOMBIE}) { totalCount } }"),
    Case("enum-var:productType", "query($t: ProductType) { products(where: {type: $t}) { totalCount } }", {"t": "GIFT"}),
    Case("enum-inline:productType", "{ products(where: {type: GIFT}) { totalCount } }"),
    Case("enum-var:productIdType", 'query($t: ProductIdType) { product(id: "1", idType: $t) { name } }', {"t": "SKU"}),
]  # fmt: skip

FIRST = "query($n: Int) { products(first: $n) { totalCount } }"
AFTER = "query($a: String) { products(after: $a) { totalCount } }"
SCALAR_CASES = [
    Case(f"first:{n!r}", FIRST, {"n": n}) for n in (2**31, -1, 100_000, 10**40, "10", 1.5, True, 101)
] + [
    Case(f"after:{a!r}", AFTER, {"a": a})
    for a in ("garbage", b64("arrayconnection:99999999999999999999999"), b64("arrayconnection:-5"),
              "²", 5, {"a": 1})
] + [
    Case("first-inline:2^31", "{ products(first: 2147483648) { totalCount } }"),
    Case("id-var:object", ID_DOCUMENTS["membership"], {"v": {"a": 1}}),
    Case("id-var:list", ID_DOCUMENTS["membership"], {"v": [1]}),
    Case("id-var:bool", ID_DOCUMENTS["membership"], {"v": True}),
    Case("id-var:float", ID_DOCUMENTS["membership"], {"v": 1.5}),
    Case("id-var:null", ID_DOCUMENTS["membership"], {"v": None}),
    Case("id-var:missing", ID_DOCUMENTS["membership"], {}),
    Case("string-var:number", 'query($k: String!) { planChangeQuote(input: {membershipId: "1", discountCode: $k}) { userErrors { code message } } }', {"k": 5}),
    Case("discount:unknown", 'query($k: String!) { planChangeQuote(input: {membershipId: "1", planId: "3", discountCode: $k}) { userErrors { code message } } }', {"k": "x" * 5000}),
    Case("planGroup:too-long", 'mutation { updateProduct(input: {id: "1", planGroup: "%s"}) { userErrors { code message } } }' % ("g" * 500)),
    Case("idempotency:too-long", 'mutation { changePlan(input: {membershipId: "1", planId: "3", idempotencyKey: "%s"}) { userErrors { code message } } }' % ("k" * 300)),
    Case("idempotency:blank", 'mutation { changePlan(input: {membershipId: "1", planId: "3", idempotencyKey: "  "}) { userErrors { code message } } }'),
    Case("quoteToken:garbage", 'mutation { changePlan(input: {membershipId: "1", planId: "3", idempotencyKey: "z", quoteToken: "x.y.z"}) { userErrors { code message } } }'),
    Case("signIn:huge-password", 'mutation($p: String!) { signIn(input: {login: "olivia", password: $p}) { userErrors { code message } } }', {"p": "p" * 100_000}),
    Case("signIn:nul", 'mutation($p: String!) { signIn(input: {login: "olivia", password: $p}) { userErrors { code message } } }', {"p": "a\x00b"}),
    Case("slug:nul-inline", '{ product(id: "a\\u0000b", idType: SLUG) { name } }'),
    Case("discount:nul", 'query($k: String!) { planChangeQuote(input: {membershipId: "1", discountCode: $k}) { userErrors { code message } } }', {"k": "\x00"}),
]  # fmt: skip

ALIASES = " ".join(f"a{i}: products {{ totalCount }}" for i in range(100))
DOCUMENT_CASES = [
    Case("doc:too-many-tokens", "{ " + "products { totalCount } " * 1000 + "}"),
    Case("doc:too-deep", "{ products { nodes { " + "availableAddons { " * 30 + "slug" + " }" * 32 + " }"),
    Case("doc:aliases", "{ " + ALIASES + " }"),
    Case("doc:syntax", "{ products { "),
    Case("doc:empty", ""),
    Case("doc:only-spaces", "    "),
    Case("doc:unknown-field", "{ nothing }"),
    Case("doc:unknown-argument", "{ products(size: 3) { totalCount } }"),
    Case("doc:missing-variable", "query($v: ID!) { membership(id: $v) { databaseId } }", {}),
    Case("doc:wrong-variable-type", "query($v: Int!) { membership(id: $v) { databaseId } }", {"v": 1}),
    Case("doc:two-operations-same-name", "query A { viewer { email } } query A { viewer { email } }"),
    Case("doc:unknown-operation-name", "query A { viewer { email } }", None),
    Case("doc:fragment-cycle", "query { ...F } fragment F on Query { ...G } fragment G on Query { ...F }"),
    Case("doc:unknown-directive", "{ products @nope { totalCount } }"),
    Case("doc:subscription", "subscription { products { totalCount } }"),
    Case("doc:mutation-over-get", None, raw=None, headers={**OPERATOR, "x-get": "1"}),
    Case("doc:huge-string", '{ product(id: "%s", idType: SLUG) { name } }' % ("s" * 200_000)),
    Case("doc:deep-list-value", '{ product(id: ' + "[" * 5000 + '"1"' + "]" * 5000 + ") { name } }"),
    Case("doc:deep-object-variable", "query($v: ID!) { membership(id: $v) { databaseId } }",
         {"v": json.loads("[" * 500 + "]" * 500)}),
]  # fmt: skip

BODY_CASES = [
    Case("body:null", raw=b"null"),
    Case("body:string", raw=b'"query"'),
    Case("body:number", raw=b"7"),
    Case("body:true", raw=b"true"),
    Case("body:invalid-utf8", raw=b'{"query": "\xff\xfe"}'),
    Case("body:deep-array", raw=b"[" * 100_000 + b"]" * 100_000),
    Case("body:deep-object", raw=b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    Case("body:truncated", raw=b'{"query": "{ viewer { email } }"'),
    Case("body:batch", raw=b'[{"query": "{ viewer { email } }"}, {"query": "{ viewer { email } }"}]'),
    Case("body:empty-batch", raw=b"[]"),
    Case("body:empty", raw=b""),
    Case("body:object-without-query", raw=b'{"variables": {}}'),
    Case("body:query-list", raw=b'{"query": ["{ viewer { email } }"]}'),
    Case("body:variables-string", raw=b'{"query": "{ viewer { email } }", "variables": "{}"}'),
    Case("body:too-large", raw=b" " * 1_000_001),
    Case("body:nan", raw=b'{"query": "query($n: Int) { products(first: $n) { totalCount } }", "variables": {"n": NaN}}'),
    Case("body:infinity", raw=b'{"query": "{ viewer { email } }", "variables": {"x": Infinity}}'),
    Case("body:form", raw=b"query=%7B%20viewer%20%7B%20email%20%7D%20%7D",
         content_type="application/x-www-form-urlencoded"),
    Case("body:text-plain", raw=b"{ viewer { email } }", content_type="text/plain"),
    Case("body:multipart-garbage", raw=b"--x\r\n\r\n", content_type="multipart/form-data; boundary=x"),
]  # fmt: skip

HEADER_CASES = [
    Case(f"header:{label}", "{ viewer { email } }", headers={"Authorization": value})
    for label, value in {
        "bearer-cafe": "Bearer café".encode(),
        "superscript": "Bearer c.².x".encode(),
        "latin1": b"Bearer \xe9\xe9",
        "control": b"Bearer a\x01b",
        "basic-not-b64": b"Basic %%%",
        "basic-no-colon": ("Basic " + b64("olivia")).encode(),
        "basic-non-utf8": b"Basic " + base64.b64encode(b"\xff:\xfe"),
        "unknown-scheme": b"Digest abc",
        "bearer-only": b"Bearer",
        "huge": b"Bearer " + b"a" * 9000,
        "jwt-garbage": b"Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "old-token-format": b"Bearer c.1.abc",
    }.items()
]

CASES = (
    ID_CASES + QUANTITY_CASES + PERIOD_CASES + DATE_CASES + ENUM_CASES + SCALAR_CASES
    + DOCUMENT_CASES + BODY_CASES + HEADER_CASES
)  # fmt: skip


def test_the_battery_has_at_least_120_cases() -> None:
    assert len(CASES) >= 120
    assert len({case.name for case in CASES}) == len(CASES)


def _clear(body: Any) -> list[str]:
    """The messages of the errors in a response (top-level errors and userErrors)."""
    messages = [error.get("message", "") for error in body.get("errors") or []]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for error in value.get("userErrors") or []:
                messages.append(error.get("message", ""))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body.get("data"))
    return messages


async def _send(client, case: Case):
    headers = {"Content-Type": case.content_type, **case.headers}
    if case.name == "doc:mutation-over-get":
        return await client.get(
            "/graphql",
            params={"query": 'mutation { cancelScheduledChange(input: {membershipId: "1"}) { userErrors { code message } } }'},
            headers=OPERATOR,
        )  # fmt: skip
    if case.raw is not None:
        return await client.post("/graphql", content=case.raw, headers=headers)
    payload: dict[str, Any] = {"query": case.query}
    if case.variables is not None:
        payload["variables"] = case.variables
    if case.name == "doc:unknown-operation-name":
        payload["operationName"] = "Nope"
    return await client.post("/graphql", content=json.dumps(payload).encode(), headers=headers)


@pytest.fixture(scope="module")
def battery_app(tmp_path_factory):
    """One app over one seeded store for the whole battery (no case may write anything)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('battery') / 'battery.db'}"
    store = seeded_store(url)
    app = create_app(make_settings(url), store=store, clock=FixedClock(REFERENCE_NOW))
    yield app, store
    store.close()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_bad_input_gets_a_clear_error(battery_app, case: Case) -> None:
    app, store = battery_app
    before = store.events()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://battery.test") as client:
        response = await _send(client, case)
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert "Unexpected error." not in response.text
    assert "Traceback" not in response.text
    body = response.json()
    messages = _clear(body)
    assert messages and all(message.strip() for message in messages), body
    assert store.events() == before  # nothing was written
