"""Tests for core.money.amounts: integer minor units (M-1), strict per-locale input (M-2);
core.money.rounding: cash rounding (M-3), VAT; core.money.denominations: counting notes and coins."""

from __future__ import annotations

import ast
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import core.text.i18n
from core.errors import InputError
from core.money import amounts as money
from core.money import denominations, rounding
from core.money.amounts import (
    CURRENCIES,
    LOCALES,
    MAX_AMOUNT,
    exponent,
    format_amount,
    format_money,
    from_decimal_str,
    parse_amount,
    to_decimal_str,
)
from core.money.denominations import DENOMINATIONS, count_denominations
from core.money.rounding import CASH_ROUNDING_CHOICES, cash_increment, round_cash, vat_from_gross
from core.text.i18n import set_language

# The money code: amounts and the modules split from it hold to M-1 alike.
MONEY_SOURCES = tuple(Path(m.__file__) for m in (money, rounding, denominations))


@pytest.fixture(autouse=True)
def _english_ui():
    """Every test starts and ends with the English UI (messages are asserted in English)."""
    set_language("en")
    yield
    set_language("en")


def input_error(text: str, currency: str = "DKK", locale: str = "da", **kwargs) -> str:
    """The message parse_amount raises for ``text``; fails the test if it parses."""
    with pytest.raises(InputError) as info:
        parse_amount(text, currency, locale, **kwargs)
    return info.value.message


# --------------------------------------------------------------------------- currencies, locales


@pytest.mark.parametrize(
    ("currency", "places"),
    [("DKK", 2), ("EUR", 2), ("SEK", 2), ("NOK", 2), ("USD", 2), ("GBP", 2), ("ISK", 0)],
)
def test_currency_exponent_is_iso_4217(currency, places):
    """M-1: the minor unit follows the ISO 4217 exponent (ISK has none)."""
    assert CURRENCIES[currency] == places
    assert exponent(currency) == places


def test_currencies_are_exactly_the_supported_set():
    """M-1: the currencies kassi knows, no more."""
    assert set(CURRENCIES) == {"DKK", "EUR", "SEK", "NOK", "USD", "GBP", "ISK"}


@pytest.mark.parametrize("code", ["XYZ", "dkk", "", "DKK ", "kr."])
def test_unknown_currency_is_an_input_error(code):
    """M-2: an unknown (or wrongly cased) currency code is an error, never a guess."""
    with pytest.raises(InputError, match="Unknown currency"):
        exponent(code)
    with pytest.raises(InputError, match="Unknown currency"):
        parse_amount("1", code, "da")
    with pytest.raises(InputError, match="Unknown currency"):
        format_amount(1, code, "da")


def test_locales_are_english_danish_icelandic():
    """M-2: input is parsed per locale; these three are the UI languages."""
    assert LOCALES == ("en", "da", "is")


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "1,234,567.89"), ("da", "1.234.567,89"), ("is", "1.234.567,89")]
)
def test_locale_separators(locale, expected):
    """M-2: en groups with "," and uses "." for decimals; da and is the other way round."""
    assert format_amount(123456789, "DKK", locale) == expected
    assert parse_amount(expected, "DKK", locale) == 123456789


@pytest.mark.parametrize("locale", ["de", "da_DK", "EN", ""])
def test_unknown_locale_is_an_input_error(locale):
    """M-2: a locale kassi does not know is an error, not a fallback."""
    with pytest.raises(InputError, match="Unknown locale"):
        parse_amount("1", "DKK", locale)
    with pytest.raises(InputError, match="Unknown locale"):
        format_amount(1, "DKK", locale)


# --------------------------------------------------------------------------- parse_amount: accepted


