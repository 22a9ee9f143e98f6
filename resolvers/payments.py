"""Checkout use cases: complete or fail a payment, cancel a pending change, expire and
reconcile (issue 8). The effects themselves live in ``resolvers.settlement``.

As every use case, each public function is ``async def name(ctx, ...)`` and runs its
blocking store work in one worker thread. Each effect runs in one transaction holding the
membership's row lock, then the payment's; the provider is asked while they are held, so two
processes settling the same payment get one effect. Results carry domain objects plus
``list[UserError]``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from planswitch.domain.errors import DomainError, ErrorCode, UserError
from planswitch.domain.memberships import Membership
from planswitch.domain.payment_provider import PaymentProviderUnavailable, ProviderState
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import DiscardReason, is_overdue
from planswitch.domain.ports import Store
from planswitch.resolvers import policy, settlement
from planswitch.resolvers.checkout import Checkout
from planswitch.resolvers.context import Context, Viewer
from planswitch.resolvers.settlement import Effect, Settled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment | None = None
    membership: Membership | None = None
    user_errors: list[UserError] = field(default_factory=list)
    effect: Effect = Effect.NONE


def actor_of(viewer: Viewer) -> str:
    return f"customer:{viewer.customer_id}" if viewer.kind == "customer" else viewer.kind


def _operators_only(viewer: Viewer) -> list[UserError]:
    if policy.may_record_payments(viewer):
        return []
    return [policy.operators_only("record payments")]


def _payment_not_found(payment_id: int) -> UserError:
    return UserError(ErrorCode.NOT_FOUND, f"Payment {payment_id} does not exist.", "paymentId")


class _Stop(Exception):
    def __init__(self, error: UserError) -> None:
        super().__init__(error.message)
        self.error = error


def _settle_payment(store: Store, payment_id: int, step) -> PaymentResult:  # noqa: ANN001
    """Lock the payment's membership then the payment, and run ``step`` on them."""
    found = store.payments_by_id([payment_id]).get(payment_id)
    if found is None:
        return PaymentResult(user_errors=[_payment_not_found(payment_id)])
    try:
        with store.transaction() as tx:
            locked = settlement.lock(tx, found.membership_id, payment_id)
            if locked is None:
                raise _Stop(_payment_not_found(payment_id))
            settled: Settled = step(tx, *locked)
    except _Stop as stop:
        return PaymentResult(user_errors=[stop.error])
    except DomainError as error:
        current = store.payments_by_id([payment_id]).get(payment_id)
        return PaymentResult(current, user_errors=[error.error])
    return PaymentResult(settled.payment, settled.membership, effect=settled.effect)


async def complete_payment(
    ctx: Context, payment_id: int, gateway_payment_id: str = ""
) -> PaymentResult:
    """Record ``payment_id`` as paid (operators): its change applies once, as quoted.

    Completing again changes nothing. A payment whose change was discarded applies it only
    if the membership is unchanged since; else it is flagged for refund.
    """
    return await asyncio.to_thread(
        _complete,
        ctx.store,
        ctx.viewer,
        _checkout(ctx),
        payment_id,
        ctx.clock.now(),
        gateway_payment_id,
    )


def _checkout(ctx: Context) -> Checkout:
    if ctx.checkout is None:
        raise RuntimeError("the context has no checkout (payment provider and TTL)")
    return ctx.checkout


def _complete(
    store: Store,
    viewer: Viewer,
    checkout: Checkout,
    payment_id: int,
    now: datetime,
    gateway_payment_id: str,
) -> PaymentResult:
    errors = _operators_only(viewer)
    if errors:
        return PaymentResult(user_errors=errors)
    actor, provider = actor_of(viewer), checkout.provider
    return _settle_payment(
        store,
        payment_id,
        lambda tx, m, p: settlement.complete(
            tx, m, p, now, actor, (gateway_payment_id or "").strip(), provider
        ),
    )


async def fail_payment(ctx: Context, payment_id: int, reason: str = "") -> PaymentResult:
    """Record ``payment_id`` as failed (operators): its change is discarded."""
    return await asyncio.to_thread(
        _fail, ctx.store, ctx.viewer, payment_id, ctx.clock.now(), reason
    )


def _fail(
    store: Store, viewer: Viewer, payment_id: int, now: datetime, reason: str
) -> PaymentResult:
    errors = _operators_only(viewer)
    if errors:
        return PaymentResult(user_errors=errors)
    actor, note = actor_of(viewer), (reason or "").strip()[:500]
    return _settle_payment(
        store,
        payment_id,
        lambda tx, m, p: settlement.discard(tx, m, p, DiscardReason.FAILED, now, actor, note),
    )


async def cancel_pending_change(ctx: Context, membership_id: int) -> PaymentResult:
    """Drop the membership's pending change (its owner or an operator).

    The payment is cancelled at its provider first; if the provider says it was already
    paid, the change is applied instead and PAYMENT_NOT_PENDING says so.
    """
    return await asyncio.to_thread(
        _cancel, ctx.store, ctx.viewer, _checkout(ctx), membership_id, ctx.clock.now()
    )


