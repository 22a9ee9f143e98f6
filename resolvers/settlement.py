"""The effects of a payment on its pending change, inside one open transaction.

Every use case that moves money (``completePayment``, ``failPayment``,
``cancelPendingChange``, a replacing ``changePlan``, expiry, reconcile) ends here, with the
membership row locked first and then the payment row: so a webhook, an operator and a
reconcile run racing on one payment are serialized, and each re-reads the payment and its
change after taking the locks. Each effect is keyed by the payment and idempotent: a
completed payment never applies twice, a discarded one is never discarded twice
(CONVENTIONS.md habit 17).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any

from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.events import Event
from planswitch.domain.gateway_payment import GatewayPayment, gateway_payment
from planswitch.domain.gateway_renewal import keep_renewal
from planswitch.domain.memberships import Membership
from planswitch.domain.payment_provider import (
    GatewaySyncUnavailable,
    PaymentProvider,
    PaymentProviderUnavailable,
    ProviderState,
)
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.pending_change import (
    COMPLETABLE,
    DISCARDED_PAYMENT,
    Completion,
    DiscardReason,
    PendingChange,
    applied,
    apply_pending_change,
    discard_reason,
    discarded,
    on_payment_completed,
    payment_completed,
    payment_discarded,
    refund_required,
)
from planswitch.domain.ports import ChangeTransaction

log = logging.getLogger(__name__)


class Effect(str, Enum):
    APPLIED = "applied"  # the change was applied
    DISCARDED = "discarded"  # the change was dropped, the payment failed/cancelled
    REFUND_REQUIRED = "refund_required"  # paid, but the change could not apply
    RECORDED = "recorded"  # a payment without a change, marked completed
    NONE = "none"  # a repeat: it already happened


@dataclass(frozen=True)
class Settled:
    effect: Effect
    membership: Membership
    payment: Payment


def not_pending(payment: Payment) -> DomainError:
    return DomainError(
        ErrorCode.PAYMENT_NOT_PENDING,
        f"Payment {payment.id} is {payment.status.value}; it can no longer be changed.",
        "paymentId",
    )


def provider_unavailable(error: Exception) -> DomainError:
    return DomainError(
        ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
        f"The payment provider could not be reached ({error}); try again in a moment.",
        None,
    )


def lock(
    tx: ChangeTransaction, membership_id: int, payment_id: int
) -> tuple[Membership, Payment] | None:
    """Lock the membership, then the payment (the one order every writer uses)."""
    membership = tx.lock_membership(membership_id)
    payment = tx.lock_payment(payment_id) if membership is not None else None
    if membership is None or payment is None or payment.membership_id != membership.id:
        return None
    return membership, payment


def complete(
    tx: ChangeTransaction,
    membership: Membership,
    payment: Payment,
    now: datetime,
    actor: str,
    gateway_payment_id: str = "",
    provider: PaymentProvider | None = None,
    gateway_customer_id: str = "",
) -> Settled:
    """Record that ``payment`` was paid and apply its change once (or flag it for refund).

    ``gateway_customer_id``: the gateway customer the provider charged, stored on the
    membership with the change (``domain.gateway_payment``).

    Raises:
        DomainError: PAYMENT_NOT_PENDING when the payment was refunded or is a draft.
    """
    change = tx.pending_change_by_payment(payment.id)
    if payment.status is PaymentStatus.COMPLETED:
        if change is None or not change.is_pending:
            return Settled(Effect.NONE, membership, payment)
        # Completed outside planswitch (the plugin's gateway, its "Pay Now", an admin): the
        # row already says so, with their gateway ids; only the change is left to apply.
        paid = payment
    elif payment.status not in COMPLETABLE:
        raise not_pending(payment)
    else:
        paid = tx.save_payment(payment_completed(payment, now, gateway_payment_id))
    if change is None:
        _event(tx, "payment_completed", "payment", paid.id, now, {"total": str(paid.total)}, actor)
        return Settled(Effect.RECORDED, membership, paid)
    current = tx.pending_change(membership.id)
    decision = on_payment_completed(
        change, membership, current, paid, _completed_since(tx, membership, change)
    )
    if decision is Completion.APPLY:
        saved = _apply(tx, membership, change, now, actor, provider, paid, gateway_customer_id)
        return Settled(Effect.APPLIED, saved, paid)
    if decision is Completion.APPLY_OVER_RENEWAL:
        saved = _apply_over_renewal(tx, membership, change, now, actor, paid.gateway)
        return Settled(Effect.APPLIED, saved, paid)
    if decision is Completion.REFUND:
        why = "the membership changed after this change was committed"
        tx.save_pending_change(refund_required(change, now, why))
        payload = {"membership_id": membership.id, "total": str(paid.total), "reason": why}
        _event(tx, "payment_refund_required", "payment", paid.id, now, payload, actor)
        log.warning("payment %s completed late: refund required (%s)", paid.id, why)
        return Settled(Effect.REFUND_REQUIRED, membership, paid)
    return Settled(Effect.NONE, membership, paid)


def _completed_since(
    tx: ChangeTransaction, membership: Membership, change: PendingChange
) -> list[Payment]:
    """The membership's payments completed since ``change`` was committed, read only when
    a renewal could be in question (the membership moved and a fingerprint was kept)."""
    if membership.version == change.membership_version or not change.membership_fingerprint:
        return []
    return tx.payments_completed_since(membership.id, change.created_at)


def _apply(
    tx: ChangeTransaction,
    membership: Membership,
    change: PendingChange,
    now: datetime,
    actor: str,
    provider: PaymentProvider | None,
    paid: Payment,
    gateway_customer_id: str,
) -> Membership:
    """Apply ``change``, paid by ``paid`` (charged to ``gateway_customer_id`` when a
    provider collected it), leaving the membership and its gateway subscription as that
    gateway would (``domain.gateway_payment``)."""
    outcome = apply_pending_change(membership, change, now)
    charged = (paid.gateway, gateway_customer_id)
    result = gateway_payment(membership, outcome.membership, *charged, now)
    after = result.membership
    if result.opens_subscription:
        opened = _open_subscription(tx, provider, result, paid, now, actor)
        # Without the subscription the membership renews as before (the plugin's renewal
        # payments): nothing counted, no date moved.
        after = opened or gateway_payment(membership, outcome.membership, *charged).membership
    saved = tx.save_membership(membership, after)
    tx.save_pending_change(applied(change, now))
    payload: dict[str, Any] = {**outcome.event_payload, "payment_id": change.payment_id}
    _event(tx, outcome.event_kind, "membership", saved.id, now, payload, actor)
    sync_subscription(tx, provider, membership, saved, now, actor, result.next_charge)
    return saved


def _open_subscription(
    tx: ChangeTransaction,
    provider: PaymentProvider | None,
    result: GatewayPayment,
    paid: Payment,
    now: datetime,
    actor: str,
) -> Membership | None:
    """``result.membership`` with the gateway subscription its payment's provider opened
    for it, as the plugin's Stripe checkout stores one (``gateway``,
    ``gateway_subscription_id``; ``inc/gateways/class-stripe-gateway.php:610-613``), or
    None when none could be opened (recorded, never raised: the change itself stands)."""
    membership = result.membership
    if provider is None or result.next_charge is None or provider.name != paid.gateway:
        return None
    try:
        subscription_id = provider.open_subscription(membership, paid, result.next_charge)
    except (GatewaySyncUnavailable, PaymentProviderUnavailable) as error:
        log.warning("no subscription opened for membership %s: %r", membership.id, error)
        _event(tx, "subscription_open_failed", "membership", membership.id, now, {}, actor)
        return None
    return replace(membership, gateway=paid.gateway, gateway_subscription_id=subscription_id)


def _apply_over_renewal(
    tx: ChangeTransaction,
    membership: Membership,
    change: PendingChange,
    now: datetime,
    actor: str,
    gateway: str,
) -> Membership:
    """Apply ``change`` on a membership the payment's gateway renewed when it collected it
    (domain/gateway_renewal.py): the gateway's dates, billing count, status and gateway
    fields stay. Its subscription needs no sync: it was created from the payment's line
    items, which are the change's (docs/wordpress.md §5.6)."""
    outcome = apply_pending_change(membership, change, now)
    saved = tx.save_membership(membership, keep_renewal(outcome.membership, membership))
    tx.save_pending_change(applied(change, now))
    payload: dict[str, Any] = {
        **outcome.event_payload,
        "payment_id": change.payment_id,
        "renewed_by": gateway,
    }
    _event(tx, outcome.event_kind, "membership", saved.id, now, payload, actor)
    return saved


