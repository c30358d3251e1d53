"""Laying a document (core.printing.documents) out in lines of a given width.

One layout for every renderer: the screen and the CLI use `to_text`, the printer
uses `hardware.render`, and both go through `layout`, so a line can never be
wider on paper than it was on screen, and no renderer has to know how to wrap.
`clean` is where a document's text is made safe to print (R-6).
"""

from __future__ import annotations

import unicodedata

from attrs import frozen

from core.printing.documents import Code, Columns, Document, Feed, Logo, Pair, Rule, Text
from core.text.display import safe_text

# 58 mm paper in font A is 32 columns; below 16 a Pair with a price cannot be laid out.
MIN_WIDTH = 16


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
