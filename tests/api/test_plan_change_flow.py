"""The seed's plan-change flow, walked entirely over GraphQL through the real ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from planswitch.adapters.native.tables import EventRow, IdempotencyKeyRow, MembershipRow, PaymentRow
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import (
    NO_CHANGE_MESSAGE,
    AddonSelection,
    Direction,
    PlanChangeRequest,
)
from planswitch.domain.quotes import quote
from planswitch.resolvers import quote_token
from planswitch.schema.node import encode_global_id
from planswitch.server.app import create_app
from planswitch.server.auth import issue_customer_token
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings
from sqlalchemy import create_engine, func, select

from tests.conftest import REFERENCE_NOW
from tests.resolvers.conftest import LITE, PREMIUM, find_option, seeded_store

API_KEY = "operator-key"
SECRET = "flow-secret-0123456789abcdef0123456789abcdef"

MEMBERSHIP = """
  databaseId status amount { amount currency } dateExpiration
  plan { databaseId name }
  addons { product { databaseId } quantity }
  limits { sites { limit unlimited } }
  scheduledChange { plan { databaseId } effectiveAt amount { amount } description
                    billingPeriod { duration unit } }
"""
QUOTE = """
  changeKind message quoteToken effectiveAt nextBillingDate scheduled
  lineItems { type title total { amount } }
  subtotal { amount currency } credit { amount } discount { amount }
  dueNow { amount currency } unusedCredit { amount } nextBillingAmount { amount }
  limitChanges { module key before after }
  userErrors { code field message }
