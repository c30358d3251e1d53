"""The bytes a printer would get, drawn as the paper would show them (SPEC P-5).

`render_preview` reads an ESC/POS stream with the one decoder
(hardware/escpos_decode.py, lenient) and draws it at the printer's width in
dots: text in a 12x24-dot cell per character (font A) with bold and double
size, decoded through the code page the stream selected on the printer's own
ESC t table (so a wrong code page shows as wrong letters), QR codes, CODE128
bars, GS v 0 images, and a cut as a dashed line. A command the decoder does not
know shows as a red marker, never an error. The same walk gives the decoded
lines, for a screen that shows the receipt as text.

Pure: bytes in, a Pillow image and lines out; nothing is printed or queued.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from attrs import frozen

from core.printing.documents import Document
from hardware import render as esc
from hardware.escpos_decode import EPSON_PAGES, decode

CELL_W, CELL_H = esc.FONT_A
LINE_GAP = 6  # the default line spacing is 30 dots: a 24-dot character and 6 between lines
MARGIN = 12
# Where fonts-dejavu (Debian, Fedora, Arch, Homebrew) puts the monospace font; without
# it Pillow's own font is used, which is not monospace but each letter still gets its cell.
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
    "/usr/local/share/fonts/DejaVuSansMono.ttf",
    "/opt/homebrew/share/fonts/DejaVuSansMono.ttf",
)
BLACK, WHITE, RED, GREY = (0, 0, 0), (255, 255, 255), (200, 0, 0), (150, 150, 150)
_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


@frozen
class Preview:
    """The drawn receipt, its decoded lines, and the paper's width in dots."""

    image: Any  # PIL.Image.Image
    lines: tuple[str, ...]
    dots: int
    unknown: tuple[str, ...] = ()

    def save_png(self, path: str | Path) -> None:
        self.image.save(path, format="PNG")


def codec_for(name: str) -> str | None:
    """The Python codec of a code page as python-escpos' profiles name it, if Python has one."""
    upper = name.strip().upper()
    if upper in esc.CODEPAGES:
        return esc.CODEPAGES[upper][0]
    for candidate in (upper.lower(), upper.lower().replace("_", "").replace("-", "")):
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return None


def pages_for(profile: str | None) -> dict[int, str]:
    """ESC t slot -> codec as the printer model maps them (Epson's table without a profile)."""
    if not profile:
        return dict(EPSON_PAGES)
    from hardware._escpos import profile_codepages

    pages = {}
    for name, slot in profile_codepages(profile).items():
        codec = codec_for(name)
        if codec is not None:
            pages.setdefault(slot, codec)
    return pages or dict(EPSON_PAGES)


@cache
def _font(path: str | None) -> Any:
    from PIL import ImageFont

    # Font size 20 gives DejaVu Sans Mono a 12-dot advance and a 24-dot line: font A.
    if path is not None:
        return ImageFont.truetype(path, 20)
    try:
        return ImageFont.load_default(size=20)
    except (TypeError, ImportError, OSError):  # Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


def font_path() -> str | None:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


@cache
def _glyph(char: str, bold: bool, path: str | None) -> Any:
    """One character in its 12x24 cell ("L", black ink on white); bold is printed twice,
    one dot apart, as the printer's emphasis does."""
    from PIL import Image, ImageDraw

    tile = Image.new("L", (CELL_W, CELL_H), 255)
    draw = ImageDraw.Draw(tile)
    font = _font(path)
    try:
        left, _top, right, _bottom = draw.textbbox((0, 0), char, font=font)
    except (UnicodeEncodeError, ValueError):
        char, (left, right) = "?", (0, CELL_W)
    x = (CELL_W - (right - left)) // 2 - left
    for dx in (0, 1) if bold else (0,):
        draw.text((x + dx, 0), char, fill=0, font=font)
    return tile


