"""Quote tokens pin the request and the amounts; idempotency hashes ignore key and token."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from planswitch.domain.errors import ErrorCode
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import (
    AddonSelection,
    ChangeKind,
    LimitChange,
    PlanChangeRequest,
    Quote,
)
from planswitch.resolvers import idempotency, quote_token

NOW = datetime(2026, 6, 15, tzinfo=UTC)
SECRET = "test-secret"
REQUEST = PlanChangeRequest(
    membership_id=7,
    plan_id=3,
    period=BillingPeriod(1, DurationUnit.YEAR),
    add_addons=(AddonSelection(9, 2), AddonSelection(8, 1)),
)
QUOTE = Quote(
    ChangeKind.UPGRADE,
    "USD",
    line_items=(
        LineItem(
            LineItemType.PRODUCT,
            "Pro",
            Decimal("490.00"),
            product_id=3,
            recurring=True,
            period=BillingPeriod(1, DurationUnit.YEAR),
        ),
        LineItem(LineItemType.CREDIT, "Credit", Decimal("-12.34")),
    ),
    subtotal=Decimal("490.00"),
    credit=Decimal("12.34"),
    due_now=Decimal("477.66"),
    next_billing_amount=Decimal("490.00"),
    next_billing_date=datetime(2027, 6, 15, tzinfo=UTC),
    effective_at=NOW,
    limit_changes=(LimitChange("sites", None, 1, 5),),
    plan_id=3,
    period=BillingPeriod(1, DurationUnit.YEAR),
    addons={9: 2, 8: 1},
    removed_addons={4: 1},
)


def test_a_token_for_the_same_amounts_verifies():
    token = quote_token.issue(REQUEST, QUOTE, NOW, SECRET)
    assert quote_token.verify(token, REQUEST, QUOTE, SECRET) is None


def test_a_token_whose_amounts_moved_is_expired():
    token = quote_token.issue(REQUEST, QUOTE, NOW, SECRET)
    moved = replace(QUOTE, due_now=Decimal("480.00"))
    error = quote_token.verify(token, REQUEST, moved, SECRET)
    assert error is not None and error.code is ErrorCode.QUOTE_EXPIRED
    assert error.field == "quoteToken"


def test_a_token_ignores_only_the_next_billing_date_moving_with_the_clock():
    token = quote_token.issue(REQUEST, QUOTE, NOW, SECRET)
    later = replace(QUOTE, next_billing_date=datetime(2027, 6, 15, 0, 5, tzinfo=UTC))
    assert quote_token.verify(token, REQUEST, later, SECRET) is None


def test_a_tampered_or_foreign_token_is_invalid_input():
    token = quote_token.issue(REQUEST, QUOTE, NOW, SECRET)
    body, _, signature = token.partition(".")
    for bad in (token + "x", "x" + token, body, "not-a-token", f"{body}.{signature[::-1]}"):
        error = quote_token.verify(bad, REQUEST, QUOTE, SECRET)
        assert error is not None and error.code is ErrorCode.INVALID_INPUT, bad
    assert (
        quote_token.verify(token, REQUEST, QUOTE, "another-secret").code is ErrorCode.INVALID_INPUT
    )


def test_a_token_for_another_request_is_invalid_input():
    token = quote_token.issue(REQUEST, QUOTE, NOW, SECRET)
    other = replace(REQUEST, plan_id=4)
    error = quote_token.verify(token, other, QUOTE, SECRET)
    assert error is not None and error.code is ErrorCode.INVALID_INPUT


def test_request_hash_is_canonical_over_addon_order_and_period_form():
    reordered = replace(
        REQUEST,
        add_addons=tuple(reversed(REQUEST.add_addons)),
        period=BillingPeriod(12, DurationUnit.MONTH),
    )
    assert idempotency.request_hash(REQUEST) == idempotency.request_hash(reordered)
    assert idempotency.request_hash(REQUEST) != idempotency.request_hash(
        replace(REQUEST, plan_id=4)
    )
    assert idempotency.request_hash(REQUEST) != idempotency.request_hash(REQUEST, NOW)


def test_a_quote_survives_its_json_form_exactly():
    data = idempotency.quote_to_json(QUOTE)
    assert idempotency.quote_from_json(data) == QUOTE
