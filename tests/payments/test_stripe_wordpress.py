"""Stripe on a WordPress network (issue 10): the fixture network in MariaDB (strict), the
real app over GraphQL, localstripe as Stripe.

planswitch collects a change's money with a PaymentIntent, the ``wu_payments`` row ends
``completed`` with ``gateway`` stripe and the charge's id, and the membership is left as the
plugin's Stripe checkout leaves one (docs/wordpress.md §11.5); a membership renewing through
a Stripe subscription has that subscription updated, read back from localstripe here.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from planswitch.adapters.payments.stripe_amounts import to_stripe_amount
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.subscription_dates import expiration_after_charge, subscription_first_charge
from planswitch.resolvers.context import Context, Viewer
from planswitch.resolvers.payments import reconcile
from planswitch.server.app import create_app, make_checkout
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings
from sqlalchemy import create_engine, text

from tests.adapters.wordpress import conftest as wordpress_fixtures
from tests.conftest import REFERENCE_NOW
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET, LocalStripe

pytestmark = pytest.mark.mariadb

load_wordpress_fixture = wordpress_fixtures.load_wordpress_fixture

API_KEY = "wp-stripe-operator-key"
OPERATOR = {"Authorization": f"Bearer {API_KEY}"}
SOLO, FREE_MEMBERSHIP = 5, 6  # membership 5 renews through Stripe; 6 is on the Free plan
PREMIUM = 2
# When the payments are reconciled: a time of day that shows the plugin's rules (the
# subscription's first charge an hour before it, the expiration at 23:59:59 that day).
PAID_AT = REFERENCE_NOW + timedelta(hours=10, minutes=30, seconds=5)
_plans = itertools.count(1)

CHANGE = """mutation($input: ChangePlanInput!) { changePlan(input: $input) {
  payment { databaseId status gateway gatewayPaymentId total { amount } }
  quote { changeKind dueNow { amount } nextBillingAmount { amount } nextBillingDate
          billingPeriod { duration unit } }
  userErrors { code message } } }"""
OPTIONS = """query($id: ID!) { upgradeOptions(membershipId: $id) {
  plans { plan { databaseId } allowed blockers { code } } } }"""


def stripe_settings(url: str, localstripe: LocalStripe, provider: str = "stripe") -> Settings:
    return Settings(
        wordpress_url=url,
        wordpress_writes=True,
        demo=False,
        api_keys=[API_KEY],
        secret_key="wp-stripe-secret-0123456789abcdef0123456789abcdef",
        apply_due_interval_seconds=0,
        payment_provider=provider,
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe.url,
    )


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=FixedClock(REFERENCE_NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wp.test") as client:
        yield client


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=OPERATOR
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def rows(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return [dict(row._mapping) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def membership_row(url: str, membership_id: int) -> dict[str, Any]:
    [row] = rows(url, "SELECT * FROM wp_wu_memberships WHERE id = :id", id=membership_id)
    return row


def subscribe_on_stripe(url: str, localstripe: LocalStripe, membership_id: int) -> str:
    """Give the fixture's membership a real subscription on localstripe for its amount and
    period, stored as the plugin's Stripe checkout stores it (its ids on the row)."""
    row = membership_row(url, membership_id)
    client = localstripe.client()
    customer = client.v1.customers.create(params={"email": f"m{membership_id}@example.com"})
    method = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    plan_id = f"wp-plugin-{membership_id}-{next(_plans)}-{uuid.uuid4().hex[:6]}"
    client.v1.plans.create(
        params={
            "id": plan_id,
            "amount": to_stripe_amount(row["amount"], row["currency"]),
            "currency": row["currency"].lower(),
            "interval": row["duration_unit"],
            "interval_count": row["duration"],
            "product": {"name": "Solo"},
        }
    )
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"plan": plan_id}]}  # type: ignore[typeddict-item]
    )
    rows(
        url,
        "UPDATE wp_wu_memberships SET gateway_customer_id = :customer, "
        "gateway_subscription_id = :subscription WHERE id = :id",
        customer=customer.id,
        subscription=subscription.id,
        id=membership_id,
    )
    return subscription.id


