"""Committing a quote: the membership after, the payment and the event (docs/plan-changes.md §4).

Pure: ``apply_quote`` turns a membership and a quote from ``quote()`` into what the use case
writes in one transaction; storing it is the caller's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.memberships import SCHEDULING_STATUSES, Membership, ScheduledChange
from planswitch.domain.money import round_money
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.plan_change import NO_CHANGE_MESSAGE, ChangeKind, ChangeOutcome, Quote
from planswitch.domain.products import Product

ZERO = Decimal("0.00")


def apply_quote(membership: Membership, quote: Quote, now: datetime) -> ChangeOutcome:
    """The result of committing ``quote`` (computed for ``membership`` at ``now``).

    Immediate plan changes set plan, add-ons, amount (the new recurring total),
    initial_amount (what is due now), period, recurring, ``date_renewed = now`` and
    ``date_expiration`` = the next billing date, and clear any scheduled change. A downgrade
    that applies at once because its expiration has passed keeps the dates. Add-on
    purchases keep the dates (and any scheduled change). Scheduled changes only set
    ``scheduled_change`` (replacing an earlier one). The payment has id 0: pending when
    something is due, completed otherwise.

    Raises:
        DomainError: the quote is blocked or proposes no change.
    """
    _ensure_applicable(quote)
    after = _membership_after(membership, quote, now)
    scheduled = after.scheduled_change if quote.scheduled else None
    return ChangeOutcome(
        membership=after,
        payment=_payment(membership, quote, now),
        scheduled_change=scheduled,
        event_kind=_event_kind(quote),
        event_payload=_payload(membership, quote),
    )


def _ensure_applicable(quote: Quote) -> None:
    if quote.change_kind is ChangeKind.NO_CHANGE:
        raise DomainError(ErrorCode.NO_CHANGE, NO_CHANGE_MESSAGE)
    if quote.errors or quote.change_kind is ChangeKind.BLOCKED:
        first = quote.errors[0] if quote.errors else None
        raise DomainError(
            first.code if first else ErrorCode.NOT_ALLOWED,
            first.message if first else "This change is not allowed.",
            first.field if first else None,
        )


def _membership_after(membership: Membership, quote: Quote, now: datetime) -> Membership:
    amount = quote.next_billing_amount if quote.next_billing_amount is not None else ZERO
    if quote.scheduled:
        change = ScheduledChange(
            plan_id=quote.plan_id if quote.plan_id is not None else membership.plan_id,
            addons=dict(quote.addons),
            period=quote.period or membership.period,
            amount=amount,
            effective_at=quote.effective_at or now,
            created_at=now,
            description=quote.message or "",
        )
        return replace(membership, scheduled_change=change)
    if quote.change_kind is ChangeKind.ADDON and _renews(membership, quote):
        # A lapsed membership renewed with its purchase: a new period starts now.
        return replace(
            membership,
            addons=dict(quote.addons),
            amount=amount,
            initial_amount=quote.due_now,
            recurring=quote.recurring,
            date_renewed=now,
            date_expiration=quote.next_billing_date,
            date_modified=now,
        )
    if quote.change_kind in (ChangeKind.ADDON, ChangeKind.REMOVE_ADDON):
        scheduled = membership.scheduled_change
        update = quote.scheduled_update
        if scheduled is not None and update is not None:
            # The purchase is carried into the scheduled change (it would drop it).
            scheduled = replace(scheduled, addons=dict(update.addons), amount=update.amount)
            amount = update.current_amount
        return replace(
            membership,
            addons=dict(quote.addons),
            amount=amount,
            recurring=quote.recurring,
            date_expiration=membership.date_expiration if quote.recurring else None,
            date_modified=now,
            scheduled_change=scheduled,
        )
    # A downgrade of an active/on-hold/trialing membership whose expiration has passed
    # applies at once with nothing due: the current period goes on.
    deferred = (
        quote.change_kind is ChangeKind.DOWNGRADE and membership.status in SCHEDULING_STATUSES
    )
    return replace(
        membership,
        plan_id=quote.plan_id if quote.plan_id is not None else membership.plan_id,
        addons=dict(quote.addons),
        amount=amount,
        initial_amount=quote.due_now,
        period=quote.period or membership.period,
        recurring=quote.recurring,
        date_renewed=membership.date_renewed if deferred else now,
        date_expiration=quote.next_billing_date,
        date_modified=now,
        scheduled_change=None,
    )


def _renews(membership: Membership, quote: Quote) -> bool:
    """The purchase starts a new period (it renewed a lapsed membership)."""
    expiration = membership.date_expiration
    return (
        quote.next_billing_date is not None
        and expiration is not None
        and quote.next_billing_date > expiration
        and quote.scheduled_update is None
        and expiration <= (quote.effective_at or expiration)
    )


def _payment(membership: Membership, quote: Quote, now: datetime) -> Payment:
    labels = [line.discount_label for line in quote.line_items if line.discount_label]
    return Payment(
        id=0,
        customer_id=membership.customer_id,
        membership_id=membership.id,
        status=PaymentStatus.PENDING if quote.due_now > 0 else PaymentStatus.COMPLETED,
        currency=quote.currency,
        subtotal=quote.subtotal,
        total=quote.due_now,
        discount_total=quote.discount,
        line_items=quote.line_items,
        discount_code=labels[0] if labels else "",
        date_created=now,
        date_modified=now,
    )


def _event_kind(quote: Quote) -> str:
    if quote.scheduled:
        return "change_scheduled"
    if quote.change_kind is ChangeKind.ADDON:
        return "addon_purchased"
    if quote.change_kind is ChangeKind.REMOVE_ADDON:
        return "addon_removed"
    return "plan_changed"


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(round_money(amount))


def _state(
    plan_id: int, addons: Mapping[int, int], period: object, amount: Decimal | None
) -> dict[str, Any]:
    return {
        "planId": plan_id,
        "addons": {str(pid): qty for pid, qty in sorted(addons.items())},
        "period": str(period),
        "amount": _money(amount),
    }


def _payload(membership: Membership, quote: Quote) -> dict[str, Any]:
    """A JSON-able record of the change (strings for money and dates)."""
    return {
        "membershipId": membership.id,
        "changeKind": quote.change_kind.value,
        "scheduled": quote.scheduled,
        "currency": quote.currency,
        "from": _state(membership.plan_id, membership.addons, membership.period, membership.amount),
        "to": _state(
            quote.plan_id if quote.plan_id is not None else membership.plan_id,
            quote.addons,
            quote.period or membership.period,
            quote.next_billing_amount,
        ),
        "removedAddons": {str(pid): qty for pid, qty in sorted(quote.removed_addons.items())},
        "subtotal": _money(quote.subtotal),
        "credit": _money(quote.credit),
        "discount": _money(quote.discount),
        "dueNow": _money(quote.due_now),
        "unusedCredit": _money(quote.unused_credit),
        "nextBillingDate": _iso(quote.next_billing_date),
        "effectiveAt": _iso(quote.effective_at),
        "message": quote.message,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def apply_scheduled_change(
    membership: Membership, catalog: Mapping[int, Product], now: datetime
) -> ChangeOutcome | None:
    """Apply ``membership.scheduled_change`` when it is due (``effective_at <= now``).

    Plan, add-ons, amount and period come from the scheduled change; nothing is charged
    (a completed 0.00 payment without lines); ``initial_amount`` is kept; the schedule is
    cleared. A change to a free or
    one-time plan leaves no next billing date. Returns None when nothing is due.
    """
    change = membership.scheduled_change
    if change is None or change.effective_at > now:
        return None
    plan = catalog.get(change.plan_id)
    recurring = change.amount > 0 or (plan is not None and plan.is_recurring)
    after = replace(
        membership,
        plan_id=change.plan_id,
        addons=dict(change.addons),
        amount=round_money(change.amount),
        # initial_amount is what the membership's first payment charged (the plugin keeps
        # it across swaps); a scheduled change charges nothing, so it stays as it was.
        period=change.period,
        recurring=recurring,
        date_expiration=membership.date_expiration if recurring else None,
        date_modified=now,
        scheduled_change=None,
    )
    payment = Payment(
        id=0,
        customer_id=membership.customer_id,
        membership_id=membership.id,
        status=PaymentStatus.COMPLETED,
        currency=membership.currency,
        subtotal=ZERO,
        total=ZERO,
        date_created=now,
        date_modified=now,
    )
    payload = {
        "membershipId": membership.id,
        "from": _state(membership.plan_id, membership.addons, membership.period, membership.amount),
        "to": _state(change.plan_id, change.addons, change.period, change.amount),
        "effectiveAt": _iso(change.effective_at),
        "description": change.description,
    }
    return ChangeOutcome(after, payment, None, "scheduled_change_applied", payload)


def cancel_scheduled_change(membership: Membership) -> Membership:
    """The membership without its scheduled change.

    Raises:
        DomainError: NO_SCHEDULED_CHANGE when there is none to cancel.
    """
    if membership.scheduled_change is None:
        raise DomainError(
            ErrorCode.NO_SCHEDULED_CHANGE,
            "This membership has no scheduled change.",
            "membershipId",
        )
    return replace(membership, scheduled_change=None)
