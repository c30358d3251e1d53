"""Core documents to ESC/POS bytes, built in memory and sent in one write.

The command bytes are written here rather than through python-escpos' Dummy:
we use about fifteen fixed, well-documented commands; Dummy's text path goes
through the 3.1 "magic encode" that picks wrong Danish code pages, its QR
defaults to a raster image (megabytes of GS v 0 at 9600 baud), and importing
it has side effects (see hardware/_escpos.py). Owning the bytes keeps
rendering pure and fast, and the test decoder can check every byte we emit.

A store logo is the one image: a GS v 0 raster made once, when the logo is set
(hardware/logo.py, through python-escpos), and sent here as stored.
"""

from __future__ import annotations

import codecs

from core.printing.documents import Code, Document
from core.printing.layout import LaidLine, layout

ESC = b"\x1b"
GS = b"\x1d"
DLE = b"\x10"
LF = b"\n"

# code page -> (Python codec, ESC t slot in Epson's standard table, which is
# python-escpos' "default" profile). Other models map slots differently: the
# device config passes the slot from the printer's profile.
CODEPAGES: dict[str, tuple[str, int]] = {
    "CP437": ("cp437", 0),
    "CP850": ("cp850", 2),
    "CP860": ("cp860", 3),
    "CP863": ("cp863", 4),
    "CP865": ("cp865", 5),
    "CP1252": ("cp1252", 16),
    "CP866": ("cp866", 17),
    "CP852": ("cp852", 18),
    "CP858": ("cp858", 19),
    "CP861": ("cp861", 35),
    "ISO_8859-15": ("iso8859_15", 40),
}
_ALIASES = {"WPC1252": "CP1252", "ISO8859-15": "ISO_8859-15", "LATIN-9": "ISO_8859-15"}
_ALIGN = {"left": 0, "center": 1, "right": 2}

# Font A is 12 dots wide: the usual papers are 32 columns on 58 mm (384 dots), 42 on
# 80 mm in 42-column mode (512) and 48 on 80 mm (576). A logo is made for these.
FONT_A = (12, 24)
PAPER_DOTS = {32: 384, 42: 512, 48: 576}


def dots_for(width: int) -> int:
    """The printable width in dots of a printer `width` columns wide (font A)."""
    return PAPER_DOTS.get(width, width * FONT_A[0])


def codepage_name(codepage: str) -> str:
    """Canonical name of a code page ("cp858" -> "CP858"); ValueError if unsupported."""
    name = codepage.strip().upper()
    name = _ALIASES.get(name, name)
    if name not in CODEPAGES:
        raise ValueError(f"unsupported code page {codepage!r}; use one of {', '.join(CODEPAGES)}")
    return name


# Typography a code page may lack, printed as the ASCII look-alike of the same width
# rather than "?" (CP858 has no dashes or curly quotes; receipts say "RECEIPT — COPY").
LOOKALIKES = {
    **dict.fromkeys("\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u2018\u2019\u201a\u201b", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),
    "\u2022": "*",
}


