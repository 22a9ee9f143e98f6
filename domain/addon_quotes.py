"""The quotes of add-on changes that keep the plan and period (docs/plan-changes.md §3.8).

* an add-on purchase: only the new add-ons, prorated; the billing date does not move;
* an add-on removal: scheduled for the expiration, nothing refunded, no lines.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from planswitch.domain.memberships import SCHEDULING_STATUSES, Membership
from planswitch.domain.money import round_money
from planswitch.domain.payments import LineItem
from planswitch.domain.plan_change import ChangeKind, Quote, ScheduledUpdate
from planswitch.domain.plan_quotes import recurring_lines
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


def is_lapsed(membership: Membership, now: datetime) -> bool:
    """A recurring membership whose paid period ended (``date_expiration`` <= ``now``) and
    was not renewed, whatever its status says."""
    expiration = membership.date_expiration
    return membership.is_recurring and expiration is not None and expiration <= now


def addon_purchase_quote(ctx: QuoteContext) -> Quote:
    """Only the new add-ons: recurring ones prorated to the period's end
    (docs/plan-changes.md §3.8). A lapsed membership renews with them (never free, issue 8);
    a scheduled change carries them when its plan offers them."""
    if is_lapsed(ctx.membership, ctx.now):
        return _lapsed_purchase_quote(ctx)
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
    carried = _carry_into_scheduled(ctx, next_amount)
    if carried is not None:
        # What will really be billed next: the scheduled change, with what it carries.
        change = m.scheduled_change
        assert change is not None
        next_amount, next_date, recurring = carried.amount, change.effective_at, True
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
        scheduled_update=carried,
    )


def _carry_into_scheduled(ctx: QuoteContext, current_amount: Decimal) -> ScheduledUpdate | None:
    """With a scheduled change pending (a downgrade, an add-on removal): its add-ons and
    recurring amount once the purchase is carried into it. An add-on its plan offers at its
    period is carried (the scheduled change would otherwise drop what was just bought);
    another one is not, and ends when the change applies. None: no scheduled change."""
    change = ctx.membership.scheduled_change
    if change is None or change.effective_at <= ctx.now:
        return None
    target = ctx.catalog.get(change.plan_id)
    addons = dict(change.addons)
    amount = change.amount
    for pid, qty in sorted(ctx.add.items()):
        product = ctx.catalog[pid]
        offered = target is not None and (
            target.id == ctx.membership.plan_id or pid in target.available_addons
        )
        price = product.price_at(change.period)
        if not offered or price is None:
            continue
        addons[pid] = addons.get(pid, 0) + qty
        if product.is_recurring and not product.is_free:
            amount += price * qty
    return ScheduledUpdate(clean_addons(addons), round_money(amount, ctx.digits), current_amount)


def _lapsed_purchase_quote(ctx: QuoteContext) -> Quote:
    """The membership's paid period is over: the purchase renews it. Charged now: the plan
    and the held recurring add-ons for a new full period, plus the new add-ons in full (and
    their setup fees); no credit, nothing prorated. The new period starts now."""
    m, d = ctx.membership, ctx.digits
    kept = {pid: qty for pid, qty in clean_addons(m.addons).items() if pid in ctx.catalog}
    lines = recurring_lines(ctx, kept, charge_one_time=True)
    for pid, qty in sorted(ctx.add.items()):
        if ctx.catalog[pid].setup_fee != 0:
            lines.append(setup_fee_line(ctx.catalog[pid], qty, d))
    priced = apply_discount(tuple(lines), ctx.discount, ctx.now, d)
    subtotal, discount = charged_subtotal(priced, d), discount_sum(priced, d)
    due = round_money(max(subtotal - discount, ZERO), d)
    next_amount = renewal_total(priced, ctx.discount, d)
    next_date = m.period.add_to(ctx.now)
    addons = apply_selection(m.addons, ctx.add, {})
    lapsed = day(m.date_expiration)
    return Quote(
        change_kind=ChangeKind.ADDON,
        currency=m.currency,
        line_items=priced,
        subtotal=subtotal,
        discount=discount,
        due_now=due,
        next_billing_amount=next_amount,
        next_billing_date=next_date,
        effective_at=ctx.now,
        limit_changes=quote_limit_changes(ctx, m.plan_id, addons),
        message=(
            f"Your membership lapsed on {lapsed}: renew it with {names(ctx, ctx.add)} for "
            f"{ctx.money(due)} now, then {ctx.money(next_amount)} on {day(next_date)}."
        ),
        plan_id=m.plan_id,
        period=m.period,
        addons=addons,
        recurring=True,
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
