"""``upgrade_options()``: the plans and add-ons a membership may move to (docs/plan-changes.md §2).

Blockers come from ``domain.plan_checks.plan_blockers`` and the family from
``plan_checks.in_plan_group``, the same checks ``quote()`` runs, so an
option listed as allowed quotes without a blocker and vice versa.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from planswitch.domain.memberships import SCHEDULING_STATUSES, Membership
from planswitch.domain.money import Money, round_money
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import (
    AddonOption,
    Direction,
    PeriodPrice,
    PlanOption,
    Timing,
    UpgradeOptions,
)
from planswitch.domain.plan_checks import in_plan_group, plan_blockers
from planswitch.domain.pricing import default_period, plan_direction
from planswitch.domain.products import Product
from planswitch.domain.usage import Usage


def upgrade_options(
    membership: Membership,
    catalog: Mapping[int, Product],
    now: datetime,
    *,
    usage: Usage = Usage(),  # noqa: B008 - frozen, never mutated
) -> UpgradeOptions:
    """Every other active plan of the membership's plan group (all of them when the plan has
    no group), ordered by ``list_order`` then id, each with direction, timing, prices and
    blockers; plus the active add-ons the current plan offers, with what is held.

    ``now`` is accepted for symmetry with ``quote()``; no option depends on it.
    """
    del now
    current = catalog.get(membership.plan_id)
    candidates = sorted(
        (
            product
            for product in catalog.values()
            if product.is_plan
            and product.active
            and product.id != membership.plan_id
            and in_plan_group(current, product)
        ),
        key=lambda product: (product.list_order, product.id),
    )
    plans = [_plan_option(membership, current, plan, usage) for plan in candidates]
    plans += _other_periods(membership, current, usage)
    plans.sort(key=lambda option: _order(catalog, option))
    return UpgradeOptions(membership.id, tuple(plans), _addon_options(membership, current, catalog))


def _order(catalog: Mapping[int, Product], option: PlanOption) -> tuple[int, int, int]:
    plan = catalog[option.plan_id]
    days = option.period.days if option.period is not None else 0
    return (plan.list_order, plan.id, int(days))


def _other_periods(
    membership: Membership, current: Product | None, usage: Usage
) -> list[PlanOption]:
    """The current plan at each other period it is sold at (e.g. monthly → yearly)."""
    if current is None or not current.is_plan or not current.is_recurring or current.is_free:
        return []
    own = membership.period.normalised()
    periods = dict.fromkeys(p.normalised() for p in current.periods())
    return [
        _plan_option(membership, current, current, usage, period)
        for period in periods
        if period != own and current.price_at(period) is not None
    ]


def _money(amount, currency: str) -> Money | None:  # noqa: ANN001 - Decimal | None
    return None if amount is None else Money(round_money(amount), currency)


def _plan_option(
    membership: Membership,
    current: Product | None,
    plan: Product,
    usage: Usage,
    period: BillingPeriod | None = None,
) -> PlanOption:
    # Judged and priced at the period a quote without billingPeriod uses (one rule).
    period = period or default_period(membership, plan)
    direction = plan_direction(membership, current, plan, period)
    deferred = direction is Direction.DOWNGRADE and membership.status in SCHEDULING_STATUSES
    problems = plan_blockers(membership, current, plan, period, usage)
    prices = tuple(
        PeriodPrice(variation, Money(round_money(plan.price_at(variation)), plan.currency))
        for variation in plan.periods()
        if plan.price_at(variation) is not None
    )
    return PlanOption(
        plan_id=plan.id,
        direction=direction,
        timing=Timing.END_OF_TERM if deferred else Timing.IMMEDIATE,
        price=_money(plan.price_at(period), plan.currency),
        prices=prices,
        allowed=not problems,
        blockers=tuple(problem.blocker for problem in problems),
        period=period,
    )


def _addon_options(
    membership: Membership, current: Product | None, catalog: Mapping[int, Product]
) -> tuple[AddonOption, ...]:
    if current is None:
        return ()
    options = []
    for product_id in dict.fromkeys(current.available_addons):
        product = catalog.get(product_id)
        if product is None or product.is_plan or not product.active:
            continue
        held = membership.addons.get(product_id, 0)
        options.append(
            AddonOption(
                product_id=product_id,
                price=_money(product.price_at(membership.period), product.currency),
                held=held > 0,
                quantity=max(held, 0),
            )
        )
    return tuple(options)
