"""Printable documents: receipts, slips, summaries and reports as pure data.

One document model, several renderers: the screen and the CLI use `to_text`,
the printer uses `hardware.render`. Both go through `layout`, so a line can
never be wider on paper than it was on screen, and no renderer has to know
how to wrap. Documents hold already translated text; nothing here formats
money or decides what a receipt contains.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Literal

from attrs import field, frozen
from attrs.validators import in_, instance_of, optional

from core.text.display import safe_text

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
)
CODE_KINDS = ("qr", "code128")
# 58 mm paper in font A is 32 columns; below 16 a Pair with a price cannot be laid out.
MIN_WIDTH = 16
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


@frozen
class LaidLine:
    """One printed line: `len(text) * size <= width` always holds.

    `code` is set on the first line of a Code block: the printer draws the code
    there, before printing that line's text. `logo` is set on the (empty) line of
    a Logo block: the printer draws the image instead of a text line.
    """

    text: str
    align: str = "left"
    bold: bool = False
    size: int = 1
    code: Code | None = None
    logo: Logo | None = None


def clean(text: str) -> str:
    """Make text safe to lay out and print.

    NFC first, so an "é" typed as e + accent counts (and prints) as one letter.
    "\n" (and CR, U+2028/9) breaks a paragraph, a tab is a space; every other
    control goes through the one sanitizer (R-6): a product name holding
    ``ESC @`` or ``GS V`` must never reach the printer as a command (a stray
    ESC p would open the drawer), nor a terminal through `to_text`. What is
    left that a code page cannot print becomes "?" when it is encoded.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ").replace("\u2028", "\n").replace("\u2029", "\n")
    text = safe_text(text, keep_newlines=True)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cf":  # soft hyphens, zero-width joiners, BOMs: invisible anyway
            continue
        out.append("?" if cat in ("Cs", "Co", "Cn") else ch)
    return "".join(out)


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap into lines of at most `width`; words longer than a line are broken.

    A paragraph that already fits is kept as written (inner spacing included);
    the indent of a paragraph is kept on its first line.
    """
    lines: list[str] = []
    for para in text.split("\n"):
        para = para.rstrip()
        if len(para) <= width:
            lines.append(para)
            continue
        body = para.lstrip(" ")
        indent = para[: len(para) - len(body)]
        if len(indent) > width // 2:
            indent = ""
        cur, has_word = indent, False
        for word in body.split():
            if has_word and len(cur) + 1 + len(word) <= width:
                cur += " " + word
                continue
            if not has_word and len(cur) + len(word) <= width:
                cur += word
                has_word = True
                continue
            if has_word:
                lines.append(cur)
                cur = ""
            # cur is now an indent or empty: break the word over as many lines as it takes
            while len(cur) + len(word) > width:
                room = width - len(cur)
                lines.append(cur + word[:room])
                cur, word = "", word[room:]
            cur += word
            has_word = True
        lines.append(cur)
    return lines


def _text(block: Text, width: int) -> list[LaidLine]:
    room = width // block.size
    text = clean(block.text)
    if block.align != "left":
        text = "\n".join(p.strip() for p in text.split("\n"))
    parts = wrap(text, room) if block.wrap else [p.rstrip()[:room] for p in text.split("\n")]
    return [LaidLine(p, block.align, block.bold, block.size) for p in parts]


def _pair(block: Pair, width: int) -> list[LaidLine]:
    room = width // block.size
    left = " ".join(clean(block.left).split("\n")).rstrip()
    right = " ".join(clean(block.right).split()).strip()

    def line(text: str) -> LaidLine:
        return LaidLine(text, "left", block.bold, block.size)

    label_room = room - len(right) - 1
    # The value shares the first line while the label keeps a usable column
    # (a total split into "I" / "alt" beside a huge amount reads worse than two lines).
    if label_room >= max(1, min(len(left), room // 2)):
        labels = wrap(left, label_room) or [""]
        first = labels[0].ljust(room - len(right)) + right
        return [line(first)] + [line(lab) for lab in labels[1:]]
    # Label above, value flush right below it (broken only if wider than the paper).
    out = [line(lab) for lab in wrap(left, room)] if left else []
    return out + [line(chunk.rjust(room)) for chunk in wrap(right, room)]


def _columns(block: Columns, width: int) -> list[LaidLine]:
    n = len(block.cells)
    room = width - (n - 1)  # one space between columns
    if room < n:
        raise ValueError(f"{n} columns do not fit in {width}")
    fractions = block.widths or tuple(1 / n for _ in range(n))
    sizes = [max(1, int(f * room)) for f in fractions]
    # Whatever rounding left over goes to the first column (the description).
    sizes[0] += room - sum(sizes)
    if sizes[0] < 1:
        raise ValueError(f"columns {block.widths} do not fit in {width}")
    aligns = block.aligns or ("left",) + ("right",) * (n - 1)
    wrapped = [
        wrap(" ".join(clean(c).split()), s) or [""] for c, s in zip(block.cells, sizes, strict=True)
    ]
    rows = max(len(w) for w in wrapped)
    out = []
    for r in range(rows):
        cells = []
        for parts, size, align in zip(wrapped, sizes, aligns, strict=True):
            cell = parts[r] if r < len(parts) else ""
            if align == "right":
                cells.append(cell.rjust(size))
            elif align == "center":
                cells.append(cell.center(size))
            else:
                cells.append(cell.ljust(size))
        out.append(LaidLine(" ".join(cells).rstrip(), "left", block.bold, 1))
    return out


def _code(block: Code, width: int) -> list[LaidLine]:
    parts = wrap(" ".join(clean(block.data).split("\n")), width) or [""]
    return [
        LaidLine(p.strip(), "center", code=block if i == 0 else None) for i, p in enumerate(parts)
    ]


def layout(doc: Document, width: int) -> list[LaidLine]:
    """Lay `doc` out for a printer or screen `width` columns wide."""
    if not isinstance(width, int) or width < MIN_WIDTH:
        raise ValueError(f"width must be an int >= {MIN_WIDTH}, not {width!r}")
    out: list[LaidLine] = []
    for block in doc.all_blocks():
        if isinstance(block, Text):
            out += _text(block, width)
        elif isinstance(block, Pair):
            out += _pair(block, width)
        elif isinstance(block, Columns):
            out += _columns(block, width)
        elif isinstance(block, Rule):
            out.append(LaidLine(clean(block.char)[0] * width))
        elif isinstance(block, Feed):
            out += [LaidLine("") for _ in range(block.lines)]
        elif isinstance(block, Logo):
            out.append(LaidLine("", "center", logo=block))
        else:
            out += _code(block, width)
    return out


def to_text(doc: Document, width: int) -> str:
    """Plain text for the screen and the CLI; double-size lines show at normal size.

    A logo has no text: it is left out (the preview shows it, hardware/preview.py)."""
    rows = []
    for line in layout(doc, width):
        if line.logo is not None:
            continue
        if line.align == "center":
            rows.append((" " * ((width - len(line.text)) // 2) + line.text).rstrip())
        elif line.align == "right":
            rows.append(line.text.rjust(width))
        else:
            rows.append(line.text.rstrip())
    return "\n".join(rows) + "\n"
