"""Payments and their line items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum

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
    subtotal: Decimal | None = None  # quantity x unit_price when None
    discount_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    total: Decimal | None = None  # subtotal - discount + tax when None
    discount_label: str = ""

    def __post_init__(self) -> None:
        if self.subtotal is None:
            object.__setattr__(self, "subtotal", self.unit_price * self.quantity)
        if self.total is None:
            total = self.subtotal - self.discount_total + self.tax_total
            object.__setattr__(self, "total", total)


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
