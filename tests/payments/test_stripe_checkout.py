"""Checkout with Stripe, end to end: planswitch served over HTTP, localstripe as Stripe,
its signed webhooks delivered to ``POST /webhooks/stripe``, the frontend's side (Stripe.js
confirming a PaymentIntent) done with the SDK."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from planswitch.adapters.native import NativeStore
from planswitch.adapters.payments.stripe_amounts import to_stripe_amount
from planswitch.domain.pending_change import DEFAULT_TTL
from planswitch.resolvers.context import Context, Viewer
from planswitch.resolvers.payments import expire_overdue, reconcile
from planswitch.resolvers.scheduled import apply_due_changes
from planswitch.server.app import create_app, make_checkout
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings
from sqlalchemy import create_engine, select

from tests.api.conftest import OPERATOR, customer_headers, make_settings
from tests.conftest import REFERENCE_NOW
from tests.payments.conftest import SECRET_KEY, WEBHOOK_DELAY, WEBHOOK_SECRET, LocalStripe
from tests.payments.live import serve
from tests.payments.signing import intent_event, sign
from tests.resolvers.conftest import LITE, PREMIUM, seeded_store

FREE, PREMIUM_MEMBERSHIP = 5, 1  # the demo's Free and Premium memberships
EXTRA_SITES = 6  # an add-on Premium may buy

PAYMENT = "databaseId status gateway gatewayPaymentId total { amount currency }"
CHANGE = f"""mutation($input: ChangePlanInput!) {{ changePlan(input: $input) {{
  membership {{ databaseId }} payment {{ {PAYMENT} }}
  paymentAction {{ provider clientSecret payUrl }}
  quote {{ changeKind scheduled dueNow {{ amount }} nextBillingAmount {{ amount }} }}
  userErrors {{ code message }} }} }}"""
READ = f"""query($id: ID!) {{ membership(id: $id, idType: DATABASE_ID) {{
  plan {{ databaseId }} amount {{ amount }} addons {{ product {{ databaseId }} quantity }}
  pendingChange {{ payment {{ databaseId }} }}
  scheduledChange {{ effectiveAt amount {{ amount }} }}
  payments(first: 10) {{ nodes {{ {PAYMENT} }} }} }} }}"""


class Checkout:
    """planswitch with the stripe provider, served on a real port, webhooks registered."""

    def __init__(
        self, store: NativeStore, settings: Settings, url: str, localstripe: LocalStripe
    ) -> None:
        self.store, self.settings, self.url, self.stripe = store, settings, url, localstripe
        self.http = httpx.Client(base_url=url, timeout=30)
        # One localstripe serves the whole session and, as Stripe does, answers a repeated
        # idempotency key with its first intent: keys are unique per test database.
        self.run = uuid.uuid4().hex[:8]
        self.engine = create_engine(settings.database_url)

    def gql(self, query: str, headers: dict[str, str] = OPERATOR, **variables: Any) -> dict:
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    def change(self, key: str, membership_id: int = FREE, **fields: Any) -> dict:
        customer = self.store.memberships_by_id([membership_id])[membership_id].customer_id
        fields = {
            "idempotencyKey": f"{self.run}-{key}",
            "membershipId": str(membership_id),
            **fields,
        }
        result = self.gql(CHANGE, customer_headers(customer), input=fields)["changePlan"]
        assert result["userErrors"] == [], result
        return result

    def read(self, membership_id: int = FREE) -> dict:
        return self.gql(READ, id=str(membership_id))["membership"]

    def payment_status(self, payment_id: int) -> str:
        return self.store.payments_by_id([payment_id])[payment_id].status.value

    def wait_for(self, what: Callable[[], bool], seconds: float = 15) -> None:
        """localstripe delivers an event WEBHOOK_DELAY after it happens."""
        deadline = time.monotonic() + seconds
        while not what():
            assert time.monotonic() < deadline, "the webhook never took effect"
            time.sleep(0.1)

    def plan_changes(self, membership_id: int = FREE) -> int:
        events = self.store.events("membership", membership_id)
        return sum(e.kind in ("plan_changed", "addons_changed") for e in events)

    def stored_events(self) -> int:
        """Events stored with an effect on a payment of this test. (One localstripe serves
        the session: an event of an earlier test may reach this server, and is ignored.)"""
        from planswitch.adapters.native.tables import IdempotencyKeyRow

        with self.engine.connect() as conn:
            query = select(IdempotencyKeyRow.result).where(
                IdempotencyKeyRow.key.like("stripe-event:%")
            )
            results = conn.execute(query).scalars().all()
        return sum(result["outcome"] != "ignored" for result in results)

    def deliver(self, body: bytes, signature: str | None = None) -> httpx.Response:
        """POST an event to the webhook as Stripe would (signed with our secret)."""
        header = sign(body, WEBHOOK_SECRET) if signature is None else signature
        return self.http.post(
            "/webhooks/stripe",
            content=body,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        )

    def intent(self, intent_id: str) -> Any:
        return self.stripe.client().v1.payment_intents.retrieve(intent_id)

    def operator(self, now: datetime) -> Context:
        """What the CLI and the server's loop run with: an operator at ``now``."""
        return Context(
            self.store,
            FixedClock(now),
            self.settings,
            Viewer.operator(),
            make_checkout(self.settings),
        )


