"""The stripe provider against localstripe: PaymentIntents, states, cancel, subscriptions."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from planswitch.adapters.payments.stripe import StripeProvider, next_charge_at, stripe_key
from planswitch.domain.customers import Customer
from planswitch.domain.memberships import Membership, MembershipStatus, ScheduledChange
from planswitch.domain.payment_provider import (
    GatewaySyncUnavailable,
    PaymentProviderUnavailable,
    ProviderState,
)
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit

from tests.payments.conftest import LocalStripe

_ids = itertools.count(1000)
CUSTOMER = Customer(id=7, user_id=70, email="ada@example.com", display_name="Ada Lovelace")


def membership(**changes: object) -> Membership:
    base = Membership(
        id=next(_ids),
        customer_id=CUSTOMER.id,
        plan_id=2,
        status=MembershipStatus.ACTIVE,
        amount=Decimal("29.00"),
        currency="USD",
        auto_renew=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def payment(m: Membership, total: str = "49.00", currency: str = "USD") -> Payment:
    return Payment(
        id=next(_ids),
        customer_id=m.customer_id,
        membership_id=m.id,
        status=PaymentStatus.PENDING,
        currency=currency,
        subtotal=Decimal(total),
        total=Decimal(total),
    )


@pytest.fixture
def provider(localstripe: LocalStripe) -> StripeProvider:
    return localstripe.provider()


def test_open_creates_a_payment_intent_for_the_total_on_a_new_customer(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    m = membership()
    p = payment(m, "49.00")

    opened = provider.open(p, m, CUSTOMER, "key-open-1")

    intent = localstripe.client().v1.payment_intents.retrieve(opened.gateway_payment_id)
    assert (intent.amount, intent.currency, intent.status) == (
        4900,
        "usd",
        "requires_payment_method",
    )
    assert intent.metadata.to_dict() == {
        "planswitch_payment_id": str(p.id),
        "planswitch_membership_id": str(m.id),
        "planswitch_customer_id": "7",
    }
    assert opened.gateway == "stripe"
    assert opened.action.provider == "stripe"
    assert opened.action.client_secret == intent.client_secret
    assert opened.gateway_customer_id == intent.customer
    customer = localstripe.client().v1.customers.retrieve(intent.customer)
    assert (customer.email, customer.name) == ("ada@example.com", "Ada Lovelace")


def test_open_reuses_the_memberships_stripe_customer(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    existing = localstripe.client().v1.customers.create(params={"email": "old@example.com"})
    m = membership(gateway="stripe", gateway_customer_id=existing.id)

    opened = provider.open(payment(m), m, CUSTOMER, "key-reuse")

    intent = localstripe.client().v1.payment_intents.retrieve(opened.gateway_payment_id)
    assert intent.customer == existing.id
    assert opened.gateway_customer_id == ""  # nothing new to store


def test_a_customer_id_of_another_gateway_is_not_taken_for_a_stripe_one(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    m = membership(gateway="paypal", gateway_customer_id="I-PAYPAL123")

    opened = provider.open(payment(m), m, CUSTOMER, "key-paypal")

    assert opened.gateway_customer_id.startswith("cus_")


def test_open_retried_with_the_same_key_returns_the_same_intent(
    provider: StripeProvider,
) -> None:
    m = membership()
    p = payment(m)

    first = provider.open(p, m, CUSTOMER, "key-retry")
    # The answer was lost: planswitch never stored the intent id, and asks again.
    again = provider.open(p, m, CUSTOMER, "key-retry")
    # Stored this time: the stored reference is used.
    stored = provider.open(
        replace(p, gateway_payment_id=first.gateway_payment_id), m, CUSTOMER, "x"
    )

    assert again.gateway_payment_id == first.gateway_payment_id
    assert again.gateway_customer_id == first.gateway_customer_id
    assert stored.gateway_payment_id == first.gateway_payment_id
    assert stored.action.client_secret == first.action.client_secret


def test_another_key_opens_another_intent(provider: StripeProvider) -> None:
    m = membership()
    p = payment(m)
    assert (
        provider.open(p, m, CUSTOMER, "key-a").gateway_payment_id
        != provider.open(p, m, CUSTOMER, "key-b").gateway_payment_id
    )


def test_stripe_keys_are_derived_from_ours() -> None:
    assert stripe_key("k1", "customer") != stripe_key("k1", "payment_intent")
    assert stripe_key("k1", "customer") == stripe_key("k1", "customer")
    assert "k1" in stripe_key("k1", "customer")


def test_yen_is_charged_in_whole_units(provider: StripeProvider, localstripe: LocalStripe) -> None:
    m = membership(currency="JPY", amount=Decimal("3000"))

    opened = provider.open(payment(m, "1500", "JPY"), m, CUSTOMER, "key-jpy")

    intent = localstripe.client().v1.payment_intents.retrieve(opened.gateway_payment_id)
    assert (intent.amount, intent.currency) == (1500, "jpy")


def test_an_amount_stripe_cannot_charge_exactly_is_refused_before_any_request(
    provider: StripeProvider,
) -> None:
    m = membership(currency="JPY")
    with pytest.raises(PaymentProviderUnavailable):
        provider.open(payment(m, "1500.50", "JPY"), m, CUSTOMER, "key-jpy-frac")


def test_a_paid_intent_is_completed(provider: StripeProvider, localstripe: LocalStripe) -> None:
    m = membership()
    p = payment(m)
    opened = provider.open(p, m, CUSTOMER, "key-paid")
    stored = replace(p, gateway_payment_id=opened.gateway_payment_id)

    assert provider.status(stored).state is ProviderState.PENDING
    assert localstripe.pay(opened.gateway_payment_id) == "succeeded"

    state = provider.status(stored)
    # Paid, the payment takes the charge's id (what the plugin's refund needs).
    intent = localstripe.client().v1.payment_intents.retrieve(opened.gateway_payment_id)
    charge = intent.to_dict()["latest_charge"]
    charge = charge["id"] if isinstance(charge, dict) else charge  # localstripe expands it
    assert charge.startswith("ch_")
    assert (state.state, state.gateway_payment_id, state.gateway_customer_id) == (
        ProviderState.COMPLETED,
        charge,
        opened.gateway_customer_id,
    )
    # Cancelling a paid intent reports it paid: the caller applies instead of discarding.
    assert provider.cancel(stored).state is ProviderState.COMPLETED


def test_a_declined_card_fails_the_payment(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    m = membership()
    p = payment(m)
    opened = provider.open(p, m, CUSTOMER, "key-declined")
    stored = replace(p, gateway_payment_id=opened.gateway_payment_id)

    # localstripe declines charges on this test method (its pm_card_visa_chargeDeclined
    # only declines when attached to a customer).
    assert localstripe.pay(opened.gateway_payment_id, "pm_card_chargeCustomerFail") == (
        "requires_payment_method"
    )

    state = provider.status(stored)
    assert state.state is ProviderState.FAILED
    assert "declined" in state.reason
    # A declined intent is cancelled, so it can no longer be paid for a discarded change.
    assert provider.cancel(stored).state is ProviderState.CANCELLED
    intent = localstripe.client().v1.payment_intents.retrieve(opened.gateway_payment_id)
    assert intent.status == "canceled"


def test_cancel_cancels_an_unpaid_intent_and_is_repeatable(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    m = membership()
    p = payment(m)
    opened = provider.open(p, m, CUSTOMER, "key-cancel")
    stored = replace(p, gateway_payment_id=opened.gateway_payment_id)

    assert provider.cancel(stored).state is ProviderState.CANCELLED
    assert provider.cancel(stored).state is ProviderState.CANCELLED
    assert provider.status(stored).state is ProviderState.CANCELLED
    intent = localstripe.client().v1.payment_intents.retrieve(opened.gateway_payment_id)
    assert intent.status == "canceled"


def test_a_payment_that_never_reached_stripe_cancels_without_a_request(
    provider: StripeProvider,
) -> None:
    m = membership()
    assert provider.cancel(payment(m)).state is ProviderState.CANCELLED
    assert provider.status(payment(m)).state is ProviderState.PENDING


def test_an_unreachable_stripe_is_reported_as_unavailable() -> None:
    down = StripeProvider("sk_test_x", api_base="http://127.0.0.1:9", max_network_retries=0)
    m = membership()
    with pytest.raises(PaymentProviderUnavailable):
        down.open(payment(m), m, CUSTOMER, "key-down")


# --- subscriptions -----------------------------------------------------------------------


def stripe_subscription(localstripe: LocalStripe, amount: int) -> tuple[str, str]:
    """A paying Stripe customer with an active monthly subscription of ``amount`` cents,
    as the plugin's checkout leaves it. Returns (customer id, subscription id)."""
    client = localstripe.client()
    customer = client.v1.customers.create(params={"email": "sub@example.com"})
    method = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    plan_id = f"plugin-basic-{amount}-{next(_ids)}"
    client.v1.plans.create(
        params={
            "id": plan_id,
            "amount": amount,
            "currency": "usd",
            "interval": "month",
            "product": {"name": "Basic"},
        }
    )
    # localstripe creates subscriptions from plans (the plugin's older checkouts did too).
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"plan": plan_id}]}  # type: ignore[typeddict-item]
    )
    assert subscription.status == "active"
    return customer.id, subscription.id


