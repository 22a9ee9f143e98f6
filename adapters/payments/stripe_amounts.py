"""Amounts in Stripe's units: the currency's smallest unit, as Stripe itself defines it.

Stripe's API takes every amount as an integer in the currency's minor unit, and its list of
minor units is its own (docs.stripe.com/currencies#minor-units): a few currencies differ from
ISO 4217, so this table follows Stripe, not a general currency library. The payment's amount
is already rounded by the domain (``domain/money.py``) to the currency's minor unit; this
module only changes the unit and refuses an amount Stripe could not charge exactly, so the
customer is never charged a different amount than the payment records.
"""

from __future__ import annotations

from decimal import Decimal

# docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"}
    | {"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
# docs.stripe.com/currencies#three-decimal: sent with 3 decimals, the last one must be 0.
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
# docs.stripe.com/currencies#special-cases: zero-decimal money that the API still takes with
# two decimals, which must be 00.
WHOLE_UNITS_AS_TWO_DECIMALS = frozenset({"ISK"})


class UnchargeableAmount(ValueError):
    """The amount has more precision than Stripe accepts for its currency."""


def _exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_stripe_amount(amount: Decimal, currency: str) -> int:
    """``amount`` (Decimal, in ``currency``) as Stripe's integer amount.

    >>> to_stripe_amount(Decimal("49.00"), "usd"), to_stripe_amount(Decimal("1500"), "JPY")
    (4900, 1500)
    """
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    code = currency.upper()
    minor = amount.scaleb(_exponent(code))
    if minor != minor.to_integral_value():
        raise UnchargeableAmount(f"{amount} {code} has more decimals than Stripe accepts")
    value = int(minor)
    if code in THREE_DECIMAL and value % 10:
        raise UnchargeableAmount(f"Stripe charges {code} in multiples of 0.010, not {amount}")
    if code in WHOLE_UNITS_AS_TWO_DECIMALS:
        if amount != amount.to_integral_value():
            raise UnchargeableAmount(f"Stripe charges {code} in whole units, not {amount}")
        value = int(amount) * 100
    return value


def from_stripe_amount(value: int, currency: str) -> Decimal:
    """Stripe's integer amount back as a Decimal in ``currency``.

    >>> from_stripe_amount(4900, "usd"), from_stripe_amount(1500, "jpy")
    (Decimal('49.00'), Decimal('1500'))
    """
    code = currency.upper()
    exponent = 2 if code in WHOLE_UNITS_AS_TWO_DECIMALS else _exponent(code)
    return Decimal(value).scaleb(-exponent)