@pytest.mark.parametrize(
    ("text", "currency", "locale", "expected"),
    [
        ("1.234,50", "DKK", "da", 123450),
        ("1234,50", "DKK", "da", 123450),
        ("1234,5", "DKK", "da", 123450),
        ("12,5", "DKK", "da", 1250),
        ("12,05", "DKK", "da", 1205),
        ("0,05", "DKK", "da", 5),
        ("12", "DKK", "da", 1200),
        ("0", "DKK", "da", 0),
        ("1.234", "DKK", "da", 123400),
        ("12.505", "DKK", "da", 1250500),
        ("1.234.567,89", "DKK", "da", 123456789),
        ("007", "DKK", "da", 700),
        ("1.234,50", "EUR", "is", 123450),
        ("1,234.50", "DKK", "en", 123450),
        ("1234.50", "USD", "en", 123450),
        ("1234.5", "GBP", "en", 123450),
        ("1,234", "DKK", "en", 123400),
        ("1,234,567.89", "SEK", "en", 123456789),
        ("1234", "ISK", "is", 1234),
        ("1.234", "ISK", "is", 1234),
        ("1.234", "ISK", "da", 1234),
        ("1,234", "ISK", "en", 1234),
        ("1.234.567", "ISK", "is", 1234567),
        ("999.999.999,99", "DKK", "da", MAX_AMOUNT),
        ("99.999.999.999", "ISK", "is", MAX_AMOUNT),
    ],
)
def test_parse_accepts_locale_formats(text, currency, locale, expected):
    """M-2: "1.234,50" in da, "1,234.50" in en, "1234" in is for ISK, all in minor units (M-1)."""
    result = parse_amount(text, currency, locale)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("text", ["  12,50", "12,50  ", "\t12,50\n", "\u00a012,50\u00a0"])
def test_parse_strips_surrounding_whitespace(text):
    """M-2: whitespace around the amount is not part of it."""
    assert parse_amount(text, "DKK", "da") == 1250


def test_parse_negative_when_allowed():
    """M-2: a leading "-" is a refund or cash removal, only where the caller allows it."""
    assert parse_amount("-1.234,50", "DKK", "da", allow_negative=True) == -123450
    assert parse_amount("-0,05", "DKK", "da", allow_negative=True) == -5
    assert parse_amount("-1,234.50", "DKK", "en", allow_negative=True) == -123450
    assert parse_amount("-999.999.999,99", "DKK", "da", allow_negative=True) == -MAX_AMOUNT


def test_parse_zero_allowed_by_default():
    """M-2: zero is an amount (an empty float) unless the caller says otherwise."""
    assert parse_amount("0,00", "DKK", "da") == 0
    assert parse_amount("0", "ISK", "is") == 0


# --------------------------------------------------------------------------- parse_amount: errors


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_parse_rejects_empty_input(text):
    """M-2: empty input is an error that asks for an amount and shows the form."""
    message = input_error(text)
    assert "Enter an amount" in message
    assert "1.234,50" in message


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12kr",
        "kr. 12",
        "12,50 kr.",
        "1 234,50",
        "1\u00a0234,50",
        "12'50",
        "+12",
        "--12",
        "-",
        "1e3",
        "\u2212" + "12",  # unicode minus sign
        "\uff11\uff12",  # fullwidth digits
        "\u0661\u0662",  # arabic-indic digits
        "12_000",
    ],
)
def test_parse_rejects_letters_and_other_characters(text):
    """M-2: anything but digits, the locale's separators and a leading "-" is an error."""
    message = input_error(text, allow_negative=True)
    assert "is not an amount" in message
    assert "'.' between thousands" in message
    assert "',' for decimals" in message


def test_danish_input_rejects_point_as_decimal():
    """M-2: in da "12.50" is not 12,50; the error says to use a comma and shows "12,50"."""
    message = input_error("12.50", "DKK", "da")
    assert message == "Use a comma for decimals in Danish: 12,50"


def test_icelandic_input_rejects_point_as_decimal():
    """M-2: is uses the decimal comma like da."""
    assert input_error("12.5", "EUR", "is") == "Use a comma for decimals in Icelandic: 12,5"


