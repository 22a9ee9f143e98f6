"""The quote of a move to another plan or billing period (docs/plan-changes.md §3.6, §3.7).

* an immediate plan change (upgrade, crossgrade, or a downgrade of a membership that is not
  active/on-hold/trialing): charged now minus the proration credit; a new period starts now;
* a deferred downgrade (active/on-hold/trialing): nothing due, scheduled for the expiration
  (at once if that has passed). Nothing is charged or credited now: no lines, credit 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from planswitch.domain.memberships import SCHEDULING_STATUSES
from planswitch.domain.money import round_money
from planswitch.domain.payments import LineItem
from planswitch.domain.plan_change import ChangeKind, Direction, Quote
from planswitch.domain.pricing import (
    ZERO,
    apply_discount,
    charged_subtotal,
    credit_line,
    discount_sum,
    plan_direction,
    product_line,
    proration_credit,
    renewal_total,
    setup_fee_credit,
    setup_fee_line,
)
from planswitch.domain.quote_context import (
    QuoteContext,
    apply_selection,
    clean_addons,
    list_price,
    quote_limit_changes,
)
from planswitch.domain.quote_messages import plan_message

_KIND = {
    Direction.UPGRADE: ChangeKind.UPGRADE,
    Direction.DOWNGRADE: ChangeKind.DOWNGRADE,
    Direction.CROSSGRADE: ChangeKind.CROSSGRADE,
}
SWAP_CREDIT_TITLE = "Scheduled Swap Credit"
PRORATION_CREDIT_TITLE = "Credit"
PRORATION_CREDIT_DESCRIPTION = "Prorated amount based on the previous membership."


def plan_change_quote(ctx: QuoteContext) -> Quote:
    """Price the move to ``ctx.plan`` at ``ctx.period``, deferred or immediate."""
    m = ctx.membership
    direction = plan_direction(m, ctx.current, ctx.plan, ctx.period)
    kept, dropped = _carry_addons(ctx)
    removed = dict(ctx.remove)
    for pid, qty in dropped.items():
        removed[pid] = removed.get(pid, 0) + qty
    addons = apply_selection(kept, ctx.add, {})
    deferred = direction is Direction.DOWNGRADE and m.status in SCHEDULING_STATUSES
    body = _deferred(ctx, kept) if deferred else _immediate(ctx, kept)
    renewing = body.lines or body.recurring_lines
    recurring = any(line.recurring and (line.subtotal or ZERO) > 0 for line in renewing)
    next_amount = body.recurring_total if recurring else None
    next_date = _next_billing_date(ctx, recurring=recurring, deferred=deferred)
    message = plan_message(
        ctx, direction, body.due, body.unused, next_amount, next_date, body.scheduled, removed
    )
    return Quote(
        change_kind=_KIND[direction],
        currency=m.currency,
        line_items=body.lines,
        subtotal=body.subtotal,
        credit=body.credit,
        discount=body.discount,
        due_now=body.due,
        unused_credit=body.unused,
        next_billing_amount=next_amount,
        next_billing_date=next_date,
        effective_at=m.date_expiration if body.scheduled else ctx.now,
        limit_changes=quote_limit_changes(ctx, ctx.plan.id, addons),
        message=message,
        plan_id=ctx.plan.id,
        period=ctx.period,
        addons=addons,
        removed_addons=clean_addons(removed),
        recurring=recurring,
        scheduled=body.scheduled,
    )


def _next_billing_date(ctx: QuoteContext, *, recurring: bool, deferred: bool) -> datetime | None:
    # A deferred downgrade renews on the old expiration; otherwise a new period starts now.
    if not recurring:
        return None
    if deferred:
        return ctx.membership.date_expiration
    return ctx.period.add_to(ctx.now)


def _carry_addons(ctx: QuoteContext) -> tuple[dict[int, int], dict[int, int]]:
    """Held add-ons kept across a plan change, and those dropped (docs/plan-changes.md §3.6)."""
    kept: dict[int, int] = {}
    dropped: dict[int, int] = {}
    for pid, held in clean_addons(ctx.membership.addons).items():
        qty = held - ctx.remove.get(pid, 0)
        if qty <= 0:
            continue
        product = ctx.catalog.get(pid)
        allowed = (
            product is not None
            and (ctx.plan.id == ctx.membership.plan_id or pid in ctx.plan.available_addons)
            and product.price_at(ctx.period) is not None
        )
        (kept if allowed else dropped)[pid] = qty
    return kept, dropped


def recurring_lines(
    ctx: QuoteContext, kept: Mapping[int, int], *, charge_one_time: bool
) -> list[LineItem]:
    """The target plan, kept recurring add-ons and newly added add-ons at the new period.

    Kept one-time services were paid once and are not charged again.
    """
    d = ctx.digits
    lines = [product_line(ctx.plan, list_price(ctx.plan, ctx.period), 1, ctx.period, digits=d)]
    for pid, qty in kept.items():
        product = ctx.catalog[pid]
        if product.is_recurring and not product.is_free:
            price = list_price(product, ctx.period)
            lines.append(product_line(product, price, qty, ctx.period, digits=d))
    for pid, qty in sorted(ctx.add.items()):
        product = ctx.catalog[pid]
        if charge_one_time or product.is_recurring:
            price = list_price(product, ctx.period)
            lines.append(product_line(product, price, qty, ctx.period, digits=d))
    return lines


@dataclass(frozen=True)
class _Charge:
    """The money side of a plan change."""

    lines: tuple[LineItem, ...]
    subtotal: Decimal
    discount: Decimal
    credit: Decimal
    due: Decimal
    unused: Decimal
    recurring_total: Decimal
    scheduled: bool
    recurring_lines: tuple[LineItem, ...] = ()  # deferred: what renews (lines stay empty)


def _immediate(ctx: QuoteContext, kept: Mapping[int, int]) -> _Charge:
    """Charged now: new plan + kept add-ons + new add-ons + setup fees − credit − discount."""
    d = ctx.digits
    lines = recurring_lines(ctx, kept, charge_one_time=True)
    if ctx.plan.setup_fee != 0 and not ctx.plan.is_free:
        lines.append(setup_fee_line(ctx.plan, 1, d))
    for pid, qty in sorted(ctx.add.items()):
        if ctx.catalog[pid].setup_fee != 0:
            lines.append(setup_fee_line(ctx.catalog[pid], qty, d))
    priced = apply_discount(tuple(lines), ctx.discount, ctx.now, d)
    subtotal, discount = charged_subtotal(priced, d), discount_sum(priced, d)
    base = proration_credit(ctx.membership, ctx.now)
    fee_credit = setup_fee_credit(ctx.current, ctx.plan) if base > 0 else ZERO
    credit = round_money(base + fee_credit, d)
    payable = max(subtotal - discount, ZERO)
    due = round_money(max(payable - credit, ZERO), d)
    unused = round_money(max(credit - payable, ZERO), d)
    if credit > 0:
        priced += (
            credit_line(
                credit,
                PRORATION_CREDIT_TITLE,
                PRORATION_CREDIT_DESCRIPTION,
                d,
            ),
        )
    return _Charge(
        priced,
        subtotal,
        discount,
        credit,
        due,
        unused,
        renewal_total(priced, ctx.discount, d),
        scheduled=False,
    )


def _deferred(ctx: QuoteContext, kept: Mapping[int, int]) -> _Charge:
    """Nothing due and nothing credited now (issue 8; docs/plan-changes.md §3.7): a
    scheduled downgrade charges nothing today, so its quote has no lines, no "credit" and no
    subtotal; only the new recurring total, billed from the effective date. (The plugin's
    swap cart, with its "Scheduled Swap Credit" line, is written by the WordPress adapter
    from the scheduled change.)"""
    d = ctx.digits
    priced = apply_discount(
        tuple(recurring_lines(ctx, kept, charge_one_time=True)), ctx.discount, ctx.now, d
    )
    expiration = ctx.membership.date_expiration
    scheduled = expiration is not None and expiration > ctx.now
    recurring_total = renewal_total(priced, ctx.discount, d)
    recurring = tuple(line for line in priced if line.recurring)
    nothing = Decimal("0.00")
    return _Charge(
        (), nothing, nothing, nothing, nothing, nothing, recurring_total, scheduled, recurring
    )
