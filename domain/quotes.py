"""``quote()``: prices a plan change; the same function serves preview and commit (SPEC §3).

Rules applied in order: the request is validated (unknown ids, quantities, periods) →
nothing changes → NO_CHANGE → blockers (SPEC §5; ``plan_blockers`` is shared with
``upgrade_options``) → one of four shapes:

* an immediate plan change (upgrade, crossgrade, or a downgrade of a membership that is not
  active/on-hold/trialing): charged now minus the proration credit; a new period starts now;
* a deferred downgrade (active/on-hold/trialing): nothing due, scheduled for the expiration
  (at once if that has passed). The lines show the new recurring charge, cancelled by a
  "Scheduled Swap Credit" line as the plugin writes it, so ``credit`` is that line's amount;
* an add-on purchase: only the new add-ons, prorated; the billing date does not move;
* an add-on removal: scheduled for the expiration, nothing refunded, no lines.

Discounts are carried on the lines they reduce (``LineItem.discount_total`` and
``discount_label``), never as a DISCOUNT line; ``Quote.discount`` is their sum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from domain.customers import Customer
from domain.discounts import DiscountCode
from domain.errors import ErrorCode, UserError
from domain.limits import effective_limits, limit_changes
from domain.memberships import SCHEDULING_STATUSES, Membership, MembershipStatus
from domain.money import Money, round_money
from domain.payments import LineItem
from domain.periods import BillingPeriod
from domain.plan_change import (
    NO_CHANGE_MESSAGE,
    Blocker,
    ChangeKind,
    Direction,
    LimitChange,
    PlanChangeRequest,
    Quote,
)
from domain.pricing import (
    ZERO,
    apply_discount,
    breaks_agreement,
    charged_subtotal,
    credit_line,
    discount_sum,
    plan_direction,
    product_line,
    prorated_fraction,
    proration_credit,
    recurring_price,
    renewal_total,
    setup_fee_credit,
    setup_fee_line,
)
from domain.products import Product
from domain.usage import Usage

_KIND = {
    Direction.UPGRADE: ChangeKind.UPGRADE,
    Direction.DOWNGRADE: ChangeKind.DOWNGRADE,
    Direction.CROSSGRADE: ChangeKind.CROSSGRADE,
}
_VERB = {
    Direction.UPGRADE: "Upgrade",
    Direction.DOWNGRADE: "Downgrade",
    Direction.CROSSGRADE: "Switch",
}
SWAP_CREDIT_TITLE = "Scheduled Swap Credit"
PRORATION_CREDIT_TITLE = "Credit"


# --- validation: one source of truth for quote() and upgrade_options() ----------------------


@dataclass(frozen=True)
class Problem:
    """A blocker and the input field it belongs to."""

    blocker: Blocker
    field: str | None = None

    def error(self) -> UserError:
        return UserError(self.blocker.code, self.blocker.message, self.field)


def _problem(code: ErrorCode, message: str, field_name: str | None, **extra: object) -> Problem:
    return Problem(Blocker(code, message, **extra), field_name)  # type: ignore[arg-type]


def membership_blockers(membership: Membership, usage: Usage) -> list[Problem]:
    """MEMBERSHIP_NOT_CHANGEABLE: pending memberships and unpaid payments (SPEC §5)."""
    if membership.status is MembershipStatus.PENDING:
        return [
            _problem(
                ErrorCode.MEMBERSHIP_NOT_CHANGEABLE,
                "This membership is waiting for its first payment and cannot be changed yet.",
                "membershipId",
            )
        ]
    if usage.pending_payment:
        return [
            _problem(
                ErrorCode.MEMBERSHIP_NOT_CHANGEABLE,
                "This membership has a payment waiting; pay or cancel it before changing the plan.",
                "membershipId",
            )
        ]
    return []


def plan_blockers(
    membership: Membership,
    current: Product | None,
    target: Product,
    period: BillingPeriod,
    usage: Usage,
) -> list[Problem]:
    """Why ``membership`` may not move to ``target`` at ``period`` (empty list: allowed).

    Covers MEMBERSHIP_NOT_CHANGEABLE, PLAN_INACTIVE, NOT_IN_PLAN_GROUP, CURRENCY_MISMATCH,
    ACTIVE_AGREEMENT and OVER_LIMIT. ``period`` must be one the target is sold at.
    """
    problems = membership_blockers(membership, usage)
    changes_plan = current is None or target.id != current.id
    if changes_plan:
        if not target.active:
            problems.append(
                _problem(
                    ErrorCode.PLAN_INACTIVE, f"{target.name} is no longer available.", "planId"
                )
            )
        group = current.plan_group if current is not None else ""
        if group and target.plan_group != group:
            problems.append(
                _problem(
                    ErrorCode.NOT_IN_PLAN_GROUP,
                    f"{target.name} is not one of the plans you can switch to from "
                    f"{current.name if current else 'your plan'}.",
                    "planId",
                )
            )
        if target.currency != membership.currency:
            problems.append(
                _problem(
                    ErrorCode.CURRENCY_MISMATCH,
                    f"{target.name} is priced in {target.currency}, but this membership is "
                    f"billed in {membership.currency}.",
                    "planId",
                )
            )
    if breaks_agreement(membership, current, target, period):
        label = membership.period.normalised().label()
        problems.append(
            _problem(
                ErrorCode.ACTIVE_AGREEMENT,
                f"You already have an active {label} agreement.",
                "billingPeriod",
            )
        )
    if changes_plan:
        problems.extend(over_limit_problems(target, usage))
    return problems


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _over_message(
    current: int, allowed: int, singular: str, plural: str, verb: str, place: str = "site"
) -> str:
    return (
        f"Your {place} currently has {_count(current, singular, plural)} but the new plan is "
        f"limited to {_count(allowed, singular, plural)}. You must {verb} "
        f"{_count(current - allowed, singular, plural)} before you can downgrade your plan."
    )


def over_limit_problems(target: Product, usage: Usage) -> list[Problem]:
    """OVER_LIMIT: usage above the target plan's *own* limits (sites, posts per type,
    custom domains), with the plugin's messages (reference §7.7)."""
    problems: list[Problem] = []
    limits = target.limitations
    sites = limits.sites_limit()
    if sites is not None and usage.sites > sites:
        problems.append(
            _problem(
                ErrorCode.OVER_LIMIT,
                _over_message(usage.sites, sites, "site", "sites", "remove", "membership"),
                "planId",
                module="sites",
                current=usage.sites,
                allowed=sites,
            )
        )
    for post_type, quota in sorted(limits.post_type_limits().items()):
        count = usage.posts.get(post_type, 0)
        if quota > 0 and count > quota:
            singular = post_type.replace("_", " ")
            problems.append(
                _problem(
                    ErrorCode.OVER_LIMIT,
                    _over_message(count, quota, singular, f"{singular}s", "trash"),
                    "planId",
                    module=f"post_types.{post_type}",
                    current=count,
                    allowed=quota,
                )
            )
    domains = limits.domain_limit()
    if domains is not None and usage.custom_domains > domains:
        message = (
            "This new plan does NOT support custom domains. You must remove all custom "
            "domains before you can downgrade your plan."
            if domains == 0
            else _over_message(
                usage.custom_domains, domains, "custom domain", "custom domains", "remove"
            )
        )
        problems.append(
            _problem(
                ErrorCode.OVER_LIMIT,
                message,
                "planId",
                module="domain_mapping",
                current=usage.custom_domains,
                allowed=domains,
            )
        )
    return problems


