"""The ``upgradeOptions`` query and the types it returns: plan and add-on options with
their prices and blockers (docs/plan-changes.md §2, §5)."""

from __future__ import annotations

from typing import Any

import strawberry
from planswitch.domain import money as domain_money
from planswitch.domain import plan_change as domain
from planswitch.domain.errors import DomainError
from planswitch.resolvers import plan_change as use_cases
from planswitch.resolvers.context import Info
from planswitch.resolvers.loaders import then
from planswitch.schema.catalog import BillingPeriod, ProductNode, product_node
from planswitch.schema.enums import Direction, Timing
from planswitch.schema.enums import ErrorCode as ErrorCodeEnum
from planswitch.schema.errors import UserErrorType, user_errors
from planswitch.schema.fast_fields import context_only
from planswitch.schema.memberships import MembershipNode
from planswitch.schema.node import decode_global_id
from planswitch.schema.scalars import Money


def _money(money: domain_money.Money) -> Money:
    # The shared node of the amount (Money.of): option lists repeat the same few prices.
    return Money.of(money.amount, money.currency)


@strawberry.type(
    name="Blocker", description="Why an option is not allowed (docs/plan-changes.md §5)."
)
class BlockerType:
    code: ErrorCodeEnum = strawberry.field(description="Stable code, e.g. OVER_LIMIT.")
    message: str = strawberry.field(description="A sentence for the customer.")
    module: str | None = strawberry.field(description="The limit module at fault (OVER_LIMIT).")
    current: int | None = strawberry.field(description="Current usage (OVER_LIMIT).")
    allowed: int | None = strawberry.field(description="What the new plan allows (OVER_LIMIT).")

    @classmethod
    def from_domain(cls, blocker: domain.Blocker) -> BlockerType:
        return cls(
            code=blocker.code,
            message=blocker.message,
            module=blocker.module,
            current=blocker.current,
            allowed=blocker.allowed,
        )


@strawberry.type(description="The price of a plan at one billing period.")
class PeriodPrice:
    value: strawberry.Private[domain.PeriodPrice]

    @strawberry.field(description="The billing period.")
    def billing_period(self) -> BillingPeriod:
        return BillingPeriod.from_domain(self.value.period)

    @strawberry.field(description="The recurring price at that period.")
    def price(self) -> Money:
        return _money(self.value.price)


@strawberry.type(name="PlanOption", description="A plan the membership may move to.")
class PlanOptionType:
    value: strawberry.Private[domain.PlanOption]
    direction: Direction = strawberry.field(description="UPGRADE, DOWNGRADE or CROSSGRADE.")
    timing: Timing = strawberry.field(description="IMMEDIATE or END_OF_TERM.")
    allowed: bool = strawberry.field(description="False when a blocker forbids the change.")
    blockers: list[BlockerType] = strawberry.field(description="Why it is not allowed.")

    @strawberry.field(description="The plan.")
    @context_only
    def plan(self, info: Info) -> ProductNode | None:
        return product_node(info, self.value.plan_id)  # type: ignore[return-value]

    @strawberry.field(
        description="Price at `billingPeriod` (the membership's period when the plan is sold "
        "at it, else the plan's own)."
    )
    def price(self) -> Money | None:
        return _money(self.value.price) if self.value.price else None

    @strawberry.field(
        description="The period this option is judged and priced at; quote and commit it "
        "with this billingPeriod (for another plan, a quote without one uses it too)."
    )
    def billing_period(self) -> BillingPeriod | None:
        period = self.value.period
        return BillingPeriod.from_domain(period) if period is not None else None

    @strawberry.field(description="Price at each of the plan's periods.")
    def prices(self) -> list[PeriodPrice]:
        return [PeriodPrice(value=price) for price in self.value.prices]

    @classmethod
    def from_domain(cls, option: domain.PlanOption) -> PlanOptionType:
        return cls(
            value=option,
            direction=option.direction,
            timing=option.timing,
            allowed=option.allowed,
            blockers=[BlockerType.from_domain(b) for b in option.blockers],
        )


@strawberry.type(name="AddonOption", description="An add-on the membership's plan allows.")
class AddonOptionType:
    product_id: strawberry.Private[int]
    price_value: strawberry.Private[Any]
    held: bool = strawberry.field(description="Whether the membership already holds it.")
    quantity: int = strawberry.field(description="Held quantity (0 when not held).")

    @strawberry.field(description="The add-on product.")
    @context_only
    def product(self, info: Info) -> ProductNode | None:
        return product_node(info, self.product_id)  # type: ignore[return-value]

    @strawberry.field(description="Price at the membership's period (one-time: its price).")
    def price(self) -> Money | None:
        return _money(self.price_value) if self.price_value else None

    @classmethod
    def from_domain(cls, option: domain.AddonOption) -> AddonOptionType:
        return cls(
            product_id=option.product_id,
            price_value=option.price,
            held=option.held,
            quantity=option.quantity,
        )


@strawberry.type(
    name="UpgradeOptions",
    description="What the membership may change to (docs/plan-changes.md §2).",
)
class UpgradeOptionsType:
    membership_id: strawberry.Private[int | None]
    plans: list[PlanOptionType] = strawberry.field(
        description="Other plans of the family, by list order."
    )
    addons: list[AddonOptionType] = strawberry.field(description="Add-ons the plan allows.")
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why the options cannot be shown (not found, not allowed)."
    )

    @strawberry.field(description="The membership the options are for.")
    async def membership(self, info: Info) -> MembershipNode | None:
        if self.membership_id is None:
            return None
        membership = await info.context.loaders.memberships_by_id.load(self.membership_id)
        return MembershipNode.from_domain(membership) if membership else None


@strawberry.type
class UpgradeOptionsQuery:
    @strawberry.field(
        description="Plans of the membership's family and add-ons its plan allows, with "
        "direction, timing, prices and blockers."
    )
    def upgrade_options(self, info: Info, membership_id: strawberry.ID) -> UpgradeOptionsType:
        try:
            database_id = decode_global_id(membership_id, "Membership", "membershipId")
        except DomainError as error:
            return UpgradeOptionsType(
                membership_id=None, plans=[], addons=[], user_errors=user_errors([error.error])
            )
        # A payload or an awaitable of one: on an inline store, answered synchronously.
        found = use_cases.upgrade_options_soon(info.context, database_id)
        return then(found, _payload)  # type: ignore[return-value]


def _payload(result: use_cases.OptionsResult) -> UpgradeOptionsType:
    options = result.options
    return UpgradeOptionsType(
        membership_id=result.membership.id if result.membership else None,
        plans=[PlanOptionType.from_domain(p) for p in options.plans] if options else [],
        addons=[AddonOptionType.from_domain(a) for a in options.addons] if options else [],
        user_errors=user_errors(result.user_errors),
    )
