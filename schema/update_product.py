"""The operator mutation ``updateProduct``: plan group, order, active flag, add-ons."""

from __future__ import annotations

import strawberry
from planswitch.domain.errors import DomainError
from planswitch.resolvers import catalog as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.catalog import ProductNode
from planswitch.schema.errors import UserErrorType


@strawberry.input(name="UpdateProductInput", description="Fields to change; omitted = unchanged.")
class UpdateProductInput:
    id: strawberry.ID = strawberry.field(description="Product global id or databaseId.")
    plan_group: str | None = strawberry.field(
        default=None, description='Plan group (family), at most 20 characters; "" = none.'
    )
    list_order: int | None = strawberry.field(default=None, description="Position in lists.")
    active: bool | None = strawberry.field(default=None, description="Offered for sale or not.")
    available_addons: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Packages/services a plan may add (replaces the list)."
    )


@strawberry.type(name="UpdateProductPayload", description="Result of updateProduct.")
class UpdateProductPayload:
    product: ProductNode | None = strawberry.field(description="The product after the change.")
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why nothing was changed; empty on success."
    )


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(description="Operators only: change a product's catalog settings.")
    async def update_product(self, info: Info, input: UpdateProductInput) -> UpdateProductPayload:
        changes = use_cases.ProductChanges(
            product_id=str(input.id),
            plan_group=input.plan_group,
            list_order=input.list_order,
            active=input.active,
            available_addons=(
                [str(value) for value in input.available_addons]
                if input.available_addons is not None
                else None
            ),
        )
        try:
            product = await use_cases.update_product(info.context, changes)
        except DomainError as error:
            return UpdateProductPayload(
                product=None, user_errors=[UserErrorType.from_domain(error.error)]
            )
        return UpdateProductPayload(product=ProductNode.from_domain(product), user_errors=[])