"""
OPTIONS = """
query($id: ID!) { upgradeOptions(membershipId: $id) {
  membership { databaseId }
  plans { plan { databaseId name } direction timing allowed price { amount currency }
          billingPeriod { duration unit }
          prices { billingPeriod { duration unit } price { amount } }
          blockers { code message module current allowed } }
  addons { product { databaseId } price { amount } held quantity }
  userErrors { code field message }
} }"""
PREVIEW = f"query($input: PlanChangeInput!) {{ planChangeQuote(input: $input) {{ {QUOTE} }} }}"
CHANGE = f"""
mutation($input: ChangePlanInput!) {{ changePlan(input: $input) {{
  membership {{ {MEMBERSHIP} }}
  payment {{ databaseId status total {{ amount }} lineItems {{ type title total {{ amount }} }} }}
  quote {{ {QUOTE} }}
  pendingChange {{ expiresAt payment {{ databaseId }} }}
  userErrors {{ code field message }}
}} }}"""
COMPLETE = f"""
mutation($input: CompletePaymentInput!) {{ completePayment(input: $input) {{
  payment {{ databaseId status }} membership {{ {MEMBERSHIP} }} userErrors {{ code }} }} }}"""
CANCEL = f"""
mutation($input: CancelScheduledChangeInput!) {{ cancelScheduledChange(input: $input) {{
  membership {{ {MEMBERSHIP} }} userErrors {{ code field message }} }} }}"""
READ = f"query($id: ID!) {{ membership(id: $id) {{ {MEMBERSHIP} }} }}"


class Api:
    """A GraphQL client over the ASGI app, with the row counts a write would change."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client = client
        self.engine = create_engine(url)

    async def run(self, query: str, token: str = API_KEY, **variables: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def counts(self) -> tuple[int, ...]:
        with self.engine.connect() as conn:
            return tuple(
                conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (PaymentRow, EventRow, IdempotencyKeyRow)
            ) + (
                tuple(
                    conn.execute(select(MembershipRow.version).order_by(MembershipRow.id)).scalars()
                ),
            )

    async def change(self, key: str, token: str = API_KEY, **fields: Any) -> dict[str, Any]:
        data = await self.run(CHANGE, token, input={"idempotencyKey": key, **fields})
        return data["changePlan"]

    async def quote(self, token: str = API_KEY, **fields: Any) -> dict[str, Any]:
        return (await self.run(PREVIEW, token, input=fields))["planChangeQuote"]


@pytest.fixture
def store(sqlite_url):
    return seeded_store(sqlite_url)


@pytest.fixture
async def api(store, sqlite_url) -> AsyncIterator[Api]:
    settings = Settings(
        database_url=sqlite_url,
        api_keys=[API_KEY],
        secret_key=SECRET,
        demo=False,
        apply_due_interval_seconds=0,
    )
    app = create_app(settings, store=store, clock=FixedClock(REFERENCE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        api = Api(client, sqlite_url)
        yield api
        api.engine.dispose()


def _period(period) -> dict:  # noqa: ANN001 - a domain BillingPeriod
    return {"duration": period.duration, "unit": period.unit.name}


def amount(money: dict | None) -> Decimal | None:
    return None if money is None else Decimal(money["amount"])


async def quote_every_option(api: Api, store, membership_id: int) -> dict[int, dict]:
    """Options for the membership, and a quote for each that agrees with its option."""
    membership = store.memberships_by_id([membership_id])[membership_id]
    mid = str(membership_id)
    options = (await api.run(OPTIONS, id=mid))["upgradeOptions"]
    assert options["userErrors"] == []
    assert options["membership"]["databaseId"] == membership_id
    # Other plans by id; the current plan is offered at its other periods (issue 8).
    plans = {
        int(o["plan"]["databaseId"]): o
        for o in options["plans"]
        if o["plan"]["databaseId"] != membership.plan_id
    }
    own = [o for o in options["plans"] if o["plan"]["databaseId"] == membership.plan_id]
    assert all(o["billingPeriod"] != _period(membership.period) for o in own)
    for option in options["plans"]:
        plan_id = int(option["plan"]["databaseId"])
        quote = await api.quote(
            membershipId=mid, planId=str(plan_id), billingPeriod=option["billingPeriod"]
        )
        if not option["allowed"]:
            assert quote["changeKind"] == "BLOCKED" and quote["quoteToken"] is None
            assert {e["code"] for e in quote["userErrors"]} >= {
                b["code"] for b in option["blockers"]
            }
            continue
        assert quote["userErrors"] == [], quote
        assert quote["changeKind"] == option["direction"] and quote["quoteToken"]
        due = amount(quote["dueNow"])
        expected = amount(quote["subtotal"]) - amount(quote["credit"]) - amount(quote["discount"])
        assert due == max(expected, Decimal("0"))
        assert amount(quote["nextBillingAmount"]) is not None
        if option["timing"] == "END_OF_TERM":
            assert due == 0 and quote["scheduled"] is True
            assert quote["effectiveAt"] == membership.date_expiration.isoformat()
    return {"plans": plans, "addons": options["addons"]}


async def test_the_seed_flow_over_graphql(api: Api, store):
    # 1-2. Options and a quote for each, on Premium (membership 1) and Free (membership 5).
    premium = await quote_every_option(api, store, 1)
    free_plan, lite = premium["plans"][1], premium["plans"][LITE]
    assert (free_plan["direction"], free_plan["timing"], free_plan["allowed"]) == (
        "DOWNGRADE",
        "END_OF_TERM",
        False,
    )
    sites = next(b for b in free_plan["blockers"] if b["module"] == "sites")
    assert (sites["code"], sites["current"], sites["allowed"]) == ("OVER_LIMIT", 2, 1)
    assert (lite["direction"], lite["allowed"], lite["price"]["amount"]) == (
        "DOWNGRADE",
        True,
        "29.00",
    )
    assert [
        (a["product"]["databaseId"], a["held"], a["quantity"], a["price"]["amount"])
        for a in premium["addons"]
    ] == [(6, True, 1, "9.00"), (7, True, 2, "5.00"), (8, False, 0, "99.00")]
    free = await quote_every_option(api, store, 5)
    up = free["plans"][PREMIUM]
    assert (up["direction"], up["timing"], up["allowed"], up["price"]["amount"]) == (
        "UPGRADE",
        "IMMEDIATE",
        True,
        "49.00",
    )
    assert [(p["billingPeriod"]["unit"], p["price"]["amount"]) for p in up["prices"]] == [
        ("MONTH", "49.00"),
        ("YEAR", "490.00"),
    ]

    membership, up_id = store.memberships_by_id([5])[5], PREMIUM
    mid = "5"
    yearly = await api.quote(membershipId="1", billingPeriod={"duration": 1, "unit": "YEAR"})
    assert (yearly["changeKind"], amount(yearly["credit"]), amount(yearly["dueNow"])) == (
        "UPGRADE",
        Decimal("40.21"),
        Decimal("449.79"),
    )
    addon = await api.quote(membershipId="1", addons=[{"productId": "6", "quantity": 1}])
    assert (addon["changeKind"], amount(addon["dueNow"]), amount(addon["nextBillingAmount"])) == (
        "ADDON",
        Decimal("5.32"),
        Decimal("77.00"),
    )
    assert addon["nextBillingDate"] == "2026-07-03T23:59:59+00:00"

    # 3. The no-change message, exactly.
    same = await api.quote(membershipId=mid)
    assert same["changeKind"] == "NO_CHANGE" and same["message"] == NO_CHANGE_MESSAGE
    nothing = await api.change("no-change", membershipId=mid)
    assert [e["code"] for e in nothing["userErrors"]] == ["NO_CHANGE"]
    assert nothing["userErrors"][0]["message"] == NO_CHANGE_MESSAGE

    # 4. Commit the upgrade with its quote token: it waits for its payment (issue 8).
    quote = await api.quote(membershipId=mid, planId=str(up_id))
    before = api.counts()
    result = await api.change(
        "upgrade-1", membershipId=mid, planId=str(up_id), quoteToken=quote["quoteToken"]
    )
    assert result["userErrors"] == []
    assert result["membership"]["plan"]["databaseId"] == membership.plan_id
    assert result["quote"]["dueNow"] == quote["dueNow"] == {"amount": "49.00", "currency": "USD"}
    assert quote["nextBillingDate"] == "2026-07-15T00:00:00+00:00"
    payment = result["payment"]
    assert payment["status"] == "PENDING"
    assert result["pendingChange"]["payment"]["databaseId"] == payment["databaseId"]
    assert amount(payment["total"]) == amount(quote["dueNow"])
    assert [i["type"] for i in payment["lineItems"]] == [i["type"] for i in quote["lineItems"]]
    after = api.counts()
    assert after[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert after[3] == before[3]  # the membership row did not move
    # 5. The operator records the money: the change applies, with its new limits.
    paid = await api.run(COMPLETE, input={"paymentId": str(payment["databaseId"])})
    paid = paid["completePayment"]
    assert paid["userErrors"] == [] and paid["payment"]["status"] == "COMPLETED"
    read = (await api.run(READ, id=encode_global_id("Membership", membership.id)))["membership"]
    assert read["plan"]["databaseId"] == up_id
    assert read["dateExpiration"] == quote["nextBillingDate"]
    assert amount(read["amount"]) == amount(quote["nextBillingAmount"])
    sites = next(c for c in quote["limitChanges"] if c["module"] == "sites")
    assert (sites["before"], sites["after"]) == (1, 10)
    assert read["limits"]["sites"] == {"limit": 10, "unlimited": False}
    assert read["limits"] == paid["membership"]["limits"]


async def test_a_downgrade_is_scheduled_cancelled_and_replaced(api: Api, store):
    membership, down_id = find_option(store, Direction.DOWNGRADE)
    mid = str(membership.id)

    scheduled = await api.change("down-1", membershipId=mid, planId=str(down_id))
    assert scheduled["userErrors"] == []
    assert scheduled["payment"] is None  # charges nothing now: no payment (issue 8)
    change = scheduled["membership"]["scheduledChange"]
    assert change["plan"]["databaseId"] == down_id
    assert change["effectiveAt"] == membership.date_expiration.isoformat()
    assert scheduled["membership"]["plan"]["databaseId"] == membership.plan_id
    read = (await api.run(READ, id=encode_global_id("Membership", membership.id)))["membership"]
    assert read["scheduledChange"] == change

    cancelled = (await api.run(CANCEL, input={"membershipId": mid}))["cancelScheduledChange"]
    assert cancelled["userErrors"] == [] and cancelled["membership"]["scheduledChange"] is None
    again = (await api.run(CANCEL, input={"membershipId": mid}))["cancelScheduledChange"]
    assert [e["code"] for e in again["userErrors"]] == ["NO_SCHEDULED_CHANGE"]

    # A new change replaces a scheduled one: an add-on removal replaces the downgrade...
    again = await api.change("down-2", membershipId=mid, planId=str(down_id))
    assert again["membership"]["scheduledChange"]["plan"]["databaseId"] == down_id
    removal = await api.change(
        "remove-7", membershipId=mid, removeAddons=[{"productId": "7", "quantity": 2}]
    )
    assert removal["userErrors"] == [] and removal["quote"]["changeKind"] == "REMOVE_ADDON"
    replaced = removal["membership"]["scheduledChange"]
    assert replaced["plan"]["databaseId"] == membership.plan_id
    assert replaced["amount"]["amount"] == "58.00"
    assert replaced["effectiveAt"] == membership.date_expiration.isoformat()
    read = (await api.run(READ, id=encode_global_id("Membership", membership.id)))["membership"]
    assert read["scheduledChange"] == replaced
    assert [(a["product"]["databaseId"], a["quantity"]) for a in read["addons"]] == [(6, 1), (7, 2)]

    # ...and an upgrade (monthly to yearly) replaces it once paid, and applies at once.
    upgrade = await api.change(
        "yearly", membershipId=mid, billingPeriod={"duration": 1, "unit": "YEAR"}
    )
    assert upgrade["userErrors"] == []
    assert upgrade["payment"]["status"] == "PENDING"
    assert upgrade["membership"]["scheduledChange"] == replaced  # nothing moves until paid
    paid = await api.run(COMPLETE, input={"paymentId": str(upgrade["payment"]["databaseId"])})
    applied = paid["completePayment"]["membership"]
    assert applied["scheduledChange"] is None
    assert applied["amount"]["amount"] == "490.00"


async def test_an_idempotent_retry_returns_the_first_result_and_writes_once(api: Api, store):
    membership, up_id = find_option(store, Direction.UPGRADE)
    mid = str(membership.id)
    first = await api.change("retry-key", membershipId=mid, planId=str(up_id))
    assert first["userErrors"] == []
    counts = api.counts()
    second = await api.change("retry-key", membershipId=mid, planId=str(up_id))
    assert second["payment"]["databaseId"] == first["payment"]["databaseId"]
    assert second["quote"] == first["quote"]
    assert second["membership"] == first["membership"]
    assert api.counts() == counts

    reused = await api.change("retry-key", membershipId=mid, planId=str(membership.plan_id))
    assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert reused["payment"] is None
    assert api.counts() == counts


YEARLY = {"duration": 1, "unit": "YEAR"}


async def test_a_stale_quote_token_is_refused_and_writes_nothing(api: Api, store):
    # Membership 1 (Premium, monthly) moving to yearly gets credit for the days left.
    mid = "1"
    # Quoted ten days earlier: more days were left, so the credit (and due now) differ.
    # (An asOf preview carries no token, so the old quote is made as it was then.)
    earlier = REFERENCE_NOW - timedelta(days=10)
    request = PlanChangeRequest(1, period=BillingPeriod(1, DurationUnit.YEAR))
    membership = store.memberships_by_id([1])[1]
    catalog = {product.id: product for product in store.list_products()}
    old_quote = quote(membership, request, catalog, earlier, usage=store.usage(1))
    old = {
        "changeKind": old_quote.change_kind.value,
        "credit": {"amount": str(old_quote.credit)},
        "dueNow": {"amount": str(old_quote.due_now), "currency": "USD"},
        "quoteToken": quote_token.issue(request, old_quote, earlier, SECRET),
    }
    now = await api.quote(membershipId=mid, billingPeriod=YEARLY)
    assert old["changeKind"] == now["changeKind"] == "UPGRADE"
    assert amount(old["credit"]) > amount(now["credit"]) > 0
    assert old["quoteToken"] and old["dueNow"] != now["dueNow"]
    counts = api.counts()
    stale = await api.change(
        "stale", membershipId=mid, billingPeriod=YEARLY, quoteToken=old["quoteToken"]
    )
    assert [e["code"] for e in stale["userErrors"]] == ["QUOTE_EXPIRED"]
    assert stale["payment"] is None and stale["quote"]["dueNow"] == now["dueNow"]
    tampered = await api.change(
        "tampered", membershipId=mid, billingPeriod=YEARLY, quoteToken=now["quoteToken"][:-2] + "xx"
    )
    assert [e["code"] for e in tampered["userErrors"]] == ["INVALID_INPUT"]
    foreign = await api.change(
        "foreign",
        membershipId=mid,
        quoteToken=now["quoteToken"],
        addons=[{"productId": "8", "quantity": 1}],
    )
    assert [e["code"] for e in foreign["userErrors"]] == ["INVALID_INPUT"]
    assert api.counts() == counts
    fresh = await api.change(
        "fresh", membershipId=mid, billingPeriod=YEARLY, quoteToken=now["quoteToken"]
    )
    assert fresh["userErrors"] == []
    assert amount(fresh["payment"]["total"]) == amount(now["dueNow"]) == Decimal("449.79")


async def test_a_token_is_expired_when_the_price_changed_since_the_quote(api: Api, store):
    membership, up_id = find_option(store, Direction.UPGRADE)
    mid = str(membership.id)
    quote = await api.quote(membershipId=mid, planId=str(up_id))
    # The operator raises the plan's price between the quote and the commit.
    plan = store.products_by_id([up_id])[up_id]
    with store.bulk() as batch:
        batch.upsert_product(replace(plan, amount=plan.amount + Decimal("10.00")))
    counts = api.counts()
    late = await api.change(
        "late", membershipId=mid, planId=str(up_id), quoteToken=quote["quoteToken"]
    )
    assert [e["code"] for e in late["userErrors"]] == ["QUOTE_EXPIRED"]
    assert amount(late["quote"]["dueNow"]) == amount(quote["dueNow"]) + Decimal("10.00")
    assert late["payment"] is None and api.counts() == counts


async def test_bad_inputs_are_user_errors_and_write_nothing(api: Api, store):
    membership, up_id = find_option(store, Direction.UPGRADE)
    mid = str(membership.id)
    products = store.list_products()
    foreign = [
        p
        for p in products
        if p.is_plan
        and p.plan_group
        and p.plan_group
        != store.products_by_id([membership.plan_id])[membership.plan_id].plan_group
    ]
    plan = store.products_by_id([membership.plan_id])[membership.plan_id]
    not_allowed = [p for p in products if not p.is_plan and p.id not in plan.available_addons]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"membershipId": "999999"}, "NOT_FOUND"),
        ({"membershipId": "not-an-id!"}, "INVALID_ID"),
        ({"membershipId": mid, "planId": "999999"}, "NOT_FOUND"),
        ({"membershipId": mid, "addons": [{"productId": "999999", "quantity": 1}]}, "NOT_FOUND"),
        (
            {
                "membershipId": mid,
                "planId": str(up_id),
                "billingPeriod": {"duration": 0, "unit": "MONTH"},
            },
            "INVALID_INPUT",
        ),
        (
            {
                "membershipId": mid,
                "planId": str(up_id),
                "billingPeriod": {"duration": 7, "unit": "WEEK"},
            },
            "PERIOD_NOT_AVAILABLE",
        ),
        (
            {"membershipId": mid, "discountCode": "NO-SUCH-CODE", "planId": str(up_id)},
            "INVALID_DISCOUNT_CODE",
        ),
    ]
    cases += [
        ({"membershipId": mid, "addons": [{"productId": "6", "quantity": 0}]}, "INVALID_QUANTITY"),
        (
            {"membershipId": mid, "removeAddons": [{"productId": "6", "quantity": -2}]},
            "INVALID_QUANTITY",
        ),
        ({"membershipId": mid, "planId": str(foreign[0].id)}, "NOT_IN_PLAN_GROUP"),
        (
            {"membershipId": mid, "addons": [{"productId": str(not_allowed[0].id), "quantity": 1}]},
            "ADDON_NOT_AVAILABLE",
        ),
    ]
    # A plan of the same family sold in another currency.
    premium = store.products_by_id([PREMIUM])[PREMIUM]
    with store.bulk() as batch:
        batch.upsert_product(
            replace(
                premium,
                id=10,
                slug="premium-eur",
                currency="EUR",
                price_variations=(),
                list_order=3,
            )
        )
    cases.append(({"membershipId": mid, "planId": "10"}, "CURRENCY_MISMATCH"))
    counts = api.counts()
    for index, (fields, code) in enumerate(cases):
        quote = await api.quote(**fields)
        assert code in {e["code"] for e in quote["userErrors"]}, (fields, quote["userErrors"])
        assert quote["quoteToken"] is None
        assert quote["changeKind"] == "BLOCKED" and quote["message"], quote
        if code == "INVALID_QUANTITY":
            assert {e["field"] for e in quote["userErrors"]} <= {
                "addons[0].quantity",
                "removeAddons[0].quantity",
            }
        result = await api.change(f"bad-{index}", **fields)
        assert code in {e["code"] for e in result["userErrors"]}, (fields, result["userErrors"])
        assert all(e["message"] for e in result["userErrors"])
        assert result["payment"] is None
    assert api.counts() == counts


async def test_a_customer_may_act_only_on_their_own_membership(api: Api, store):
    membership, up_id = find_option(store, Direction.UPGRADE)
    mid = str(membership.id)
    own = issue_customer_token(membership.customer_id, SECRET)
    other = issue_customer_token(membership.customer_id + 1000, SECRET)
    counts = api.counts()
    for token in (other,):
        options = (await api.run(OPTIONS, token, id=mid))["upgradeOptions"]
        assert [e["code"] for e in options["userErrors"]] == ["NOT_FOUND"]
        assert options["plans"] == []
        quote = await api.quote(token, membershipId=mid, planId=str(up_id))
        assert [e["code"] for e in quote["userErrors"]] == ["NOT_FOUND"]
        result = await api.change("intruder", token, membershipId=mid, planId=str(up_id))
        assert [e["code"] for e in result["userErrors"]] == ["NOT_FOUND"]
        cancel = await api.run(CANCEL, token, input={"membershipId": mid})
        assert [e["code"] for e in cancel["cancelScheduledChange"]["userErrors"]] == ["NOT_FOUND"]
    assert api.counts() == counts
    mine = await api.change("mine", own, membershipId=mid, planId=str(up_id))
    assert mine["userErrors"] == []


async def test_a_quote_writes_nothing(api: Api, store):
    membership, up_id = find_option(store, Direction.UPGRADE)
    counts = api.counts()
    for _ in range(3):
        quote = await api.quote(membershipId=str(membership.id), planId=str(up_id))
        assert quote["changeKind"] == "UPGRADE"
    assert api.counts() == counts


def domain_errors(store, request: PlanChangeRequest) -> list[dict[str, Any]]:
    """The errors the domain's quote() gives ``request``, as the API writes them."""
    membership = store.memberships_by_id([request.membership_id])[request.membership_id]
    catalog = {product.id: product for product in store.list_products()}
    usage = store.usage(membership.id)
    found = quote(membership, request, catalog, REFERENCE_NOW, usage=usage).errors
    return [{"code": e.code.value, "field": e.field, "message": e.message} for e in found]


async def test_input_errors_are_the_domains_word_for_word(api: Api, store):
    """One rule, one message and one field path: the API only translates quote()'s errors
    (quantities, repeats, unknown products; issue 7)."""
    membership = store.memberships_by_id([1])[1]  # Premium: offers add-ons
    plan = store.products_by_id([membership.plan_id])[membership.plan_id]
    addon = plan.available_addons[0]
    cases = [
        PlanChangeRequest(membership.id, add_addons=(AddonSelection(addon, 0),)),
        PlanChangeRequest(membership.id, remove_addons=(AddonSelection(addon, -2),)),
        PlanChangeRequest(
            membership.id, add_addons=(AddonSelection(addon, 1), AddonSelection(addon, 2))
        ),
        PlanChangeRequest(membership.id, add_addons=(AddonSelection(999, 1),)),
        PlanChangeRequest(membership.id, plan_id=999),
    ]
    counts = api.counts()
    for index, request in enumerate(cases):
        expected = domain_errors(store, request)
        assert expected, request
        fields: dict[str, Any] = {"membershipId": str(membership.id)}
        if request.plan_id is not None:
            fields["planId"] = str(request.plan_id)
        for name, selections in (
            ("addons", request.add_addons),
            ("removeAddons", request.remove_addons),
        ):
            if selections:
                fields[name] = [
                    {"productId": str(s.product_id), "quantity": s.quantity} for s in selections
                ]
        assert (await api.quote(**fields))["userErrors"] == expected
        assert (await api.change(f"input-{index}", **fields))["userErrors"] == expected
    assert api.counts() == counts


async def test_a_malformed_addon_id_names_its_item(api: Api, store):
    membership, _ = find_option(store, Direction.UPGRADE)
    fields = {
        "membershipId": str(membership.id),
        "addons": [{"productId": "6", "quantity": 1}, {"productId": "not-an-id", "quantity": 1}],
    }
    errors = (await api.quote(**fields))["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_ID", "addons[1].productId")]
    period = {"membershipId": str(membership.id), "billingPeriod": {"duration": 0, "unit": "MONTH"}}
    errors = (await api.change("bad-period", **period))["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", "billingPeriod")]
