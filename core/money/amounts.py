"""Money for kassi: integer minor units, strict per-locale input, formatting.

M-1: an amount is an ``int`` in the currency's minor unit (ISO 4217 exponent);
there is no float anywhere in this module. M-2: input is parsed per locale and
anything that is not exactly an amount is an ``InputError`` with a translated
message that says what was wrong and what is expected, never a guess. Cash rounding
(M-3) and VAT are in `core.money.rounding`; notes and coins in `core.money.denominations`.
"""

from __future__ import annotations

from core.errors import InputError
from core.text.i18n import N_, _

__all__ = [
    "CURRENCIES",
    "LOCALES",
    "MAX_AMOUNT",
    "exponent",
    "format_amount",
    "format_money",
    "from_decimal_str",
    "parse_amount",
    "require_minor",
    "to_decimal_str",
]

CURRENCIES: dict[str, int] = {
    "DKK": 2,
    "EUR": 2,
    "SEK": 2,
    "NOK": 2,
    "USD": 2,
    "GBP": 2,
    "ISK": 0,
}

LOCALES = ("en", "da", "is")

# locale -> (group separator, decimal separator)
_SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (",", "."),
    "da": (".", ","),
    "is": (".", ","),
}

_LANGUAGE_NAMES = {"en": N_("English"), "da": N_("Danish"), "is": N_("Icelandic")}

# The local currency written with its local symbol; every other pair uses the ISO code.
_LOCAL_SYMBOL = {("da", "DKK"): "kr.", ("is", "ISK"): "kr."}

MAX_AMOUNT = 10**11 - 1
"""Largest absolute amount `parse_amount` accepts, in minor units (999.999.999,99 DKK)."""

_MAX_DIGITS = len(str(MAX_AMOUNT))

_DIGITS = frozenset("0123456789")


# --------------------------------------------------------------------------- helpers


