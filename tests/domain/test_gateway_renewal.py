"""A gateway's renewal of a pending change's own payment does not make the change stale
(domain/gateway_renewal.py; docs/wordpress.md §5.6): it applies over it, any other
concurrent change, or a renewal the rows do not tie to that payment, still flags the money
for refund."""

from dataclasses import fields, replace
from datetime import timedelta
from decimal import Decimal as D

import pytest
from planswitch.domain.gateway_renewal import (
    KEPT_FROM_RENEWAL,
    RENEWAL_FIELDS,
    fingerprint,
    keep_renewal,
)
from planswitch.domain.memberships import Membership, MembershipStatus, ScheduledChange
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.pending_change import (
    Completion,
    apply_pending_change,
    on_payment_completed,
    open_pending_change,
)
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import PlanChangeRequest
from planswitch.domain.quotes import quote

from tests.domain.test_quotes_worked_examples import BASELINE, CATALOG, EXPIRATION, MONTH, NOW

PAID_AT = NOW + timedelta(hours=2)
COMMITTED = replace(BASELINE, version="3", status=MembershipStatus.ON_HOLD, gateway="manual")
# What Stripe's checkout leaves after "Pay Now" (class-stripe-gateway.php:264-265, :610-635).
STRIPE_RENEWED = replace(
    COMMITTED,
    version="4",
    date_modified=PAID_AT,
    status=MembershipStatus.ACTIVE,
    auto_renew=True,
    date_renewed=PAID_AT,
    date_expiration=EXPIRATION + timedelta(days=30),
    times_billed=COMMITTED.times_billed + 1,
    gateway="stripe",
    gateway_customer_id="cus_1",
    gateway_subscription_id="sub_1",
)


# The change's payment as the plugin's gateway leaves it: completed, with its gateway.
STRIPE_PAID = Payment(
    41,
    7,
    7,
    PaymentStatus.COMPLETED,
    "USD",
    D("39.49"),
    D("39.49"),
    gateway="stripe",
    gateway_payment_id="ch_1",
    date_created=NOW,
    date_modified=PAID_AT,
)


def _change():
    committed = quote(COMMITTED, PlanChangeRequest(7, plan_id=2), CATALOG, NOW)
    return open_pending_change(COMMITTED, committed, 41, NOW)


def _decide(change, membership, payment=STRIPE_PAID, completed_since=None):
    since = [payment] if completed_since is None else completed_since
    return on_payment_completed(change, membership, change, payment, since)


def test_a_stripe_renewal_of_the_payment_applies_the_change_over_it():
    change = _change()
    assert _decide(change, STRIPE_RENEWED) is Completion.APPLY_OVER_RENEWAL
    applied = apply_pending_change(STRIPE_RENEWED, change, PAID_AT).membership
    after = keep_renewal(applied, STRIPE_RENEWED)
    assert (after.plan_id, after.amount, after.initial_amount) == (2, D("50.00"), D("39.49"))
    for name in KEPT_FROM_RENEWAL:
        assert getattr(after, name) == getattr(STRIPE_RENEWED, name), name


def test_an_admin_confirming_the_payment_is_a_renewal_too():
    # class-payment-edit-admin-page.php:1319-1328: one more billing, renew(false, 'active').
    confirmed = replace(
        COMMITTED,
        version="4",
        status=MembershipStatus.ACTIVE,
        date_renewed=PAID_AT,
        times_billed=COMMITTED.times_billed + 1,
    )
    manual = replace(STRIPE_PAID, gateway="manual", gateway_payment_id="bank-1")
    change = _change()
    assert _decide(change, confirmed, manual) is Completion.APPLY_OVER_RENEWAL
    # renew(false, ...) turns auto-renew off: still only the renewal's fields.
    off = replace(confirmed, auto_renew=False)
    assert _decide(change, off, manual) is Completion.APPLY_OVER_RENEWAL


def test_a_paypal_confirmation_of_the_payment_is_a_renewal_too():
    # class-paypal-gateway.php:1344-1372: the payment completed with the transaction id; the
    # membership gets the new profile, the payer, gateway paypal, one billing and renew(true).
    renewed = replace(
        STRIPE_RENEWED,
        gateway="paypal",
        gateway_customer_id="PAYER1",
        gateway_subscription_id="I-PROFILE1",
    )
    paid = replace(STRIPE_PAID, gateway="paypal", gateway_payment_id="9TX12345")
    assert _decide(_change(), renewed, paid) is Completion.APPLY_OVER_RENEWAL


