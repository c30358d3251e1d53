"""Quantities in an item's unit (SPEC K-8): pieces, or kg, g, l, m with up to three decimals.

A quantity is an ``int`` in the unit's *step*: whole pieces for ``pcs``, thousandths
for a measured unit (0,512 kg is 512). Never a float (M-1). The same int is what
sale_lines.qty, inventory and the statements store, so sums over one SKU stay
integer sums; a SKU has one unit, so they never mix kilograms with pieces.

A measured line's amount is price per unit x quantity, rounded to the currency's
minor unit **half away from zero** (``ROUND_HALF_UP`` on the absolute value): the
commercial rounding Danish and Icelandic scales print on their labels, and the one
kassi's cash rounding and VAT already use, so the till charges what the scale label
says; a refund is the exact mirror of the sale. ISK has no decimals: the minor unit
is the krona, so 0,512 kg x 2.990 kr/kg = 1530,88 is 1.531 kr.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.errors import InputError
from core.money import amounts as money
from core.text.i18n import _

PIECES = "pcs"
MEASURED = ("kg", "g", "l", "m")
UNITS = (PIECES, *MEASURED)
DECIMALS = 3
MILLI = 10**DECIMALS
MAX_PIECES = 9999
MAX_MEASURED = 9999 * MILLI + (MILLI - 1)  # 9.999,999 kg (or g, l, m) on one line

_LOCAL_SYMBOL = {("da", "DKK"): "kr", ("is", "ISK"): "kr"}
_DIGITS = frozenset("0123456789")


def check_unit(unit: str) -> str:
    """The unit as stored; InputError naming the choices otherwise."""
    value = (unit or "").strip().lower()
    if value not in UNITS:
        raise InputError(
            _("Unknown unit '{unit}'; use one of: {choices}").format(
                unit=unit, choices=", ".join(UNITS)
            )
        )
    return value


def is_measured(unit: str) -> bool:
    return unit != PIECES


def step(unit: str) -> int:
    """How many stored steps make one unit: 1 for pieces, 1000 for a measured unit."""
    return MILLI if is_measured(unit) else 1


def maximum(unit: str) -> int:
    return MAX_MEASURED if is_measured(unit) else MAX_PIECES


def check(qty: int, unit: str) -> None:
    """A stored quantity: an int from one step up to the unit's maximum."""
    if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= maximum(unit):
        if is_measured(unit):
            raise InputError(
                _("Quantity must be more than 0 and at most {max} {unit}.").format(
                    max=format_quantity(MAX_MEASURED, unit, "en"), unit=unit
                )
            )
        raise InputError(
            _("Quantity must be a whole number from 1 to {max}.").format(max=MAX_PIECES)
        )


def parse_quantity(text: str, unit: str, locale: str) -> int:
    """What the cashier typed, in stored steps: "0,512" or "0.512" kg -> 512; "3" pcs -> 3.

    Either "," or "." is the decimal separator (a scale's numpad and a Danish keyboard
    differ); quantities never need a thousands separator, so there is nothing to mix
    up. More than three decimals, zero, a negative or a decimal on pieces is refused.
    ``locale`` writes the example in the message.
    """
    del locale  # both separators are read in every language; kept for the callers' symmetry
    raw = (text or "").strip()
    shown = raw if len(raw) <= 16 else raw[:15] + "\u2026"
    if raw.startswith("-"):
        raise InputError(_("A quantity cannot be negative: '{text}'.").format(text=shown))
    whole, sep, frac = raw.replace(",", ".").partition(".")
    ok = bool(whole or frac) and set(whole) <= _DIGITS and set(frac) <= _DIGITS and "." not in frac
    if not ok or (sep and not frac) or len(whole) > 9:
        raise InputError(
            _("'{text}' is not a quantity; type e.g. {example}.").format(
                text=shown, example="0,512" if is_measured(unit) else "3"
            )
        )
    if sep and not is_measured(unit):
        raise InputError(
            _("'{text}': this item is sold by the piece; type a whole number.").format(text=shown)
        )
    if len(frac) > DECIMALS:
        raise InputError(
            _("'{text}' has {count} decimals; a quantity has at most 3.").format(
                text=shown, count=len(frac)
            )
        )
    qty = int(whole or "0") * step(unit) + (int(frac.ljust(DECIMALS, "0")) if frac else 0)
    if qty == 0:
        raise InputError(_("The quantity cannot be zero."))
    check(qty, unit)
    return qty