def charge_of(checkout: Checkout, intent_id: str) -> str:
    """The charge that paid an intent (localstripe expands ``latest_charge``)."""
    charge = checkout.intent(intent_id).to_dict()["latest_charge"]
    return charge["id"] if isinstance(charge, dict) else charge


def stripe_settings(url: str, localstripe: LocalStripe) -> Settings:
    return make_settings(
        url,
        payment_provider="stripe",
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe.url,
    )


@pytest.fixture(
    params=[
        pytest.param("sqlite_url", id="sqlite"),
        pytest.param("postgres_url", marks=pytest.mark.postgres, id="postgres"),
    ]
)
def checkout(request: pytest.FixtureRequest, localstripe: LocalStripe) -> Iterator[Checkout]:
    url = request.getfixturevalue(request.param)
    store = seeded_store(url)
    settings = stripe_settings(url, localstripe)
    app = create_app(settings, store=store, clock=FixedClock(REFERENCE_NOW))
    with serve(app) as url:
        localstripe.register_webhook("planswitch", f"{url}/webhooks/stripe")
        flow = Checkout(store, settings, url, localstripe)
        yield flow
        flow.http.close()
        flow.engine.dispose()
    store.close()


def test_an_upgrade_is_paid_with_stripe_and_applied_once_by_the_webhook(checkout: Checkout):
    result = checkout.change("stripe-up-1", planId=str(PREMIUM))
    payment, action = result["payment"], result["paymentAction"]
    assert (payment["status"], payment["gateway"], payment["total"]) == (
        "PENDING",
        "stripe",
        {"amount": "49.00", "currency": "USD"},
    )
    intent = checkout.intent(payment["gatewayPaymentId"])
    assert (intent.amount, intent.currency, intent.status) == (
        4900,
        "usd",
        "requires_payment_method",
    )
    assert intent.metadata["planswitch_payment_id"] == str(payment["databaseId"])
    assert intent.metadata["planswitch_membership_id"] == str(FREE)
    assert action == {"provider": "stripe", "clientSecret": intent.client_secret, "payUrl": None}
    assert checkout.read()["plan"]["databaseId"] != PREMIUM  # nothing moves before the money

    # The frontend confirms with Stripe.js; Stripe tells planswitch through the webhook.
    assert checkout.stripe.pay(intent.id) == "succeeded"
    checkout.wait_for(lambda: checkout.payment_status(payment["databaseId"]) == "completed")

    after = checkout.read()
    assert after["plan"]["databaseId"] == PREMIUM and after["pendingChange"] is None
    paid = next(p for p in after["payments"]["nodes"] if p["databaseId"] == payment["databaseId"])
    # Paid, it carries the charge's id, as the plugin's Stripe gateway stores a payment.
    assert (paid["status"], paid["gatewayPaymentId"]) == (
        "COMPLETED",
        charge_of(checkout, intent.id),
    )
    # The Stripe customer the webhook's intent charged is kept on the membership.
    membership = checkout.store.memberships_by_id([FREE])[FREE]
    assert (membership.gateway, membership.gateway_customer_id) == ("stripe", intent.customer)
    assert checkout.plan_changes() == 1
    assert checkout.stored_events() == 1

    # Stripe delivers the same event again (it retries until it sees a 2xx): nothing moves.
    (event,) = [
        e
        for e in checkout.stripe.client()
        .v1.events.list(params={"type": "payment_intent.succeeded"})
        .data
        if e.data.object.id == intent.id
    ]
    replay = checkout.deliver(
        intent_event(event.id, event.type, intent.id, event.data.object.metadata.to_dict())
    )
    assert (replay.status_code, replay.json()["outcome"]) == (200, "duplicate")
    assert checkout.plan_changes() == 1 and checkout.stored_events() == 1
    assert checkout.read() == after


