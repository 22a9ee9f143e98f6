"""The one-line summaries quotes carry in ``Quote.message``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from planswitch.domain.plan_change import Direction
from planswitch.domain.quote_context import QuoteContext

_VERB = {
    Direction.UPGRADE: "Upgrade",
    Direction.DOWNGRADE: "Downgrade",
    Direction.CROSSGRADE: "Switch",
}


def day(moment: datetime | None) -> str:
    """``moment``'s ISO date, or '' for None."""
    return moment.date().isoformat() if moment is not None else ""


def names(ctx: QuoteContext, selection: Mapping[int, int]) -> str:
    """E.g. ``Extra Storage ×2, SEO Pack ×1`` (unknown ids read ``product <id>``)."""
    parts = []
    for pid, qty in sorted(selection.items()):
        product = ctx.catalog.get(pid)
        name = product.name if product is not None else f"product {pid}"
        parts.append(f"{name} ×{qty}")
    return ", ".join(parts)


def plan_message(
    ctx: QuoteContext,
    direction: Direction,
    due: Decimal,
    unused: Decimal,
    next_amount: Decimal | None,
    next_date: datetime | None,
    scheduled: bool,
    removed: Mapping[int, int],
) -> str:
    """E.g. ``Upgrade to Premium: $39.49 due now, then $49.00 on 2026-07-15.``"""
    period_changed = ctx.period != ctx.membership.period.normalised()
    target = f"{ctx.plan.name} ({ctx.period})" if period_changed else ctx.plan.name
    head = f"{_VERB[direction]} to {target}"
    if scheduled:
        head += f" on {day(ctx.membership.date_expiration)}: nothing due now"
    else:
        head += f": {ctx.money(due)} due now"
    if next_amount is not None and next_date is not None:
        head += f", then {ctx.money(next_amount)} on {day(next_date)}"
    text = head + "."
    if unused > 0:
        text += f" {ctx.money(unused)} of credit is left unused."
    if removed:
        text += f" Removes {names(ctx, removed)}."
    return text