def test_english_input_rejects_comma_as_decimal():
    """M-2: in en "12,50" is an error that says to use a point and shows "12.50"."""
    assert input_error("12,50", "DKK", "en") == "Use a point for decimals in English: 12.50"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("12.34", "da", "Use a comma for decimals in Danish: 12,34"),
        ("0.50", "da", "Use a comma for decimals in Danish: 0,50"),
        (".50", "da", "Use a comma for decimals in Danish: 0,50"),
        ("1,234.50", "da", "Use a comma for decimals in Danish: 1.234,50"),
        ("1.234,50", "en", "Use a point for decimals in English: 1,234.50"),
        ("1,234,567", "da", "Use a point between thousands in Danish: 1.234.567"),
        ("1.234.567", "en", "Use a comma between thousands in English: 1,234,567"),
    ],
)
def test_parse_rejects_other_locales_separators_and_shows_the_fix(text, locale, expected):
    """M-2: the other locale's habit is an error naming the right separator, never a guess."""
    assert input_error(text, "DKK", locale) == expected


def test_ambiguous_danish_point_with_two_digits_is_an_error():
    """M-2: "12.34" in da is neither grouping (3 digits) nor a Danish decimal: error."""
    with pytest.raises(InputError):
        parse_amount("12.34", "DKK", "da")


def test_point_is_grouping_in_danish_but_over_precise_in_english():
    """M-2 trap: "1.234" is 1234 kroner in da; in en it has 3 decimals for DKK: error."""
    assert parse_amount("1.234", "DKK", "da") == 123400
    message = input_error("1.234", "DKK", "en")
    assert "'1.234' has 3 decimals, but DKK amounts have at most 2." in message
    assert "For thousands, use ',' in English: 1,234" in message


def test_isk_point_is_grouping_in_icelandic_and_danish():
    """M-2: for ISK (no decimals) "1.234" and "1234" are both 1234 kr. in is and da."""
    for locale in ("is", "da"):
        assert parse_amount("1.234", "ISK", locale) == 1234
        assert parse_amount("1234", "ISK", locale) == 1234


@pytest.mark.parametrize("text", ["1.23.456", "12.3456", "1.2345", "1234.567", "12.", "1..234"])
def test_parse_rejects_misplaced_group_separators(text):
    """M-2: groups must be 1-3 digits then groups of exactly 3; otherwise an error."""
    message = input_error(text, "DKK", "da")
    assert "thousands separators" in message
    assert "misplaced" in message
    assert "1.234,50" in message


@pytest.mark.parametrize("text", ["0.123", "000.123", "01.234"])
def test_parse_rejects_grouping_with_leading_zero(text):
    """M-2: "0.123" in da is no sensible thousands grouping: error, not 123 kr."""
    with pytest.raises(InputError):
        parse_amount(text, "DKK", "da")


@pytest.mark.parametrize(
    ("text", "currency", "locale", "expected"),
    [
        ("12,505", "DKK", "da", "'12,505' has 3 decimals, but DKK amounts have at most 2."),
        ("12,5055", "DKK", "da", "'12,5055' has 4 decimals, but DKK amounts have at most 2."),
        ("12.505", "EUR", "en", "'12.505' has 3 decimals, but EUR amounts have at most 2."),
        ("12,5", "ISK", "is", "'12,5' has decimals, but ISK amounts have none."),
        ("12,00", "ISK", "is", "'12,00' has decimals, but ISK amounts have none."),
        ("12.50", "ISK", "da", "'12.50' has decimals, but ISK amounts have none."),
        ("1.234", "ISK", "en", "'1.234' has decimals, but ISK amounts have none."),
        (",5", "ISK", "is", "',5' has decimals, but ISK amounts have none."),
    ],
)
def test_parse_rejects_more_decimals_than_the_currency_has(text, currency, locale, expected):
    """M-1/M-2: over-precise input names the currency and its number of decimals."""
    assert input_error(text, currency, locale).startswith(expected)


def test_parse_rejects_a_trailing_decimal_separator():
    """M-2: "12," has no decimals after the comma: error, not 12 kr."""
    message = input_error("12,", "DKK", "da")
    assert "ends with ','" in message