def format_quantity(qty: int, unit: str, locale: str) -> str:
    """A stored quantity as a person reads it: "0,512" (da, is), "0.512" (en), "3"."""
    if not is_measured(unit):
        return str(qty)
    sign = "-" if qty < 0 else ""
    whole, frac = divmod(abs(qty), MILLI)
    if unit == "g" and not frac:
        return f"{sign}{whole}"  # a scale weighs in whole grams: "250 g", not "250,000 g"
    decimal = "." if locale == "en" else ","
    return f"{sign}{whole}{decimal}{frac:03d}"


def shown(qty: int, unit: str, locale: str | None = None) -> str:
    """A quantity with its unit for a message or a receipt: "0,512 kg"; pieces bare: "3"."""
    from core.text.i18n import current_language

    lang = locale or current_language()
    text = format_quantity(qty, unit, lang if lang in money.LOCALES else "en")
    return f"{text} {unit}" if is_measured(unit) else text


def to_machine(qty: int, unit: str) -> str:
    """JSON/CSV form: "0.512" for a measured unit, "3" for pieces."""
    return format_quantity(qty, unit, "en")


def from_machine(text: str, unit: str) -> int:
    """Strict inverse of `to_machine` (a transfer file): "-0.512" -> -512; InputError else."""
    body = text[1:] if text.startswith("-") else text
    whole, dot, frac = body.partition(".")
    ok = (
        whole.isascii()
        and whole.isdigit()
        and (whole == "0" or not whole.startswith("0"))
        and len(whole) <= 9
        and (frac.isascii() and frac.isdigit() and len(frac) == DECIMALS) == bool(is_measured(unit))
        and bool(dot) == is_measured(unit)
    )
    if not ok:
        raise InputError(
            _("'{text}' is not a quantity in {unit}; expected e.g. {example}").format(
                text=text, unit=unit, example=to_machine(512 if is_measured(unit) else 3, unit)
            )
        )
    qty = int(whole) * step(unit) + (int(frac) if frac else 0)
    return -qty if text.startswith("-") else qty


def gross(qty: int, unit_price: int, unit: str) -> int:
    """The line's amount before discounts, in minor units: price per unit x quantity,
    rounded half away from zero (module docstring). Exact for pieces."""
    money.check_minor(qty, "qty")
    money.check_minor(unit_price, "unit_price")
    if not is_measured(unit):
        return qty * unit_price
    exact = Decimal(qty) * Decimal(unit_price) / Decimal(MILLI)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def per_unit(price: int, currency: str, locale: str, unit: str) -> str:
    """A price per unit as on a shelf label: "89,95 kr/kg" (da), "DKK 89.95/kg" (en)."""
    amount = money.format_amount(price, currency, locale)
    if locale == "en":
        return f"{currency} {amount}/{unit}"
    return f"{amount} {_LOCAL_SYMBOL.get((locale, currency), currency)}/{unit}"


def for_price(price: int, unit_price: int, unit: str) -> int | None:
    """The quantity (stored steps) whose amount is exactly ``price``, nearest to
    price / unit price; None when no quantity gives that amount (a scale label whose
    price was not made from the till's price per unit)."""
    if unit_price <= 0 or price <= 0 or not is_measured(unit):
        return None
    guess = (price * MILLI + unit_price // 2) // unit_price
    # Each step adds unit_price/1000 minor units: the right one is within a few of the guess.
    for delta in (0, -1, 1, -2, 2, -3, 3):
        q = guess + delta
        if 0 < q <= MAX_MEASURED and gross(q, unit_price, unit) == price:
            return q
    return None