class _Paper:
    """Drawing steps collected top to bottom; the image is made once the height is known."""

    def __init__(self, dots: int, columns: int, font: str | None) -> None:
        self.dots, self.columns, self.font = dots, columns, font
        self.steps: list[tuple[int, int, Callable[[Any, int], None]]] = []  # (y, height, draw)
        self.y = MARGIN
        self.lines: list[str] = []
        self.unknown: list[str] = []
        self.align, self.bold, self.size = "left", False, (1, 1)
        self.line: list[tuple[str, bool, tuple[int, int]]] = []
        self.bar_state = {"barcode_height": 162, "barcode_width": 3, "hri": 0}
        self.qr_state = {"qr_size": 3, "qr_ec": 48}

    def add(self, height: int, draw: Callable[[Any, int], None]) -> None:
        self.steps.append((self.y, height, draw))
        self.y += height

    def x_for(self, width: int) -> int:
        room = max(0, self.dots - width)
        return {"left": 0, "center": room // 2, "right": room}[self.align]

    def note(self, text: str, wide: int) -> None:
        """A shown line, placed in the paper's columns the way the printer places it
        (`wide`: the columns it takes on paper, twice its length in double width)."""
        room = max(0, self.columns - wide)
        pad = {"left": 0, "center": room // 2, "right": room}[self.align]
        self.lines.append((" " * pad + text).rstrip())

    # -- text ----------------------------------------------------------------------------

    def chunk(self, text: str) -> None:
        self.line += [(c, self.bold, self.size) for c in text]

    def end_line(self, text: str) -> None:
        self.chunk(text)
        cells, self.line = self.line, []
        height = max([h for _c, _b, (_w, h) in cells] or [1]) * CELL_H + LINE_GAP
        width = sum(w for _c, _b, (w, _h) in cells) * CELL_W
        x0 = self.x_for(width)
        self.note("".join(c for c, _b, _s in cells), sum(w for _c, _b, (w, _h) in cells))
        font, bottom = self.font, height - LINE_GAP

        def draw(img: Any, y: int) -> None:
            x = x0
            for char, bold, (w, h) in cells:
                tile = _glyph(char, bold, font)
                if (w, h) != (1, 1):  # the printer doubles the dots of each character
                    tile = tile.resize((CELL_W * w, CELL_H * h), 0)  # 0: nearest
                img.paste(tile, (x, y + bottom - CELL_H * h))
                x += CELL_W * w

        self.add(height, draw)

    # -- codes and images ----------------------------------------------------------------

    def qr(self, payload: str) -> None:
        import qrcode

        code = qrcode.QRCode(border=0, error_correction=_qr_level(self.qr_state["qr_ec"]))
        code.add_data(payload.encode("utf-8"))
        code.make(fit=True)
        matrix = code.get_matrix()
        module = max(1, min(16, self.qr_state["qr_size"]))
        side = len(matrix) * module
        x0 = self.x_for(side)
        self.lines.append(f"[QR {payload}]")

        def draw(img: Any, y: int) -> None:
            from PIL import ImageDraw

            pen = ImageDraw.Draw(img)
            for r, row in enumerate(matrix):
                for c, dark in enumerate(row):
                    if dark:
                        x, yy = x0 + c * module, y + r * module
                        pen.rectangle((x, yy, x + module - 1, yy + module - 1), fill=BLACK)

        self.add(side + LINE_GAP, draw)

    def code128(self, payload: str) -> None:
        from barcode import Code128

        modules = Code128(payload).build()[0]
        unit = max(1, min(6, self.bar_state["barcode_width"]))
        height = max(1, self.bar_state["barcode_height"])
        x0 = self.x_for(len(modules) * unit)
        self.lines.append(f"[CODE128 {payload}]")

        def draw(img: Any, y: int) -> None:
            from PIL import ImageDraw

            pen = ImageDraw.Draw(img)
            for i, bit in enumerate(modules):
                if bit == "1":
                    x = x0 + i * unit
                    pen.rectangle((x, y, x + unit - 1, y + height - 1), fill=BLACK)

        self.add(height + LINE_GAP, draw)

    def raster(self, mode: int, width_bytes: int, height: int, data: bytes) -> None:
        from PIL import Image, ImageOps

        # GS v 0: a set bit is a black dot; Pillow's "1" mode reads a set bit as white.
        picture = ImageOps.invert(
            Image.frombytes("1", (width_bytes * 8, height), data).convert("L")
        )
        sx, sy = (2 if mode & 1 else 1), (2 if mode & 2 else 1)
        if (sx, sy) != (1, 1):
            picture = picture.resize((picture.width * sx, picture.height * sy), 0)
        x0 = self.x_for(picture.width)
        self.lines.append(f"[image {width_bytes * 8}x{height}]")
        self.add(picture.height, lambda img, y: img.paste(picture.convert("RGB"), (x0, y)))

    def cut(self) -> None:
        self.lines.append("-" * 3 + " cut " + "-" * max(0, self.columns - 8))

        def draw(img: Any, y: int) -> None:
            from PIL import ImageDraw

            pen = ImageDraw.Draw(img)
            for x in range(0, self.dots, 16):
                pen.line((x, y + 8, x + 8, y + 8), fill=GREY, width=2)

        self.add(24, draw)

    def marker(self, text: str) -> None:
        self.unknown.append(text)
        self.lines.append(f"[? {text}]")
        label = f"[? {text}]"[: max(1, self.dots // CELL_W)]

        def draw(img: Any, y: int) -> None:
            from PIL import ImageDraw

            pen = ImageDraw.Draw(img)
            pen.rectangle((0, y, self.dots - 1, y + CELL_H + 1), outline=RED, width=2)
            pen.text((4, y + 2), label, fill=RED, font=_font(self.font))

        self.add(CELL_H + LINE_GAP, draw)

    def image(self) -> Any:
        from PIL import Image

        img = Image.new("RGB", (self.dots, self.y + MARGIN), WHITE)
        for y, _height, draw in self.steps:
            draw(img, y)
        return img


def _qr_level(ec: int) -> int:
    from qrcode import constants

    return getattr(constants, f"ERROR_CORRECT_{_EC.get(ec, 'M')}")


def render_preview(
    data: bytes,
    dots: int,
    *,
    pages: dict[int, str] | None = None,
    columns: int | None = None,
    font: str | None | bool = True,
) -> Preview:
    """Draw an ESC/POS stream on paper `dots` wide. `pages` is the printer's ESC t table
    (Epson's without one); `font` True finds DejaVu Sans Mono, None uses Pillow's own."""
    path = font_path() if font is True else (font or None)
    paper = _Paper(dots, columns or max(1, dots // CELL_W), path)
    for event in decode(data, pages, strict=False):
        kind = event[0]
        if kind == "text":
            paper.end_line(event[1])
        elif kind == "chunk":
            paper.chunk(event[1])
        elif kind == "init":
            paper.align, paper.bold, paper.size = "left", False, (1, 1)
        elif kind == "align":
            paper.align = event[1]
        elif kind == "bold":
            paper.bold = event[1]
        elif kind == "size":
            paper.size = (min(8, event[1]), min(8, event[2]))
        elif kind == "feed":
            paper.y += event[1] * (CELL_H + LINE_GAP)
        elif kind == "cut":
            paper.cut()
        elif kind in paper.bar_state:
            paper.bar_state[kind] = event[1]
        elif kind in paper.qr_state:
            paper.qr_state[kind] = event[1]
        elif kind == "qr":
            paper.qr(event[1])
        elif kind == "code128":
            paper.code128(event[1])
        elif kind == "raster":
            paper.raster(*event[1:])
        elif kind == "unknown":
            paper.marker(event[1])
        # init of the code page, ESC R, the drawer pulse and status queries draw nothing
    return Preview(paper.image(), tuple(paper.lines), dots, tuple(paper.unknown))


def preview_document(doc: Document, printer: dict[str, Any] | None = None) -> Preview:
    """`doc` as the terminal's printer would print it: the bytes `hardware.render` makes
    for that printer's width, code page and slot, decoded on its model's table."""
    from hardware.device import PrinterConfigError, codepage_slot, validate_config

    try:
        cfg = validate_config(dict(printer or {"kind": "none"}))
    except PrinterConfigError:
        cfg = validate_config({"kind": "none"})
    data = esc.render(doc, cfg["width"], cfg["codepage"], slot=codepage_slot(cfg))
    return render_preview(
        data, esc.dots_for(cfg["width"]), pages=pages_for(cfg.get("profile")), columns=cfg["width"]
    )
