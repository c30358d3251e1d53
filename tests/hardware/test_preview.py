"""hardware.preview draws the bytes a printer gets (SPEC P-5): the text laid out, at the
printer's width in dots, in the code page the stream selected, with bold, double
size, codes, images and the cut; an unknown command is a marker, never a crash.
No OCR: the decoded lines are checked, and pixel rows for what only the picture has."""

from __future__ import annotations

import pytest

from core.printing.documents import Document, Logo, Rule, Text
from core.printing.layout import layout
from hardware import preview as pv
from hardware.render import LOOKALIKES, render
from tests.hardware.escpos_decoder import decode, texts

pytestmark = pytest.mark.hardware

NORDIC = "æøå ÆØÅ þð ÞÐ áéíóúý €"
FONTS = [pytest.param(True, id="dejavu-if-present"), pytest.param(None, id="pillow-default")]


def receipt() -> Document:
    return Document(
        "R",
        [
            Text("Smørrebrød & Kaffi ehf.", align="center", bold=True, size=2),
            Text("Þórsgata 1, Reykjavík", align="center"),
            Rule(),
            Text(NORDIC),
            Text("Tak for besøget — takk fyrir komuna!", align="center"),
        ],
        kind="sale_receipt",
        barcode="T1-123",
        qr="kassi:T1:123",
    )


def dark(img, box=None) -> int:
    """Black-ish pixels in `box` (the whole picture without one)."""
    grey = (img.crop(box) if box else img).convert("L")
    return sum(grey.histogram()[:128])


def ink_rows(img, below: int = 128) -> list[int]:
    grey = img.convert("L")
    return [
        y
        for y in range(grey.height)
        if grey.crop((0, y, grey.width, y + 1)).getextrema()[0] < below
    ]


@pytest.mark.parametrize(("width", "dots"), [(32, 384), (42, 512), (48, 576)])
def test_a_receipts_preview_has_its_text_at_the_printers_width(width: int, dots: int) -> None:
    """P-5: the picture is as wide as the paper in dots; its lines are the laid-out text."""
    doc = receipt()
    shown = pv.preview_document(doc, {"kind": "file", "path": "x", "width": width})
    assert shown.image.width == dots == shown.dots
    text = [ln.strip() for ln in shown.lines if not ln.startswith(("[", "--- cut"))]
    laid = [ln.text.translate(str.maketrans(LOOKALIKES)).strip() for ln in layout(doc, width)]
    assert text == laid
    assert NORDIC in text
    assert f"[QR {doc.qr}]" in shown.lines and f"[CODE128 {doc.barcode}]" in shown.lines
    assert shown.lines[-1].startswith("--- cut")
    assert shown.unknown == ()


@pytest.mark.parametrize("font", FONTS)
def test_bold_and_double_size_show_in_the_pixel_rows(font) -> None:
    """Bold prints more ink in the same rows; double size doubles the rows and the width.
    Holds with Pillow's own font too: no system font is needed."""

    def drawn(block: Text):
        return pv.render_preview(
            render(Document("t", [block]), 32, cut=False, feed=0), 384, font=font
        ).image

    plain, bold, double = (
        drawn(Text("HHHH")),
        drawn(Text("HHHH", bold=True)),
        drawn(Text("HHHH", size=2)),
    )
    assert dark(bold) > dark(plain) > 0
    assert ink_rows(bold) == ink_rows(plain)
    rows, rows2 = ink_rows(plain), ink_rows(double)
    assert len(rows2) == pytest.approx(2 * len(rows), abs=2)
    assert dark(double) == pytest.approx(4 * dark(plain), rel=0.1)  # every dot doubled both ways


def test_without_dejavu_the_preview_uses_pillows_font(monkeypatch) -> None:
    monkeypatch.setattr(pv, "FONT_CANDIDATES", ())
    assert pv.font_path() is None
    shown = pv.preview_document(receipt(), {"kind": "file", "path": "x", "width": 42})
    assert shown.image.width == 512 and NORDIC in [ln.strip() for ln in shown.lines]
    assert dark(shown.image) > 0


def test_the_qr_code_is_drawn_with_its_finder_patterns() -> None:
    """The QR's top row is two finder patterns: 7 dark modules (6 dots each) twice."""
    data = render(Document("q", [], qr="kassi:T1:1"), 42, cut=False, feed=0)
    img = pv.render_preview(data, 512).image.convert("L")
    top = ink_rows(img)[0]
    row = [img.getpixel((x, top)) < 128 for x in range(img.width)]
    runs, x = [], 0
    while x < len(row):
        if row[x]:
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(x - start)
        x += 1
    assert runs[0] == 7 * 6 and runs[-1] == 7 * 6