def test_parse_rejects_decimal_separator_without_a_digit_before():
    """M-2: ",50" needs a leading digit; the message shows "0,50"."""
    assert input_error(",50", "DKK", "da") == "Write a digit before ',': 0,50"
    assert input_error("-.5", "DKK", "en", allow_negative=True) == "Write a digit before '.': -0.5"


def test_parse_rejects_two_decimal_separators():
    """M-2: "1,2,3" in da has two decimal commas: error."""
    assert "more than one ','" in input_error("1,2,3", "DKK", "da")


@pytest.mark.parametrize("text", ["-12,50", "-0", "-0,00", "-1"])
def test_parse_rejects_negative_unless_allowed(text):
    """M-2: a "-" where only positive amounts make sense (a sale, a float) is an error."""
    assert "Negative amounts are not allowed here" in input_error(text, "DKK", "da")


@pytest.mark.parametrize("text", ["0", "0,00", "000", "-0"])
def test_parse_rejects_zero_when_not_allowed(text):
    """M-2: zero is refused where the caller forbids it (a cash adjustment)."""
    message = input_error(text, "DKK", "da", allow_negative=True, allow_zero=False)
    assert message == "The amount cannot be zero"


@pytest.mark.parametrize(
    ("text", "currency", "locale"),
    [
        ("1.000.000.000,00", "DKK", "da"),
        ("1000000000", "DKK", "da"),
        ("-1.000.000.000", "DKK", "da"),
        ("100.000.000.000", "ISK", "is"),
        ("1,000,000,000.00", "USD", "en"),
    ],
)
def test_parse_rejects_amounts_above_the_cap(text, currency, locale):
    """M-1: the absolute amount is capped at 10**11 - 1 minor units (999.999.999,99 DKK)."""
    message = input_error(text, currency, locale, allow_negative=True)
    assert "is too large" in message
    assert format_amount(MAX_AMOUNT, currency, locale) in message


def test_parse_survives_huge_input_and_shortens_it_in_the_message():
    """M-2: a pasted wall of digits is a "too large" error, not a crash or a huge message."""
    message = input_error("9" * 10_000, "DKK", "en")
    assert "is too large" in message
    assert len(message) < 120


def test_parse_rejects_non_str():
    """M-1: parse_amount takes text; anything else is a programming error."""
    with pytest.raises(TypeError):
        parse_amount(1250, "DKK", "da")  # type: ignore[arg-type]


def test_parse_errors_are_translated(monkeypatch):
    """M-2: messages go through gettext with a constant msgid, formatted after translation."""
    catalog = {
        "Use a comma for decimals in {language}: {example}": "Brug komma som decimaltegn på {language}: {example}",
        "Danish": "dansk",
    }
    monkeypatch.setitem(core.text.i18n._catalogs, "da", catalog)
    set_language("da")
    message = input_error("12.50", "DKK", "da")
    assert message == "Brug komma som decimaltegn på dansk: 12,50"


@pytest.mark.parametrize("path", MONEY_SOURCES, ids=lambda p: p.name)
def test_every_parse_message_is_a_constant_msgid(path):
    """M-2: every _() call in the money code has one string literal argument (extractable)."""
    tree = ast.parse(path.read_text("utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
    ]
    assert calls
    for call in calls:
        (arg,) = call.args
        # _(_LANGUAGE_NAMES[...]) translates names that are marked with N_() at definition.
        if isinstance(arg, ast.Subscript):
            continue
        assert isinstance(arg, ast.Constant), ast.unparse(call)
        assert isinstance(arg.value, str)


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (123450, "DKK", "da", "1.234,50"),
        (123450, "DKK", "is", "1.234,50"),
        (123450, "DKK", "en", "1,234.50"),
        (-123450, "DKK", "da", "-1.234,50"),
        (-123450, "DKK", "en", "-1,234.50"),
        (5, "DKK", "da", "0,05"),
        (-5, "DKK", "da", "-0,05"),
        (0, "DKK", "da", "0,00"),
        (100, "EUR", "en", "1.00"),
        (99999999999, "DKK", "da", "999.999.999,99"),
        (1234, "ISK", "is", "1.234"),
        (1234, "ISK", "en", "1,234"),
        (-1234, "ISK", "is", "-1.234"),
        (0, "ISK", "is", "0"),
        (123, "ISK", "is", "123"),
        (1234567, "ISK", "da", "1.234.567"),
    ],
)
def test_format_amount(minor, currency, locale, expected):
    """M-1/M-2: minor units shown the way the locale writes them."""
    assert format_amount(minor, currency, locale) == expected


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (123450, "DKK", "da", "1234,50"),
        (123450, "DKK", "en", "1234.50"),
        (-123456789, "SEK", "is", "-1234567,89"),
        (1234, "ISK", "is", "1234"),
    ],
)
def test_format_amount_without_grouping(minor, currency, locale, expected):
    """M-2: grouping=False gives the compact form, still in the locale's decimal separator."""
    assert format_amount(minor, currency, locale, grouping=False) == expected


