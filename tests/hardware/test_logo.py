"""A store logo (SPEC P-5): a PNG or JPEG checked and converted once, when it is set,
into one GS v 0 image per paper width; every receipt then sends those stored bytes,
and a file that is no logo is refused with one line."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.errors import InputError
from core.money.tendering import TenderInput
from core.printing import logo as store_logo
from core.printing import receipts
from core.printing import sources as print_sources
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput
from hardware import logo as hw_logo
from hardware.render import render
from tests.hardware.escpos_decoder import decode

pytestmark = pytest.mark.hardware


def picture(width: int = 300, height: int = 100, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    img = Image.new(mode, (width, height), "white")
    for x in range(0, width, 4):  # grey stripes: something to dither
        for y in range(height):
            img.putpixel((x, y), (90, 90, 90) if mode == "RGB" else 90)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def set_logo(db, manager, data: bytes, store: str = "NORREBRO"):
    converted = hw_logo.convert(data, name="logo.png")
    store_logo.set_logo(db, manager, store, converted.rasters, source_sha256=converted.sha256)
    return converted


def sell(db, manager, terminal: str = "T1"):
    return sales.record_sale(
        db, manager, terminal, [LineInput("1001", 1)], [TenderInput("card")]
    ).sale


def rasters_in(data: bytes) -> list[tuple]:
    return [e for e in decode(data) if e[0] == "raster"]


def test_a_logo_is_converted_once_and_its_bytes_reused_for_every_receipt(
    db, manager, monkeypatch
) -> None:
    """P-5: dithering happens when the logo is set, once per paper width; receipts send
    the stored bytes as they are (the converter is gone by then)."""
    calls = []
    real = hw_logo._gs_v_0
    monkeypatch.setattr(hw_logo, "_gs_v_0", lambda image: calls.append(image.size) or real(image))
    converted = set_logo(db, manager, picture())
    assert sorted(calls) == [(384, 100), (512, 100), (576, 100)]

    def no_conversion(*_a, **_k):
        raise AssertionError("a receipt re-converted the logo")

    monkeypatch.setattr(hw_logo, "convert", no_conversion)
    monkeypatch.setattr(hw_logo, "_gs_v_0", no_conversion)
    stored = {r["dots"]: bytes(r["raster"]) for r in db.all("SELECT dots, raster FROM store_logos")}
    assert stored == converted.rasters
    first, second = sell(db, manager), sell(db, manager)
    for sale in (first, second):
        doc, _sale = print_sources.sale_document(db, sale.id)
        for width, dots in ((42, 512), (32, 384), (48, 576)):
            data = render(doc, width)
            assert stored[dots] in data
            (image,) = rasters_in(data)
            assert image[2] * 8 == dots and image[3] == 100
    # A refund's receipt carries it too; an X report does not.
    refund = refunds.record_refund(
        db, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")], receipt=("T1", 1)
    ).sale
    doc, _sale = print_sources.sale_document(db, refund.id)
    assert doc.kind == "refund_receipt" and stored[512] in render(doc, 42)
    details = sessions.session_details(db, manager, first.session_id)
    assert not rasters_in(render(receipts.x_report(details, db.now()), 42))


def test_a_big_logo_is_scaled_to_the_paper_and_a_small_one_is_not_enlarged() -> None:
    big = hw_logo.convert(picture(1200, 300))
    assert {d: decode(r)[0][2:4] for d, r in big.rasters.items()} == {
        384: (48, 96),
        512: (64, 128),
        576: (72, 144),
    }
    tall = hw_logo.convert(picture(100, 1000))
    assert all(decode(r)[0][3] == hw_logo.MAX_HEIGHT_DOTS for r in tall.rasters.values())
    small = hw_logo.convert(picture(40, 20, "JPEG"), [30 * 12])
    assert sorted(small.rasters) == [360, 384, 512, 576]
    assert all(decode(r)[0][3] == 20 for r in small.rasters.values())


def test_a_transparent_logo_prints_on_white() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (64, 32), (0, 0, 0, 0)).save(out, "PNG")
    converted = hw_logo.convert(out.getvalue())
    assert all(set(r[8:]) == {0} for r in converted.rasters.values())  # no black dot


def _damaged() -> bytes:
    return picture()[:60]


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("L", (32, 32)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "not a PNG or JPEG"),
        (b"hello, this is text\n", "not a PNG or JPEG"),
        (_gif(), "not a PNG or JPEG"),
        (picture()[:8] + b"\xff" * 40, "damaged PNG"),
        (_damaged(), "damaged PNG"),
        (picture(5000, 10), "5000x10 pixels"),
        (picture(4, 4), "4x4 pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (hw_logo.MAX_FILE_BYTES + 1), "at most 2048 KB"),
    ],
    ids=["empty", "text", "gif", "garbage", "truncated", "too-wide", "too-small", "too-big"],
)
def test_a_file_that_is_no_logo_is_refused_with_one_line(data: bytes, says: str) -> None:
    with pytest.raises(InputError) as err:
        hw_logo.convert(data, name="logo.png")
    assert says in err.value.message and "logo.png" in err.value.message
    assert "\n" not in err.value.message


def test_a_logo_file_that_cannot_be_read_is_named(tmp_path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        hw_logo.read_file(tmp_path / "missing.png")
    with pytest.raises(InputError, match="not a file"):
        hw_logo.read_file(tmp_path)
    (tmp_path / "big.png").write_bytes(b"\x00" * (hw_logo.MAX_FILE_BYTES + 1))
    with pytest.raises(InputError, match="at most 2048 KB"):
        hw_logo.read_file(tmp_path / "big.png")