def test_a_declined_card_discards_the_change_and_cancels_the_intent(checkout: Checkout):
    before = checkout.read()
    result = checkout.change("stripe-declined", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]

    # localstripe declines charges on this test method at confirm, as Stripe does for
    # pm_card_visa_chargeDeclined (which localstripe only declines when attached).
    assert checkout.stripe.pay(intent_id, "pm_card_chargeCustomerFail") == (
        "requires_payment_method"
    )
    checkout.wait_for(lambda: checkout.payment_status(payment_id) == "failed")

    after = checkout.read()
    assert after["pendingChange"] is None
    assert (after["plan"], after["amount"]) == (before["plan"], before["amount"])
    assert checkout.plan_changes() == 0
    # The intent can no longer be paid for the discarded change.
    assert checkout.intent(intent_id).status == "canceled"


def test_late_and_out_of_order_events_change_nothing(checkout: Checkout):
    result = checkout.change("stripe-order", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]
    meta = {"planswitch_payment_id": str(payment_id), "planswitch_membership_id": str(FREE)}
    checkout.stripe.pay(intent_id)
    checkout.wait_for(lambda: checkout.payment_status(payment_id) == "completed")
    after = checkout.read()

    # An earlier attempt's failure and a cancellation arrive after the success.
    for event_id, event_type in (
        ("evt_late_failure", "payment_intent.payment_failed"),
        ("evt_late_cancel", "payment_intent.canceled"),
    ):
        response = checkout.deliver(
            intent_event(event_id, event_type, intent_id, meta, status="requires_payment_method")
        )
        assert response.status_code == 200, response.text
    assert checkout.payment_status(payment_id) == "completed"
    assert checkout.read() == after and checkout.plan_changes() == 1

    # An event about an intent planswitch did not open for that payment is acknowledged only.
    stranger = checkout.deliver(
        intent_event("evt_stranger", "payment_intent.succeeded", "pi_x", meta)
    )
    assert (stranger.status_code, stranger.json()["outcome"]) == (200, "ignored")
    # The plugin's own intents (its checkout, its renewals) carry no planswitch ids.
    plugins = checkout.deliver(intent_event("evt_plugin", "payment_intent.succeeded", "pi_y", {}))
    assert (plugins.status_code, plugins.json()["outcome"]) == (200, "ignored")
    unrelated = checkout.deliver(intent_event("evt_other", "customer.created", "cus_x", {}))
    assert unrelated.status_code == 200
    assert checkout.read() == after


