"""Discount codes (docs/plan-changes.md §1.6, §3.11; docs/wordpress.md §2.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum


class DiscountType(str, Enum):
    PERCENTAGE = "percentage"
    ABSOLUTE = "absolute"


@dataclass(frozen=True)
class DiscountCode:
    id: int
    code: str
    value: Decimal
    type: DiscountType = DiscountType.PERCENTAGE
    setup_fee_value: Decimal = Decimal("0")
    setup_fee_type: DiscountType = DiscountType.PERCENTAGE
    apply_to_renewals: bool = False
    active: bool = True
    uses: int = 0
    max_uses: int | None = None
    date_start: datetime | None = None
    date_expiration: datetime | None = None
    allowed_products: tuple[int, ...] = ()  # empty = every product
    limit_products: bool = False

    def is_valid(self, now: datetime, product_id: int | None = None) -> bool:
        if not self.active:
            return False
        if self.date_start and now < self.date_start:
            return False
        if self.date_expiration and now > self.date_expiration:
            return False
        if self.max_uses and self.uses >= self.max_uses:
            return False
        if self.limit_products and product_id is not None:
            return product_id in self.allowed_products
        return True
