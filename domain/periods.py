"""Billing periods: units, days per period (the plugin's constants) and calendar arithmetic."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum


class DurationUnit(str, Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


# wu_get_days_in_cycle(): used for proration and for the up/down decision.
DAYS_PER_UNIT = {
    DurationUnit.DAY: Decimal("1"),
    DurationUnit.WEEK: Decimal("7"),
    DurationUnit.MONTH: Decimal("30.4375"),
    DurationUnit.YEAR: Decimal("365.25"),
}


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    """``duration`` units, e.g. 1 month. Durations are ints (the plugin's "1" vs 1 bug is fixed)."""

    duration: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        if isinstance(self.duration, bool) or not isinstance(self.duration, int):
            raise TypeError("duration must be an int")
        if self.duration < 1:
            raise ValueError("duration must be at least 1")
        if not isinstance(self.unit, DurationUnit):
            object.__setattr__(self, "unit", DurationUnit(self.unit))

    @classmethod
    def of(cls, duration: int | str, unit: str | DurationUnit) -> BillingPeriod:
        """Normalise stored forms ("1", "month") into a period; 12 months stays 12 months."""
        return cls(int(duration), DurationUnit(unit))

    @property
    def days(self) -> Decimal:
        """Days in the period: 1 month = 30.4375, 1 year = 365.25."""
        return DAYS_PER_UNIT[self.unit] * self.duration

    def normalised(self) -> BillingPeriod:
        """12 months -> 1 year, as the plugin's price-variation lookup does."""
        if self.unit is DurationUnit.MONTH and self.duration % 12 == 0:
            return BillingPeriod(self.duration // 12, DurationUnit.YEAR)
        return self

    def add_to(self, moment: datetime) -> datetime:
        """``moment`` + this period, calendar-wise (month ends clamp: Jan 31 + 1 month = Feb 28)."""
        if self.unit is DurationUnit.DAY:
            return moment + timedelta(days=self.duration)
        if self.unit is DurationUnit.WEEK:
            return moment + timedelta(weeks=self.duration)
        months = self.duration * (12 if self.unit is DurationUnit.YEAR else 1)
        return add_months(moment, months)

    def label(self) -> str:
        """``year`` for 1 year, ``2 years`` otherwise (the plugin's agreement message)."""
        return self.unit.value if self.duration == 1 else f"{self.duration} {self.unit.value}s"

    def __str__(self) -> str:
        return f"{self.duration} {self.unit.value}{'' if self.duration == 1 else 's'}"


def add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
