"""Stable error codes returned to clients as ``userErrors`` (Saleor's error_codes style)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ErrorCode(str, Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_ALLOWED = "NOT_ALLOWED"
    PLAN_GROUP_TOO_LONG = "PLAN_GROUP_TOO_LONG"
    PLAN_INACTIVE = "PLAN_INACTIVE"
    NOT_A_PLAN = "NOT_A_PLAN"
    NOT_IN_PLAN_GROUP = "NOT_IN_PLAN_GROUP"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    ACTIVE_AGREEMENT = "ACTIVE_AGREEMENT"
    OVER_LIMIT = "OVER_LIMIT"
    MEMBERSHIP_NOT_CHANGEABLE = "MEMBERSHIP_NOT_CHANGEABLE"
    ADDON_NOT_AVAILABLE = "ADDON_NOT_AVAILABLE"
    ADDON_NOT_HELD = "ADDON_NOT_HELD"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    PERIOD_NOT_AVAILABLE = "PERIOD_NOT_AVAILABLE"
    INVALID_DISCOUNT_CODE = "INVALID_DISCOUNT_CODE"
    NO_CHANGE = "NO_CHANGE"
    QUOTE_EXPIRED = "QUOTE_EXPIRED"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    NO_SCHEDULED_CHANGE = "NO_SCHEDULED_CHANGE"
    WRITES_DISABLED = "WRITES_DISABLED"
    NO_PENDING_CHANGE = "NO_PENDING_CHANGE"
    PAYMENT_NOT_PENDING = "PAYMENT_NOT_PENDING"
    PAYMENT_PROVIDER_UNAVAILABLE = "PAYMENT_PROVIDER_UNAVAILABLE"  # retryable
    GATEWAY_SYNC_UNAVAILABLE = "GATEWAY_SYNC_UNAVAILABLE"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    RATE_LIMITED = "RATE_LIMITED"  # retryable after a wait


@dataclass(frozen=True)
class UserError:
    """An error the caller can act on: a stable code, the input field, a sentence."""

    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """Raised by use cases for an expected failure; translated to ``userErrors``."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.error = UserError(code, message, field)


class VersionConflict(DomainError):
    def __init__(self, membership_id: int) -> None:
        super().__init__(
            ErrorCode.VERSION_CONFLICT,
            f"Membership {membership_id} was changed by someone else; reload and try again.",
            "membershipId",
        )
