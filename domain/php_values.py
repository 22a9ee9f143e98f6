"""PHP's reading of stored scalars, as the plugin's limit code sees them (docs/wordpress.md §6).

The limit rules compare values the way PHP does (``is_numeric``, ``(bool)``, ``(int)``),
so both the merge (``domain.limits``) and the typed view (``domain.limits_view``) read
scalars through these helpers.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

# PHP is_numeric(): optional whitespace, sign, decimal or exponent; no hex.
_PHP_NUMERIC = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*\Z")


def php_number(value: Any) -> Decimal | None:
    """The value as a number if PHP's ``is_numeric`` accepts it (bools never), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and _PHP_NUMERIC.match(value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the regex already filters
            return None
    return None


def php_truthy(value: Any) -> bool:
    """PHP's (bool) cast: "", "0", 0, null, [] are false; "false" is true."""
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value)


def is_unlimited(value: Any) -> bool:
    """'' or a numeric zero (int 0, "0", 0.0) means unlimited."""
    if isinstance(value, str) and value == "":
        return True
    number = php_number(value)
    return number is not None and number == 0


def php_int(value: Any) -> int | None:
    """PHP's (int) of a numeric value (truncates), None when not numeric."""
    number = php_number(value)
    return None if number is None else int(number)


def plain_number(number: Decimal) -> int | str:
    """An int when whole, else the exact numeric string."""
    # PHP's int + numeric string gives an int; fractional limits do not occur, but keep
    # them exact and JSON-able as a numeric string rather than a float.
    return int(number) if number == number.to_integral_value() else str(number)