def test_the_barcode_is_drawn_as_bars_of_whole_modules() -> None:
    data = render(Document("b", [], barcode="T1-1"), 42, cut=False, feed=0)
    img = pv.render_preview(data, 512).image.convert("L")
    top = ink_rows(img)[0]
    bars = [x for x in range(img.width) if img.getpixel((x, top + 30)) < 128]
    assert len(bars) > 40 and len(bars) % 2 == 0  # module width 2 (GS w 2)
    assert all(img.getpixel((x, top + 59)) < 128 for x in bars)  # 60 dots high (GS h 60)


def test_a_raster_image_is_drawn_dot_for_dot() -> None:
    """GS v 0: each set bit is one black dot, rows of whole bytes, most significant first."""
    raster = b"\x1dv0\x00" + bytes((2, 0, 2, 0)) + bytes((0b10000001, 0xFF, 0x00, 0b01000000))
    shown = pv.render_preview(b"\x1b@" + raster, 384)
    img = shown.image.convert("L")
    y = pv.MARGIN
    assert [img.getpixel((x, y)) < 128 for x in range(16)] == [True] + [False] * 6 + [True] * 9
    assert [img.getpixel((x, y + 1)) < 128 for x in range(16)] == [False] * 9 + [True] + [False] * 6
    assert "[image 16x2]" in shown.lines


def test_a_logo_prints_its_stored_image_centred_on_the_paper() -> None:
    from hardware.logo import convert

    logo = Logo(tuple(convert(_png(120, 40)).rasters.items()))
    data = render(Document("l", [logo, Text("x")], kind="sale_receipt"), 42, cut=False, feed=0)
    (raster,) = [e for e in decode(data) if e[0] == "raster"]
    assert raster[2] * 8 == 512 and raster[3] == 40  # padded to the paper, never scaled up
    img = pv.render_preview(data, 512).image.convert("L")
    band = (0, pv.MARGIN, 512, pv.MARGIN + 40)
    assert dark(img, band) > 0.9 * 120 * 40  # a black rectangle
    assert dark(img, (0, pv.MARGIN, 190, pv.MARGIN + 40)) == 0  # centred: white margins
    assert dark(img, (322, pv.MARGIN, 512, pv.MARGIN + 40)) == 0


def test_the_wrong_code_page_shows_different_letters() -> None:
    """ESC t 5 is CP865 on Epson's table: þ and ð come out as other letters, as on paper."""
    doc = Document("c", [Text("þð ÞÐ æøå")])
    right = pv.preview_document(doc, {"kind": "file", "path": "x"})
    wrong = pv.preview_document(doc, {"kind": "file", "path": "x", "codepage_slot": 5})
    assert "þð ÞÐ æøå" in right.lines
    assert "þð ÞÐ æøå" not in wrong.lines
    assert any(ln.endswith("æøå") and not ln.startswith("þð") for ln in wrong.lines)


def test_the_printers_profile_decides_what_its_slot_means() -> None:
    """TH230 keeps CP858 in slot 6: the preview reads slot 6 on that model's table, where
    Epson's table would show wrong letters."""
    doc = Document("c", [Text("þð €")])
    shown = pv.preview_document(doc, {"kind": "file", "path": "x", "profile": "TH230"})
    assert "þð €" in shown.lines
    data = render(doc, 42, "CP858", slot=6)
    assert "þð €" not in texts(decode(data, {0: "cp437", 6: "cp437"}))
    assert pv.pages_for("TH230")[6] == "cp858"


def test_an_unknown_command_is_a_marker_not_a_crash() -> None:
    data = b"\x1b@ab\x1bq\x01cd\n\x1d\x99\x01\x1b"
    shown = pv.render_preview(data, 384)
    assert shown.unknown == ("ESC 0x71", "control byte 0x01", "GS 0x99", "control byte 0x01",
                             "truncated 1b")  # fmt: skip
    assert "abcd" in shown.lines
    red = shown.image.convert("RGB")
    assert any(red.getpixel((x, y)) == pv.RED for x in range(3) for y in range(red.height))


def test_the_cut_is_a_dashed_line_across_the_paper() -> None:
    shown = pv.render_preview(b"\x1b@x\n\x1dV\x00", 384)
    img = shown.image.convert("L")
    y = max(ink_rows(img, below=200))
    row = [img.getpixel((x, y)) < 200 for x in range(384)]
    assert row[0] and not row[12] and row[16]  # 8 on, 8 off
    assert shown.lines[-1].startswith("--- cut")


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "black").save(out, "PNG")
    return out.getvalue()
