"""``upgrade_options()``: the plans and add-ons a membership may move to (docs/plan-changes.md §2).

Blockers come from ``domain.plan_checks.plan_blockers`` and the family from
``plan_checks.in_plan_group``, the same checks ``quote()`` runs, so an
option listed as allowed quotes without a blocker and vice versa.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from planswitch.domain.errors import ErrorCode
from planswitch.domain.gateway_sync import renews_through_gateway
from planswitch.domain.memberships import SCHEDULING_STATUSES, Membership
from planswitch.domain.money import Money, round_money
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import (
    AddonOption,
    Blocker,
    Direction,
    PeriodPrice,
    PlanChangeRequest,
    PlanOption,
    Timing,
    UpgradeOptions,
)
from planswitch.domain.plan_checks import in_plan_group, plan_blockers
from planswitch.domain.pricing import default_period, plan_direction
from planswitch.domain.products import Product
from planswitch.domain.quotes import quote
from planswitch.domain.usage import Usage


def upgrade_options(
    membership: Membership,
    catalog: Mapping[int, Product],
    now: datetime,
    *,
    usage: Usage = Usage(),  # noqa: B008 - frozen, never mutated
    syncable_gateways: Set[str] = frozenset(),
) -> UpgradeOptions:
    """Every other active plan of the membership's plan group (all of them when the plan has
    no group), ordered by ``list_order`` then id, each with direction, timing, prices and
    blockers; plus the active add-ons the current plan offers, with what is held.

    ``syncable_gateways`` as for ``quote()``: for a membership renewing through another
    gateway subscription, each option is quoted and carries the quote's
    GATEWAY_SYNC_UNAVAILABLE blocker, so options and quotes agree.
    """
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
    if renews_through_gateway(membership) and membership.gateway not in syncable_gateways:
        plans = [_with_gateway_blocker(membership, catalog, now, usage, option) for option in plans]
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


def _money(amount: Decimal | None, currency: str) -> Money | None:
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
    return PlanOption(
        plan_id=plan.id,
        direction=direction,
        timing=Timing.END_OF_TERM if deferred else Timing.IMMEDIATE,
        price=_money(plan.price_at(period), plan.currency),
        prices=period_prices(plan),
        allowed=not problems,
        blockers=tuple(problem.blocker for problem in problems),
        period=period,
    )


def period_prices(plan: Product) -> tuple[PeriodPrice, ...]:
    """The plan's price at each period it is sold at, rounded: its own period first.

    A fact of the plan alone, while every option list repeats it for each plan of the
    family: kept per product object (a cached catalog's products live across requests,
    and a product changed by ``updateProduct`` is a new object, so it is computed anew).
    """
    entry = _PERIOD_PRICES.get(id(plan))
    if entry is not None and entry[0] is plan:
        return entry[1]
    prices = tuple(
        PeriodPrice(variation, Money(round_money(price), plan.currency))
        for variation in plan.periods()
        if (price := plan.price_at(variation)) is not None
    )
    if len(_PERIOD_PRICES) >= _PERIOD_PRICES_MAX:
        _PERIOD_PRICES.clear()  # bounded; refilled by the next lists
    # The entry keeps the product alive, so its id cannot name another product meanwhile.
    _PERIOD_PRICES[id(plan)] = (plan, prices)
    return prices


_PERIOD_PRICES: dict[int, tuple[Product, tuple[PeriodPrice, ...]]] = {}
_PERIOD_PRICES_MAX = 1024


def _with_gateway_blocker(
    membership: Membership,
    catalog: Mapping[int, Product],
    now: datetime,
    usage: Usage,
    option: PlanOption,
) -> PlanOption:
    """The option plus the quote's gateway blocker, when quoting it yields one."""
    if not option.allowed:
        return option  # already refused; the quote stops at those blockers
    plan = catalog[option.plan_id]
    own = membership.period.normalised()
    listed = own if plan.price_at(own) is not None else plan.period.normalised()
    period = option.period if option.period is not None else listed
    request = PlanChangeRequest(membership.id, option.plan_id, period)
    priced = quote(membership, request, catalog, now, usage=usage)
    blockers = tuple(
        Blocker(error.code, error.message)
        for error in priced.errors
        if error.code is ErrorCode.GATEWAY_SYNC_UNAVAILABLE
    )
    if not blockers:
        return option
    return replace(option, allowed=False, blockers=option.blockers + blockers)


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