@pytest.mark.parametrize("value", [Decimal("12.50"), "1250", True, None])
def test_format_rejects_non_int_amounts(value):
    """M-1: amounts are ints in minor units; other types are a programming error."""
    with pytest.raises(TypeError):
        format_amount(value, "DKK", "da")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_decimal_str(value, "DKK")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (123450, "DKK", "da", "1.234,50 kr."),
        (-123450, "DKK", "da", "-1.234,50 kr."),
        (1234, "ISK", "is", "1.234 kr."),
        (123450, "EUR", "da", "1.234,50 EUR"),
        (123450, "EUR", "is", "1.234,50 EUR"),
        (123450, "DKK", "is", "1.234,50 DKK"),
        (1234, "ISK", "da", "1.234 ISK"),
        (123450, "SEK", "da", "1.234,50 SEK"),
        (123450, "DKK", "en", "DKK 1,234.50"),
        (-123450, "DKK", "en", "-DKK 1,234.50"),
        (1234, "ISK", "en", "ISK 1,234"),
        (5, "GBP", "en", "GBP 0.05"),
    ],
)
def test_format_money(minor, currency, locale, expected):
    """M-2: "kr." for the local currency in da/is, else the ISO code; en puts the code first."""
    assert format_money(minor, currency, locale) == expected


# --------------------------------------------------------------------------- machine form


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (123450, "DKK", "1234.50"),
        (-5, "DKK", "-0.05"),
        (0, "DKK", "0.00"),
        (-123450, "EUR", "-1234.50"),
        (99999999999, "USD", "999999999.99"),
        (1234, "ISK", "1234"),
        (-1234, "ISK", "-1234"),
        (0, "ISK", "0"),
    ],
)
def test_to_decimal_str(minor, currency, expected):
    """M-1: the JSON/CSV form is major units, "." decimal, no grouping, all decimals."""
    assert to_decimal_str(minor, currency) == expected
    assert from_decimal_str(expected, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [("1234.5", "DKK", 123450), ("1234", "DKK", 123400), ("-0.5", "DKK", -50), ("0", "DKK", 0)],
)
def test_from_decimal_str_accepts_fewer_decimals(text, currency, expected):
    """M-1: the machine form may drop trailing decimals, never add any."""
    assert from_decimal_str(text, currency) == expected


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("", "DKK"),
        ("1,234.50", "DKK"),
        ("1234,50", "DKK"),
        ("1234.505", "DKK"),
        ("1234.", "DKK"),
        (".5", "DKK"),
        ("+1", "DKK"),
        (" 1", "DKK"),
        ("1 ", "DKK"),
        ("01.00", "DKK"),
        ("-0", "DKK"),
        ("-0.00", "DKK"),
        ("--1", "DKK"),
        ("1e3", "DKK"),
        ("\uff11", "DKK"),
        ("1000000000.00", "DKK"),
        ("12.0", "ISK"),
        ("12.", "ISK"),
        ("100000000000", "ISK"),
        ("9" * 5000, "DKK"),
    ],
)
def test_from_decimal_str_is_strict(text, currency):
    """M-1/M-2: only the exact machine form is read back; anything else is an InputError."""
    with pytest.raises(InputError, match="machine form"):
        from_decimal_str(text, currency)


