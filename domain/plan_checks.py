"""Blockers of a plan change (docs/plan-changes.md §5): one source of truth for ``quote()`` and
``upgrade_options()``.

A ``Problem`` is a ``Blocker`` plus the input field it belongs to; ``quote()`` turns them
into ``UserError``s and ``upgrade_options()`` lists them on each option.
"""

from __future__ import annotations

from dataclasses import dataclass

from planswitch.domain.errors import ErrorCode, UserError
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import Blocker
from planswitch.domain.pricing import breaks_agreement
from planswitch.domain.products import Product
from planswitch.domain.usage import Usage


@dataclass(frozen=True)
class Problem:
    """A blocker and the input field it belongs to."""

    blocker: Blocker
    field: str | None = None

    def error(self) -> UserError:
        return UserError(self.blocker.code, self.blocker.message, self.field)


def problem(code: ErrorCode, message: str, field_name: str | None, **extra: object) -> Problem:
    """A ``Problem`` of ``code``; ``extra`` fills the blocker's optional fields."""
    return Problem(Blocker(code, message, **extra), field_name)  # type: ignore[arg-type]


def in_plan_group(current: Product | None, target: Product) -> bool:
    """Whether ``target`` belongs to the family a membership on ``current`` may switch within.

    The one plan-group rule: ``upgrade_options()`` lists exactly these plans and ``quote()``
    refuses the others with NOT_IN_PLAN_GROUP, so options and quotes cannot disagree. A
    plan without a group (or a deleted plan) may switch to any plan, as in the plugin.
    """
    group = current.plan_group if current is not None else ""
    return not group or target.plan_group == group


def membership_blockers(membership: Membership, usage: Usage) -> list[Problem]:
    """MEMBERSHIP_NOT_CHANGEABLE: pending memberships and unpaid payments
    (docs/plan-changes.md §5.3)."""
    if membership.status is MembershipStatus.PENDING:
        return [
            problem(
                ErrorCode.MEMBERSHIP_NOT_CHANGEABLE,
                "This membership is waiting for its first payment and cannot be changed yet.",
                "membershipId",
            )
        ]
    if usage.pending_payment:
        return [
            problem(
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
        problems.extend(_switch_problems(membership, current, target))
    if breaks_agreement(membership, current, target, period):
        label = membership.period.normalised().label()
        problems.append(
            problem(
                ErrorCode.ACTIVE_AGREEMENT,
                f"You already have an active {label} agreement.",
                "billingPeriod",
            )
        )
    if changes_plan:
        problems.extend(over_limit_problems(target, usage))
    return problems


def _switch_problems(
    membership: Membership, current: Product | None, target: Product
) -> list[Problem]:
    """PLAN_INACTIVE, NOT_IN_PLAN_GROUP and CURRENCY_MISMATCH of a move to another plan."""
    problems: list[Problem] = []
    if not target.active:
        problems.append(
            problem(ErrorCode.PLAN_INACTIVE, f"{target.name} is no longer available.", "planId")
        )
    if not in_plan_group(current, target):
        problems.append(
            problem(
                ErrorCode.NOT_IN_PLAN_GROUP,
                f"{target.name} is not one of the plans you can switch to from "
                f"{current.name if current else 'your plan'}.",
                "planId",
            )
        )
    if target.currency != membership.currency:
        problems.append(
            problem(
                ErrorCode.CURRENCY_MISMATCH,
                f"{target.name} is priced in {target.currency}, but this membership is "
                f"billed in {membership.currency}.",
                "planId",
            )
        )
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
    custom domains), with the plugin's messages (docs/plan-changes.md §5.2, §8.5)."""
    problems = _sites_problems(target, usage)
    problems.extend(_post_type_problems(target, usage))
    problems.extend(_domain_problems(target, usage))
    return problems


def _over_limit(message: str, module: str, current: int, allowed: int) -> Problem:
    return problem(
        ErrorCode.OVER_LIMIT, message, "planId", module=module, current=current, allowed=allowed
    )


def _sites_problems(target: Product, usage: Usage) -> list[Problem]:
    sites = target.limitations.sites_limit()
    if sites is None or usage.sites <= sites:
        return []
    message = _over_message(usage.sites, sites, "site", "sites", "remove", "membership")
    return [_over_limit(message, "sites", usage.sites, sites)]


def _post_type_problems(target: Product, usage: Usage) -> list[Problem]:
    problems: list[Problem] = []
    for post_type, quota in sorted(target.limitations.post_type_limits().items()):
        count = usage.posts.get(post_type, 0)
        if quota > 0 and count > quota:
            singular = post_type.replace("_", " ")
            message = _over_message(count, quota, singular, f"{singular}s", "trash")
            problems.append(_over_limit(message, f"post_types.{post_type}", count, quota))
    return problems


def _domain_problems(target: Product, usage: Usage) -> list[Problem]:
    domains = target.limitations.domain_limit()
    if domains is None or usage.custom_domains <= domains:
        return []
    message = (
        "This new plan does NOT support custom domains. You must remove all custom "
        "domains before you can downgrade your plan."
        if domains == 0
        else _over_message(
            usage.custom_domains, domains, "custom domain", "custom domains", "remove"
        )
    )
    return [_over_limit(message, "domain_mapping", usage.custom_domains, domains)]
