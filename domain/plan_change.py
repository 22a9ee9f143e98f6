"""Types of a plan change: the request, the quote, the upgrade options, the outcome.

Contract shared by the engine (domain/quotes.py, domain/upgrade_options.py,
domain/apply.py), the use cases (resolvers/) and the API (schema/).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from planswitch.domain.errors import ErrorCode, UserError
from planswitch.domain.limit_changes import LimitChange
from planswitch.domain.memberships import Membership, ScheduledChange
from planswitch.domain.money import Money
from planswitch.domain.payments import LineItem, Payment
from planswitch.domain.periods import BillingPeriod

NO_CHANGE_MESSAGE = "This cart proposes no changes to the current membership."


class ChangeKind(str, Enum):
    UPGRADE = "UPGRADE"
    DOWNGRADE = "DOWNGRADE"
    CROSSGRADE = "CROSSGRADE"
    ADDON = "ADDON"
    REMOVE_ADDON = "REMOVE_ADDON"
    NO_CHANGE = "NO_CHANGE"
    BLOCKED = "BLOCKED"


class Direction(str, Enum):
    UPGRADE = "UPGRADE"
    DOWNGRADE = "DOWNGRADE"
    CROSSGRADE = "CROSSGRADE"


class Timing(str, Enum):
    IMMEDIATE = "IMMEDIATE"
    END_OF_TERM = "END_OF_TERM"


@dataclass(frozen=True, slots=True)
class AddonSelection:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class PlanChangeRequest:
    """What the customer asks for. ``None`` plan/period mean "keep the current one"."""

    membership_id: int
    plan_id: int | None = None
    period: BillingPeriod | None = None
    add_addons: tuple[AddonSelection, ...] = ()
    remove_addons: tuple[AddonSelection, ...] = ()
    discount_code: str | None = None


@dataclass(frozen=True)
class Blocker:
    """Why an option is not allowed (docs/plan-changes.md §5).

    ``current``/``allowed`` for OVER_LIMIT.
    """

    code: ErrorCode
    message: str
    module: str | None = None
    current: int | None = None
    allowed: int | None = None


@dataclass(frozen=True)
class PeriodPrice:
    period: BillingPeriod
    price: Money


@dataclass(frozen=True)
class PlanOption:
    plan_id: int
    direction: Direction
    timing: Timing
    price: Money | None  # at ``period``
    prices: tuple[PeriodPrice, ...]  # at each of the plan's periods
    allowed: bool
    blockers: tuple[Blocker, ...] = ()
    period: BillingPeriod | None = None  # what a quote without billingPeriod prices it at


@dataclass(frozen=True)
class AddonOption:
    product_id: int
    price: Money | None  # at the membership's period (one-time services: their price)
    held: bool
    quantity: int  # held quantity, 0 if not held


@dataclass(frozen=True)
class UpgradeOptions:
    membership_id: int
    plans: tuple[PlanOption, ...]
    addons: tuple[AddonOption, ...]


@dataclass(frozen=True)
class ScheduledUpdate:
    """An add-on purchase carried into the membership's scheduled change."""

    addons: Mapping[int, int]  # the scheduled change's add-ons after the purchase
    amount: Decimal  # its recurring amount after the purchase
    current_amount: Decimal  # the membership's recurring amount until the change applies


@dataclass(frozen=True)
class Quote:
    """The result of ``quote()``: the same value serves preview and commit
    (docs/plan-changes.md §3)."""

    change_kind: ChangeKind
    currency: str
    line_items: tuple[LineItem, ...] = ()
    subtotal: Decimal = Decimal("0.00")
    credit: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    due_now: Decimal = Decimal("0.00")
    unused_credit: Decimal = Decimal("0.00")
    next_billing_amount: Decimal | None = None
    next_billing_date: datetime | None = None
    effective_at: datetime | None = None
    limit_changes: tuple[LimitChange, ...] = ()
    message: str | None = None
    errors: tuple[UserError, ...] = ()  # non-empty when BLOCKED or the request is invalid
    # Target state (what the membership will hold once the change applies).
    plan_id: int | None = None
    period: BillingPeriod | None = None
    addons: Mapping[int, int] = field(default_factory=dict)
    removed_addons: Mapping[int, int] = field(default_factory=dict)
    recurring: bool = True
    scheduled: bool = False  # True: stored as a scheduled change for effective_at
    # An add-on purchase on a membership with a scheduled change: the purchase carried into
    # it (None: no scheduled change to update).
    scheduled_update: ScheduledUpdate | None = None

    @property
    def ok(self) -> bool:
        final = (ChangeKind.NO_CHANGE, ChangeKind.BLOCKED)
        return not self.errors and self.change_kind not in final

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


@dataclass(frozen=True)
class ChangeOutcome:
    """What committing a quote writes: the membership after, a payment, maybe a schedule."""

    membership: Membership
    payment: Payment  # id 0 until stored
    scheduled_change: ScheduledChange | None
    event_kind: str
    event_payload: Mapping[str, Any]