def subscription_state(localstripe: LocalStripe, subscription_id: str) -> tuple[int, str, int]:
    """(amount per interval, interval, proration invoice items waiting) of a subscription."""
    client = localstripe.client()
    subscription = client.v1.subscriptions.retrieve(subscription_id)
    (item,) = subscription["items"].data
    prorations = [
        i
        for i in client.v1.invoice_items.list().data
        if getattr(i, "subscription", None) == subscription_id and getattr(i, "proration", False)
    ]
    return item.plan.amount * item.quantity, item.plan.interval, len(prorations)


def test_subscription_bills_the_new_amount_from_the_next_renewal_without_proration(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    customer_id, subscription_id = stripe_subscription(localstripe, 2900)
    before = membership(
        gateway="stripe", gateway_customer_id=customer_id, gateway_subscription_id=subscription_id
    )
    after = replace(before, plan_id=3, amount=Decimal("79.00"))

    assert provider.can_sync_subscription(before)
    provider.sync_subscription(before, after)
    assert subscription_state(localstripe, subscription_id) == (7900, "month", 0)

    # A later downgrade reuses the price for its amount and again prorates nothing.
    provider.sync_subscription(after, before)
    provider.sync_subscription(after, before)
    assert subscription_state(localstripe, subscription_id) == (2900, "month", 0)


def test_subscription_follows_a_change_of_period(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    customer_id, subscription_id = stripe_subscription(localstripe, 2900)
    before = membership(
        gateway="stripe", gateway_customer_id=customer_id, gateway_subscription_id=subscription_id
    )
    after = replace(before, amount=Decimal("290.00"), period=BillingPeriod(1, DurationUnit.YEAR))

    provider.sync_subscription(before, after)

    assert subscription_state(localstripe, subscription_id)[:2] == (29000, "year")


def test_a_membership_not_renewing_through_stripe_cannot_be_synced(
    provider: StripeProvider,
) -> None:
    paypal = membership(gateway="paypal", gateway_subscription_id="I-SUB")
    manual = membership(gateway="stripe", gateway_subscription_id="sub_x", auto_renew=False)
    for m in (paypal, manual):
        assert not provider.can_sync_subscription(m)
        with pytest.raises(GatewaySyncUnavailable):
            provider.sync_subscription(m, replace(m, amount=Decimal("99")))


def test_a_replayed_intent_is_pointed_at_the_payment_stored_now(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    # changePlan retried with its key after the first attempt's transaction rolled back:
    # Stripe answers with the first intent, whose metadata named the vanished payment row.
    m = membership()
    rolled_back, stored = payment(m), payment(m)

    first = provider.open(rolled_back, m, CUSTOMER, "key-rollback")
    again = provider.open(stored, m, CUSTOMER, "key-rollback")

    assert again.gateway_payment_id == first.gateway_payment_id
    intent = localstripe.client().v1.payment_intents.retrieve(again.gateway_payment_id)
    assert intent.metadata["planswitch_payment_id"] == str(stored.id)


def test_a_new_period_moves_the_next_charge_to_the_new_expiration(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    customer_id, subscription_id = stripe_subscription(localstripe, 2900)
    before = membership(
        gateway="stripe", gateway_customer_id=customer_id, gateway_subscription_id=subscription_id
    )
    expiration = (before.date_expiration or datetime(2026, 7, 1, tzinfo=UTC)) + timedelta(days=30)
    after = replace(before, amount=Decimal("79.00"), date_expiration=expiration)

    provider.sync_subscription(before, after)

    subscription = localstripe.client().v1.subscriptions.retrieve(subscription_id)
    assert subscription.trial_end == int(expiration.timestamp())
    assert subscription_state(localstripe, subscription_id) == (7900, "month", 0)
    # Same amount, new period (a crossgrade at the same price): only the date moves.
    later = replace(after, date_expiration=expiration + timedelta(days=30))
    provider.sync_subscription(after, later)
    subscription = localstripe.client().v1.subscriptions.retrieve(subscription_id)
    assert subscription.trial_end == int((expiration + timedelta(days=30)).timestamp())
    assert next_charge_at(later, later) is None


def test_a_switch_to_free_ends_the_subscription_with_the_paid_period(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    customer_id, subscription_id = stripe_subscription(localstripe, 2900)
    before = membership(
        gateway="stripe", gateway_customer_id=customer_id, gateway_subscription_id=subscription_id
    )
    expiration = datetime(2026, 7, 1, tzinfo=UTC)
    before = replace(before, date_expiration=expiration)
    free = ScheduledChange(1, {}, before.period, Decimal("0"), expiration)
    scheduled = replace(before, scheduled_change=free)

    provider.sync_subscription(before, scheduled)
    subscription = localstripe.client().v1.subscriptions.retrieve(subscription_id)
    assert subscription.cancel_at_period_end is True
    assert subscription_state(localstripe, subscription_id) == (2900, "month", 0)

    # The switch is cancelled: the subscription renews again, as before.
    provider.sync_subscription(scheduled, before)
    subscription = localstripe.client().v1.subscriptions.retrieve(subscription_id)
    assert subscription.cancel_at_period_end is False
    assert subscription_state(localstripe, subscription_id) == (2900, "month", 0)


def test_a_given_next_charge_wins_over_the_expiration(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    """A paid change that started a period: Stripe charges when the plugin's own new
    subscription would (domain/subscription_dates.py), not at the stored expiration."""
    customer_id, subscription_id = stripe_subscription(localstripe, 2900)
    before = membership(
        gateway="stripe", gateway_customer_id=customer_id, gateway_subscription_id=subscription_id
    )
    expiration = datetime(2026, 7, 15, 23, 59, 59, tzinfo=UTC)
    after = replace(before, amount=Decimal("79.00"), date_expiration=expiration)
    charge = datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)

    provider.sync_subscription(before, after, charge)

    subscription = localstripe.client().v1.subscriptions.retrieve(subscription_id)
    assert subscription.trial_end == int(charge.timestamp())
    assert subscription_state(localstripe, subscription_id) == (7900, "month", 0)


def test_no_subscription_opens_without_a_stripe_customer_or_a_paid_charge(
    provider: StripeProvider,
) -> None:
    charge = datetime(2026, 7, 15, 9, 30, 5, tzinfo=UTC)
    paypal = membership(gateway="paypal", gateway_customer_id="MS7D4K2QX8PLA")
    paid = replace(payment(paypal), status=PaymentStatus.COMPLETED, gateway_payment_id="ch_1")
    with pytest.raises(GatewaySyncUnavailable):
        provider.open_subscription(paypal, paid, charge)
    stripe_customer = membership(gateway="stripe", gateway_customer_id="cus_1")
    with pytest.raises(GatewaySyncUnavailable):
        provider.open_subscription(stripe_customer, payment(stripe_customer), charge)