def test_the_same_event_delivered_at_once_by_many_connections_applies_once(checkout: Checkout):
    checkout.stripe.register_webhook("planswitch", "http://127.0.0.1:9/nowhere")  # held
    result = checkout.change("stripe-burst", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]
    meta = {"planswitch_payment_id": str(payment_id), "planswitch_membership_id": str(FREE)}
    checkout.stripe.pay(intent_id)
    body = intent_event("evt_burst", "payment_intent.succeeded", intent_id, meta)

    def deliver(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=checkout.url, timeout=60) as http:
            response = http.post(
                "/webhooks/stripe",
                content=body,
                headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET)},
            )
        return response.status_code, response.json().get("outcome", "")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(deliver, range(8)))

    # Every delivery that got a 2xx saw the effect stored; a refused one (a busy SQLite
    # writer) would be delivered again by Stripe and find it done.
    accepted = [outcome for status, outcome in answers if status == 200]
    assert accepted.count("applied") == 1, answers
    assert set(accepted) <= {"applied", "duplicate", "none"}, answers
    if "postgresql" in checkout.settings.database_url:
        assert len(accepted) == 8, answers
    assert checkout.payment_status(payment_id) == "completed"
    assert checkout.plan_changes() == 1 and checkout.stored_events() == 1


def test_a_success_delivered_after_a_stale_failure_event_still_applies(checkout: Checkout):
    # The failure event of a first attempt is delivered late, after the customer paid with
    # another card: planswitch asks Stripe before discarding, and applies instead.
    result = checkout.change("stripe-retry", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]
    meta = {"planswitch_payment_id": str(payment_id), "planswitch_membership_id": str(FREE)}
    checkout.stripe.register_webhook("planswitch", "http://127.0.0.1:9/nowhere")  # hold events
    checkout.stripe.pay(intent_id)

    stale = checkout.deliver(
        intent_event("evt_stale", "payment_intent.payment_failed", intent_id, meta)
    )

    assert (stale.status_code, stale.json()["outcome"]) == (200, "applied")
    assert checkout.payment_status(payment_id) == "completed"
    assert checkout.read()["plan"]["databaseId"] == PREMIUM


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda body: sign(body, "whsec_forged"), id="forged"),
        pytest.param(lambda body: sign(body, WEBHOOK_SECRET, int(time.time()) - 3600), id="stale"),
        pytest.param(lambda body: "", id="missing"),
    ],
)
def test_a_forged_or_stale_delivery_is_refused(checkout: Checkout, header: Callable) -> None:
    result = checkout.change("stripe-forged", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]
    meta = {"planswitch_payment_id": str(payment_id), "planswitch_membership_id": str(FREE)}
    body = intent_event("evt_forged", "payment_intent.succeeded", intent_id, meta)

    response = checkout.deliver(body, header(body))

    assert response.status_code == 400
    assert checkout.payment_status(payment_id) == "pending"
    assert checkout.plan_changes() == 0 and checkout.stored_events() == 0


def test_a_lost_webhook_is_recovered_by_reconcile(checkout: Checkout):
    checkout.stripe.register_webhook("planswitch", "http://127.0.0.1:9/nowhere")  # lost
    result = checkout.change("stripe-lost", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]
    checkout.stripe.pay(intent_id)
    time.sleep(WEBHOOK_DELAY + 0.5)  # past localstripe's delivery attempt
    assert checkout.payment_status(payment_id) == "pending"

    # `planswitch payments reconcile`, a process configured as the server is.
    env = {
        **os.environ,
        "PLANSWITCH_DATABASE_URL": checkout.settings.database_url,
        "PLANSWITCH_PAYMENT_PROVIDER": "stripe",
        "PLANSWITCH_STRIPE_SECRET_KEY": SECRET_KEY,
        "PLANSWITCH_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PLANSWITCH_STRIPE_API_BASE": checkout.stripe.url,
        "PLANSWITCH_DEMO": "false",
    }
    command = [str(Path(sys.executable).with_name("planswitch")), "payments", "reconcile"]
    run = subprocess.run(
        [*command, "--as-of", "2026-06-15T00:00:00"], env=env, capture_output=True, text=True
    )

    assert run.returncode == 0, run.stderr
    assert "applied 1" in run.stdout
    assert checkout.payment_status(payment_id) == "completed"
    assert checkout.read()["plan"]["databaseId"] == PREMIUM
    assert checkout.plan_changes() == 1
    # Reconciling again finds nothing left to do.
    assert asyncio.run(reconcile(checkout.operator(REFERENCE_NOW))).changed == 0


