"""The quotes of add-on changes that keep the plan and period (docs/plan-changes.md §3.8).

* an add-on purchase: only the new add-ons, prorated; the billing date does not move;
* an add-on removal: scheduled for the expiration, nothing refunded, no lines.
"""

from __future__ import annotations

from decimal import Decimal

from planswitch.domain.memberships import SCHEDULING_STATUSES
from planswitch.domain.money import round_money
from planswitch.domain.payments import LineItem
from planswitch.domain.plan_change import ChangeKind, Quote
from planswitch.domain.pricing import (
    ZERO,
    apply_discount,
    charged_subtotal,
    discount_sum,
    product_line,
    prorated_fraction,
    recurring_price,
    renewal_total,
    setup_fee_line,
)
from planswitch.domain.quote_context import (
    QuoteContext,
    apply_selection,
    clean_addons,
    list_price,
    quote_limit_changes,
)
from planswitch.domain.quote_messages import day, names


def addon_purchase_quote(ctx: QuoteContext) -> Quote:
    """Only the new add-ons: recurring ones prorated to the period's end
    (docs/plan-changes.md §3.8)."""
    m = ctx.membership
    d = ctx.digits
    lines, full = _purchase_lines(ctx, prorated_fraction(m, ctx.now))
    priced = apply_discount(tuple(lines), ctx.discount, ctx.now, d)
    subtotal, discount = charged_subtotal(priced, d), discount_sum(priced, d)
    due = round_money(max(subtotal - discount, ZERO), d)
    increase = renewal_total(apply_discount(tuple(full), ctx.discount, ctx.now, d), ctx.discount, d)
    next_amount = round_money(m.amount + increase, d) if m.is_recurring else increase
    recurring = next_amount > 0
    next_date = None
    if recurring:
        next_date = m.date_expiration or m.period.add_to(ctx.now)
    addons = apply_selection(m.addons, ctx.add, {})
    tail = f", then {ctx.money(next_amount)} on {day(next_date)}" if next_date else ""
    return Quote(
        change_kind=ChangeKind.ADDON,
        currency=m.currency,
        line_items=priced,
        subtotal=subtotal,
        discount=discount,
        due_now=due,
        next_billing_amount=next_amount if recurring else None,
        next_billing_date=next_date,
        effective_at=ctx.now,
        limit_changes=quote_limit_changes(ctx, m.plan_id, addons),
        message=f"Add {names(ctx, ctx.add)}: {ctx.money(due)} due now{tail}.",
        plan_id=m.plan_id,
        period=m.period,
        addons=addons,
        recurring=recurring,
    )


def _purchase_lines(ctx: QuoteContext, fraction: Decimal) -> tuple[list[LineItem], list[LineItem]]:
    """The lines charged now, and the recurring add-ons at their full price (for renewal)."""
    period, d = ctx.membership.period, ctx.digits
    lines: list[LineItem] = []
    full: list[LineItem] = []
    for pid, qty in sorted(ctx.add.items()):
        product = ctx.catalog[pid]
        price = list_price(product, period)
        if product.is_recurring and not product.is_free:
            note = "" if fraction == 1 else "Prorated to the end of the current billing period."
            lines.append(
                product_line(product, price * fraction, qty, period, description=note, digits=d)
            )
            full.append(product_line(product, price, qty, period, digits=d))
        else:
            lines.append(product_line(product, price, qty, period, digits=d))
        if product.setup_fee != 0:
            lines.append(setup_fee_line(product, qty, d))
    return lines, full


def addon_removal_quote(ctx: QuoteContext) -> Quote:
    """Scheduled for the expiration, nothing refunded (docs/plan-changes.md §3.8); no lines."""
    m = ctx.membership
    removed_price = ZERO
    for pid, qty in ctx.remove.items():
        product = ctx.catalog.get(pid)
        if product is not None:
            removed_price += (recurring_price(product, m.period) or ZERO) * qty
    next_amount = round_money(max(m.amount - removed_price, ZERO), ctx.digits)
    recurring = next_amount > 0
    expiration = m.date_expiration
    scheduled = m.status in SCHEDULING_STATUSES and expiration is not None and expiration > ctx.now
    effective_at = expiration if scheduled else ctx.now
    next_date = (expiration or m.period.add_to(ctx.now)) if recurring else None
    addons = apply_selection(m.addons, {}, ctx.remove)
    when = f"on {day(effective_at)}" if scheduled else "now"
    tail = f", then {ctx.money(next_amount)} on {day(next_date)}" if next_date else ""
    return Quote(
        change_kind=ChangeKind.REMOVE_ADDON,
        currency=m.currency,
        next_billing_amount=next_amount if recurring else None,
        next_billing_date=next_date,
        effective_at=effective_at,
        limit_changes=quote_limit_changes(ctx, m.plan_id, addons),
        message=f"Remove {names(ctx, ctx.remove)} {when}: nothing refunded{tail}.",
        plan_id=m.plan_id,
        period=m.period,
        addons=addons,
        removed_addons=clean_addons(ctx.remove),
        recurring=recurring,
        scheduled=scheduled,
    )