def _lookalike(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chars = exc.object[exc.start : exc.end]
    return "".join(LOOKALIKES.get(c, "?") for c in chars), exc.end


codecs.register_error("kassi-lookalike", _lookalike)


def encode(text: str, codepage: str) -> bytes:
    """Text in the printer's code page; what the page lacks becomes a look-alike
    (dashes, quotes) or "?" (never an error)."""
    codec = CODEPAGES[codepage_name(codepage)][0]
    raw = text.encode(codec, errors="kassi-lookalike")
    # Belt and braces: layout() already replaced control characters, and a byte
    # below 0x20 in the text would be read by the printer as a command.
    return bytes(b if b >= 0x20 else 0x3F for b in raw)


def drawer_pulse(pin: int = 2, on_ms: int = 100, off_ms: int = 100) -> bytes:
    """ESC p m t1 t2: kick the drawer on connector pin 2 or 5; times in 2 ms units."""
    if pin not in (2, 5):
        raise ValueError(f"drawer pin must be 2 or 5, not {pin!r}")
    t1 = min(255, max(1, round(on_ms / 2)))
    t2 = min(255, max(1, round(off_ms / 2)))
    return ESC + b"p" + bytes((0 if pin == 2 else 1, t1, t2))


def status_query(n: int) -> bytes:
    """DLE EOT n: 1 printer, 2 offline cause, 3 error cause, 4 paper sensor."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1..4, not {n!r}")
    return DLE + b"\x04" + bytes((n,))


def _qr(data: str) -> bytes:
    payload = data.encode("utf-8")

    def fn(body: bytes) -> bytes:  # GS ( k pL pH cn=49 fn ...
        n = len(body) + 1
        return GS + b"(k" + bytes((n & 0xFF, n >> 8, 49)) + body

    # Module size 6 keeps a short payload scannable; long ones need smaller
    # modules to stay inside 58 mm paper (384 dots).
    module = 6 if len(payload) <= 60 else 4 if len(payload) <= 200 else 3
    return (
        fn(b"A2\x00")  # fn 65: model 2
        + fn(b"C" + bytes((module,)))  # fn 67: module size
        + fn(b"E1")  # fn 69: error correction M
        + fn(b"P0" + payload)  # fn 80: store
        + fn(b"Q0")  # fn 81: print
    )


def _code128(data: str) -> bytes:
    # "{" starts a code-set switch in function B data, so a literal one is doubled.
    body = b"{B" + data.replace("{", "{{").encode("ascii")
    return (
        GS
        + b"h"
        + bytes((60,))  # height in dots
        + GS
        + b"w"
        + bytes((2,))  # module width: fits 58 mm paper for ~20 chars
        + GS
        + b"H"
        + bytes((0,))  # no HRI: layout prints the payload as text below
        + GS
        + b"k"
        + bytes((73, len(body)))
        + body
    )


def code_bytes(code: Code) -> bytes:
    return _qr(code.data) if code.kind == "qr" else _code128(code.data)


def render_lines(
    lines: list[LaidLine],
    codepage: str = "CP858",
    *,
    cut: bool = True,
    feed: int = 3,
    slot: int | None = None,
    dots: int | None = None,
) -> bytes:
    """ESC/POS for already laid-out lines (see `render`); `dots` is the paper's width
    in dots, which picks the logo's image (no logo without it)."""
    name = codepage_name(codepage)
    n = CODEPAGES[name][1] if slot is None else slot
    if not 0 <= n <= 255:
        raise ValueError(f"code page slot must be 0..255, not {n!r}")
    if not 0 <= feed <= 255:
        raise ValueError(f"feed must be 0..255, not {feed!r}")
    # ESC @ resets the page, so ESC t must follow it; ESC R 0 keeps [ \ ] { | } as
    # ASCII on printers whose memory switch says "Denmark" (which would print Æ Ø Å).
    out = bytearray(ESC + b"@" + ESC + b"R\x00" + ESC + b"t" + bytes((n,)))
    align, bold, size = "left", False, 1  # the state after ESC @
    for line in lines:
        if line.logo is not None:
            # The image was made once, padded to the paper's full width, when the logo was
            # set (hardware/logo.py): here its stored bytes go out as they are.
            raster = line.logo.for_dots(dots) if dots else None
            if raster is not None:
                out += raster
            continue
        if line.align != align:
            align = line.align
            out += ESC + b"a" + bytes((_ALIGN[align],))
        if line.code is not None:
            out += code_bytes(line.code)
        if line.bold != bold:
            bold = line.bold
            out += ESC + b"E" + bytes((int(bold),))
        if line.size != size:
            size = line.size
            out += GS + b"!" + (b"\x11" if size == 2 else b"\x00")
        out += encode(line.text, name) + LF
    if bold:
        out += ESC + b"E\x00"
    if size != 1:
        out += GS + b"!\x00"
    if feed:
        out += ESC + b"d" + bytes((feed,))
    if cut:
        out += GS + b"V\x00"
    return bytes(out)


def render(
    doc: Document,
    width: int,
    codepage: str = "CP858",
    *,
    cut: bool = True,
    feed: int = 3,
    slot: int | None = None,
) -> bytes:
    """The whole document as one ESC/POS stream: init, code page, lines, feed, cut.

    `slot` overrides the ESC t number of `codepage` for printers whose table
    differs from Epson's (take it from the printer's profile).
    """
    return render_lines(
        layout(doc, width), codepage, cut=cut, feed=feed, slot=slot, dots=dots_for(width)
    )
