"""``quote()``: prices a plan change; the same function serves preview and commit.

Rules: docs/plan-changes.md §3.

Rules applied in order: the request is validated (unknown ids, quantities, periods) →
nothing changes → NO_CHANGE → blockers (docs/plan-changes.md §5; ``plan_blockers`` is shared with
``upgrade_options``) → one of four shapes:

* an immediate plan change (upgrade, crossgrade, or a downgrade of a membership that is not
  active/on-hold/trialing): charged now minus the proration credit; a new period starts now;
* a deferred downgrade (active/on-hold/trialing): nothing due, scheduled for the expiration
  (at once if that has passed). The lines show the new recurring charge, cancelled by a
  "Scheduled Swap Credit" line as the plugin writes it, so ``credit`` is that line's amount;
* an add-on purchase: only the new add-ons, prorated; the billing date does not move;
* an add-on removal: scheduled for the expiration, nothing refunded, no lines.

Modules: ``quote_request`` (request validation), ``plan_checks`` (blockers), ``plan_quotes``
and ``addon_quotes`` (the shapes), ``quote_context`` and ``quote_messages`` (shared parts).
The blockers and credit titles are re-exported here.

Discounts are carried on the lines they reduce (``LineItem.discount_total`` and
``discount_label``), never as a DISCOUNT line; ``Quote.discount`` is their sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import datetime

from planswitch.domain.addon_quotes import addon_purchase_quote, addon_removal_quote
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import ErrorCode
from planswitch.domain.gateway_sync import gateway_sync_problems
from planswitch.domain.memberships import Membership
from planswitch.domain.money import MoneyFormat, round_money
from planswitch.domain.plan_change import NO_CHANGE_MESSAGE, ChangeKind, PlanChangeRequest, Quote
from planswitch.domain.plan_checks import (
    Problem,
    membership_blockers,
    over_limit_problems,
    plan_blockers,
    problem,
)
from planswitch.domain.plan_quotes import (
    PRORATION_CREDIT_TITLE,
    SWAP_CREDIT_TITLE,
    plan_change_quote,
)
from planswitch.domain.products import Product
from planswitch.domain.quote_context import QuoteContext, apply_selection, clean_addons
from planswitch.domain.quote_request import ResolvedRequest, discount_problems, resolve_request
from planswitch.domain.usage import Usage

__all__ = [
    "PRORATION_CREDIT_TITLE",
    "SWAP_CREDIT_TITLE",
    "Problem",
    "membership_blockers",
    "over_limit_problems",
    "plan_blockers",
    "quote",
]

_MIXED_ADDONS = problem(
    ErrorCode.INVALID_INPUT, "Add and remove add-ons in two separate changes.", "removeAddons"
)


def quote(
    membership: Membership,
    request: PlanChangeRequest,
    catalog: Mapping[int, Product],
    now: datetime,
    *,
    usage: Usage = Usage(),  # noqa: B008 - frozen, never mutated
    customer: Customer | None = None,
    discount: DiscountCode | None = None,
    syncable_gateways: Set[str] = frozenset(),
    digits: int = 2,
    money_format: MoneyFormat | None = None,
) -> Quote:
    """Price ``request`` against ``membership`` at ``now``; side-effect free and deterministic.

    ``catalog`` holds every product by id; ``discount`` is the code the request names
    (looked up by the caller); ``digits`` is the currency's minor unit (ISO 4217), handed in
    by the caller, with ``money_format`` the network's way of writing amounts in messages
    (None: ``Money.formatted``'s own). ``customer`` is accepted for the trial rule, but a
    plan change never starts a trial (docs/plan-changes.md §3.9), so it does not change the result.
    ``syncable_gateways``: the gateways whose subscriptions a configured payment provider can
    update; a change that alters the recurring charge of a membership renewing through any
    other gateway subscription is blocked (``domain.gateway_sync``).

    Example: Basic 20.00/month with 16 whole days left → Pro 50.00/month gives
    credit 10.51, due now 39.49, then 50.00 one month from ``now``.
    """
    del customer  # trials are never restarted
    target = resolve_request(membership, request, catalog)
    if target.problems or target.plan is None:
        return _blocked(membership, now, target.problems, target.plan)
    if _is_no_change(membership, target.plan, target):
        return _no_change(membership, now, digits)
    current = catalog.get(membership.plan_id)
    plan_changes = (
        target.plan.id != membership.plan_id or target.period != membership.period.normalised()
    )
    problems = (
        plan_blockers(membership, current, target.plan, target.period, usage)
        if plan_changes
        else membership_blockers(membership, usage)
    )
    problems += discount_problems(request, discount, now)
    if not plan_changes and target.add and target.remove:
        problems.append(_MIXED_ADDONS)
    if problems:
        return _blocked(membership, now, problems, target.plan)
    ctx = QuoteContext(
        membership,
        catalog,
        now,
        current,
        target.plan,
        target.period,
        target.add,
        target.remove,
        discount if request.discount_code else None,
        digits,
        money_format,
    )
    if plan_changes:
        priced = plan_change_quote(ctx)
    elif ctx.add:
        priced = addon_purchase_quote(ctx)
    else:
        priced = addon_removal_quote(ctx)
    desync = gateway_sync_problems(membership, priced, syncable_gateways)
    return _blocked(membership, now, desync, target.plan) if desync else priced


def _is_no_change(membership: Membership, plan: Product, target: ResolvedRequest) -> bool:
    final_addons = apply_selection(membership.addons, target.add, target.remove)
    return (
        plan.id == membership.plan_id
        and target.period == membership.period.normalised()
        and final_addons == clean_addons(membership.addons)
    )


def _blocked(
    membership: Membership, now: datetime, problems: list[Problem], plan: Product | None
) -> Quote:
    errors = tuple(item.error() for item in problems)
    return Quote(
        change_kind=ChangeKind.BLOCKED,
        currency=membership.currency,
        effective_at=now,
        message=" ".join(error.message for error in errors),
        errors=errors,
        plan_id=plan.id if plan is not None else membership.plan_id,
        period=membership.period,
        addons=clean_addons(membership.addons),
        recurring=membership.recurring,
    )


def _no_change(membership: Membership, now: datetime, digits: int) -> Quote:
    recurring = membership.is_recurring
    return Quote(
        change_kind=ChangeKind.NO_CHANGE,
        currency=membership.currency,
        next_billing_amount=round_money(membership.amount, digits) if recurring else None,
        next_billing_date=membership.date_expiration if recurring else None,
        effective_at=now,
        message=NO_CHANGE_MESSAGE,
        plan_id=membership.plan_id,
        period=membership.period,
        addons=clean_addons(membership.addons),
        recurring=recurring,
    )