# --------------------------------------------------------------------------- properties

amounts = st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT)
currencies = st.sampled_from(sorted(CURRENCIES))
locales = st.sampled_from(LOCALES)


@given(minor=amounts, currency=currencies, locale=locales, grouping=st.booleans())
def test_format_then_parse_round_trips(minor, currency, locale, grouping):
    """M-1/M-2: whatever kassi shows, it reads back to the same minor units."""
    text = format_amount(minor, currency, locale, grouping=grouping)
    assert parse_amount(text, currency, locale, allow_negative=True) == minor


@given(minor=amounts, currency=currencies)
def test_decimal_str_round_trips(minor, currency):
    """M-1: to_decimal_str and from_decimal_str are inverses."""
    assert from_decimal_str(to_decimal_str(minor, currency), currency) == minor


@given(text=st.text(alphabet="0123456789.,- a", max_size=20), currency=currencies, locale=locales)
def test_parse_only_ever_returns_an_int_in_range_or_raises_input_error(text, currency, locale):
    """M-2: arbitrary typing gives an amount within the cap or an InputError, nothing else."""
    try:
        minor = parse_amount(text, currency, locale, allow_negative=True)
    except InputError as error:
        assert error.message
    else:
        assert type(minor) is int
        assert -MAX_AMOUNT <= minor <= MAX_AMOUNT
        canonical = format_amount(minor, currency, locale)
        assert parse_amount(canonical, currency, locale, allow_negative=True) == minor


# --------------------------------------------------------------------------- cash rounding

DANISH_CASH_ROUNDING = [
    (1000, 1000),
    (1001, 1000),
    (1012, 1000),
    (1024, 1000),
    (1025, 1050),
    (1049, 1050),
    (1050, 1050),
    (1051, 1050),
    (1074, 1050),
    (1075, 1100),
    (1088, 1100),
    (1099, 1100),
    (1, 0),
    (24, 0),
    (25, 50),
    (74, 50),
    (75, 100),
    (0, 0),
]


@pytest.mark.parametrize(("amount", "expected"), DANISH_CASH_ROUNDING)
def test_danish_cash_rounding_to_half_krone(amount, expected):
    """M-3: øre .01-.24 down, .25-.74 to .50, .75-.99 up (Money facts)."""
    assert round_cash(amount, 50) == expected


@pytest.mark.parametrize(("amount", "expected"), DANISH_CASH_ROUNDING)
def test_cash_rounding_is_symmetric_for_refunds(amount, expected):
    """M-3: a cash refund rounds like the sale, mirrored."""
    assert round_cash(-amount, 50) == -expected


@pytest.mark.parametrize("ore", range(100))
def test_danish_cash_rounding_every_ore(ore):
    """M-3: the Danish rule for every øre value of a krone."""
    if ore <= 24:
        expected = 1200
    elif ore <= 74:
        expected = 1250
    else:
        expected = 1300
    assert round_cash(1200 + ore, 50) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(1049, 1000), (1050, 1100), (1099, 1100), (1000, 1000), (-1050, -1100), (-1049, -1000)],
)
def test_swedish_cash_rounding_to_whole_krona(amount, expected):
    """M-3: Sweden rounds cash to whole kronor, halves away from zero."""
    assert round_cash(amount, 100) == expected


@pytest.mark.parametrize("increment", [0, 1])
@pytest.mark.parametrize("amount", [0, 1, 1249, -1249, MAX_AMOUNT])
def test_cash_rounding_increment_zero_or_one_is_no_rounding(amount, increment):
    """M-3: "none" (0) and a one-minor-unit step leave the amount (cards) untouched."""
    assert round_cash(amount, increment) == amount


def test_cash_rounding_rejects_negative_increment():
    """M-3: a negative step is a programming error."""
    with pytest.raises(ValueError):
        round_cash(100, -50)


