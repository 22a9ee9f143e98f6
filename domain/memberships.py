"""Memberships: one plan plus add-ons, a status, money and dates, and a scheduled change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum

from planswitch.domain.limits import Limitations
from planswitch.domain.periods import BillingPeriod, DurationUnit


class MembershipStatus(str, Enum):
    PENDING = "pending"
    ACTIVE = "active"
    TRIALING = "trialing"
    ON_HOLD = "on-hold"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# Statuses whose downgrades wait for the end of the term (docs/plan-changes.md §3.7, §8.3 step 13).
SCHEDULING_STATUSES = frozenset(
    {MembershipStatus.ACTIVE, MembershipStatus.ON_HOLD, MembershipStatus.TRIALING}
)
# Statuses that get no proration credit (docs/plan-changes.md §3.5).
NO_CREDIT_STATUSES = frozenset(
    {MembershipStatus.TRIALING, MembershipStatus.EXPIRED, MembershipStatus.CANCELLED}
)


@dataclass(frozen=True)
class ScheduledChange:
    """A change waiting for ``effective_at`` (a downgrade or an add-on removal)."""

    plan_id: int
    addons: Mapping[int, int]
    period: BillingPeriod
    amount: Decimal  # the new recurring total
    effective_at: datetime
    created_at: datetime | None = None
    description: str = ""


@dataclass(frozen=True)
class Membership:
    id: int
    customer_id: int
    plan_id: int
    status: MembershipStatus
    amount: Decimal  # recurring charge per period: plan + add-ons
    addons: Mapping[int, int] = field(default_factory=dict)  # product id -> quantity
    currency: str = "USD"
    initial_amount: Decimal = Decimal("0")
    period: BillingPeriod = BillingPeriod(1, DurationUnit.MONTH)
    recurring: bool = True
    auto_renew: bool = False
    date_created: datetime | None = None
    date_activated: datetime | None = None
    date_trial_end: datetime | None = None
    date_renewed: datetime | None = None
    date_cancellation: datetime | None = None
    date_expiration: datetime | None = None  # next billing date; None = never (lifetime)
    date_modified: datetime | None = None
    times_billed: int = 0
    billing_cycles: int = 0
    gateway: str = ""
    gateway_customer_id: str = ""
    gateway_subscription_id: str = ""
    limitations_override: Limitations = field(default_factory=Limitations.empty)
    scheduled_change: ScheduledChange | None = None
    # Optimistic-concurrency token: the native store's version counter, or the
    # WordPress row's date_modified rendered as text.
    version: str = ""

    @property
    def is_lifetime(self) -> bool:
        """Not recurring and no expiration (the plugin's is_lifetime())."""
        return not self.recurring and self.date_expiration is None

    @property
    def is_recurring(self) -> bool:
        return self.recurring and self.amount > 0