def sync_subscription(
    tx: ChangeTransaction,
    provider: PaymentProvider | None,
    before: Membership,
    after: Membership,
    now: datetime,
    actor: str,
    next_charge: datetime | None = None,
) -> None:
    """Keep the gateway subscription ``before`` renews through billing ``after`` (an applied
    change, or a scheduled one taking effect), next charging at ``next_charge`` when the
    payment's gateway moved it. A failure is recorded, never raised: the change itself
    stands."""
    if provider is None or not provider.can_sync_subscription(before):
        return
    try:
        provider.sync_subscription(before, after, next_charge)
    except (GatewaySyncUnavailable, PaymentProviderUnavailable) as error:
        # The money is in and the change applied; the gateway catches up by hand.
        log.warning("subscription of membership %s not synced: %r", after.id, error)
        _event(tx, "subscription_sync_failed", "membership", after.id, now, {}, actor)


def discard(
    tx: ChangeTransaction,
    membership: Membership,
    payment: Payment,
    reason: DiscardReason,
    now: datetime,
    actor: str,
    note: str = "",
) -> Settled:
    """Drop ``payment``'s change (if still waiting) and mark the payment failed/cancelled.

    Raises:
        DomainError: PAYMENT_NOT_PENDING when the payment was already completed or refunded.
    """
    change = tx.pending_change_by_payment(payment.id)
    waiting = change is not None and change.is_pending
    if payment.status in DISCARDED_PAYMENT:
        if not waiting:
            return Settled(Effect.NONE, membership, payment)
        # Failed or cancelled outside planswitch (the plugin's 30-day clean-up, the
        # customer's cancel, a gateway): the row says so; the change goes with it.
        reason = discard_reason(payment.status)
        saved = payment
    elif payment.status is not PaymentStatus.PENDING:
        raise not_pending(payment)
    else:
        saved = tx.save_payment(payment_discarded(payment, reason, now))
    if change is not None and waiting:
        tx.save_pending_change(discarded(change, reason, now))
    payload = {"membership_id": membership.id, "reason": reason.value, "note": note}
    _event(tx, "pending_change_discarded", "payment", saved.id, now, payload, actor)
    return Settled(Effect.DISCARDED, membership, saved)