def test_expiry_cancels_the_payment_intent_first(checkout: Checkout):
    result = checkout.change("stripe-expire", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]

    later = REFERENCE_NOW + DEFAULT_TTL + timedelta(seconds=1)
    report = asyncio.run(expire_overdue(checkout.operator(later)))

    assert report.expired == [payment_id]
    assert checkout.intent(intent_id).status == "canceled"
    assert checkout.payment_status(payment_id) == "cancelled"
    assert checkout.read()["pendingChange"] is None


def test_expiry_of_a_change_paid_at_the_last_moment_applies_it(checkout: Checkout):
    checkout.stripe.register_webhook("planswitch", "http://127.0.0.1:9/nowhere")
    result = checkout.change("stripe-last-moment", planId=str(PREMIUM))
    payment_id, intent_id = result["payment"]["databaseId"], result["payment"]["gatewayPaymentId"]
    checkout.stripe.pay(intent_id)

    later = REFERENCE_NOW + DEFAULT_TTL + timedelta(seconds=1)
    asyncio.run(expire_overdue(checkout.operator(later)))

    assert checkout.payment_status(payment_id) == "completed"
    assert checkout.read()["plan"]["databaseId"] == PREMIUM


def test_a_replaced_change_cancels_the_old_payment_intent(checkout: Checkout):
    first = checkout.change("stripe-first", planId=str(PREMIUM))
    second = checkout.change(
        "stripe-second", planId=str(PREMIUM), billingPeriod={"duration": 1, "unit": "YEAR"}
    )

    old, new = first["payment"], second["payment"]
    assert checkout.intent(old["gatewayPaymentId"]).status == "canceled"
    assert checkout.payment_status(old["databaseId"]) == "cancelled"
    assert new["gatewayPaymentId"] != old["gatewayPaymentId"]
    fresh = checkout.intent(new["gatewayPaymentId"])
    assert (fresh.status, fresh.amount) == ("requires_payment_method", 49000)
    assert checkout.read()["pendingChange"]["payment"]["databaseId"] == new["databaseId"]


# --- a membership renewing through a Stripe subscription ----------------------------------


def stripe_renewing(checkout: Checkout, membership_id: int) -> str:
    """Make ``membership_id`` renew through a localstripe subscription of its current amount,
    as the plugin's Stripe checkout leaves it; returns the subscription id."""
    client = checkout.stripe.client()
    membership = checkout.store.memberships_by_id([membership_id])[membership_id]
    customer = client.v1.customers.create(params={"email": f"m{membership_id}@example.com"})
    method = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    plan_id = f"plugin-{membership_id}-{time.time_ns()}"
    client.v1.plans.create(
        params={
            "id": plan_id,
            "amount": to_stripe_amount(membership.amount, membership.currency),
            "currency": membership.currency.lower(),
            "interval": membership.period.unit.value,  # type: ignore[typeddict-item]
            "interval_count": membership.period.duration,
            "product": {"name": "Premium"},
        }
    )
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"plan": plan_id}]}  # type: ignore[typeddict-item]
    )
    with checkout.store.transaction() as tx:
        locked = tx.lock_membership(membership_id)
        assert locked is not None
        tx.save_membership(
            locked,
            replace(
                locked,
                gateway="stripe",
                gateway_customer_id=customer.id,
                gateway_subscription_id=subscription.id,
                auto_renew=True,
            ),
        )
    return subscription.id


def billed(checkout: Checkout, subscription_id: int) -> tuple[int, int]:
    """(what the subscription bills per period, proration items waiting)."""
    client = checkout.stripe.client()
    (item,) = client.v1.subscriptions.retrieve(subscription_id)["items"].data
    prorations = [
        i
        for i in client.v1.invoice_items.list().data
        if getattr(i, "subscription", None) == subscription_id and getattr(i, "proration", False)
    ]
    return item.plan.amount * item.quantity, len(prorations)


