"""Scalars and the Money type shared by every part of the schema."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import strawberry
from planswitch.domain import money as domain_money
from planswitch.resolvers.currencies import minor_units
from planswitch.schema.fast_fields import context_only

# ISO-8601, always UTC (the domain keeps aware UTC datetimes).
DateTime = datetime


def utc(moment: datetime) -> datetime:
    """An input instant in UTC: one without an offset is read as UTC, others converted."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@strawberry.type(
    name="Money",
    description="An exact amount in a currency. Amounts are decimal strings, never floats.",
)
class Money:
    amount: Decimal = strawberry.field(
        description="The amount, rounded half away from zero to the currency's minor unit "
        '(ISO 4217: "49.00" USD, "1500" JPY, "1.250" KWD).'
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. USD.")

    @strawberry.field(description='Human form, e.g. "$49.00", "49.00 EUR" or "¥1,500".')
    @context_only
    def formatted(self, info: strawberry.Info) -> str:
        # A WordPress network writes amounts its own way (its currency settings, read by
        # the store: docs/wordpress.md §5.5); the native store has none (None).
        style = info.context.store.network_settings().money_format
        money = domain_money.Money(self.amount, self.currency)
        return money.formatted(minor_units(self.currency), style)

    @classmethod
    def from_domain(cls, money: domain_money.Money) -> Money:
        rounded = money.rounded(minor_units(money.currency))
        return cls(amount=rounded.amount, currency=rounded.currency)

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        """``from_domain(Money(amount, currency))``, shared for equal amounts: a node is
        read-only and equal Decimals round to the same digits, so a page's memberships and
        every request reuse the few prices they show (issue 12: two per membership)."""
        if cls is not Money or type(amount) is not Decimal or not amount.is_finite():
            return cls.from_domain(domain_money.Money(amount, currency))
        key = (amount, currency)
        node = _SHARED.get(key)
        if node is None:
            node = cls.from_domain(domain_money.Money(amount, currency))
            if len(_SHARED) >= _SHARED_MAX:
                _SHARED.clear()  # bounded; refilled by the next requests
            _SHARED[key] = node
        return node


_SHARED: dict[tuple[Decimal, str], Money] = {}
_SHARED_MAX = 4096
