"""Notes and coins: each currency's denominations, and a drawer count totalled from them
(the counted cash of a session close, S-8, or of a safe count).
"""

from __future__ import annotations

from core.errors import InputError
from core.money.amounts import LOCALES, exponent, format_money
from core.text.i18n import _, current_language

__all__ = ["DENOMINATIONS", "count_denominations"]

DENOMINATIONS: dict[str, tuple[int, ...]] = {
    # notes 1000, 500, 200, 100, 50 kr; coins 20, 10, 5, 2, 1 kr, 50 øre
    "DKK": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50),
    # notes 10000, 5000, 2000, 1000, 500 kr; coins 100, 50, 10, 5, 1 kr
    "ISK": (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1),
    # notes 500 .. 5 EUR; coins 2, 1 EUR, 50, 20, 10, 5, 2, 1 cent
    "EUR": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    # notes 1000, 500, 200, 100, 50, 20 kr; coins 10, 5, 2, 1 kr
    "SEK": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100),
    # notes 1000, 500, 200, 100, 50 kr; coins 20, 10, 5, 1 kr
    "NOK": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100),
    # notes 100, 50, 20, 10, 5, 2, 1 USD (a dollar coin counts as 1 USD); coins 50 .. 1 cent
    "USD": (10000, 5000, 2000, 1000, 500, 200, 100, 50, 25, 10, 5, 1),
    # notes 50, 20, 10, 5 GBP; coins 2, 1 GBP, 50, 20, 10, 5, 2, 1 pence
    "GBP": (5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
}


def _ui_locale() -> str:
    lang = current_language()
    return lang if lang in LOCALES else "en"


def count_denominations(counts: dict[int, int], currency: str) -> int:
    """Total in minor units of {denomination: count}; InputError for an unknown
    denomination of ``currency`` or a count that is negative or not a whole number."""
    exponent(currency)
    valid = DENOMINATIONS[currency]
    locale = _ui_locale()
    total = 0
    for denomination, count in counts.items():
        if isinstance(denomination, bool) or not isinstance(denomination, int):
            raise InputError(
                _("{value} is not a {currency} note or coin").format(
                    value=denomination, currency=currency
                )
            )
        if denomination not in valid:
            raise InputError(
                _("{value} is not a {currency} note or coin").format(
                    value=format_money(denomination, currency, locale), currency=currency
                )
            )
        if isinstance(count, bool) or not isinstance(count, int):
            raise InputError(
                _("The count of {value} must be a whole number, not '{count}'").format(
                    value=format_money(denomination, currency, locale), count=count
                )
            )
        if count < 0:
            raise InputError(
                _("The count of {value} cannot be negative: {count}").format(
                    value=format_money(denomination, currency, locale), count=count
                )
            )
        total += denomination * count
    return total