def naive_utc(moment: datetime) -> datetime:
    """How a UTC column of the plugin's tables reads back through the driver."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def payment_meta(url: str, payment_id: int) -> dict[str, str]:
    found = rows(
        url,
        "SELECT meta_key, meta_value FROM wp_wu_paymentmeta WHERE wu_payment_id = :id",
        id=payment_id,
    )
    return {row["meta_key"]: row["meta_value"] for row in found}


def charge_of(localstripe: LocalStripe, intent_id: str) -> str:
    """The charge that paid an intent: the id the plugin's gateway stores on a paid payment
    (localstripe expands ``latest_charge``)."""
    intent = localstripe.client().v1.payment_intents.retrieve(intent_id)
    charge = intent.to_dict()["latest_charge"]
    found = charge["id"] if isinstance(charge, dict) else charge
    assert found.startswith("ch_")
    return found


def subscriptions_of(localstripe: LocalStripe, customer: str) -> list[Any]:
    listed = localstripe.client().v1.subscriptions.list(params={"customer": customer})
    return [s for s in listed.data if s.customer == customer]


def reconcile_at(settings: Settings, now: datetime) -> int:
    """``planswitch payments reconcile``: ask Stripe about every waiting payment."""
    store = WordPressStore(settings.wordpress_url or "", writes=True)
    try:
        ctx = Context(store, FixedClock(now), settings, Viewer.operator(), make_checkout(settings))
        return asyncio.run(reconcile(ctx)).changed
    finally:
        store.engine.dispose()


def change_plan(settings: Settings, membership_id: int, **fields: Any) -> dict[str, Any]:
    """``changePlan`` for ``membership_id`` with ``fields`` over a new client (a fresh
    idempotency key unless one is given)."""

    async def commit() -> dict[str, Any]:
        async with client_for(settings) as client:
            key = f"wp-stripe-{uuid.uuid4().hex[:8]}"
            change = {"membershipId": str(membership_id), "idempotencyKey": key, **fields}
            return (await gql(client, CHANGE, input=change))["changePlan"]

    return asyncio.run(commit())


@pytest.fixture
def network(load_wordpress_fixture: Callable[..., str]) -> str:
    return load_wordpress_fixture()


def test_a_stripe_renewing_upgrade_is_charged_once_and_updates_the_subscription(
    network: str, localstripe: LocalStripe
) -> None:
    settings = stripe_settings(network, localstripe)
    subscription_id = subscribe_on_stripe(network, localstripe, SOLO)
    before = membership_row(network, SOLO)

    async def commit() -> dict[str, Any]:
        async with client_for(settings) as client:
            options = (await gql(client, OPTIONS, id=str(SOLO)))["upgradeOptions"]["plans"]
            premium = next(o for o in options if o["plan"]["databaseId"] == PREMIUM)
            assert premium["allowed"] is True and premium["blockers"] == []
            key = f"wp-stripe-{uuid.uuid4().hex[:8]}"
            change = {"membershipId": str(SOLO), "planId": str(PREMIUM), "idempotencyKey": key}
            return (await gql(client, CHANGE, input=change))["changePlan"]

    result = asyncio.run(commit())
    assert result["userErrors"] == []
    payment = result["payment"]
    assert payment["status"] == "PENDING" and payment["gateway"] == "stripe"
    intent_id = payment["gatewayPaymentId"]
    assert intent_id.startswith("pi_")
    # Nothing of the membership moved before payment.
    assert membership_row(network, SOLO) == before

    intent = localstripe.client().v1.payment_intents.retrieve(intent_id)
    assert intent.customer == before["gateway_customer_id"]  # the subscription's customer
    assert localstripe.pay(intent_id) == "succeeded"
    assert reconcile_at(settings, PAID_AT) == 1
    assert reconcile_at(settings, PAID_AT) == 0  # applied once

    [stored] = rows(
        network, "SELECT * FROM wp_wu_payments WHERE id = :id", id=payment["databaseId"]
    )
    assert (stored["status"], stored["gateway"], stored["gateway_payment_id"]) == (
        "completed",
        "stripe",
        charge_of(localstripe, intent_id),
    )
    # The intent stays in the paymentmeta the plugin's Stripe gateway keeps it in.
    assert payment_meta(network, payment["databaseId"]) == {
        "wu_line_items": payment_meta(network, payment["databaseId"])["wu_line_items"],
        "stripe_payment_intent_id": intent_id,
    }
    after = membership_row(network, SOLO)
    next_amount = result["quote"]["nextBillingAmount"]["amount"]
    assert after["plan_id"] == PREMIUM and str(after["amount"]) == f"{next_amount}00"
    # As the plugin's Stripe checkout leaves it: same gateway, customer and subscription,
    # one more billed period, active.
    assert (after["gateway"], after["gateway_customer_id"], after["gateway_subscription_id"]) == (
        "stripe",
        before["gateway_customer_id"],
        subscription_id,
    )
    assert after["times_billed"] == before["times_billed"] + 1
    assert after["status"] == "active"
    # The quote's next billing date is 2026-07-15 00:00 UTC; paid at 10:30:05, the plugin's
    # subscription would first charge at 09:30:05 that day and the membership expire at its
    # end (docs/wordpress.md §11.5).
    next_billing = datetime.fromisoformat(result["quote"]["nextBillingDate"])
    assert next_billing == datetime(2026, 7, 15, tzinfo=UTC)
    assert after["date_expiration"] == datetime(2026, 7, 15, 23, 59, 59)  # noqa: DTZ001 - UTC column

    # Stripe bills the new recurring amount per month from then, with nothing prorated
    # (planswitch charged the credit-adjusted amount itself).
    client = localstripe.client()
    subscription = client.v1.subscriptions.retrieve(subscription_id)
    (item,) = subscription["items"].data
    assert item.plan.amount == to_stripe_amount(after["amount"], "USD")
    assert (item.plan.interval, item.plan.interval_count) == ("month", 1)
    first_charge = datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)
    assert subscription.trial_end == int(first_charge.timestamp())
    prorations = [
        i
        for i in client.v1.invoice_items.list().data
        if getattr(i, "subscription", None) == subscription_id and getattr(i, "proration", False)
    ]
    assert prorations == []


def test_a_membership_paid_through_stripe_keeps_the_stripe_customer(
    network: str, localstripe: LocalStripe
) -> None:
    """Membership 6 (Free, no gateway) upgrades and pays with Stripe: as the plugin's
    preflight does, it then names the Stripe gateway and the customer the intent charged;
    no subscription exists, so nothing is counted or renewed by a gateway."""
    settings = stripe_settings(network, localstripe)
    before = membership_row(network, FREE_MEMBERSHIP)

    result = change_plan(settings, FREE_MEMBERSHIP, planId=str(PREMIUM))
    assert result["userErrors"] == []
    intent_id = result["payment"]["gatewayPaymentId"]
    intent = localstripe.client().v1.payment_intents.retrieve(intent_id)
    assert intent.customer.startswith("cus_")
    assert localstripe.pay(intent_id) == "succeeded"
    assert reconcile_at(settings, REFERENCE_NOW) == 1

    after = membership_row(network, FREE_MEMBERSHIP)
    assert after["plan_id"] == PREMIUM
    assert (after["gateway"], after["gateway_customer_id"]) == ("stripe", intent.customer)
    assert after["gateway_subscription_id"] == before["gateway_subscription_id"]
    assert after["times_billed"] == before["times_billed"]
    # It does not auto-renew: no subscription opened, the expiration is the quote's.
    assert subscriptions_of(localstripe, intent.customer) == []
    next_billing = datetime.fromisoformat(result["quote"]["nextBillingDate"])
    assert after["date_expiration"] == naive_utc(next_billing)
    [stored] = rows(
        network, "SELECT * FROM wp_wu_payments WHERE id = :id", id=result["payment"]["databaseId"]
    )
    assert (stored["status"], stored["gateway"], stored["gateway_payment_id"]) == (
        "completed",
        "stripe",
        charge_of(localstripe, intent_id),
    )


def test_without_stripe_configured_the_stripe_renewing_change_is_refused(
    network: str, localstripe: LocalStripe
) -> None:
    """The same membership with the manual provider: GATEWAY_SYNC_UNAVAILABLE naming
    Stripe, nothing written, the subscription untouched."""
    subscription_id = subscribe_on_stripe(network, localstripe, SOLO)
    settings = stripe_settings(network, localstripe, provider="manual")
    before = membership_row(network, SOLO)

    result = change_plan(settings, SOLO, planId=str(PREMIUM))
    [error] = result["userErrors"]
    assert error["code"] == "GATEWAY_SYNC_UNAVAILABLE" and "Stripe" in error["message"]
    assert result["payment"] is None
    assert membership_row(network, SOLO) == before
    subscription = localstripe.client().v1.subscriptions.retrieve(subscription_id)
    (item,) = subscription["items"].data
    assert item.plan.amount == 1400 and subscription.trial_end is None


def test_a_scheduled_removal_points_the_subscription_at_the_renewal_amount(
    network: str, localstripe: LocalStripe
) -> None:
    """On a network the plugin's scheduler applies swaps (docs/wordpress.md §11.2), so the
    subscription cannot wait for planswitch to apply it: it bills the scheduled amount from
    its next invoice, the renewal on which the removal takes effect."""
    settings = stripe_settings(network, localstripe)
    subscription_id = subscribe_on_stripe(network, localstripe, SOLO)
    before = membership_row(network, SOLO)

    result = change_plan(settings, SOLO, removeAddons=[{"productId": "7", "quantity": 1}])
    assert result["userErrors"] == [] and result["payment"] is None
    after = membership_row(network, SOLO)
    assert (after["amount"], after["addon_products"]) == (
        before["amount"],
        before["addon_products"],
    )  # the plugin's scheduler swaps it at the expiration
    subscription = localstripe.client().v1.subscriptions.retrieve(subscription_id)
    (item,) = subscription["items"].data
    assert item.plan.amount == 900 and (item.plan.interval, item.plan.interval_count) == (
        "month",
        1,
    )
    assert subscription.trial_end is None  # the current period and its date stand


@pytest.mark.parametrize("zone", ["UTC", "America/Sao_Paulo"])
def test_an_auto_renewing_membership_without_a_subscription_gets_one_once(
    network: str, localstripe: LocalStripe, zone: str
) -> None:
    """Membership 6 set to auto-renew, with no gateway subscription, upgrades to Premium and
    pays with Stripe: as the plugin's Stripe checkout does for an auto-renewing recurring
    cart, a subscription opens on the customer charged, billing $49 a month from the next
    billing date, and the membership stores it (docs/wordpress.md §11.5). Its dates are the
    plugin's in UTC whatever the site's zone (the fixture moved to São Paulo here)."""
    rows(network, "UPDATE wp_wu_memberships SET auto_renew = 1 WHERE id = :id", id=FREE_MEMBERSHIP)
    rows(
        network,
        "UPDATE wp_options SET option_value = :zone WHERE option_name = 'timezone_string'",
        zone=zone,
    )
    settings = stripe_settings(network, localstripe)
    before = membership_row(network, FREE_MEMBERSHIP)

    result = change_plan(settings, FREE_MEMBERSHIP, planId=str(PREMIUM))
    assert result["userErrors"] == []
    payment_id = result["payment"]["databaseId"]
    intent_id = result["payment"]["gatewayPaymentId"]
    assert payment_meta(network, payment_id)["stripe_payment_intent_id"] == intent_id
    assert localstripe.pay(intent_id) == "succeeded"
    assert reconcile_at(settings, PAID_AT) == 1

    client = localstripe.client()
    customer = client.v1.payment_intents.retrieve(intent_id).customer
    (subscription,) = subscriptions_of(localstripe, customer)
    (item,) = subscription["items"].data
    assert (item.plan.amount, item.plan.currency) == (4900, "usd")
    assert (item.plan.interval, item.plan.interval_count) == ("month", 1)
    next_billing = datetime.fromisoformat(result["quote"]["nextBillingDate"])
    first_charge = subscription_first_charge(next_billing, PAID_AT)
    assert first_charge == datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)
    assert subscription.trial_end == int(first_charge.timestamp())
    assert subscription.metadata["planswitch_payment_id"] == str(payment_id)
    # The card that paid bills the renewals, saved on the customer by the intent.
    method = client.v1.payment_methods.retrieve(subscription.default_payment_method)
    assert method.customer == customer
    assert [i for i in client.v1.invoices.list().data if i.subscription == subscription.id] == []

    after = membership_row(network, FREE_MEMBERSHIP)
    assert (after["gateway"], after["gateway_customer_id"], after["gateway_subscription_id"]) == (
        "stripe",
        customer,
        subscription.id,
    )
    assert (after["plan_id"], after["auto_renew"], after["status"]) == (PREMIUM, 1, "active")
    assert after["times_billed"] == before["times_billed"] + 1
    assert after["date_expiration"] == naive_utc(expiration_after_charge(first_charge))
    assert after["date_expiration"] == datetime(2026, 7, 15, 23, 59, 59)  # noqa: DTZ001 - UTC column
    # renew() stamps date_renewed in the site's time, the one local column.
    assert after["date_renewed"] == PAID_AT.astimezone(ZoneInfo(zone)).replace(tzinfo=None)

    # Settled again (a second reconcile, a late webhook): nothing more opens or moves.
    assert reconcile_at(settings, PAID_AT + timedelta(minutes=5)) == 0
    assert [s.id for s in subscriptions_of(localstripe, customer)] == [subscription.id]
    assert membership_row(network, FREE_MEMBERSHIP) == after
    # The same payment asks Stripe again (a settlement retried after a rollback): the
    # idempotency key hands back the same subscription.
    store = WordPressStore(network)
    try:
        [paid] = store.payments_by_membership([FREE_MEMBERSHIP])[FREE_MEMBERSHIP][:1]
        membership = store.memberships_by_id([FREE_MEMBERSHIP])[FREE_MEMBERSHIP]
    finally:
        store.dispose()
    assert paid.id == payment_id
    again = localstripe.provider().open_subscription(membership, paid, first_charge)
    assert again == subscription.id
    assert [s.id for s in subscriptions_of(localstripe, customer)] == [subscription.id]


def test_a_subscription_stripe_refuses_leaves_the_paid_change_applied_without_one(
    network: str, localstripe: LocalStripe
) -> None:
    """The customer charged is gone by the time the payment applies: Stripe refuses the
    subscription. The money is in, so the change applies all the same, as on a membership
    that renews through the plugin's renewal payments (nothing counted, the quote's
    expiration), and the refusal is recorded."""
    rows(network, "UPDATE wp_wu_memberships SET auto_renew = 1 WHERE id = :id", id=FREE_MEMBERSHIP)
    settings = stripe_settings(network, localstripe)
    before = membership_row(network, FREE_MEMBERSHIP)

    result = change_plan(settings, FREE_MEMBERSHIP, planId=str(PREMIUM))
    intent_id = result["payment"]["gatewayPaymentId"]
    assert localstripe.pay(intent_id) == "succeeded"
    client = localstripe.client()
    customer = client.v1.payment_intents.retrieve(intent_id).customer
    client.v1.customers.delete(customer)
    assert reconcile_at(settings, PAID_AT) == 1

    after = membership_row(network, FREE_MEMBERSHIP)
    assert (after["plan_id"], after["gateway"], after["gateway_customer_id"]) == (
        PREMIUM,
        "stripe",
        customer,
    )
    assert after["gateway_subscription_id"] == ""
    assert after["times_billed"] == before["times_billed"]
    next_billing = datetime.fromisoformat(result["quote"]["nextBillingDate"])
    assert after["date_expiration"] == naive_utc(next_billing)
    kinds = [
        row["kind"]
        for row in rows(
            network,
            "SELECT kind FROM wp_planswitch_events WHERE object_type = 'membership' "
            "AND object_id = :id",
            id=FREE_MEMBERSHIP,
        )
    ]
    assert "subscription_open_failed" in kinds
