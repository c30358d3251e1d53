"""Printable documents: receipts, slips, summaries and reports as pure data.

One document model, several renderers: the screen and the CLI use `to_text`,
the printer uses `hardware.render`; both lay a document out through
core.printing.layout. Documents hold already translated text; nothing here formats
money, wraps a line or decides what a receipt contains.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from attrs import field, frozen
from attrs.validators import in_, instance_of, optional

Align = Literal["left", "center", "right"]
ALIGNS = ("left", "center", "right")
SIZES = (1, 2)
KINDS = (
    "sale_receipt",
    "refund_receipt",
    "adjustment_slip",
    "session_summary",
    "history_page",
    "x_report",
    "z_report",
    "test_page",
    "deposit_slip",
    "pairing_slip",
)
CODE_KINDS = ("qr", "code128")
# GS k (function B) carries a one-byte length; QR payloads stay small on purpose:
# a receipt QR is a receipt id or a short URL, and a big one would not fit 58 mm paper.
MAX_CODE128 = 80
MAX_QR = 700


def _bool(_inst: object, attribute: object, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{getattr(attribute, 'name', '?')} must be a bool, not {value!r}")


@frozen
class Text:
    """A paragraph; `size=2` is double height and double width."""

    text: str = field(validator=instance_of(str))
    align: str = field(default="left", validator=in_(ALIGNS))
    bold: bool = field(default=False, validator=_bool)
    size: int = field(default=1, validator=in_(SIZES))
    wrap: bool = field(default=True, validator=_bool)


@frozen
class Pair:
    """A label and a value on one line, the value flush right (totals, payments)."""

    left: str = field(validator=instance_of(str))
    right: str = field(validator=instance_of(str))
    bold: bool = field(default=False, validator=_bool)
    size: int = field(default=1, validator=in_(SIZES))


def _check_columns(inst: Columns, _attribute: object, _value: object) -> None:
    n = len(inst.cells)
    if n == 0:
        raise ValueError("Columns needs at least one cell")
    if inst.widths is not None:
        if len(inst.widths) != n:
            raise ValueError("Columns: one width fraction per cell")
        if any(w <= 0 for w in inst.widths) or sum(inst.widths) > 1.000001:
            raise ValueError("Columns: width fractions must be positive and sum to at most 1")
    if inst.aligns is not None:
        if len(inst.aligns) != n:
            raise ValueError("Columns: one alignment per cell")
        if any(a not in ALIGNS for a in inst.aligns):
            raise ValueError(f"Columns: alignments must be among {ALIGNS}")


def _opt_tuple(value: Iterable[object] | None) -> tuple[object, ...] | None:
    return None if value is None else tuple(value)


@frozen
class Columns:
    """Cells side by side, each wrapped inside its own column.

    `widths` are fractions of the line (None: equal shares); `aligns` default to
    the first cell left and the others right, which suits "item  qty  total".
    """

    cells: tuple[str, ...] = field(converter=tuple, validator=_check_columns)
    widths: tuple[float, ...] | None = field(default=None, converter=_opt_tuple)
    aligns: tuple[str, ...] | None = field(default=None, converter=_opt_tuple)
    bold: bool = field(default=False, validator=_bool)


@frozen
class Rule:
    """A separator across the whole line."""

    char: str = field(default="-", validator=instance_of(str))

    def __attrs_post_init__(self) -> None:
        if len(self.char) != 1 or not self.char.isprintable() or self.char == " ":
            raise ValueError("Rule char must be one visible character")


@frozen
class Feed:
    """Blank lines."""

    lines: int = field(default=1, validator=instance_of(int))

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.lines <= 10:
            raise ValueError("Feed lines must be 1..10")


@frozen
class Code:
    """A QR code or CODE128 barcode; its payload is also laid out as text below it."""

    kind: str = field(validator=in_(CODE_KINDS))
    data: str = field(validator=instance_of(str))

    def __attrs_post_init__(self) -> None:
        if not self.data:
            raise ValueError("Code data must not be empty")
        if self.kind == "code128":
            # Code set B: printable ASCII only, or the printer prints garbage or nothing.
            if len(self.data) > MAX_CODE128 or any(not " " <= c <= "~" for c in self.data):
                raise ValueError(f"CODE128 data must be 1..{MAX_CODE128} printable ASCII chars")
        elif len(self.data.encode("utf-8")) > MAX_QR:
            raise ValueError(f"QR data must be at most {MAX_QR} bytes")


# GS v 0: the only raster command kassi sends. A logo's image is made once, when it
# is set (hardware/logo.py), and stored as these bytes; the document carries them so
# rendering a receipt never re-converts an image.
RASTER_HEAD = b"\x1dv0"
MAX_LOGO_BYTES = 64 * 1024


def raster_size(raster: bytes) -> tuple[int, int]:
    """(width, height) in dots of one GS v 0 image; ValueError if it is not exactly one."""
    if not isinstance(raster, bytes) or len(raster) < 8 or not raster.startswith(RASTER_HEAD):
        raise ValueError("a logo raster is one GS v 0 image")
    mode, xl, xh, yl, yh = raster[3:8]
    width_bytes, height = xl + (xh << 8), yl + (yh << 8)
    if mode not in (0, 48) or not width_bytes or not height:
        raise ValueError("a logo raster is a normal-density GS v 0 image")
    if len(raster) != 8 + width_bytes * height:
        raise ValueError("a logo raster's length does not match its size")
    return width_bytes * 8, height


def _check_rasters(_inst: object, _attribute: object, value: tuple) -> None:
    if not value:
        raise ValueError("Logo needs at least one raster")
    for item in value:
        dots, raster = item
        if not isinstance(dots, int) or not 128 <= dots <= 1024:
            raise ValueError(f"Logo paper width must be 128..1024 dots, not {dots!r}")
        if len(raster) > MAX_LOGO_BYTES:
            raise ValueError(f"a logo raster is at most {MAX_LOGO_BYTES} bytes")
        width, _height = raster_size(raster)
        if width > dots:
            raise ValueError(f"a logo raster of {width} dots is wider than its paper ({dots})")


def _sorted_rasters(value: Iterable[tuple[int, bytes]]) -> tuple[tuple[int, bytes], ...]:
    return tuple(sorted((int(d), bytes(r)) for d, r in value))


@frozen
class Logo:
    """The store's logo, ready to print: one GS v 0 image per paper width in dots.

    The printer takes the image made for its width, or else the widest one that
    still fits; on paper narrower than all of them the logo is left out.
    """

    rasters: tuple[tuple[int, bytes], ...] = field(
        converter=_sorted_rasters, validator=_check_rasters, repr=False
    )

    def for_dots(self, dots: int) -> bytes | None:
        fitting = [raster for width, raster in self.rasters if width <= dots]
        return fitting[-1] if fitting else None


Block = Text | Pair | Columns | Rule | Feed | Code | Logo
_BLOCK_TYPES = (Text, Pair, Columns, Rule, Feed, Code, Logo)


def _check_blocks(_inst: object, _attribute: object, value: tuple[object, ...]) -> None:
    for block in value:
        if not isinstance(block, _BLOCK_TYPES):
            raise TypeError(f"not a document block: {block!r}")


@frozen
class Document:
    """A printable document.

    `title` names it (screen heading, print history) and is not laid out: put the
    heading the paper should show into `blocks`. `barcode` (CODE128) and `qr`
    payloads are laid out after the blocks, centred, barcode first.
    """

    title: str = field(validator=instance_of(str))
    blocks: tuple[Block, ...] = field(converter=tuple, validator=_check_blocks)
    kind: str = field(default="test_page", validator=in_(KINDS))
    barcode: str | None = field(default=None, validator=optional(instance_of(str)))
    qr: str | None = field(default=None, validator=optional(instance_of(str)))

    def all_blocks(self) -> tuple[Block, ...]:
        extra: list[Block] = []
        if self.barcode:
            extra.append(Code("code128", self.barcode))
        if self.qr:
            extra.append(Code("qr", self.qr))
        return self.blocks + tuple(extra)
