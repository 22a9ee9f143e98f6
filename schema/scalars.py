"""Scalars and the Money type shared by every part of the schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from planswitch.domain import money as domain_money

# ISO-8601, always UTC (the domain keeps aware UTC datetimes).
DateTime = datetime


@strawberry.type(
    name="Money",
    description="An exact amount in a currency. Amounts are decimal strings, never floats.",
)
class Money:
    amount: Decimal = strawberry.field(
        description='The amount, rounded to 2 places half away from zero (e.g. "49.00").'
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. USD.")
    formatted: str = strawberry.field(description='Human form, e.g. "$49.00" or "49.00 EUR".')

    @classmethod
    def from_domain(cls, money: domain_money.Money) -> Money:
        rounded = money.rounded()
        return cls(amount=rounded.amount, currency=rounded.currency, formatted=rounded.formatted())

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        return cls.from_domain(domain_money.Money(amount, currency))
