"""Our ESC/POS bytes against python-escpos' own, through its Dummy printer (SPEC P-1).

hardware/render.py writes the bytes itself only where escpos 3.1 is wrong for
us (its "magic encode" text path); everything else must be the bytes escpos
sends, or differ on purpose, asserted here with the reason.
"""

from __future__ import annotations

import pytest

from core.printing.documents import Code, Document, Text
from hardware import render as esc
from hardware._escpos import import_escpos

pytestmark = pytest.mark.hardware

LETTERS = "æøåÆØÅþðáéíóúý€"


def dummy():
    return import_escpos().Dummy()


@pytest.mark.parametrize("pin", [2, 5])
def test_the_drawer_pulse_is_escpos_cashdraw(pin: int) -> None:
    d = dummy()
    d.cashdraw(pin)
    assert esc.drawer_pulse(pin, on_ms=100, off_ms=100) == d.output  # ESC p m 50 50


def test_the_cut_is_escpos_cut_with_our_feed() -> None:
    d = dummy()
    d.cut()
    doc = Document("t", [Text("x")])
    # The same full cut (GS V 0) after a feed (ESC d n): escpos always feeds 6
    # lines; our renderer's feed is a parameter, 3 by default (half the paper
    # wasted per receipt). With feed=6 the tail is escpos' bytes exactly.
    assert d.output == b"\x1bd\x06\x1dV\x00"
    assert esc.render(doc, 32, feed=6).endswith(d.output)
    assert esc.render(doc, 32).endswith(b"\x1bd\x03\x1dV\x00")


def test_the_code_page_is_escpos_charcode() -> None:
    d = dummy()
    d.charcode("CP858")
    ours = esc.render(Document("t", [Text("x")]), 32, "CP858")
    assert d.output == b"\x1bt\x13"  # ESC t 19
    assert d.output in ours
    # ... sent after ESC @ (which resets the page) and ESC R 0 (ASCII brackets on
    # printers set to "Denmark"): ESC @, ESC R 0, ESC t 19.
    assert ours.startswith(b"\x1b@\x1bR\x00" + d.output)


def test_text_in_cp858_is_escpos_text_after_charcode() -> None:
    d = dummy()
    d.charcode("CP858")
    d.text(LETTERS + "\n")
    assert d.output == b"\x1bt\x13" + esc.encode(LETTERS, "CP858") + b"\n"


def test_escpos_magic_encode_is_why_we_render_text_ourselves() -> None:
    """Without a fixed code page, escpos 3.1 hops between pages letter by letter
    (and would lose the page after ESC @): the documented reason to keep our renderer."""
    d = dummy()
    d.text(LETTERS + "\n")
    assert d.output.count(b"\x1bt") > 1
    assert d.output != esc.encode(LETTERS, "CP858") + b"\n"


def test_code128_is_escpos_barcode_without_its_alignment_and_font() -> None:
    d = dummy()
    d.barcode("{BKASSI-1234", "CODE128", height=60, width=2, pos="OFF", function_type="B")
    ours = esc.code_bytes(Code("code128", "KASSI-1234"))
    # escpos adds ESC a 1 (centre: our layout sets the alignment per line) and
    # GS f 0 (the HRI font: we print no HRI, the layout prints the text below).
    assert d.output == b"\x1ba\x01\x1dh<\x1dw\x02\x1df\x00\x1dH\x00\x1dkI\x0c{BKASSI-1234"
    assert ours == d.output.replace(b"\x1ba\x01", b"").replace(b"\x1df\x00", b"")


def test_native_qr_is_escpos_qr() -> None:
    url = "https://kassi.example/r/7"
    d = dummy()
    d.qr(url, native=True, size=6, ec=1, model=2)  # error correction M, module 6
    assert esc.code_bytes(Code("qr", url)) == d.output


def test_escpos_default_qr_is_an_image_which_is_why_we_send_native_qr() -> None:
    d = dummy()
    d.qr("https://kassi.example/r/7")  # native=False: a raster image
    assert b"\x1dv0" in d.output and len(d.output) > 10 * len(
        esc.code_bytes(Code("qr", "https://kassi.example/r/7"))
    )
