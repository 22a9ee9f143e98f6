"""Currency minor units (ISO 4217 digits) from a maintained source, handed to the domain.

The domain rounds money with the digits it is given (``domain/money.py``); it never looks
them up. They come from babel's CLDR data: JPY and KRW have 0, BHD and KWD 3, most 2.
An unknown code gets 2, the plugin's own rounding.
"""

from __future__ import annotations

from functools import cache

from babel.numbers import get_currency_precision


@cache
def minor_units(currency: str) -> int:
    """Decimal places of ``currency`` (``"JPY"`` -> 0, ``"KWD"`` -> 3, ``"USD"`` -> 2)."""
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        return 2
    return int(get_currency_precision(code))
