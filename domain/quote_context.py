"""What every quote shape shares: the resolved change (``QuoteContext``) and add-on sums."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from planswitch.domain.discounts import DiscountCode
from planswitch.domain.limit_changes import LimitChange, limit_changes
from planswitch.domain.limits import Limitations, effective_limits
from planswitch.domain.memberships import Membership
from planswitch.domain.money import Money, MoneyFormat
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.products import Product


@dataclass(frozen=True)
class QuoteContext:
    """A valid, unblocked request: the membership, the target and the selections."""

    membership: Membership
    catalog: Mapping[int, Product]
    now: datetime
    current: Product | None
    plan: Product
    period: BillingPeriod
    add: Mapping[int, int]
    remove: Mapping[int, int]
    discount: DiscountCode | None
    digits: int = 2  # the currency's minor unit (handed in by the caller)
    money_format: MoneyFormat | None = None  # the network's own, when it has one

    @property
    def currency(self) -> str:
        return self.membership.currency

    def money(self, amount: Decimal) -> str:
        return Money(amount, self.currency).formatted(self.digits, self.money_format)


def clean_addons(addons: Mapping[int, int]) -> dict[int, int]:
    """Add-ons by product id, sorted, without zero or negative quantities."""
    return {pid: qty for pid, qty in sorted(addons.items()) if qty > 0}


def apply_selection(
    held: Mapping[int, int], add: Mapping[int, int], remove: Mapping[int, int]
) -> dict[int, int]:
    """The add-ons held after removing ``remove`` and adding ``add``."""
    result = dict(clean_addons(held))
    for pid, qty in remove.items():
        result[pid] = result.get(pid, 0) - qty
    for pid, qty in add.items():
        result[pid] = result.get(pid, 0) + qty
    return clean_addons(result)


def list_price(product: Product, period: BillingPeriod) -> Decimal:
    """The price at ``period``, or the product's base price when not sold at it."""
    price = product.price_at(period)
    return product.price if price is None else price


def quote_limit_changes(
    ctx: QuoteContext, plan_id: int, addons: Mapping[int, int]
) -> tuple[LimitChange, ...]:
    """Effective limits before vs after (plan + add-ons × quantity + the overrides)."""
    m = ctx.membership

    def limits(pid: int, held: Mapping[int, int]) -> Limitations:
        # Held order matters: the plugin's merge order (docs/wordpress.md §6.3).
        pairs = [(ctx.catalog[a], q) for a, q in held.items() if a in ctx.catalog]
        return effective_limits(ctx.catalog.get(pid), pairs, m.limitations_override)

    # The add-on order matters to the merge: today's as stored, the new ones ascending by id
    # (the order a change writes them in).
    after = limits(plan_id, dict(sorted(addons.items())))
    return tuple(limit_changes(limits(m.plan_id, m.addons), after))
