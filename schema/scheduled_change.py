"""``ScheduledChange`` (a membership's pending downgrade or add-on removal) and
``PlanChangeAddon``, the add-on-and-quantity pair it shares with quotes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry
from planswitch.domain.memberships import ScheduledChange
from planswitch.resolvers.context import Info
from planswitch.schema.catalog import BillingPeriod, ProductNode, load_product
from planswitch.schema.scalars import Money


@strawberry.type(name="PlanChangeAddon", description="An add-on product and its quantity.")
class PlanChangeAddon:
    product_id: strawberry.Private[int]
    quantity: int = strawberry.field(description="How many.")

    @strawberry.field(description="The add-on product.")
    async def product(self, info: Info) -> ProductNode | None:
        return await load_product(info, self.product_id)

    @classmethod
    def list_of(cls, addons: Mapping[int, int]) -> list[PlanChangeAddon]:
        """One entry per add-on, by product id."""
        return [cls(product_id=pid, quantity=qty) for pid, qty in sorted(addons.items())]


@strawberry.type(name="ScheduledChange", description="A change waiting for the end of the term.")
class ScheduledChangeNode:
    value: strawberry.Private[ScheduledChange]
    effective_at: datetime = strawberry.field(description="When the change applies.")
    description: str = strawberry.field(description="What changes, in words.")

    @strawberry.field(description="The plan it switches to.")
    async def plan(self, info: Info) -> ProductNode | None:
        return await load_product(info, self.value.plan_id)

    @strawberry.field(description="The add-ons held after the change.")
    def addons(self) -> list[PlanChangeAddon]:
        return PlanChangeAddon.list_of(self.value.addons)

    @strawberry.field(description="The billing period after the change.")
    def billing_period(self) -> BillingPeriod:
        return BillingPeriod.from_domain(self.value.period)

    @strawberry.field(description="The new recurring total (in the plan's currency).")
    async def amount(self, info: Info) -> Money:
        plan = await info.context.loaders.products_by_id.load(self.value.plan_id)
        return Money.of(self.value.amount, plan.currency if plan else "USD")

    @classmethod
    def from_domain(cls, change: ScheduledChange) -> ScheduledChangeNode:
        return cls(value=change, effective_at=change.effective_at, description=change.description)
