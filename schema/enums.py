"""GraphQL enums, each built once from its domain enum (the domain stays Strawberry-free)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from planswitch.domain import errors, memberships, payments, periods, plan_change, products

DurationUnit = Annotated[
    periods.DurationUnit,
    strawberry.enum(name="DurationUnit", description="Unit of a billing period."),
]
ProductTypeEnum = Annotated[
    products.ProductType,
    strawberry.enum(name="ProductType", description="PLAN, PACKAGE (limits) or SERVICE."),
]
PricingTypeEnum = Annotated[
    products.PricingType,
    strawberry.enum(name="PricingType", description="PAID, FREE or CONTACT_US."),
]
MembershipStatusEnum = Annotated[
    memberships.MembershipStatus,
    strawberry.enum(name="MembershipStatus", description="Lifecycle status of a membership."),
]
PaymentStatusEnum = Annotated[
    payments.PaymentStatus,
    strawberry.enum(name="PaymentStatus", description="Status of a payment."),
]
LineItemTypeEnum = Annotated[
    payments.LineItemType,
    strawberry.enum(name="LineItemType", description="What a payment line charges or credits."),
]
ChangeKind = Annotated[
    plan_change.ChangeKind,
    strawberry.enum(name="ChangeKind", description="What kind of change a quote describes."),
]
Direction = Annotated[
    plan_change.Direction,
    strawberry.enum(name="Direction", description="UPGRADE, DOWNGRADE or CROSSGRADE."),
]
Timing = Annotated[
    plan_change.Timing,
    strawberry.enum(name="Timing", description="When a change applies."),
]
ErrorCode = Annotated[
    errors.ErrorCode,
    strawberry.enum(name="UserErrorCode", description="Stable codes of user errors."),
]


@strawberry.enum(
    name="ProductIdType",
    description="How `product(id:)` reads `id`: global ID, DATABASE_ID or SLUG.",
)
class ProductIdType(Enum):
    ID = "ID"
    DATABASE_ID = "DATABASE_ID"
    SLUG = "SLUG"


@strawberry.enum(
    name="CustomerIdType", description="How `customer(id:)` reads `id`: global ID or DATABASE_ID."
)
class CustomerIdType(Enum):
    ID = "ID"
    DATABASE_ID = "DATABASE_ID"


@strawberry.enum(
    name="MembershipIdType",
    description="How `membership(id:)` reads `id`: global ID or DATABASE_ID.",
)
class MembershipIdType(Enum):
    ID = "ID"
    DATABASE_ID = "DATABASE_ID"


@strawberry.enum(
    name="PaymentIdType",
    description="How `payment(id:)` reads `id`: global ID or DATABASE_ID.",
)
class PaymentIdType(Enum):
    ID = "ID"
    DATABASE_ID = "DATABASE_ID"
