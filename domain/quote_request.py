"""Every input rule of a plan-change request, in one place (docs/plan-changes.md §3).

``requested_period`` checks a billing period as the client wrote it; ``resolve_request``
turns the request's ids into products and its add-on selections into quantities,
collecting a ``Problem`` for every unknown id, repeated add-on, bad quantity, unavailable
product or period; ``discount_problems`` checks the discount code the caller looked up.
The API and the use cases only translate these (same code, message and ``field`` path);
they do not check the request themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.memberships import Membership
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, PlanChangeRequest
from planswitch.domain.plan_checks import Problem, problem
from planswitch.domain.pricing import default_period
from planswitch.domain.products import Product

# Bounds checked before any work (issue 11, defects 1 and 4): no plugin sells a period of
# more than 1000 units, and an instant after year 8000 plus such a period stays below the
# year 10000 Python's datetime cannot represent.
MAX_PERIOD_DURATION = 1000
DEFAULT_MAX_ADDON_QUANTITY = 1000  # PLANSWITCH_MAX_ADDON_QUANTITY
EARLIEST_YEAR, LATEST_YEAR = 1970, 8000


def requested_period(duration: int, unit: DurationUnit | str) -> BillingPeriod:
    """The billing period a client asked for.

    Raises:
        DomainError: INVALID_INPUT on ``billingPeriod`` when ``duration`` is below 1 or
        above ``MAX_PERIOD_DURATION``.
    """
    if duration < 1 or duration > MAX_PERIOD_DURATION:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"A billing period must be 1 to {MAX_PERIOD_DURATION} days, weeks, months or "
            f"years long (got {duration}).",
            "billingPeriod",
        )
    return BillingPeriod(duration, DurationUnit(unit))


def quantity_problem(quantity: int, where: str, maximum: int | None = None) -> Problem | None:
    """INVALID_QUANTITY on ``<where>.quantity`` unless ``quantity`` is at least 1 (and at
    most ``maximum``, when given)."""
    if quantity >= 1 and (maximum is None or quantity <= maximum):
        return None
    bound = "at least 1" if quantity < 1 else f"at most {maximum}"
    return problem(
        ErrorCode.INVALID_QUANTITY,
        f"The quantity must be {bound} (got {quantity}).",
        f"{where}.quantity",
    )


def instant_problem(moment: datetime | None, where: str) -> Problem | None:
    """INVALID_INPUT on ``where`` for an instant outside the years planswitch computes in."""
    if moment is None or EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    return problem(
        ErrorCode.INVALID_INPUT,
        f"`{where}` must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
        where,
    )


def bounds_problems(
    request: PlanChangeRequest,
    max_addon_quantity: int = DEFAULT_MAX_ADDON_QUANTITY,
    as_of: datetime | None = None,
) -> list[Problem]:
    """What is out of bounds in a request, checked before any other work: add-on quantities
    (merging N copies of an add-on's limits must never be asked for an unbounded N) and
    the instant it is quoted at. Cheap: reads nothing."""
    found = [
        quantity_problem(selection.quantity, f"{where}[{index}]", max_addon_quantity)
        for where, selections in (
            ("addons", request.add_addons),
            ("removeAddons", request.remove_addons),
        )
        for index, selection in enumerate(selections)
    ]
    found.append(instant_problem(as_of, "asOf"))
    return [item for item in found if item is not None]


def repeated_problem(selection: AddonSelection, seen: set[int], where: str) -> Problem | None:
    """INVALID_INPUT when an add-on is listed twice in one list (each is listed once)."""
    if selection.product_id not in seen:
        seen.add(selection.product_id)
        return None
    return problem(
        ErrorCode.INVALID_INPUT,
        "This add-on is already listed; list each add-on once.",
        f"{where}.productId",
    )


@dataclass
class ResolvedRequest:
    """The request resolved against the catalog."""

    plan: Product | None
    period: BillingPeriod
    add: dict[int, int] = field(default_factory=dict)
    remove: dict[int, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def resolve_request(
    membership: Membership, request: PlanChangeRequest, catalog: Mapping[int, Product]
) -> ResolvedRequest:
    """Structural checks of the request: ids, quantities, periods, availability."""
    plan_id = membership.plan_id if request.plan_id is None else request.plan_id
    chosen = catalog.get(plan_id)
    if request.period is not None:
        period = request.period.normalised()
    elif chosen is not None and chosen.is_plan:
        period = default_period(membership, chosen)
    else:
        period = membership.period.normalised()
    target = ResolvedRequest(catalog.get(plan_id), period)
    plan = target.plan
    same_plan = plan_id == membership.plan_id
    if plan is None:
        target.problems.append(
            problem(ErrorCode.NOT_FOUND, "The plan you chose does not exist.", "planId")
        )
    elif not plan.is_plan:
        target.problems.append(
            problem(ErrorCode.NOT_A_PLAN, f"{plan.name} is not a plan.", "planId")
        )
        target.plan = None
    elif (
        not (same_plan and period == membership.period.normalised())
        and plan.price_at(period) is None
    ):
        target.problems.append(
            problem(
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
    target: ResolvedRequest,
) -> None:
    seen: set[int] = set()
    for index, selection in enumerate(request.add_addons):
        where = f"addons[{index}]"
        product = catalog.get(selection.product_id)
        found = repeated_problem(selection, seen, where) or _addition_problem(
            membership, target, selection, product, where
        )
        if found is not None:
            target.problems.append(found)
        elif product is not None:
            target.add[product.id] = target.add.get(product.id, 0) + selection.quantity


def _addition_problem(
    membership: Membership,
    target: ResolvedRequest,
    selection: AddonSelection,
    product: Product | None,
    where: str,
) -> Problem | None:
    """The first reason the add-on ``selection`` cannot be bought, if any."""
    found = quantity_problem(selection.quantity, where)
    if found is not None:
        return found
    if product is None:
        return problem(
            ErrorCode.NOT_FOUND,
            "The product you are trying to add does not exist.",
            f"{where}.productId",
        )
    offered = target.plan is not None and product.id in target.plan.available_addons
    if product.is_plan or not product.active or not offered:
        plan_name = target.plan.name if target.plan is not None else "this plan"
        return problem(
            ErrorCode.ADDON_NOT_AVAILABLE,
            f"{product.name} is not available with {plan_name}.",
            f"{where}.productId",
        )
    if product.currency != membership.currency:
        return problem(
            ErrorCode.CURRENCY_MISMATCH,
            f"{product.name} is priced in {product.currency}, but this membership is "
            f"billed in {membership.currency}.",
            f"{where}.productId",
        )
    if product.price_at(target.period) is None:
        return problem(
            ErrorCode.PERIOD_NOT_AVAILABLE,
            f"{product.name} is not sold with a billing period of {target.period}.",
            f"{where}.productId",
        )
    return None


def _resolve_removals(
    membership: Membership, request: PlanChangeRequest, target: ResolvedRequest
) -> None:
    seen: set[int] = set()
    for index, selection in enumerate(request.remove_addons):
        where = f"removeAddons[{index}]"
        held = membership.addons.get(selection.product_id, 0)
        wanted = target.remove.get(selection.product_id, 0) + selection.quantity
        found = repeated_problem(selection, seen, where) or quantity_problem(
            selection.quantity, where
        )
        if found is not None:
            target.problems.append(found)
        elif held <= 0:
            target.problems.append(
                problem(
                    ErrorCode.ADDON_NOT_HELD,
                    "This membership does not hold that add-on.",
                    f"{where}.productId",
                )
            )
        elif wanted > held:
            target.problems.append(
                problem(
                    ErrorCode.ADDON_NOT_HELD,
                    f"This membership holds only {held} of that add-on.",
                    f"{where}.quantity",
                )
            )
        else:
            target.remove[selection.product_id] = wanted


def discount_problems(
    request: PlanChangeRequest, discount: DiscountCode | None, now: datetime
) -> list[Problem]:
    """INVALID_DISCOUNT_CODE when the request names a code ``discount`` does not honour."""
    code = (request.discount_code or "").strip()
    if not code:
        return []
    if discount is None or discount.code.upper() != code.upper() or not discount.is_valid(now):
        return [
            problem(
                ErrorCode.INVALID_DISCOUNT_CODE,
                f"The code {code.upper()} does not exist or is no longer valid.",
                "discountCode",
            )
        ]
    return []
