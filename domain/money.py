"""Money: an exact Decimal amount with its currency, and the one rounding rule.

Rounding rule (stated once, used everywhere): to the currency's minor unit (ISO 4217:
2 decimal places for most, 0 for JPY and KRW, 3 for BHD and KWD), half away from zero, as
PHP's ``round()`` does. ``Decimal``'s ``ROUND_HALF_UP`` rounds half away from zero for
negative numbers too (-0.005 -> -0.01).

The domain never looks the digits up: callers hand them in (``digits=``), taken from a
maintained table outside the domain (``planswitch.resolvers.currencies``, over babel's
CLDR data). 2 is the default, the plugin's own rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
DEFAULT_DIGITS = 2
_STEPS = {digits: Decimal(1).scaleb(-digits) for digits in range(5)}


def round_money(value: Decimal, digits: int = DEFAULT_DIGITS) -> Decimal:
    """Round to ``digits`` places (the currency's minor unit), half away from zero.

    >>> round_money(Decimal("10.515")), round_money(Decimal("-0.005"))
    (Decimal('10.52'), Decimal('-0.01'))
    >>> round_money(Decimal("1500.5"), 0), round_money(Decimal("1.2345"), 3)
    (Decimal('1501'), Decimal('1.235'))
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, got {type(value).__name__}")
    step = _STEPS.get(digits) or Decimal(1).scaleb(-digits)
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    return rounded + ZERO  # normalises -0.00 to 0.00


def to_decimal(value: object) -> Decimal:
    """Parse a stored amount ("49.0000", 49, Decimal) into a Decimal; never via float."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Stored PHP floats (line items) carry binary noise; repr() is the shortest
        # string that round-trips, which is what PHP itself prints.
        return Decimal(repr(value))
    text = str(value).strip()
    return Decimal(text) if text else ZERO


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency. Arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def rounded(self, digits: int = DEFAULT_DIGITS) -> Money:
        return Money(round_money(self.amount, digits), self.currency)

    def formatted(self, digits: int = DEFAULT_DIGITS, style: MoneyFormat | None = None) -> str:
        """Human form, e.g. ``$49.00``, ``49.00 KWD`` or (``digits=0``) ``¥1,500``; with a
        network's ``style``, as that network writes it (``1.234,50 €``)."""
        if style is not None:
            return style.render(self.amount, self.currency)
        amount = round_money(self.amount, digits)
        symbol = CURRENCY_SYMBOLS.get(self.currency)
        sign = "-" if amount < 0 else ""
        body = f"{abs(amount):,.{digits}f}"
        return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {self.currency}"

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0.00"), currency)


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "BRL": "R$", "JPY": "¥"}

# Where a network puts the symbol (%s) and the number (%v): the four choices the plugin
# offers (inc/class-settings.php:655-670).
MONEY_PATTERNS = frozenset({"%s%v", "%v%s", "%s %v", "%v %s"})


@dataclass(frozen=True, slots=True)
class MoneyFormat:
    """How a network writes amounts: its own settings, given by the store (on WordPress the
    plugin's currency settings, docs/wordpress.md §5.5). The defaults are the plugin's.

    The number is rounded to ``precision`` places by the one rounding rule, then written
    with the separators (what PHP's ``number_format()`` does for ``wu_format_currency``,
    inc/functions/currency.php:371-405); the sign stays with the number. The symbol is the
    currency's, or its code when it has none (the plugin's own fallback, same file :352-354).

    >>> MoneyFormat("%v %s", ",", ".", 2).render(Decimal("1234.5"), "EUR")
    '1.234,50 €'
    >>> MoneyFormat("%s%v", ".", ",", 3).render(Decimal("-1.25"), "KWD")
    'KWD-1.250'
    """

    pattern: str = "%s %v"
    decimal_separator: str = "."
    thousand_separator: str = ","
    precision: int = DEFAULT_DIGITS

    def render(self, amount: Decimal, currency: str) -> str:
        digits = max(0, self.precision)
        body = f"{round_money(amount, digits):,.{digits}f}"
        whole, _, fraction = body.partition(".")
        number = whole.replace(",", self.thousand_separator)
        if fraction:
            number += self.decimal_separator + fraction
        symbol = CURRENCY_SYMBOLS.get(currency, currency)
        # One pass, so a symbol or separator containing "%v" is never substituted again.
        return "".join(
            number if part == "%v" else symbol if part == "%s" else part
            for part in _split_pattern(self.pattern)
        )


def _split_pattern(pattern: str) -> list[str]:
    """``"%v %s"`` -> ``["%v", " ", "%s"]``."""
    parts: list[str] = []
    rest = pattern
    while rest:
        index = min((i for i in (rest.find("%v"), rest.find("%s")) if i >= 0), default=-1)
        if index < 0:
            parts.append(rest)
            break
        if index:
            parts.append(rest[:index])
        parts.append(rest[index : index + 2])
        rest = rest[index + 2 :]
    return parts
