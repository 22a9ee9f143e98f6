"""Payments and their line items."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import cast

from planswitch.domain.periods import BillingPeriod


class PaymentStatus(str, Enum):
    PENDING = "pending"
    COMPLETED = "completed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially-refunded"
    PARTIALLY_PAID = "partially-paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DRAFT = "draft"


class LineItemType(str, Enum):
    PRODUCT = "product"
    FEE = "fee"
    CREDIT = "credit"
    DISCOUNT = "discount"
    REFUND = "refund"


# The default of a LineItem amount that __post_init__ computes (always a Decimal once built;
# the cast only tells the type checker what the default becomes).
_COMPUTED = cast(Decimal, None)


@dataclass(frozen=True)
class LineItem:
    type: LineItemType
    title: str
    unit_price: Decimal
    quantity: int = 1
    product_id: int | None = None
    description: str = ""
    recurring: bool = False
    period: BillingPeriod | None = None
    subtotal: Decimal = _COMPUTED  # quantity x unit_price
    discount_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    total: Decimal = _COMPUTED  # subtotal - discount + tax
    discount_label: str = ""

    def __post_init__(self) -> None:
        if self.subtotal is None:
            object.__setattr__(self, "subtotal", self.unit_price * self.quantity)
        if self.total is None:
            total = self.subtotal - self.discount_total + self.tax_total
            object.__setattr__(self, "total", total)

    def discounted(self, amount: Decimal, label: str) -> LineItem:
        """This line with ``amount`` off (its total recomputed) and the code's label."""
        return replace(self, discount_total=amount, discount_label=label, total=_COMPUTED)


@dataclass(frozen=True)
class Payment:
    id: int
    customer_id: int
    membership_id: int
    status: PaymentStatus
    currency: str
    subtotal: Decimal
    total: Decimal
    discount_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    refund_total: Decimal = Decimal("0")
    line_items: tuple[LineItem, ...] = field(default_factory=tuple)
    discount_code: str = ""
    gateway: str = ""
    gateway_payment_id: str = ""
    date_created: datetime | None = None
    date_modified: datetime | None = None