@given(amount=amounts, increment=st.sampled_from([2, 5, 10, 25, 50, 100, 500]))
def test_cash_rounding_properties(amount, increment):
    """M-3: a multiple of the step, at most half a step away, symmetric for refunds."""
    rounded = round_cash(amount, increment)
    assert rounded % increment == 0
    assert 2 * abs(rounded - amount) <= increment
    assert round_cash(-amount, increment) == -rounded


@pytest.mark.parametrize(
    ("setting", "currency", "expected"),
    [
        ("none", "DKK", 0),
        ("0.50", "DKK", 50),
        ("1.00", "DKK", 100),
        ("1.00", "SEK", 100),
        ("0.50", "EUR", 50),
        ("none", "ISK", 0),
        ("1.00", "ISK", 1),
    ],
)
def test_cash_increment_from_store_setting(setting, currency, expected):
    """M-3: the store setting is a step in major units, converted by the exponent."""
    assert cash_increment(setting, currency) == expected


def test_cash_rounding_choices():
    """M-3: the store setting's values, in hundredths of a major unit."""
    assert CASH_ROUNDING_CHOICES == {"none": 0, "0.50": 50, "1.00": 100}


def test_cash_increment_half_krona_is_impossible_for_isk():
    """M-3: ISK has no decimals, so 0.50 rounding cannot be expressed: error."""
    with pytest.raises(InputError, match="not possible in ISK"):
        cash_increment("0.50", "ISK")


@pytest.mark.parametrize("setting", ["0,50", "0.5", "", "half", "NONE", "0.25"])
def test_cash_increment_rejects_unknown_settings(setting):
    """M-3: only the documented setting values are accepted."""
    with pytest.raises(InputError, match="Unknown cash rounding"):
        cash_increment(setting, "DKK")


def test_cash_increment_rejects_unknown_currency():
    """M-1: the currency must be known to convert the step."""
    with pytest.raises(InputError, match="Unknown currency"):
        cash_increment("0.50", "XYZ")


# --------------------------------------------------------------------------- VAT


@pytest.mark.parametrize(
    ("gross", "rate_bp", "expected"),
    [
        # Denmark 25 %: VAT = gross / 5
        (12500, 2500, 2500),
        (10000, 2500, 2000),
        (100, 2500, 20),
        (3, 2500, 1),
        (2, 2500, 0),
        (0, 2500, 0),
        (-12500, 2500, -2500),
        (-3, 2500, -1),
        # Iceland 24 %: VAT = gross * 24 / 124
        (12400, 2400, 2400),
        (1000, 2400, 194),
        (-1000, 2400, -194),
        (1, 2400, 0),
        (3, 2400, 1),
        # Iceland 11 %: VAT = gross * 11 / 111
        (11100, 1100, 1100),
        (1000, 1100, 99),
        (-1000, 1100, -99),
        # 20 %: gross / 6 has exact halves, which go away from zero
        (3, 2000, 1),
        (9, 2000, 2),
        (-9, 2000, -2),
        (15, 2000, 3),
        # no VAT
        (12345, 0, 0),
    ],
)
def test_vat_from_gross(gross, rate_bp, expected):
    """M-1: VAT contained in a VAT-inclusive amount, integer arithmetic, half away from zero."""
    assert vat_from_gross(gross, rate_bp) == expected


@given(gross=amounts, rate_bp=st.sampled_from([0, 1100, 2000, 2400, 2500, 600, 10000]))
def test_vat_from_gross_matches_exact_fraction(gross, rate_bp):
    """M-1: same as exact rational arithmetic rounded half away from zero; refunds mirror."""
    exact = Fraction(abs(gross) * rate_bp, 10000 + rate_bp)
    whole = exact.numerator // exact.denominator
    if exact - whole >= Fraction(1, 2):
        whole += 1
    expected = whole if gross >= 0 else -whole
    assert vat_from_gross(gross, rate_bp) == expected
    assert vat_from_gross(-gross, rate_bp) == -expected