def cents(checkout: Checkout, membership_id: int) -> int:
    membership = checkout.store.memberships_by_id([membership_id])[membership_id]
    return to_stripe_amount(membership.amount, membership.currency)


def test_the_subscription_follows_an_upgrade_and_a_scheduled_downgrade(checkout: Checkout):
    subscription = stripe_renewing(checkout, PREMIUM_MEMBERSHIP)
    start = cents(checkout, PREMIUM_MEMBERSHIP)
    assert billed(checkout, subscription) == (start, 0)

    # An add-on bought mid-term: the prorated part is charged now by planswitch...
    bought = checkout.change(
        "stripe-addon",
        PREMIUM_MEMBERSHIP,
        addons=[{"productId": str(EXTRA_SITES), "quantity": 1}],
    )
    due = Decimal(bought["quote"]["dueNow"]["amount"])
    intent = checkout.intent(bought["payment"]["gatewayPaymentId"])
    assert intent.amount == to_stripe_amount(due, "USD") and intent.customer.startswith("cus_")
    checkout.stripe.pay(intent.id)
    checkout.wait_for(
        lambda: checkout.payment_status(bought["payment"]["databaseId"]) == "completed"
    )
    # ...and Stripe bills the new recurring amount from the next renewal, prorating nothing.
    upgraded = cents(checkout, PREMIUM_MEMBERSHIP)
    assert upgraded == to_stripe_amount(
        Decimal(bought["quote"]["nextBillingAmount"]["amount"]), "USD"
    )
    assert upgraded > start
    assert billed(checkout, subscription) == (upgraded, 0)
    # The intent was made on the membership's own Stripe customer.
    membership = checkout.store.memberships_by_id([PREMIUM_MEMBERSHIP])[PREMIUM_MEMBERSHIP]
    assert intent.customer == membership.gateway_customer_id

    # A downgrade waits for the end of the term. The subscription is pointed at the new
    # amount at once, with nothing prorated: its next invoice is the renewal at the end of
    # the term, when the downgrade takes effect (docs/wordpress.md §11.5) - so it is right
    # however the swap is applied (on WordPress, by the plugin's own scheduler).
    down = checkout.change("stripe-down", PREMIUM_MEMBERSHIP, planId=str(LITE))
    assert down["quote"]["scheduled"] is True and down["payment"] is None
    scheduled = to_stripe_amount(Decimal(down["quote"]["nextBillingAmount"]["amount"]), "USD")
    assert scheduled < upgraded
    assert billed(checkout, subscription) == (scheduled, 0)
    assert checkout.stripe.client().v1.subscriptions.retrieve(subscription).trial_end is None
    assert cents(checkout, PREMIUM_MEMBERSHIP) == upgraded  # the membership waits
    effective = checkout.read(PREMIUM_MEMBERSHIP)["scheduledChange"]["effectiveAt"]
    when = membership.date_expiration
    assert when is not None and when.isoformat() == effective

    # Cancelling the downgrade points the subscription back; scheduling it again, forward.
    cancel = """mutation($input: CancelScheduledChangeInput!) { cancelScheduledChange(
      input: $input) { userErrors { code } } }"""
    cancelled = checkout.gql(cancel, input={"membershipId": str(PREMIUM_MEMBERSHIP)})
    assert cancelled["cancelScheduledChange"]["userErrors"] == []
    assert billed(checkout, subscription) == (upgraded, 0)
    checkout.change("stripe-down-again", PREMIUM_MEMBERSHIP, planId=str(LITE))
    assert billed(checkout, subscription) == (scheduled, 0)

    applied = asyncio.run(apply_due_changes(checkout.operator(when)))

    assert applied == [PREMIUM_MEMBERSHIP]
    downgraded = cents(checkout, PREMIUM_MEMBERSHIP)
    assert downgraded == scheduled
    assert billed(checkout, subscription) == (downgraded, 0)
