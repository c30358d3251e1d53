"""kassi formats amounts and dates with its own few lines, not Babel's (issue 13:
Babel is 10-20 times slower a call, puts a no-break space and CLDR symbols in money
that receipt code pages do not have, and writes short dates kassi does not want; see
tests/i18n/measure_babel.py). Its digits must still be CLDR's: the group and decimal
separators of da, is and en, checked here against Babel's locale data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from hypothesis import given
from hypothesis import strategies as st

from core.money.amounts import CURRENCIES, LOCALES, format_amount
from core.text.dates import format_date


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("currency", ["DKK", "ISK", "EUR"])
@given(minor=st.integers(min_value=-(10**11) + 1, max_value=10**11 - 1))
def test_amounts_are_written_with_cldrs_separators(lang, currency, minor):
    exp = CURRENCIES[currency]
    pattern = "#,##0" + ("." + "0" * exp if exp else "")
    cldr = babel_numbers.format_decimal(Decimal(minor).scaleb(-exp), pattern, locale=lang)
    assert format_amount(minor, currency, lang) == cldr


@pytest.mark.parametrize("lang", LOCALES)
@given(day=st.dates(min_value=date(1000, 1, 1)))
def test_dates_are_written_in_the_pattern_kassi_chose(lang, day):
    """ISO in English (not CLDR's US M/d/yy), dd.MM.yyyy in Danish and Icelandic."""
    pattern = "yyyy-MM-dd" if lang == "en" else "dd.MM.yyyy"
    assert format_date(day, lang) == babel_dates.format_date(day, pattern, locale=lang)