def test_vat_rejects_negative_rate():
    """M-1: a negative VAT rate is a programming error."""
    with pytest.raises(ValueError):
        vat_from_gross(100, -2500)


# --------------------------------------------------------------------------- denominations


def test_denominations_for_every_currency_largest_first():
    """M-1: every currency has its notes and coins, in minor units, strictly descending."""
    assert set(DENOMINATIONS) == set(CURRENCIES)
    for currency, values in DENOMINATIONS.items():
        assert list(values) == sorted(set(values), reverse=True), currency
        assert all(type(v) is int and v > 0 for v in values), currency


def test_danish_denominations():
    """M-1: 1000, 500, 200, 100, 50 kr notes; 20, 10, 5, 2, 1 kr and 50 øre coins."""
    assert DENOMINATIONS["DKK"] == (
        100000,
        50000,
        20000,
        10000,
        5000,
        2000,
        1000,
        500,
        200,
        100,
        50,
    )


def test_icelandic_denominations():
    """M-1: ISK has no minor unit: 10000 .. 500 kr notes, 100, 50, 10, 5, 1 kr coins."""
    assert DENOMINATIONS["ISK"] == (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)


def test_count_denominations_totals_in_minor_units():
    """M-1: a drawer count of notes and coins adds up in minor units."""
    counts = {50000: 2, 10000: 3, 2000: 1, 50: 3, 100: 0}
    assert count_denominations(counts, "DKK") == 100000 + 30000 + 2000 + 150
    assert count_denominations({10000: 1, 500: 2, 1: 7}, "ISK") == 11007
    assert count_denominations({}, "EUR") == 0


def test_count_denominations_rejects_unknown_denomination():
    """M-2: a 25 øre coin is no DKK denomination (any more): error naming it."""
    with pytest.raises(InputError, match=r"DKK 0\.25 is not a DKK note or coin"):
        count_denominations({25: 1}, "DKK")


def test_count_denominations_names_the_value_in_the_ui_language():
    """M-2: the denomination in the message is written for the current UI language."""
    set_language("da")
    with pytest.raises(InputError) as info:
        count_denominations({30000: 1}, "DKK")
    assert "300,00 kr." in info.value.message


@pytest.mark.parametrize("count", [-1, -100])
def test_count_denominations_rejects_negative_count(count):
    """M-2: a negative number of notes is an error."""
    with pytest.raises(InputError, match="cannot be negative"):
        count_denominations({10000: count}, "DKK")


@pytest.mark.parametrize("count", ["3", True, None, Decimal(2)])
def test_count_denominations_rejects_non_integer_count(count):
    """M-1/M-2: a count is a whole number."""
    with pytest.raises(InputError, match="whole number"):
        count_denominations({10000: count}, "DKK")


@pytest.mark.parametrize("denomination", ["100", True, Decimal(100)])
def test_count_denominations_rejects_non_integer_denomination(denomination):
    """M-1: denominations are ints in minor units."""
    with pytest.raises(InputError, match="not a DKK note or coin"):
        count_denominations({denomination: 1}, "DKK")


def test_count_denominations_rejects_unknown_currency():
    """M-1: the currency must be known."""
    with pytest.raises(InputError, match="Unknown currency"):
        count_denominations({100: 1}, "XYZ")


# --------------------------------------------------------------------------- hygiene


def _import_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", MONEY_SOURCES, ids=lambda p: p.name)
def test_money_imports_only_stdlib_and_core(path):
    """M-1: the money code is pure stdlib + core (no babel, no third-party)."""
    roots = _import_roots(path)
    outside = {r for r in roots if r != "core" and r not in sys.stdlib_module_names}
    assert not outside


@pytest.mark.parametrize("path", [*MONEY_SOURCES, Path(__file__)], ids=lambda p: p.name)
def test_no_floats_anywhere(path):
    """M-1: no float literal, float() call or true division in the money code or its tests."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), ast.dump(
            node
        )
        assert not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float")
        if path in MONEY_SOURCES:
            assert not isinstance(node, ast.Div), f"true division in {path.name}"
