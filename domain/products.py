"""Products: plans, packages and services, with their prices at each billing period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum

from planswitch.domain.limits import Limitations
from planswitch.domain.money import Money
from planswitch.domain.periods import BillingPeriod, DurationUnit

PLAN_GROUP_MAX_LENGTH = 20  # wu_products.product_group varchar(20)


class ProductType(str, Enum):
    PLAN = "plan"
    PACKAGE = "package"
    SERVICE = "service"


class PricingType(str, Enum):
    PAID = "paid"
    FREE = "free"
    CONTACT_US = "contact_us"


@dataclass(frozen=True, slots=True)
class PriceVariation:
    """The same product sold at another period (e.g. 1 year for 490.00)."""

    period: BillingPeriod
    amount: Decimal


@dataclass(frozen=True)
class Product:
    id: int
    slug: str
    name: str
    type: ProductType
    amount: Decimal
    currency: str = "USD"
    description: str = ""
    pricing_type: PricingType = PricingType.PAID
    setup_fee: Decimal = Decimal("0")
    recurring: bool = True
    period: BillingPeriod = BillingPeriod(1, DurationUnit.MONTH)
    trial: BillingPeriod | None = None
    billing_cycles: int = 0
    list_order: int = 10
    active: bool = True
    plan_group: str = ""
    limitations: Limitations = field(default_factory=Limitations.empty)
    available_addons: tuple[int, ...] = ()
    price_variations: tuple[PriceVariation, ...] = ()
    date_created: datetime | None = None
    date_modified: datetime | None = None

    @property
    def is_plan(self) -> bool:
        return self.type is ProductType.PLAN

    @property
    def is_free(self) -> bool:
        """Free or contact-us products cost nothing (the plugin's get_amount() returns 0)."""
        return self.pricing_type is not PricingType.PAID or (
            self.amount == 0 and self.setup_fee == 0
        )

    @property
    def price(self) -> Decimal:
        return Decimal("0") if self.pricing_type is not PricingType.PAID else self.amount

    @property
    def is_recurring(self) -> bool:
        """Recurring flag and a positive price (the plugin's is_recurring())."""
        return self.recurring and self.price > 0

    def price_money(self) -> Money:
        return Money(self.price, self.currency)

    def price_at(self, period: BillingPeriod) -> Decimal | None:
        """Recurring price at ``period``: own period, a variation, or None when not sold so.

        Free and one-time products cost the same at any period.
        """
        if self.is_free or not self.is_recurring:
            return self.price
        wanted = period.normalised()
        if self.period.normalised() == wanted:
            return self.price
        for variation in self.price_variations:
            if variation.period.normalised() == wanted:
                return variation.amount
        return None

    def periods(self) -> tuple[BillingPeriod, ...]:
        """Every period this product is sold at: its own first, then its variations."""
        return (self.period, *(v.period for v in self.price_variations))
