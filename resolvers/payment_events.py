"""Provider events (Stripe webhooks): settle the payment they name, once per event.

A provider delivers each event at least once, in any order. Each event id is remembered in
planswitch's idempotency table (key ``<provider>-event:<id>``) in the same transaction as
its effect, so a repeat is answered without touching anything; and each effect is itself
idempotent and keyed by the payment (``resolvers.settlement``), so an event arriving after a
later one, or racing an operator or a reconcile run, changes nothing twice:

- paid (``payment_intent.succeeded``): complete the payment; its change applies once;
- declined (``payment_intent.payment_failed``): cancel the intent at the provider first,
  so it can no longer be paid for a discarded change, then discard the change; if the
  provider says it was paid meanwhile, apply instead;
- cancelled (``payment_intent.canceled``): discard the change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.payment_provider import ProviderState
from planswitch.domain.pending_change import DiscardReason
from planswitch.domain.ports import IdempotencyRecord, Store
from planswitch.resolvers import settlement
from planswitch.resolvers.checkout import Checkout

log = logging.getLogger(__name__)

EVENT_REQUEST_HASH = "provider-event"
DUPLICATE = "duplicate"
IGNORED = "ignored"


@dataclass(frozen=True)
class ProviderEvent:
    """One verified delivery about a payment planswitch opened."""

    provider: str
    event_id: str
    state: ProviderState
    gateway_payment_id: str
    payment_id: int | None
    reason: str = ""
    gateway_customer_id: str = ""  # the gateway customer charged (stored on the membership)
    # The gateway's id of the money once paid (Stripe: the charge), stored on the payment
    # in place of the id it was opened with.
    paid_id: str = ""

    @property
    def key(self) -> str:
        return f"{self.provider}-event:{self.event_id}"


def handle_provider_event(
    store: Store, checkout: Checkout, event: ProviderEvent, now: datetime
) -> str:
    """Apply ``event`` once; returns what it did (an ``Effect`` value, ``duplicate`` or
    ``ignored``).

    Raises:
        DomainError: PAYMENT_PROVIDER_UNAVAILABLE (nothing stored: the provider retries).
    """
    if _seen(store, event):
        return DUPLICATE
    found = store.payments_by_id([event.payment_id]) if event.payment_id else {}
    payment = found.get(event.payment_id or 0)
    # The id it was opened with (Stripe: the intent), or once paid the charge's.
    ours = {event.gateway_payment_id, event.paid_id} - {""}
    if (
        payment is None
        or payment.gateway != event.provider
        or payment.gateway_payment_id not in ours
    ):
        # Not a payment planswitch opened with this intent: acknowledged, nothing to do.
        log.info("%s event %s names no payment of ours", event.provider, event.event_id)
        return _remember_only(store, event, IGNORED, now)
    try:
        with store.transaction() as tx:
            locked = settlement.lock(tx, payment.membership_id, payment.id)
            if locked is None:
                outcome = IGNORED
            else:
                outcome = _settle(tx, checkout, event, *locked, now).effect.value
            tx.put_idempotency(_record(event, payment.membership_id, outcome, now))
    except DomainError as error:
        if error.error.code is not ErrorCode.PAYMENT_NOT_PENDING:
            raise
        # A late event about a payment that has moved on (e.g. declined after paid).
        return _remember_only(store, event, IGNORED, now)
    except Exception:
        # The same event delivered twice at once: the other delivery's record won the
        # unique key and its effect is committed; ours rolled back.
        if _seen(store, event):
            return DUPLICATE
        raise
    return outcome


def _settle(tx, checkout, event, membership, payment, now):  # noqa: ANN001, ANN202
    actor = f"{event.provider}-webhook"
    if event.state is ProviderState.COMPLETED:
        return settlement.complete(
            tx,
            membership,
            payment,
            now,
            actor,
            event.paid_id or event.gateway_payment_id,
            checkout.provider,
            event.gateway_customer_id,
        )
    if event.state is ProviderState.FAILED:
        return settlement.cancel_at_provider(
            tx, checkout.provider, membership, payment, DiscardReason.FAILED, now, actor
        )
    if event.state is ProviderState.CANCELLED:
        return settlement.discard(
            tx, membership, payment, DiscardReason.CANCELLED, now, actor, event.reason
        )
    return settlement.Settled(settlement.Effect.NONE, membership, payment)


def _record(event: ProviderEvent, membership_id: int, outcome: str, now: datetime):  # noqa: ANN202
    return IdempotencyRecord(
        key=event.key,
        request_hash=EVENT_REQUEST_HASH,
        membership_id=membership_id,
        result={"state": event.state.value, "outcome": outcome, "payment_id": event.payment_id},
        created_at=now,
    )


def _seen(store: Store, event: ProviderEvent) -> bool:
    with store.transaction() as tx:
        return tx.get_idempotency(event.key) is not None


def _remember_only(store: Store, event: ProviderEvent, outcome: str, now: datetime) -> str:
    try:
        with store.transaction() as tx:
            tx.put_idempotency(_record(event, 0, outcome, now))
    except Exception:
        if _seen(store, event):
            return DUPLICATE
        raise
    return outcome