def _cancel(
    store: Store, viewer: Viewer, checkout: Checkout, membership_id: int, now: datetime
) -> PaymentResult:
    try:
        with store.transaction() as tx:
            membership = tx.lock_membership(membership_id)
            owner = membership.customer_id if membership is not None else None
            refused = policy.membership_refusal(viewer, owner, membership_id)
            if refused or membership is None:
                raise _Stop(refused[0])
            change = tx.pending_change(membership.id)
            payment = tx.lock_payment(change.payment_id) if change else None
            if change is None or payment is None:
                raise _Stop(
                    UserError(
                        ErrorCode.NO_PENDING_CHANGE,
                        "This membership has no change waiting for a payment.",
                        "membershipId",
                    )
                )
            settled = settlement.cancel_at_provider(
                tx,
                checkout.provider,
                membership,
                payment,
                DiscardReason.CANCELLED,
                now,
                actor_of(viewer),
            )
    except _Stop as stop:
        return PaymentResult(user_errors=[stop.error])
    except DomainError as error:
        return PaymentResult(user_errors=[error.error])
    errors = []
    if settled.effect is Effect.APPLIED:
        errors.append(
            UserError(
                ErrorCode.PAYMENT_NOT_PENDING,
                "The payment had already been made: the change was applied.",
                "membershipId",
            )
        )
    return PaymentResult(settled.payment, settled.membership, errors, settled.effect)


# --- expiry and reconcile (the CLI and the server's periodic loop) ------------------------


@dataclass
class ReconcileReport:
    expired: list[int] = field(default_factory=list)  # payment ids discarded for expiry
    applied: list[int] = field(default_factory=list)  # paid at the provider: applied
    discarded: list[int] = field(default_factory=list)  # failed/cancelled at the provider
    refund_required: list[int] = field(default_factory=list)
    unavailable: list[int] = field(default_factory=list)  # provider errors: next run

    def record(self, payment_id: int, effect: Effect, expired: bool = False) -> None:
        if effect is Effect.APPLIED:
            self.applied.append(payment_id)
        elif effect is Effect.REFUND_REQUIRED:
            self.refund_required.append(payment_id)
        elif effect is Effect.DISCARDED:
            (self.expired if expired else self.discarded).append(payment_id)

    @property
    def changed(self) -> int:
        return len(self.expired) + len(self.applied) + len(self.discarded)

    def summary(self) -> str:
        return (
            f"expired {len(self.expired)}, applied {len(self.applied)}, "
            f"discarded {len(self.discarded)}, refund required {len(self.refund_required)}, "
            f"provider unavailable {len(self.unavailable)}"
        )


def _expire_one(store: Store, checkout: Checkout, payment_id: int, now: datetime) -> Effect:
    change = store.pending_changes_by_payment([payment_id]).get(payment_id)
    if change is None:
        return Effect.NONE
    with store.transaction() as tx:
        locked = settlement.lock(tx, change.membership_id, payment_id)
        fresh = tx.pending_change_by_payment(payment_id)
        if locked is None or fresh is None or not is_overdue(fresh, now):
            return Effect.NONE  # paid, cancelled or replaced meanwhile
        membership, payment = locked
        settled = settlement.cancel_at_provider(
            tx, checkout.provider, membership, payment, DiscardReason.EXPIRED, now, "system"
        )
    return settled.effect


async def expire_overdue(ctx: Context, limit: int = 100) -> ReconcileReport:
    """Discard every pending change not paid by its ``expires_at`` at now (at most
    ``limit``). Run with the scheduled changes (``planswitch apply-due``, the server loop)."""
    return await asyncio.to_thread(_expire, ctx.store, _checkout(ctx), ctx.clock.now(), limit)


def _expire(store: Store, checkout: Checkout, now: datetime, limit: int) -> ReconcileReport:
    report = ReconcileReport()
    for payment_id in store.overdue_pending_payments(now, limit):
        try:
            report.record(payment_id, _expire_one(store, checkout, payment_id, now), expired=True)
        except DomainError as error:
            if error.error.code is ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE:
                report.unavailable.append(payment_id)
            else:
                log.warning("pending payment %s not expired: %s", payment_id, error.error.message)
    return report


def _follow_provider(store: Store, checkout: Checkout, payment_id: int, now: datetime) -> Effect:
    payment = store.payments_by_id([payment_id]).get(payment_id)
    if payment is None:
        return Effect.NONE
    answer = checkout.provider.status(payment)  # outside the transaction: a network call
    if answer.state is ProviderState.PENDING:
        return Effect.NONE
    with store.transaction() as tx:
        locked = settlement.lock(tx, payment.membership_id, payment_id)
        if locked is None:
            return Effect.NONE
        membership, fresh = locked
        if answer.state is ProviderState.COMPLETED:
            settled = settlement.complete(
                tx,
                membership,
                fresh,
                now,
                "system",
                answer.gateway_payment_id,
                checkout.provider,
                answer.gateway_customer_id,
            )
        else:
            reason = (
                DiscardReason.FAILED
                if answer.state is ProviderState.FAILED
                else DiscardReason.CANCELLED
            )
            settled = settlement.discard(tx, membership, fresh, reason, now, "system")
    return settled.effect


async def reconcile(ctx: Context, limit: int = 1000) -> ReconcileReport:
    """Expire what is overdue, then ask the provider about every payment still waiting
    (``planswitch payments reconcile`` and the server's loop)."""
    return await asyncio.to_thread(_reconcile, ctx.store, _checkout(ctx), ctx.clock.now(), limit)


def _reconcile(store: Store, checkout: Checkout, now: datetime, limit: int) -> ReconcileReport:
    report = _expire(store, checkout, now, limit)
    for payment_id in store.pending_change_payments(limit):
        try:
            report.record(payment_id, _follow_provider(store, checkout, payment_id, now))
        except PaymentProviderUnavailable:
            report.unavailable.append(payment_id)
        except DomainError as error:
            log.warning("pending payment %s not reconciled: %s", payment_id, error.error.message)
    return report
