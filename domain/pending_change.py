"""The pending change: a committed plan change waiting for its payment (issue 8).

A change with something due does not move the membership at commit. It is stored as the
membership's pending change, bound to exactly one PENDING payment, and:

* applies, exactly as quoted at commit, when that payment completes;
* is discarded (payment FAILED or CANCELLED, nothing else changes) when the payment fails,
  is cancelled, is replaced by a new ``changePlan``, or is not paid by ``expires_at``;
* a payment that completes after its change was discarded applies the change only if the
  membership has not changed since the commit and nothing else is pending on it; otherwise
  the money is flagged for refund, never silently kept and never applied on a stale
  membership. The one change a membership may have undergone meanwhile is the renewal the
  payment's own gateway makes when it collects it (domain/gateway_renewal.py): the change
  then applies over it.

This is what Stripe's ``payment_behavior=pending_if_incomplete`` and Paddle's
``on_payment_failure=prevent_change`` do. Every rule here is pure and takes ``now``; every
effect is keyed by the payment, so the use cases can run it from a webhook, an operator
and a reconcile run at once and get one effect (the store serializes them on the
membership's row lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from planswitch.domain.apply import apply_quote
from planswitch.domain.gateway_renewal import RenewalBaseline, fingerprint, renewed_by_payment
from planswitch.domain.memberships import Membership
from planswitch.domain.payment_provider import PaymentAction
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.plan_change import ChangeKind, ChangeOutcome, Quote

DEFAULT_TTL = timedelta(seconds=86400)  # PLANSWITCH_PENDING_CHANGE_TTL_SECONDS
# The default on a WordPress network: the plugin's daily clean-up cancels a pending payment
# only once it is 30 days old (``cleanup_expired_drafts``, inc/checkout/class-checkout.php:
# 186-190, 2712-2740), and until then the customer can pay it with the plugin's "Pay Now".
# 30 days plus the day between two runs of that job: the plugin's clean-up always comes
# first, and planswitch's own expiry is only the backstop of a network whose cron stopped.
WORDPRESS_TTL = timedelta(days=31)


class PendingStatus(str, Enum):
    PENDING = "pending"  # waiting for its payment
    APPLIED = "applied"  # paid and applied
    DISCARDED = "discarded"  # failed, cancelled, expired or replaced; nothing applied
    REFUND_REQUIRED = "refund_required"  # paid after discard on a changed membership


class DiscardReason(str, Enum):
    FAILED = "failed"  # the provider declined the payment
    CANCELLED = "cancelled"  # cancelPendingChange (owner or operator)
    EXPIRED = "expired"  # not paid within the TTL
    REPLACED = "replaced"  # a new changePlan took its place


# How each discard leaves the payment (the plugin's statuses).
_PAYMENT_STATUS = {
    DiscardReason.FAILED: PaymentStatus.FAILED,
    DiscardReason.CANCELLED: PaymentStatus.CANCELLED,
    DiscardReason.EXPIRED: PaymentStatus.CANCELLED,
    DiscardReason.REPLACED: PaymentStatus.CANCELLED,
}


@dataclass(frozen=True)
class PendingChange:
    """A committed quote waiting for ``payment_id``.

    ``membership_version`` is the membership's version the quote was computed on: the
    change applies only on that same membership (a late payment on a changed one is
    refunded). ``membership_fingerprint`` is its ``gateway_renewal.fingerprint`` then and
    ``renewal_baseline`` what a renewal moves, as it stood then: together they tell the
    renewal that collecting this payment made from any other change (empty / ``None``: not
    recorded, the version alone decides).
    """

    membership_id: int
    payment_id: int
    quote: Quote
    membership_version: str
    created_at: datetime
    expires_at: datetime
    status: PendingStatus = PendingStatus.PENDING
    action: PaymentAction | None = None  # how to pay it (what the provider returned)
    resolved_at: datetime | None = None
    reason: str = ""  # why it was discarded or flagged
    id: int = 0
    membership_fingerprint: str = ""
    renewal_baseline: RenewalBaseline | None = None

    @property
    def is_pending(self) -> bool:
        return self.status is PendingStatus.PENDING


def needs_payment(quote: Quote) -> bool:
    """True when committing ``quote`` must wait for a payment: something is due now.

    A change with nothing due applies (or is scheduled) at once.
    """
    return quote.due_now > 0 and not quote.scheduled


def writes_payment(quote: Quote) -> bool:
    """True when committing ``quote`` writes a payment row.

    A scheduled change (a downgrade at the period's end) and an add-on removal charge
    nothing and buy nothing; the plugin writes no payment for either (its scheduled swap
    and its admin's membership edits write none, ``inc/models/class-membership.php:779-823``,
    ``inc/managers/class-membership-manager.php:190-233``), so neither does planswitch.
    """
    return not quote.scheduled and quote.change_kind is not ChangeKind.REMOVE_ADDON


def open_pending_change(
    membership: Membership,
    quote: Quote,
    payment_id: int,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    action: PaymentAction | None = None,
) -> PendingChange:
    """The pending change for ``quote`` committed at ``now``, expiring ``ttl`` later."""
    if ttl.total_seconds() <= 0:
        raise ValueError("a pending change needs a positive time to live")
    return PendingChange(
        membership_id=membership.id,
        payment_id=payment_id,
        quote=quote,
        membership_version=membership.version,
        created_at=now,
        expires_at=now + ttl,
        action=action,
        membership_fingerprint=fingerprint(membership),
        renewal_baseline=RenewalBaseline.of(membership),
    )


def is_overdue(change: PendingChange, now: datetime) -> bool:
    """Still waiting at or after ``expires_at``."""
    return change.is_pending and change.expires_at <= now


class Completion(str, Enum):
    """What a completed payment does to its change."""

    APPLY = "apply"  # apply the change as quoted
    APPLY_OVER_RENEWAL = "apply_over_renewal"  # apply it, keeping the gateway's renewal
    REFUND = "refund"  # keep the membership; flag the money for refund
    NOTHING = "nothing"  # already applied or already flagged: a repeat, no effect


def on_payment_completed(
    change: PendingChange,
    membership: Membership,
    other_pending: PendingChange | None,
    payment: Payment | None = None,
    completed_since: Sequence[Payment] = (),
) -> Completion:
    """Decide what the completion of ``change``'s payment does.

    ``other_pending`` is the membership's current pending change when it is another one
    (a replacement). A pending change normally applies; so does a discarded one whose
    membership is exactly as it was at commit with nothing else pending. A membership
    that moved meanwhile (another change, an operator edit) gets no stale change: the
    payment is flagged for refund. A membership that moved only because collecting
    ``payment`` (the change's payment, as stored) renewed it takes the change over that
    renewal (``gateway_renewal.renewed_by_payment``; ``completed_since``: the membership's
    payments completed since the commit).
    """
    if change.status in (PendingStatus.APPLIED, PendingStatus.REFUND_REQUIRED):
        return Completion.NOTHING
    if other_pending is not None and other_pending.payment_id != change.payment_id:
        return Completion.REFUND
    if membership.version == change.membership_version:
        return Completion.APPLY
    if payment is not None and renewed_by_payment(
        change.membership_fingerprint,
        change.renewal_baseline,
        change.created_at,
        membership,
        payment,
        completed_since,
    ):
        return Completion.APPLY_OVER_RENEWAL
    return Completion.REFUND


def apply_pending_change(
    membership: Membership, change: PendingChange, now: datetime
) -> ChangeOutcome:
    """The membership after ``change`` applies at ``now``: exactly as quoted at commit.

    Amounts, add-ons, limits and dates are the quote's (a new period started at the
    commit instant ends on the quote's next billing date); only ``date_modified`` says
    when it was applied. How the payment's gateway leaves the membership (billing count,
    status, gateway fields) is ``domain.gateway_payment``.
    """
    outcome = apply_quote(membership, change.quote, change.created_at)
    return replace(outcome, membership=replace(outcome.membership, date_modified=now))


def applied(change: PendingChange, now: datetime) -> PendingChange:
    return replace(change, status=PendingStatus.APPLIED, resolved_at=now, reason="")


def discarded(change: PendingChange, reason: DiscardReason, now: datetime) -> PendingChange:
    return replace(change, status=PendingStatus.DISCARDED, resolved_at=now, reason=reason.value)


def refund_required(change: PendingChange, now: datetime, why: str) -> PendingChange:
    return replace(change, status=PendingStatus.REFUND_REQUIRED, resolved_at=now, reason=why)


def payment_completed(payment: Payment, now: datetime, gateway_payment_id: str = "") -> Payment:
    """``payment`` as COMPLETED, keeping a provider id already known when none is given."""
    return replace(
        payment,
        status=PaymentStatus.COMPLETED,
        gateway_payment_id=gateway_payment_id or payment.gateway_payment_id,
        date_modified=now,
    )


def discard_reason(status: PaymentStatus) -> DiscardReason:
    """Why a change goes when its payment was failed or cancelled outside planswitch."""
    return DiscardReason.FAILED if status is PaymentStatus.FAILED else DiscardReason.CANCELLED


def payment_discarded(payment: Payment, reason: DiscardReason, now: datetime) -> Payment:
    """``payment`` as FAILED (declined) or CANCELLED (cancelled, expired, replaced)."""
    return replace(payment, status=_PAYMENT_STATUS[reason], date_modified=now)


# Payment states a completion may still act on (a discarded change's payment can be paid late).
COMPLETABLE = frozenset({PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.CANCELLED})
DISCARDED_PAYMENT = frozenset({PaymentStatus.FAILED, PaymentStatus.CANCELLED})