@dataclass
class _Target:
    """The request resolved against the catalog."""

    plan: Product | None
    period: BillingPeriod
    add: dict[int, int] = field(default_factory=dict)
    remove: dict[int, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _resolve(
    membership: Membership, request: PlanChangeRequest, catalog: Mapping[int, Product]
) -> _Target:
    """Structural checks of the request: ids, quantities, periods, availability."""
    plan_id = membership.plan_id if request.plan_id is None else request.plan_id
    period = (request.period or membership.period).normalised()
    target = _Target(catalog.get(plan_id), period)
    plan = target.plan
    same_plan = plan_id == membership.plan_id
    if plan is None:
        target.problems.append(
            _problem(ErrorCode.NOT_FOUND, "The plan you chose does not exist.", "planId")
        )
    elif not plan.is_plan:
        target.problems.append(
            _problem(ErrorCode.NOT_A_PLAN, f"{plan.name} is not a plan.", "planId")
        )
        target.plan = None
    elif (
        not (same_plan and period == membership.period.normalised())
        and plan.price_at(period) is None
    ):
        target.problems.append(
            _problem(
                ErrorCode.PERIOD_NOT_AVAILABLE,
                f"{plan.name} is not sold with a billing period of {period}.",
                "billingPeriod",
            )
        )
    _resolve_additions(membership, request, catalog, target)
    _resolve_removals(membership, request, target)
    return target


def _resolve_additions(
    membership: Membership,
    request: PlanChangeRequest,
    catalog: Mapping[int, Product],
    target: _Target,
) -> None:
    for index, selection in enumerate(request.add_addons):
        where = f"addons[{index}]"
        product = catalog.get(selection.product_id)
        if selection.quantity <= 0:
            target.problems.append(
                _problem(
                    ErrorCode.INVALID_QUANTITY,
                    "The quantity must be at least 1.",
                    f"{where}.quantity",
                )
            )
            continue
        if product is None:
            target.problems.append(
                _problem(
                    ErrorCode.NOT_FOUND,
                    "The product you are trying to add does not exist.",
                    f"{where}.productId",
                )
            )
            continue
        offered = target.plan is not None and product.id in target.plan.available_addons
        if product.is_plan or not product.active or not offered:
            plan_name = target.plan.name if target.plan is not None else "this plan"
            target.problems.append(
                _problem(
                    ErrorCode.ADDON_NOT_AVAILABLE,
                    f"{product.name} is not available with {plan_name}.",
                    f"{where}.productId",
                )
            )
            continue
        if product.currency != membership.currency:
            target.problems.append(
                _problem(
                    ErrorCode.CURRENCY_MISMATCH,
                    f"{product.name} is priced in {product.currency}, but this membership is "
                    f"billed in {membership.currency}.",
                    f"{where}.productId",
                )
            )
            continue
        if product.price_at(target.period) is None:
            target.problems.append(
                _problem(
                    ErrorCode.PERIOD_NOT_AVAILABLE,
                    f"{product.name} is not sold with a billing period of {target.period}.",
                    f"{where}.productId",
                )
            )
            continue
        target.add[product.id] = target.add.get(product.id, 0) + selection.quantity


def _resolve_removals(membership: Membership, request: PlanChangeRequest, target: _Target) -> None:
    for index, selection in enumerate(request.remove_addons):
        where = f"removeAddons[{index}]"
        held = membership.addons.get(selection.product_id, 0)
        wanted = target.remove.get(selection.product_id, 0) + selection.quantity
        if selection.quantity <= 0:
            target.problems.append(
                _problem(
                    ErrorCode.INVALID_QUANTITY,
                    "The quantity must be at least 1.",
                    f"{where}.quantity",
                )
            )
        elif held <= 0:
            target.problems.append(
                _problem(
                    ErrorCode.ADDON_NOT_HELD,
                    "This membership does not hold that add-on.",
                    f"{where}.productId",
                )
            )
        elif wanted > held:
            target.problems.append(
                _problem(
                    ErrorCode.ADDON_NOT_HELD,
                    f"This membership holds only {held} of that add-on.",
                    f"{where}.quantity",
                )
            )
        else:
            target.remove[selection.product_id] = wanted


def _discount_problems(
    request: PlanChangeRequest, discount: DiscountCode | None, now: datetime
) -> list[Problem]:
    code = (request.discount_code or "").strip()
    if not code:
        return []
    if discount is None or discount.code.upper() != code.upper() or not discount.is_valid(now):
        return [
            _problem(
                ErrorCode.INVALID_DISCOUNT_CODE,
                f"The code {code.upper()} does not exist or is no longer valid.",
                "discountCode",
            )
        ]
    return []


# --- the quote -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    membership: Membership
    catalog: Mapping[int, Product]
    now: datetime
    current: Product | None
    plan: Product
    period: BillingPeriod
    add: Mapping[int, int]
    remove: Mapping[int, int]
    discount: DiscountCode | None

    @property
    def currency(self) -> str:
        return self.membership.currency

    def money(self, amount: Decimal) -> str:
        return Money(amount, self.currency).formatted()


def quote(
    membership: Membership,
    request: PlanChangeRequest,
    catalog: Mapping[int, Product],
    now: datetime,
    *,
    usage: Usage = Usage(),  # noqa: B008 - frozen, never mutated
    customer: Customer | None = None,
    discount: DiscountCode | None = None,
) -> Quote:
    """Price ``request`` against ``membership`` at ``now``; side-effect free and deterministic.

    ``catalog`` holds every product by id; ``discount`` is the code the request names
    (looked up by the caller). ``customer`` is accepted for the trial rule, but a plan change
    never starts a trial (SPEC §3.9), so it does not change the result.

    Example: Basic 20.00/month with 16 whole days left → Pro 50.00/month gives
    credit 10.51, due now 39.49, then 50.00 one month from ``now``.
    """
    del customer  # trials are never restarted
    target = _resolve(membership, request, catalog)
    if target.problems or target.plan is None:
        return _blocked(membership, now, target.problems, target.plan)
    final_addons = _apply_selection(membership.addons, target.add, target.remove)
    if (
        target.plan.id == membership.plan_id
        and target.period == membership.period.normalised()
        and final_addons == _clean(membership.addons)
    ):
        return _no_change(membership, now)
    current = catalog.get(membership.plan_id)
    plan_changes = (
        target.plan.id != membership.plan_id or target.period != membership.period.normalised()
    )
    problems = (
        plan_blockers(membership, current, target.plan, target.period, usage)
        if plan_changes
        else membership_blockers(membership, usage)
    )
    problems += _discount_problems(request, discount, now)
    if plan_changes is False and target.add and target.remove:
        problems.append(
            _problem(
                ErrorCode.INVALID_INPUT,
                "Add and remove add-ons in two separate changes.",
                "removeAddons",
            )
        )
    if problems:
        return _blocked(membership, now, problems, target.plan)
    ctx = _Context(
        membership,
        catalog,
        now,
        current,
        target.plan,
        target.period,
        target.add,
        target.remove,
        discount if request.discount_code else None,
    )
    if plan_changes:
        return _plan_change(ctx)
    if ctx.add:
        return _addon_purchase(ctx)
    return _addon_removal(ctx)


def _clean(addons: Mapping[int, int]) -> dict[int, int]:
    return {pid: qty for pid, qty in sorted(addons.items()) if qty > 0}


def _apply_selection(
    held: Mapping[int, int], add: Mapping[int, int], remove: Mapping[int, int]
) -> dict[int, int]:
    result = dict(_clean(held))
    for pid, qty in remove.items():
        result[pid] = result.get(pid, 0) - qty
    for pid, qty in add.items():
        result[pid] = result.get(pid, 0) + qty
    return _clean(result)


def _blocked(
    membership: Membership, now: datetime, problems: list[Problem], plan: Product | None
) -> Quote:
    errors = tuple(problem.error() for problem in problems)
    return Quote(
        change_kind=ChangeKind.BLOCKED,
        currency=membership.currency,
        effective_at=now,
        message=" ".join(error.message for error in errors),
        errors=errors,
        plan_id=plan.id if plan is not None else membership.plan_id,
        period=membership.period,
        addons=_clean(membership.addons),
        recurring=membership.recurring,
    )


def _no_change(membership: Membership, now: datetime) -> Quote:
    recurring = membership.is_recurring
    return Quote(
        change_kind=ChangeKind.NO_CHANGE,
        currency=membership.currency,
        next_billing_amount=round_money(membership.amount) if recurring else None,
        next_billing_date=membership.date_expiration if recurring else None,
        effective_at=now,
        message=NO_CHANGE_MESSAGE,
        plan_id=membership.plan_id,
        period=membership.period,
        addons=_clean(membership.addons),
        recurring=recurring,
    )


def _limit_changes(
    ctx: _Context, plan_id: int, addons: Mapping[int, int]
) -> tuple[LimitChange, ...]:
    """Effective limits before vs after (plan + add-ons × quantity + the overrides)."""
    m = ctx.membership

    def limits(pid: int, held: Mapping[int, int]):  # noqa: ANN202
        pairs = [(ctx.catalog[a], q) for a, q in sorted(held.items()) if a in ctx.catalog]
        return effective_limits(ctx.catalog.get(pid), pairs, m.limitations_override)

    return tuple(limit_changes(limits(m.plan_id, m.addons), limits(plan_id, addons)))


def _carry_addons(ctx: _Context) -> tuple[dict[int, int], dict[int, int]]:
    """Held add-ons kept across a plan change, and those dropped (SPEC §3.6)."""
    kept: dict[int, int] = {}
    dropped: dict[int, int] = {}
    for pid, held in _clean(ctx.membership.addons).items():
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


def _recurring_lines(
    ctx: _Context, kept: Mapping[int, int], *, charge_one_time: bool
) -> list[LineItem]:
    """The target plan, kept recurring add-ons and newly added add-ons at the new period.

    Kept one-time services were paid once and are not charged again.
    """
    lines = [product_line(ctx.plan, _price(ctx.plan, ctx.period), 1, ctx.period)]
    for pid, qty in kept.items():
        product = ctx.catalog[pid]
        if product.is_recurring and not product.is_free:
            lines.append(product_line(product, _price(product, ctx.period), qty, ctx.period))
    for pid, qty in sorted(ctx.add.items()):
        product = ctx.catalog[pid]
        if charge_one_time or product.is_recurring:
            lines.append(product_line(product, _price(product, ctx.period), qty, ctx.period))
    return lines


def _price(product: Product, period: BillingPeriod) -> Decimal:
    price = product.price_at(period)
    return product.price if price is None else price


def _plan_change(ctx: _Context) -> Quote:
    m = ctx.membership
    direction = plan_direction(m, ctx.current, ctx.plan, ctx.period)
    kept, dropped = _carry_addons(ctx)
    removed = dict(ctx.remove)
    for pid, qty in dropped.items():
        removed[pid] = removed.get(pid, 0) + qty
    addons = _apply_selection(kept, ctx.add, {})
    if direction is Direction.DOWNGRADE and m.status in SCHEDULING_STATUSES:
        body = _deferred(ctx, kept)
    else:
        body = _immediate(ctx, kept)
    lines, scheduled, recurring_total = body.lines, body.scheduled, body.recurring_total
    recurring = any(line.recurring and (line.subtotal or ZERO) > 0 for line in lines)
    effective_at = m.date_expiration if scheduled else ctx.now
    if not recurring:
        next_date = None
    elif direction is Direction.DOWNGRADE and m.status in SCHEDULING_STATUSES:
        next_date = m.date_expiration
    else:
        next_date = ctx.period.add_to(ctx.now)
    kind = _KIND[direction]
    message = _plan_message(
        ctx,
        direction,
        body.due,
        body.unused,
        recurring_total if recurring else None,
        next_date,
        scheduled,
        removed,
    )
    return Quote(
        change_kind=kind,
        currency=m.currency,
        line_items=lines,
        subtotal=body.subtotal,
        credit=body.credit,
        discount=body.discount,
        due_now=body.due,
        unused_credit=body.unused,
        next_billing_amount=recurring_total if recurring else None,
        next_billing_date=next_date,
        effective_at=effective_at,
        limit_changes=_limit_changes(ctx, ctx.plan.id, addons),
        message=message,
        plan_id=ctx.plan.id,
        period=ctx.period,
        addons=addons,
        removed_addons=_clean(removed),
        recurring=recurring,
        scheduled=scheduled,
    )


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


def _immediate(ctx: _Context, kept: Mapping[int, int]) -> _Charge:
    """Charged now: new plan + kept add-ons + new add-ons + setup fees − credit − discount."""
    lines = _recurring_lines(ctx, kept, charge_one_time=True)
    if ctx.plan.setup_fee != 0 and not ctx.plan.is_free:
        lines.append(setup_fee_line(ctx.plan, 1))
    for pid, qty in sorted(ctx.add.items()):
        if ctx.catalog[pid].setup_fee != 0:
            lines.append(setup_fee_line(ctx.catalog[pid], qty))
    priced = apply_discount(tuple(lines), ctx.discount, ctx.now)
    subtotal, discount = charged_subtotal(priced), discount_sum(priced)
    base = proration_credit(ctx.membership, ctx.now)
    fee_credit = setup_fee_credit(ctx.current, ctx.plan) if base > 0 else ZERO
    credit = round_money(base + fee_credit)
    payable = max(subtotal - discount, ZERO)
    due = round_money(max(payable - credit, ZERO))
    unused = round_money(max(credit - payable, ZERO))
    if credit > 0:
        priced += (
            credit_line(
                credit, PRORATION_CREDIT_TITLE, "Prorated amount based on the previous membership."
            ),
        )
    return _Charge(
        priced,
        subtotal,
        discount,
        credit,
        due,
        unused,
        renewal_total(priced, ctx.discount),
        scheduled=False,
    )


def _deferred(ctx: _Context, kept: Mapping[int, int]) -> _Charge:
    """Nothing due: the new recurring charge, cancelled by a swap credit (SPEC §3.7)."""
    priced = apply_discount(
        tuple(_recurring_lines(ctx, kept, charge_one_time=True)), ctx.discount, ctx.now
    )
    subtotal, discount = charged_subtotal(priced), discount_sum(priced)
    swap = round_money(max(subtotal - discount, ZERO))
    if swap > 0:
        priced += (credit_line(swap, SWAP_CREDIT_TITLE, "Swap scheduled to next billing cycle."),)
    expiration = ctx.membership.date_expiration
    scheduled = expiration is not None and expiration > ctx.now
    recurring_total = renewal_total(priced, ctx.discount)
    nothing = Decimal("0.00")
    return _Charge(priced, subtotal, discount, swap, nothing, nothing, recurring_total, scheduled)


def _addon_purchase(ctx: _Context) -> Quote:
    """Only the new add-ons: recurring ones prorated to the period's end (SPEC §3.8)."""
    m = ctx.membership
    fraction = prorated_fraction(m, ctx.now)
    lines: list[LineItem] = []
    full: list[LineItem] = []
    for pid, qty in sorted(ctx.add.items()):
        product = ctx.catalog[pid]
        price = _price(product, m.period)
        if product.is_recurring and not product.is_free:
            note = "" if fraction == 1 else "Prorated to the end of the current billing period."
            lines.append(product_line(product, price * fraction, qty, m.period, description=note))
            full.append(product_line(product, price, qty, m.period))
        else:
            lines.append(product_line(product, price, qty, m.period))
        if product.setup_fee != 0:
            lines.append(setup_fee_line(product, qty))
    priced = apply_discount(tuple(lines), ctx.discount, ctx.now)
    subtotal, discount = charged_subtotal(priced), discount_sum(priced)
    due = round_money(max(subtotal - discount, ZERO))
    increase = renewal_total(apply_discount(tuple(full), ctx.discount, ctx.now), ctx.discount)
    next_amount = round_money(m.amount + increase) if m.is_recurring else increase
    recurring = next_amount > 0
    next_date = None
    if recurring:
        next_date = m.date_expiration or m.period.add_to(ctx.now)
    addons = _apply_selection(m.addons, ctx.add, {})
    names = _names(ctx, ctx.add)
    tail = f", then {ctx.money(next_amount)} on {_day(next_date)}" if next_date else ""
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
        limit_changes=_limit_changes(ctx, m.plan_id, addons),
        message=f"Add {names}: {ctx.money(due)} due now{tail}.",
        plan_id=m.plan_id,
        period=m.period,
        addons=addons,
        recurring=recurring,
    )


