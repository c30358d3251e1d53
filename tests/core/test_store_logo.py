"""core.printing.logo (SPEC P-5): the store's logo as stored printer bytes, set and removed
by a manager, each change a signed entry covering the rows; core never images."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from core.audit import verification
from core.errors import InputError, NotFound, PermissionDenied
from core.printing import logo as store_logo
from core.printing.documents import Document, Logo, Text, raster_size
from core.printing.layout import layout, to_text

ROOT = Path(__file__).resolve().parents[2]
SHA = hashlib.sha256(b"logo").hexdigest()


def raster(width_bytes: int, height: int, ink: int = 0xFF) -> bytes:
    return (
        b"\x1dv0\x00" + bytes((width_bytes, 0, height, 0)) + bytes([ink]) * (width_bytes * height)
    )


RASTERS = {384: raster(48, 10), 512: raster(64, 10)}


def test_a_manager_sets_the_logo_and_receipts_get_it_as_a_block(db, manager) -> None:
    """P-5: the stored bytes come back as a Logo block; each change is one signed entry."""
    store_logo.set_logo(db, manager, "NORREBRO", RASTERS, source_sha256=SHA)
    logo = store_logo.logo_block(db, "NORREBRO")
    assert logo.for_dots(512) == RASTERS[512]
    assert logo.for_dots(576) == RASTERS[512]  # the widest that fits
    assert logo.for_dots(400) == RASTERS[384]
    assert logo.for_dots(300) is None  # narrower paper than any image: no logo
    assert store_logo.logo_block(db, "REYKJAVIK") is None
    entry = db.one("SELECT * FROM audit_log WHERE action = 'store.logo_set'")
    assert entry["entity_id"] == "NORREBRO" and SHA in entry["details"]
    assert '"store_logos"' in entry["covers"]
    assert verification.verify(db).ok

    assert store_logo.remove_logo(db, manager, "NORREBRO") is True
    assert store_logo.logo_block(db, "NORREBRO") is None
    assert store_logo.remove_logo(db, manager, "NORREBRO") is False
    assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'store.logo_remove'") == 1
    assert verification.verify(db).ok


def test_a_tampered_logo_shows_in_audit_verify(db, manager) -> None:
    """The logo prints on every receipt: its bytes are covered by the journal."""
    store_logo.set_logo(db, manager, "NORREBRO", RASTERS, source_sha256=SHA)
    db.execute("UPDATE store_logos SET raster = ? WHERE dots = 384", (raster(48, 10, 0x0F),))
    assert not verification.verify(db).ok


def test_only_a_manager_changes_the_logo(db, cashier) -> None:
    with pytest.raises(PermissionDenied):
        store_logo.set_logo(db, cashier, "NORREBRO", RASTERS, source_sha256=SHA)
    with pytest.raises(PermissionDenied):
        store_logo.remove_logo(db, cashier, "NORREBRO")
    assert db.scalar("SELECT COUNT(*) FROM store_logos") == 0


@pytest.mark.parametrize(
    ("rasters", "sha"),
    [
        ({}, SHA),
        ({512: b"not a raster"}, SHA),
        ({512: raster(64, 10)[:-1]}, SHA),  # shorter than its header says
        ({384: raster(64, 10)}, SHA),  # wider than its paper
        ({5000: raster(64, 10)}, SHA),
        ({512: raster(64, 10)}, "abc"),
    ],
    ids=["none", "garbage", "short", "too-wide", "silly-paper", "bad-hash"],
)
def test_unusable_logo_bytes_are_refused_and_nothing_changes(db, manager, rasters, sha) -> None:
    store_logo.set_logo(db, manager, "NORREBRO", RASTERS, source_sha256=SHA)
    with pytest.raises(InputError) as err:
        store_logo.set_logo(db, manager, "NORREBRO", rasters, source_sha256=sha)
    assert "\n" not in err.value.message
    assert store_logo.logo_block(db, "NORREBRO").for_dots(512) == RASTERS[512]


def test_an_unknown_store_is_named(db, manager) -> None:
    with pytest.raises(NotFound):
        store_logo.set_logo(db, manager, "NOPE", RASTERS, source_sha256=SHA)


def test_a_logo_lays_out_as_one_line_and_shows_nothing_as_text() -> None:
    logo = Logo(tuple(RASTERS.items()))
    doc = Document("d", [logo, Text("Shop")], kind="sale_receipt")
    lines = layout(doc, 42)
    assert lines[0].logo is logo and lines[0].text == ""
    assert to_text(doc, 42) == "Shop\n"
    assert raster_size(RASTERS[512]) == (512, 10)


def test_core_stores_the_logo_without_an_imaging_library() -> None:
    """DESIGN layers: the conversion is hardware's; core.printing.logo keeps bytes only."""
    code = (
        "import sys, core.printing.logo, core.printing.sources, core.printing.receipts\n"
        "bad = [m for m in ('PIL', 'escpos', 'qrcode', 'barcode', 'hardware') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
