"""Scale labels: GS1 in-store EAN-13 codes (prefix 20-29) that carry an item and its
weight or price (SPEC K-8, C-1: they arrive from the scanner like any code).

The layout is the shop's own (GS1 leaves prefixes 20-29 to the store), so it is the
store setting ``scale_labels``: comma-separated ``PREFIX=LAYOUT`` entries, where
LAYOUT describes the ten digits between the two-digit prefix and the EAN check digit:

- ``I``: the item code (the item's scale code, or else its SKU),
- ``W``: the weight in grams, or ``P``: the price in the currency's minor unit,
- ``C``: optional GS1 price/weight check digit over 4 or 5 ``W``/``P`` digits.

The layout most Danish and Icelandic scales print, 2x IIIII VVVVV C, is
``21=IIIIIWWWWW`` (weight) or ``22=IIIIIPPPPP`` (price); with the GS1 price check
digit, ``23=IIIICPPPPP``. An empty setting reads no scale labels: a 2x code is then
looked up as an ordinary barcode.

A price label is sold at the label's price: the quantity is the one whose amount at
the item's price per unit is exactly that price (core.money.quantity.for_price). When no
quantity gives it (the scale's price per unit is not the till's), the label is
refused: the shop fixes the price on one of them instead of the till charging a
figure nobody can explain.
"""

from __future__ import annotations

import re

from attrs import frozen

from core.errors import InputError, NotFound
from core.money import quantity
from core.text.i18n import _

WEIGHT = "weight"
PRICE = "price"
_ENTRY = re.compile(r"^(2[0-9])=([ICWP]{10})$")
_GROUPS = re.compile(r"I+|C|W+|P+")

# GS1 General Specifications 7.9.3: weighted results of a digit for each weighting factor.
_TWO_MINUS = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_THREE = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_FIVE_PLUS = (0, 5, 1, 6, 2, 7, 3, 8, 4, 9)
_FIVE_MINUS = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


@frozen
class Layout:
    prefix: str
    pattern: str  # ten characters of I, C, W, P

    @property
    def kind(self) -> str:
        return WEIGHT if "W" in self.pattern else PRICE

    def field(self, code: str, letter: str) -> str:
        body = code[2:12]
        return "".join(d for d, p in zip(body, self.pattern, strict=True) if p == letter)


@frozen
class ScaleLabel:
    """What a scanned label says: the item code, and the grams or the price on it."""

    code: str
    item_code: str
    kind: str  # WEIGHT or PRICE
    value: int  # grams, or minor units


def ean_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit of ``digits`` (weights 3, 1, ... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def price_check_digit(digits: str) -> int:
    """GS1 price/weight check digit over four or five digits (General Specifications 7.9.3)."""
    d = [int(c) for c in digits]
    if len(d) == 4:
        return (_TWO_MINUS[d[0]] + _TWO_MINUS[d[1]] + _THREE[d[2]] + _FIVE_MINUS[d[3]]) * 3 % 10
    if len(d) == 5:
        total = (
            _FIVE_PLUS[d[0]]
            + _TWO_MINUS[d[1]]
            + _FIVE_MINUS[d[2]]
            + _FIVE_PLUS[d[3]]
            + _TWO_MINUS[d[4]]
        )
        return _FIVE_MINUS.index((10 - total % 10) % 10)
    raise ValueError("a price check digit covers 4 or 5 digits")


def parse_layouts(setting: str | None) -> dict[str, Layout]:
    """The store setting as layouts by prefix; InputError naming the bad entry."""
    layouts: dict[str, Layout] = {}
    for raw in (setting or "").split(","):
        entry = raw.strip().upper().replace(" ", "")
        if not entry:
            continue
        m = _ENTRY.match(entry)
        groups = _GROUPS.findall(m[2]) if m else []
        letters = [g[0] for g in groups]
        value = next((g for g in groups if g[0] in "WP"), "")
        ok = (
            m is not None
            and len(letters) == len(set(letters))  # each part in one piece
            and "I" in letters
            and len(value) >= 3
            and ("W" in letters) != ("P" in letters)
            and ("C" not in letters or len(value) in (4, 5))
        )
        if not ok:
            raise InputError(
                _(
                    "Scale label layout '{entry}' is not PREFIX=LAYOUT: a prefix 20-29, then ten"
                    " of I (item), W (grams) or P (price), C (check), e.g. 21=IIIIIWWWWW."
                ).format(entry=raw.strip())
            )
        if m[1] in layouts:
            raise InputError(_("Scale label prefix {prefix} is given twice.").format(prefix=m[1]))
        layouts[m[1]] = Layout(m[1], m[2])
    return layouts


def check_setting(setting: str) -> str:
    """The setting as stored (normalised); InputError if it cannot be read."""
    layouts = parse_layouts(setting)
    return ",".join(f"{p}={lay.pattern}" for p, lay in sorted(layouts.items()))


def read(code: str, setting: str | None) -> ScaleLabel | None:
    """The scale label ``code`` is, by the store's layouts; None when it is no scale
    label (not 13 digits, or a prefix the store does not use for them). A label with a
    wrong check digit is an InputError: a misread, never a guess (C-1)."""
    if len(code) != 13 or not code.isascii() or not code.isdigit():
        return None
    layout = parse_layouts(setting).get(code[:2])
    if layout is None:
        return None
    if ean_check_digit(code[:12]) != int(code[12]):
        raise InputError(
            _("Scale label {code}: the check digit is wrong (a misread); scan it again.").format(
                code=code
            )
        )
    value = layout.field(code, "W" if layout.kind == WEIGHT else "P")
    check = layout.field(code, "C")
    if check and price_check_digit(value) != int(check):
        raise InputError(
            _(
                "Scale label {code}: the price check digit is wrong (a misread); scan it again."
            ).format(code=code)
        )
    if int(value) == 0:
        raise InputError(_("Scale label {code} carries no weight or price.").format(code=code))
    return ScaleLabel(code, layout.field(code, "I"), layout.kind, int(value))


def line_quantity(label: ScaleLabel, unit: str, unit_price: int | None, name: str) -> int:
    """The stored quantity a label sells of an item in ``unit`` at ``unit_price``."""
    if not quantity.is_measured(unit):
        raise InputError(
            _("{item} is sold by the piece; a scale label needs a weighed item.").format(item=name)
        )
    if label.kind == WEIGHT:
        if unit not in ("kg", "g"):
            raise InputError(
                _("{item} is sold by {unit}; a label with a weight cannot sell it.").format(
                    item=name, unit=unit
                )
            )
        grams = label.value
        qty = grams if unit == "kg" else grams * quantity.MILLI
        quantity.check(qty, unit)
        return qty
    if unit_price is None:  # a refund against a receipt: only its own weight can tell
        raise InputError(
            _("A price label cannot be refunded by price; type the weight of {item}.").format(
                item=name
            )
        )
    qty = quantity.for_price(label.value, unit_price, unit)
    if qty is None:
        raise InputError(
            _(
                "Scale label {code}: its price does not come from the till's price of {item};"
                " check the scale's price."
            ).format(code=label.code, item=name)
        )
    return qty


class UnknownScaleItem(NotFound):
    """No active item has the scale code (or SKU) a label names."""