def check_minor(value: object, name: str) -> None:
    """Amounts are ints in minor units (M-1); a float or bool here is a programming
    error, and would be stored as REAL. None (an amount not given) passes."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{name} must be an int in minor units, not {value!r}")


def require_minor(value: object, name: str) -> int:
    """`check_minor`, and None is refused too: the amount must be given."""
    if value is None:
        raise TypeError(f"{name} must be an int in minor units, not None")
    check_minor(value, name)
    return value


def exponent(currency: str) -> int:
    """Number of decimals (ISO 4217 exponent) of ``currency``; InputError if unknown."""
    try:
        return CURRENCIES[currency]
    except (KeyError, TypeError):
        raise InputError(
            _("Unknown currency '{currency}'; use one of: {choices}").format(
                currency=currency, choices=", ".join(CURRENCIES)
            )
        ) from None


def _separators(locale: str) -> tuple[str, str]:
    try:
        return _SEPARATORS[locale]
    except (KeyError, TypeError):
        raise InputError(
            _("Unknown locale '{locale}'; use one of: {choices}").format(
                locale=locale, choices=", ".join(LOCALES)
            )
        ) from None


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _example_minor(currency: str) -> int:
    """1234.50 in minor units (1234 for a currency without decimals)."""
    exp = CURRENCIES[currency]
    return 1234 * 10**exp + (5 * 10 ** (exp - 1) if exp else 0)


def _example(currency: str, locale: str) -> str:
    """1234.50 (1234 for ISK) written the way ``locale`` expects it."""
    return format_amount(_example_minor(currency), currency, locale)


# --------------------------------------------------------------------------- formatting


def format_amount(minor: int, currency: str, locale: str, *, grouping: bool = True) -> str:
    """Amount without currency: "1.234,50" (da, is), "1,234.50" (en), "1.234" (ISK), "-1.234,50"."""
    require_minor(minor, "minor")
    exp = exponent(currency)
    group, decimal = _separators(locale)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exp)
    digits = str(whole)
    text = _group(digits, group) if grouping else digits
    if exp:
        text += decimal + str(frac).zfill(exp)
    return sign + text


def format_money(minor: int, currency: str, locale: str) -> str:
    """Amount with its currency, for screens and receipts.

    da/is: amount, a space, then "kr." for the local currency (DKK in da, ISK in
    is) or the ISO code for any other: "1.234,50 kr.", "1.234 kr.", "1.234,50 EUR".
    en: ISO code, a space, then the amount: "DKK 1,234.50", "ISK 1,234".
    A negative amount puts "-" first in en ("-DKK 1,234.50", as CLDR does) and
    before the number in da/is ("-1.234,50 kr."). Plain spaces (receipt code pages).
    """
    amount = format_amount(minor, currency, locale)
    if locale == "en":
        return f"-{currency} {amount[1:]}" if minor < 0 else f"{currency} {amount}"
    return f"{amount} {_LOCAL_SYMBOL.get((locale, currency), currency)}"


def to_decimal_str(minor: int, currency: str) -> str:
    """Machine form (JSON/CSV): major units, "." decimal, no grouping: "1234.50", "-0.05", ISK "1234"."""
    require_minor(minor, "minor")
    exp = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exp)
    if not exp:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{str(frac).zfill(exp)}"


def from_decimal_str(text: str, currency: str) -> int:
    """Strict inverse of `to_decimal_str`: optional "-", digits without leading zeros,
    optional "." and 1..exponent decimals. Anything else is an InputError."""
    exp = exponent(currency)
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    negative = text.startswith("-")
    body = text[1:] if negative else text
    whole, dot, frac = body.partition(".")
    ok = (
        bool(whole)
        and set(whole) <= _DIGITS
        and (whole == "0" or not whole.startswith("0"))
        and (not dot or (0 < len(frac) <= exp and set(frac) <= _DIGITS))
    )
    if ok and len(whole) <= _MAX_DIGITS:
        minor = int(whole) * 10**exp + (int(frac.ljust(exp, "0")) if dot else 0)
        ok = minor <= MAX_AMOUNT and not (negative and minor == 0)
        if ok:
            return -minor if negative else minor
    example = to_decimal_str(_example_minor(currency), currency)
    raise InputError(
        _("'{text}' is not a {currency} amount in machine form; expected e.g. {example}").format(
            text=text, currency=currency, example=example
        )
    )


# --------------------------------------------------------------------------- parsing


def _structure(body: str, group: str, decimal: str) -> tuple[str, str | None] | None:
    """Split ``body`` (digits and separators only) into (integer digits, decimals or None).

    None when the separators are not where ``group``/``decimal`` allow them: more
    than one decimal separator, a group separator among the decimals, or groups
    that are not 1-3 digits followed by groups of exactly 3 (no leading zero).
    """
    if body.count(decimal) > 1:
        return None
    whole, sep, frac = body.partition(decimal)
    if group in frac:
        return None
    if group in whole:
        groups = whole.split(group)
        first = groups[0]
        if not 1 <= len(first) <= 3 or first.startswith("0"):
            return None
        if any(len(g) != 3 for g in groups[1:]):
            return None
        whole = whole.replace(group, "")
    return whole, (frac if sep else None)


def _too_precise(text: str, currency: str, count: int) -> InputError:
    exp = CURRENCIES[currency]
    if exp == 0:
        return InputError(
            _("'{text}' has decimals, but {currency} amounts have none.").format(
                text=text, currency=currency
            )
        )
    return InputError(
        _("'{text}' has {count} decimals, but {currency} amounts have at most {places}.").format(
            text=text, count=count, currency=currency, places=exp
        )
    )


def _shorten(text: str, limit: int = 24) -> str:
    """The user's input as echoed in a message: long pastes are cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def parse_amount(
    text: str,
    currency: str,
    locale: str,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
) -> int:
    """Parse what a person typed into minor units, per locale (M-2); InputError otherwise.

    Accepted: optional "-" (only with ``allow_negative``), digits with optional
    group separators every three digits, optional decimal separator and 1..exponent
    decimals. da/is: "1.234,50", "1234,5"; en: "1,234.50". Surrounding whitespace
    is ignored. The absolute value may be at most `MAX_AMOUNT`.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    exp = exponent(currency)
    group, decimal = _separators(locale)
    language = _(_LANGUAGE_NAMES[locale])
    example = _example(currency, locale)
    stripped = text.strip()
    shown = _shorten(stripped)

    if not stripped:
        raise InputError(_("Enter an amount, e.g. {example}").format(example=example))

    negative = stripped.startswith("-")
    body = stripped[1:] if negative else stripped
    if not body or not set(body) <= _DIGITS | {group, decimal}:
        raise InputError(
            _(
                "'{text}' is not an amount: use only digits, '{group}' between thousands "
                "and '{decimal}' for decimals, e.g. {example}"
            ).format(text=shown, group=group, decimal=decimal, example=example)
        )

    parts = _structure(body, group, decimal)
    if parts is None:
        raise _misplaced(shown, body, currency, locale, language, example)
    whole, frac = parts

    if frac == "":
        raise InputError(
            _("'{text}' ends with '{decimal}': write the decimals after it, e.g. {example}").format(
                text=shown, decimal=decimal, example=example
            )
        )
    if frac is not None and len(frac) > exp:
        error = _too_precise(shown, currency, len(frac))
        if len(frac) == 3:
            # "1.234" in en for DKK: maybe meant as thousands; say how to write that.
            hint = body.replace(decimal, group)
            if _structure(hint, group, decimal) is not None:
                error = InputError(
                    error.message
                    + " "
                    + _("For thousands, use '{group}' in {language}: {example}").format(
                        group=group, language=language, example=hint
                    )
                )
        raise error

    if not whole:
        raise InputError(
            _("Write a digit before '{decimal}': {example}").format(
                decimal=decimal, example=("-" if negative else "") + "0" + body
            )
        )
    if negative and not allow_negative:
        raise InputError(_("Negative amounts are not allowed here: '{text}'").format(text=shown))
    if len(whole.lstrip("0")) > _MAX_DIGITS:
        minor = MAX_AMOUNT + 1  # never build a huge int from a huge input
    else:
        minor = int(whole) * 10**exp + (int(frac.ljust(exp, "0")) if frac else 0)
    if minor > MAX_AMOUNT:
        raise InputError(
            _("'{text}' is too large: the most is {maximum}").format(
                text=shown, maximum=format_amount(MAX_AMOUNT, currency, locale)
            )
        )
    if minor == 0 and not allow_zero:
        raise InputError(_("The amount cannot be zero"))
    return -minor if negative else minor


def _misplaced(
    shown: str, body: str, currency: str, locale: str, language: str, example: str
) -> InputError:
    """The error for separators in the wrong places: most often the other locale's habit."""
    group, decimal = _SEPARATORS[locale]
    swapped = body.translate(str.maketrans({group: decimal, decimal: group}))
    parts = _structure(swapped, group, decimal)
    if parts is not None and parts[1] != "":
        whole, frac = parts
        sign = "-" if shown.startswith("-") else ""
        fixed = _shorten(sign + ("" if whole else "0") + swapped)
        places = CURRENCIES[currency]
        if frac is not None and len(frac) > places:
            # "12.50" for ISK in da: the decimals are the problem, whatever the separator.
            # With decimals allowed, or 3 digits that may be a group, say where the
            # separators go instead of reading the wrong one as a decimal point.
            if places == 0 and len(frac) != 3:
                return _too_precise(shown, currency, len(frac))
        elif frac is not None:
            message = (
                _("Use a comma for decimals in {language}: {example}")
                if decimal == ","
                else _("Use a point for decimals in {language}: {example}")
            )
            return InputError(message.format(language=language, example=fixed))
        else:
            message = (
                _("Use a point between thousands in {language}: {example}")
                if group == "."
                else _("Use a comma between thousands in {language}: {example}")
            )
            return InputError(message.format(language=language, example=fixed))
    if body.count(decimal) > 1:
        return InputError(
            _("'{text}' has more than one '{decimal}'; write it like {example}").format(
                text=shown, decimal=decimal, example=example
            )
        )
    return InputError(
        _(
            "The thousands separators in '{text}' are misplaced: put '{group}' "
            "between every three digits, e.g. {example}"
        ).format(text=shown, group=group, example=example)
    )