def cancel_at_provider(
    tx: ChangeTransaction,
    provider: PaymentProvider,
    membership: Membership,
    payment: Payment,
    reason: DiscardReason,
    now: datetime,
    actor: str,
) -> Settled:
    """Cancel ``payment`` at its provider first; apply instead when it reports it paid.

    The call is made while the rows are locked, so nothing else can settle the payment
    between the provider's answer and what is written here.

    Raises:
        DomainError: PAYMENT_PROVIDER_UNAVAILABLE (nothing written; retry later).
    """
    if payment.status is PaymentStatus.COMPLETED:  # paid outside planswitch meanwhile
        return complete(tx, membership, payment, now, actor, provider=provider)
    if payment.status in DISCARDED_PAYMENT:  # failed or cancelled outside planswitch
        return discard(tx, membership, payment, reason, now, actor)
    if payment.status is not PaymentStatus.PENDING:
        return Settled(Effect.NONE, membership, payment)
    try:
        answer = provider.cancel(payment)
    except PaymentProviderUnavailable as error:
        raise provider_unavailable(error) from error
    if answer.state is ProviderState.COMPLETED:
        paid_id, customer = answer.gateway_payment_id, answer.gateway_customer_id
        return complete(tx, membership, payment, now, actor, paid_id, provider, customer)
    return discard(tx, membership, payment, reason, now, actor)


def _event(
    tx: ChangeTransaction,
    kind: str,
    object_type: str,
    object_id: int,
    now: datetime,
    payload: dict[str, Any],
    actor: str,
) -> None:
    tx.add_event(Event(kind, object_type, object_id, now, payload, actor))