def _addon_removal(ctx: _Context) -> Quote:
    """Scheduled for the expiration, nothing refunded (SPEC §3.8); no lines."""
    m = ctx.membership
    removed_price = ZERO
    for pid, qty in ctx.remove.items():
        product = ctx.catalog.get(pid)
        if product is not None:
            removed_price += (recurring_price(product, m.period) or ZERO) * qty
    next_amount = round_money(max(m.amount - removed_price, ZERO))
    recurring = next_amount > 0
    expiration = m.date_expiration
    scheduled = m.status in SCHEDULING_STATUSES and expiration is not None and expiration > ctx.now
    effective_at = expiration if scheduled else ctx.now
    next_date = (expiration or m.period.add_to(ctx.now)) if recurring else None
    addons = _apply_selection(m.addons, {}, ctx.remove)
    when = f"on {_day(effective_at)}" if scheduled else "now"
    tail = f", then {ctx.money(next_amount)} on {_day(next_date)}" if next_date else ""
    return Quote(
        change_kind=ChangeKind.REMOVE_ADDON,
        currency=m.currency,
        next_billing_amount=next_amount if recurring else None,
        next_billing_date=next_date,
        effective_at=effective_at,
        limit_changes=_limit_changes(ctx, m.plan_id, addons),
        message=f"Remove {_names(ctx, ctx.remove)} {when}: nothing refunded{tail}.",
        plan_id=m.plan_id,
        period=m.period,
        addons=addons,
        removed_addons=_clean(ctx.remove),
        recurring=recurring,
        scheduled=scheduled,
    )


# --- messages ----------------------------------------------------------------------------------


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else ""


def _names(ctx: _Context, selection: Mapping[int, int]) -> str:
    parts = []
    for pid, qty in sorted(selection.items()):
        product = ctx.catalog.get(pid)
        name = product.name if product is not None else f"product {pid}"
        parts.append(f"{name} ×{qty}")
    return ", ".join(parts)


def _plan_message(
    ctx: _Context,
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
        head += f" on {_day(ctx.membership.date_expiration)}: nothing due now"
    else:
        head += f": {ctx.money(due)} due now"
    if next_amount is not None and next_date is not None:
        head += f", then {ctx.money(next_amount)} on {_day(next_date)}"
    text = head + "."
    if unused > 0:
        text += f" {ctx.money(unused)} of credit is left unused."
    if removed:
        text += f" Removes {_names(ctx, removed)}."
    return text
