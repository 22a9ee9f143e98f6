"""Webhook deliveries: only Stripe's fresh signatures are believed."""

from __future__ import annotations

import time

import pytest
from planswitch.adapters.payments.stripe_webhooks import InvalidWebhook, parse_event
from planswitch.domain.payment_provider import ProviderState

from tests.payments.signing import intent_event, sign

SECRET = "whsec_unit"
META = {"planswitch_payment_id": "41", "planswitch_membership_id": "7"}


def test_a_signed_payment_intent_event_is_read() -> None:
    body = intent_event("evt_1", "payment_intent.payment_failed", "pi_1", META, error="Declined")

    event = parse_event(body, sign(body, SECRET), SECRET)

    assert event is not None
    assert (event.event_id, event.state, event.intent_id) == ("evt_1", ProviderState.FAILED, "pi_1")
    assert (event.payment_id, event.membership_id, event.reason) == (41, 7, "Declined")


@pytest.mark.parametrize(
    ("event_type", "state"),
    [
        ("payment_intent.succeeded", ProviderState.COMPLETED),
        ("payment_intent.canceled", ProviderState.CANCELLED),
    ],
)
def test_each_handled_type_maps_to_its_state(event_type: str, state: ProviderState) -> None:
    body = intent_event("evt_2", event_type, "pi_2", META)
    event = parse_event(body, sign(body, SECRET), SECRET)
    assert event is not None and event.state is state


def test_other_event_types_are_acknowledged_and_ignored() -> None:
    body = intent_event("evt_3", "customer.created", "pi_3", META)
    assert parse_event(body, sign(body, SECRET), SECRET) is None


def test_an_intent_planswitch_did_not_open_has_no_payment_id() -> None:
    body = intent_event("evt_4", "payment_intent.succeeded", "pi_4", {"order": "x"})
    event = parse_event(body, sign(body, SECRET), SECRET)
    assert event is not None and event.payment_id is None


def test_a_forged_signature_is_refused() -> None:
    body = intent_event("evt_5", "payment_intent.succeeded", "pi_5", META)
    with pytest.raises(InvalidWebhook):
        parse_event(body, sign(body, "whsec_someone_else"), SECRET)


def test_a_tampered_body_is_refused() -> None:
    body = intent_event("evt_6", "payment_intent.payment_failed", "pi_6", META)
    header = sign(body, SECRET)
    tampered = body.replace(b"payment_failed", b"succeeded")
    with pytest.raises(InvalidWebhook):
        parse_event(tampered, header, SECRET)


def test_a_stale_signature_is_refused() -> None:
    body = intent_event("evt_7", "payment_intent.succeeded", "pi_7", META)
    ten_minutes_ago = int(time.time()) - 600
    with pytest.raises(InvalidWebhook):
        parse_event(body, sign(body, SECRET, ten_minutes_ago), SECRET)


@pytest.mark.parametrize("header", [None, "", "garbage", "t=1,v1=00"])
def test_a_missing_or_malformed_header_is_refused(header: str | None) -> None:
    body = intent_event("evt_8", "payment_intent.succeeded", "pi_8", META)
    with pytest.raises(InvalidWebhook):
        parse_event(body, header, SECRET)


def test_a_signed_body_that_is_not_json_is_refused() -> None:
    body = b"not json"
    with pytest.raises(InvalidWebhook):
        parse_event(body, sign(body, SECRET), SECRET)
