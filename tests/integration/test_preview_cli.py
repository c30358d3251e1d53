"""`--png FILE` on `kassi print ...` and `kassi store set S logo=FILE.png` as subprocesses
(SPEC P-5): the picture is written and nothing is printed or queued; a logo is set once
and printed on the next receipt; a bad logo file is one line and changes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.hardware.escpos_decoder import decode, texts
from tests.integration.kassi_command import CASHIER, MANAGER, Till

pytestmark = pytest.mark.integration


def logo_file(path, size=(200, 80)) -> str:
    img = Image.new("RGB", size, "white")
    img.paste((0, 0, 0), (20, 20, size[0] - 20, size[1] - 20))
    img.save(path, "PNG")
    return str(path)


def jobs(till: Till) -> list[tuple]:
    with till.open_db() as db:
        return [tuple(r) for r in db.all("SELECT id, kind, status FROM print_jobs")]


def test_print_receipt_png_writes_the_picture_and_prints_nothing(till: Till, tmp_path) -> None:
    """P-5: the receipt at the printer's width (T1: 42 columns, 512 dots); no paper, no job."""
    till.ok("sale", "--terminal", "T1", "--item", "1001x2", "--pay", "cash=100", *CASHIER)
    before = jobs(till)
    target = tmp_path / "receipt.png"
    out = till.ok("print", "receipt", "1", "--terminal", "T1", "--png", str(target))
    assert "Preview written to" in out and "nothing was printed" in out
    with Image.open(target) as picture:
        assert picture.format == "PNG" and picture.width == 512 and picture.height > 600
    assert till.printed() == b"" and jobs(till) == before

    for args, dots in (
        (("print", "test", "--terminal", "R1"), 576),  # R1 prints 48 columns
        (("print", "x", "--terminal", "T1", *CASHIER), 512),
    ):
        shot = tmp_path / f"{args[1]}.png"
        till.ok(*args, "--png", str(shot))
        with Image.open(shot) as picture:
            assert picture.width == dots
    assert till.printed() == b"" and till.printed("R1") == b"" and jobs(till) == before

    err = till.fails(2, "print", "receipt", "1", "--terminal", "T1", "--png", str(target), "--text")
    assert "--text or --png" in err
    err = till.fails(
        2, "print", "receipt", "1", "--terminal", "T1", "--png", str(tmp_path / "no" / "x.png")
    )
    assert len(err.strip().splitlines()) == 1 and "Cannot write" in err


def test_a_store_logo_is_set_once_and_prints_on_the_next_receipt(till: Till, tmp_path) -> None:
    logo = f"logo={logo_file(tmp_path / 'logo.png')}"
    out = till.ok("store", "set", "NORREBRO", logo, "address=Nørrebrogade 1", *MANAGER)
    assert "logo set" in out and "384, 512, 576" in out and "NORREBRO updated" in out
    with till.open_db() as db:
        stored = {r["dots"]: bytes(r["raster"]) for r in db.all("SELECT * FROM store_logos")}
    till.ok("sale", "--terminal", "T1", "--item", "1002", "--pay", "card", *CASHIER)
    till.ok("print", "receipt", "1", "--terminal", "T1")
    data = till.printed()
    assert any("Nørrebrogade 1" in t for t in texts(decode(data)))
    assert data.count(stored[512]) == 1
    raster = next(e for e in decode(data) if e[0] == "raster")
    assert raster[2] * 8 == 512 and raster[3] == 80

    shot = tmp_path / "with-logo.png"
    till.ok("print", "receipt", "1", "--terminal", "T1", "--png", str(shot))
    with Image.open(shot) as picture:
        grey = picture.convert("L")
        assert grey.getpixel((256, 12 + 40)) < 128  # the logo's black middle, at the top
        assert grey.getpixel((256, 12 + 5)) > 128  # its white border

    out = till.ok("store", "set", "NORREBRO", "logo=", *MANAGER)
    assert "removed" in out
    with till.open_db() as db:
        assert db.scalar("SELECT COUNT(*) FROM store_logos") == 0


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"just text\n", "is not a PNG or JPEG image"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a damaged PNG file"),
        (None, "cannot be read"),
    ],
    ids=["text", "damaged", "missing"],
)
def test_a_bad_logo_file_is_one_line_and_changes_nothing(till: Till, tmp_path, content, says):
    path = tmp_path / "bad.png"
    with till.open_db() as db:
        entries = db.scalar("SELECT COUNT(*) FROM audit_log")
    if content is not None:
        path.write_bytes(content)
    err = till.fails(2, "store", "set", "NORREBRO", f"logo={path}", "track_cash=off", *MANAGER)
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("Warning")]
    assert len(lines) == 1 and says in lines[0] and str(path) in lines[0]
    with till.open_db() as db:
        assert db.scalar("SELECT COUNT(*) FROM store_logos") == 0
        assert db.scalar("SELECT track_cash FROM stores WHERE id = 'NORREBRO'") == 1
        assert db.scalar("SELECT COUNT(*) FROM audit_log") == entries


def test_a_big_photo_is_refused_by_its_size(till: Till, tmp_path) -> None:
    path = tmp_path / "photo.png"
    buf = io.BytesIO()
    Image.new("L", (4100, 20)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    err = till.fails(2, "store", "set", "NORREBRO", f"logo={path}", *MANAGER)
    assert "4100x20 pixels" in err