def test_a_renewal_the_rows_do_not_tie_to_the_payment_needs_a_refund():
    change = _change()
    # Billed twice since the commit: another renewal happened beside this payment's.
    twice = replace(STRIPE_RENEWED, times_billed=COMMITTED.times_billed + 2)
    assert _decide(change, twice) is Completion.REFUND
    # Another of the membership's payments completed since the commit (its renewal invoice).
    renewal = replace(STRIPE_PAID, id=42, gateway_payment_id="ch_renewal")
    assert _decide(change, STRIPE_RENEWED, completed_since=[renewal, STRIPE_PAID]) is (
        Completion.REFUND
    )
    # A subscription of another gateway than the one that collected the payment.
    paypal_paid = replace(STRIPE_PAID, gateway="paypal")
    assert _decide(change, STRIPE_RENEWED, paypal_paid) is Completion.REFUND
    # Gateway fields moved without a new subscription: not a gateway's checkout, not an admin.
    moved = replace(STRIPE_RENEWED, gateway_subscription_id="")
    assert _decide(change, moved) is Completion.REFUND
    # Without the payment the renewal cannot be tied to anything.
    assert on_payment_completed(change, STRIPE_RENEWED, change) is Completion.REFUND


def test_a_renewal_through_the_existing_subscription_is_not_this_payments():
    # A membership renewing through Stripe before the change: its subscription's invoice is
    # paid meanwhile (a payment of its own) and renews it with the same subscription.
    subscribed = replace(
        COMMITTED, gateway="stripe", gateway_customer_id="cus_1", gateway_subscription_id="sub_1"
    )
    committed = quote(subscribed, PlanChangeRequest(7, plan_id=2), CATALOG, NOW)
    change = open_pending_change(subscribed, committed, 41, NOW)
    renewed = replace(
        subscribed,
        version="4",
        status=MembershipStatus.ACTIVE,
        date_renewed=PAID_AT,
        times_billed=subscribed.times_billed + 1,
    )
    invoice = replace(STRIPE_PAID, id=43, gateway_payment_id="in_renewal")
    assert _decide(change, renewed, STRIPE_PAID, [invoice, STRIPE_PAID]) is Completion.REFUND


@pytest.mark.parametrize(
    "meanwhile",
    [
        {"plan_id": 3},
        {"amount": D("99")},
        {"initial_amount": D("1")},
        {"addons": {9: 1}},
        {"period": BillingPeriod(1, DurationUnit.YEAR)},
        {"status": MembershipStatus.CANCELLED},
        {"status": MembershipStatus.EXPIRED},
        {"date_renewed": NOW - timedelta(days=1)},  # not renewed since the commit
        {"scheduled_change": ScheduledChange(1, {}, MONTH, D("10"), EXPIRATION)},
    ],
    ids=lambda m: next(iter(m)),
)
def test_any_other_concurrent_change_still_needs_a_refund(meanwhile):
    change = _change()
    assert _decide(change, replace(STRIPE_RENEWED, **meanwhile)) is Completion.REFUND


def test_a_change_stored_without_a_fingerprint_or_baseline_keeps_the_strict_rule():
    assert _decide(replace(_change(), membership_fingerprint=""), STRIPE_RENEWED) is (
        Completion.REFUND
    )
    assert _decide(replace(_change(), renewal_baseline=None), STRIPE_RENEWED) is (Completion.REFUND)


def test_the_fingerprint_covers_every_field_but_the_renewals():
    names = {f.name for f in fields(Membership)}
    assert names >= RENEWAL_FIELDS
    assert set(KEPT_FROM_RENEWAL) == RENEWAL_FIELDS - {"date_modified", "version"}
    # Read twice the same way, the same value: a mapping's order does not matter.
    reordered = replace(BASELINE, addons={6: 1, 5: 2})
    assert fingerprint(replace(BASELINE, addons={5: 2, 6: 1})) == fingerprint(reordered)
