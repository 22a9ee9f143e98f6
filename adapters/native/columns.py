"""Column types that keep the domain's promises on every database.

- ``MoneyType``: ``Numeric(13, 4)``; Decimal in, Decimal out, never float. SQLite has no
  exact decimal type (SQLAlchemy would go through float and warn), so there the value is
  stored as its 4-place text.
- ``UTCDateTime``: aware UTC in, aware UTC out. PostgreSQL keeps ``timestamptz``; MySQL and
  SQLite store naive UTC (MySQL with microseconds, ``DATETIME(6)``) and UTC is re-attached
  on the way out. Naive datetimes are refused: the domain never has them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

MONEY_PLACES = Decimal("0.0001")


class MoneyType(TypeDecorator[Decimal]):
    """An amount with 4 decimal places (the plugin's ``decimal(13,4)``)."""

    impl = Numeric(13, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(13, 4, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"money columns take Decimal, got {type(value).__name__}")
        stored = Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)
        return str(stored) if dialect.name == "sqlite" else stored

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(MONEY_PLACES)


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, always aware UTC in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the store takes aware datetimes only")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
