"""Prices per day, the direction of a plan change and the proration credit.

Rules: docs/plan-changes.md §3.2-§3.5.

All arithmetic is exact ``Decimal``; nothing here rounds (callers round each money result
once, with ``planswitch.domain.money.round_money``). Per-day prices are compared by
cross-multiplication (``a / da < b / db`` ⇔ ``a * db < b * da``) so no division noise can
turn an equal price into an upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from planswitch.domain.discounts import DiscountCode, DiscountType
from planswitch.domain.memberships import NO_CREDIT_STATUSES, Membership, MembershipStatus
from planswitch.domain.money import round_money
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import Direction
from planswitch.domain.products import Product

ZERO = Decimal("0")


def recurring_price(product: Product, period: BillingPeriod) -> Decimal | None:
    """What ``product`` recurs for at ``period``: 0 for free and one-time products, None when
    it is not sold at that period (no price variation)."""
    if product.is_free or not product.is_recurring:
        return ZERO
    return product.price_at(period)


def is_lifetime_purchase(product: Product) -> bool:
    """A paid product that never recurs (the plugin's "upgrade to lifetime" branch)."""
    return not product.is_free and not product.is_recurring


@dataclass(frozen=True, slots=True)
class DayPrice:
    """A recurring amount over a number of days: compared without dividing."""

    amount: Decimal
    days: Decimal

    def __lt__(self, other: DayPrice) -> bool:
        return self.amount * other.days < other.amount * self.days

    def same_as(self, other: DayPrice) -> bool:
        return self.amount * other.days == other.amount * self.days


def per_day_pair(
    membership: Membership, current: Product | None, target: Product, period: BillingPeriod
) -> tuple[DayPrice, DayPrice]:
    """The current plan's and the target plan's per-day prices, at a common period if possible.

    The current plan is priced at the membership's period (falling back to the membership's
    own amount when that plan is gone or no longer sold at that period), the target plan at
    ``period``. When the two periods differ, they are first brought to a common period
    through a price variation (docs/plan-changes.md §8.3 step 11): the current plan at the chosen
    period, else the target plan at the membership's period. Add-ons and discounts play no
    part.
    """
    own = membership.period
    old = recurring_price(current, own) if current is not None else None
    if old is None:
        old = membership.amount
    new = recurring_price(target, period)
    if new is None:
        new = target.price
    if own.days != period.days:
        old_at_new = recurring_price(current, period) if current is not None else None
        if old_at_new is not None:
            return DayPrice(old_at_new, period.days), DayPrice(new, period.days)
        new_at_old = recurring_price(target, own)
        if new_at_old is not None:
            return DayPrice(old, own.days), DayPrice(new_at_old, own.days)
    return DayPrice(old, own.days), DayPrice(new, period.days)


def default_period(membership: Membership, plan: Product) -> BillingPeriod:
    """The period a move to ``plan`` is priced at when the request names none.

    The membership's own period when ``plan`` is sold at it (or is the current plan), else
    the plan's own period. ``upgrade_options`` and ``quote`` both use it, so an option
    listed as allowed quotes without PERIOD_NOT_AVAILABLE (issue 8).
    """
    own = membership.period.normalised()
    if plan.id == membership.plan_id or plan.price_at(own) is not None:
        return own
    return plan.period.normalised()


def plan_direction(
    membership: Membership, current: Product | None, target: Product, period: BillingPeriod
) -> Direction:
    """UPGRADE, DOWNGRADE or CROSSGRADE (equal price) for moving to ``target`` at ``period``.

    Same plan at another period: the plan's recurring totals decide (a longer period at a
    higher total is an upgrade). A paid one-time (lifetime) plan is always an upgrade.
    Otherwise the plans' per-day prices from ``per_day_pair`` decide.
    """
    if is_lifetime_purchase(target) and (current is None or current.id != target.id):
        return Direction.UPGRADE
    if current is not None and current.id == target.id:
        old = recurring_price(current, membership.period)
        old = membership.amount if old is None else old
        new = recurring_price(target, period) or ZERO
        return _compare(old, new)
    old_day, new_day = per_day_pair(membership, current, target, period)
    if old_day.same_as(new_day):
        return Direction.CROSSGRADE
    return Direction.UPGRADE if old_day < new_day else Direction.DOWNGRADE


def _compare(old: Decimal, new: Decimal) -> Direction:
    if new > old:
        return Direction.UPGRADE
    return Direction.DOWNGRADE if new < old else Direction.CROSSGRADE


def breaks_agreement(
    membership: Membership, current: Product | None, target: Product, period: BillingPeriod
) -> bool:
    """The commitment guard (docs/plan-changes.md §3.4): an active, paying membership on a
    longer period may not move to a shorter period that costs more per day. Never applies to
    the same plan."""
    if membership.status is not MembershipStatus.ACTIVE or not membership.is_recurring:
        return False
    if current is not None and current.id == target.id:
        return False
    if not membership.period.days > period.days:
        return False
    old_day, new_day = per_day_pair(membership, current, target, period)
    return old_day < new_day


def whole_days_left(expiration: datetime | None, now: datetime) -> int:
    """Whole 24-hour days from ``now`` until ``expiration`` (0 when past or unknown)."""
    if expiration is None or expiration <= now:
        return 0
    return (expiration - now).days


def _utc_date(moment: datetime) -> date:
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


def is_same_day(membership: Membership, now: datetime) -> bool:
    """Created or renewed on today's (UTC) date: such a membership counts a full period."""
    today = _utc_date(now)
    return any(
        moment is not None and _utc_date(moment) == today
        for moment in (membership.date_created, membership.date_renewed)
    )


def days_to_prorate(membership: Membership, now: datetime) -> Decimal:
    """Days of the current period still unused: whole days left, or a full period when the
    membership was created or renewed today (docs/plan-changes.md §3.5 same-day rule)."""
    if is_same_day(membership, now):
        return membership.period.days
    return Decimal(whole_days_left(membership.date_expiration, now))


def proration_credit(membership: Membership, now: datetime) -> Decimal:
    """Unrounded credit for the unused part of the current period, without the fee credit.

    Rule: docs/plan-changes.md §3.5.

    0 for trialing, expired and cancelled memberships; ``initial_amount`` (uncapped) for a
    non-recurring or lifetime one; otherwise days left × amount ÷ days in the period, capped
    at the amount.

    Example: 16 whole days left of a 20.00 month gives 16 × 20 / 30.4375 = 10.5133….
    """
    if membership.status in NO_CREDIT_STATUSES:
        return ZERO
    if not membership.is_recurring:
        return max(membership.initial_amount, ZERO)
    days = days_to_prorate(membership, now)
    credit = days * membership.amount / membership.period.days
    return min(credit, membership.amount)


def setup_fee_credit(current: Product | None, target: Product) -> Decimal:
    """``min(old fee, new fee)`` when the new plan charges a setup fee (the fee already paid)."""
    if current is None or target.setup_fee <= 0:
        return ZERO
    return max(min(current.setup_fee, target.setup_fee), ZERO)


def prorated_fraction(membership: Membership, now: datetime) -> Decimal:
    """Share of a full period still to run (0..1), for add-ons bought mid-period.

    Rule: docs/plan-changes.md §3.8.

    Expired and cancelled memberships pay a full period (the quote charges in full).
    """
    if membership.status in (MembershipStatus.EXPIRED, MembershipStatus.CANCELLED):
        return Decimal("1")
    days = days_to_prorate(membership, now)
    return min(days / membership.period.days, Decimal("1"))


# --- line items and discounts -------------------------------------------------------------
# A discount is carried on the lines it reduces (``discount_total`` + ``discount_label``),
# never as a separate DISCOUNT line: the quote's ``discount`` is the sum of those.


def product_line(
    product: Product,
    unit_price: Decimal,
    quantity: int,
    period: BillingPeriod,
    *,
    description: str = "",
    digits: int = 2,
) -> LineItem:
    """A product line at ``unit_price`` (rounded), recurring when the product recurs."""
    recurring = product.is_recurring and not product.is_free
    return LineItem(
        type=LineItemType.PRODUCT,
        title=product.name,
        unit_price=round_money(unit_price, digits),
        quantity=quantity,
        product_id=product.id,
        description=description,
        recurring=recurring,
        period=period if recurring else None,
    )


def setup_fee_line(product: Product, quantity: int, digits: int = 2) -> LineItem:
    """The one-time setup fee of ``product`` (quantity as bought)."""
    title = f"Signup {'Credit' if product.setup_fee < 0 else 'Fee'} for {product.name}"
    return LineItem(
        type=LineItemType.FEE,
        title=title,
        unit_price=round_money(product.setup_fee, digits),
        quantity=quantity,
        product_id=product.id,
    )


def credit_line(amount: Decimal, title: str, description: str, digits: int = 2) -> LineItem:
    """A negative, non-recurring credit line of ``amount`` (> 0)."""
    return LineItem(
        type=LineItemType.CREDIT,
        title=title,
        unit_price=-round_money(amount, digits),
        description=description,
    )


def line_discount(
    discount: DiscountCode | None, line: LineItem, now: datetime, digits: int = 2
) -> Decimal:
    """The discount ``discount`` grants on ``line``: percentage of its subtotal or a flat
    amount (not × quantity), clamped to the subtotal; setup-fee rules on fee lines."""
    if discount is None or line.type not in (LineItemType.PRODUCT, LineItemType.FEE):
        return ZERO
    if not discount.is_valid(now, line.product_id):
        return ZERO
    if line.type is LineItemType.FEE:
        value, kind = discount.setup_fee_value, discount.setup_fee_type
    else:
        value, kind = discount.value, discount.type
    base = line.subtotal or ZERO
    if value <= 0 or base <= 0:
        return ZERO
    if kind is DiscountType.PERCENTAGE:
        amount = round_money(base * value / Decimal(100), digits)
    else:
        amount = round_money(value, digits)
    return min(amount, base)


def apply_discount(
    lines: tuple[LineItem, ...], discount: DiscountCode | None, now: datetime, digits: int = 2
) -> tuple[LineItem, ...]:
    """``lines`` with each discountable line's ``discount_total`` filled in."""
    if discount is None:
        return lines
    result = []
    for line in lines:
        amount = line_discount(discount, line, now, digits)
        if amount > 0:
            line = line.discounted(amount, discount.code.upper())
        result.append(line)
    return tuple(result)


def renewal_total(
    lines: tuple[LineItem, ...], discount: DiscountCode | None, digits: int = 2
) -> Decimal:
    """What the recurring product lines cost each period: their subtotals, less their
    discount only when the code applies to renewals (docs/plan-changes.md §3.11)."""
    keep_discount = discount is not None and discount.apply_to_renewals
    total = ZERO
    for line in lines:
        if line.type is LineItemType.PRODUCT and line.recurring:
            total += (line.subtotal or ZERO) - (line.discount_total if keep_discount else ZERO)
    return round_money(max(total, ZERO), digits)


def charged_subtotal(lines: tuple[LineItem, ...], digits: int = 2) -> Decimal:
    """Sum of product and fee lines before credit and discount (floored at 0)."""
    total = sum(
        (
            line.subtotal or ZERO
            for line in lines
            if line.type in (LineItemType.PRODUCT, LineItemType.FEE)
        ),
        ZERO,
    )
    return round_money(max(total, ZERO), digits)


def discount_sum(lines: tuple[LineItem, ...], digits: int = 2) -> Decimal:
    return round_money(sum((line.discount_total for line in lines), ZERO), digits)
