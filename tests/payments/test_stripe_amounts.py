"""Stripe's integer amounts per currency (docs.stripe.com/currencies#minor-units)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from planswitch.adapters.payments.stripe_amounts import (
    UnchargeableAmount,
    from_stripe_amount,
    to_stripe_amount,
)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("49.00", "USD", 4900),
        ("0.50", "eur", 50),
        ("1500", "JPY", 1500),
        ("1500.00", "JPY", 1500),  # stored with two places, still whole yen
        ("50000", "KRW", 50000),
        ("1.230", "BHD", 1230),
        ("1000", "ISK", 100000),  # whole krónur, sent with two zero decimals
    ],
)
def test_amounts_in_stripe_units(amount: str, currency: str, expected: int) -> None:
    assert to_stripe_amount(Decimal(amount), currency) == expected


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("1500.5", "JPY"), ("49.001", "USD"), ("1.235", "BHD"), ("10.50", "ISK")],
)
def test_amounts_stripe_cannot_charge_exactly_are_refused(amount: str, currency: str) -> None:
    with pytest.raises(UnchargeableAmount):
        to_stripe_amount(Decimal(amount), currency)


def test_floats_never_reach_stripe() -> None:
    with pytest.raises(TypeError):
        to_stripe_amount(49.0, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize(("currency", "amount"), [("USD", "49.99"), ("JPY", "1500")])
def test_round_trip(currency: str, amount: str) -> None:
    assert from_stripe_amount(to_stripe_amount(Decimal(amount), currency), currency) == Decimal(
        amount
    )
