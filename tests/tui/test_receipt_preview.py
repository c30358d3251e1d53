"""The back office's "Reprint the last receipt" shows the receipt first (SPEC P-5): the
lines decoded from the printer's bytes, F3 saves the picture, F2 prints a copy."""

from __future__ import annotations

import pytest

from core.text.i18n import translate
from tests.hardware.escpos_decoder import decode, texts
from tests.tui.conftest import login, screen_text, sell, settle, type_text

pytestmark = pytest.mark.tui


def da(text: str) -> str:
    """Documents print in the store's language: the demo store is Danish."""
    return translate(text, "da")


async def open_preview(pilot, app) -> None:
    await login(pilot, "1", "1234")
    await pilot.press("f9", "f9")  # terminal page, back office
    await settle(pilot, app)
    menu = app.screen.query_one("#office-menu")
    menu.highlighted = menu.get_option_index("reprint")
    await pilot.press("enter")
    await settle(pilot, app)


async def test_reprint_shows_the_receipt_before_printing_and_saves_its_picture(
    make_app, till_db, tmp_path
):
    """P-5: the screen shows the decoded receipt at 80x24; nothing prints until F2."""
    from PIL import Image

    sell(till_db)
    app = make_app()
    sink = tmp_path / "printer-T1.bin"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_preview(pilot, app)
        text = screen_text(app)
        assert "Receipt preview" in text
        assert da("RECEIPT") in text and "Kassi Købmand" in text
        assert "F2 prints a copy" in text
        assert not sink.exists() or sink.read_bytes() == b""  # looking prints nothing

        await pilot.press("f3")
        await settle(pilot, app)
        target = tmp_path / "shown.png"
        await pilot.press("ctrl+a", "ctrl+k")  # clear the proposed path
        await type_text(pilot, str(target))
        await pilot.press("enter")
        await settle(pilot, app)
        # A long tmp path (longer under xdist) wraps and is cut at 80 columns.
        assert "Picture saved to" in " ".join(screen_text(app).split()) and target.exists()
        with Image.open(target) as picture:
            assert picture.width == 512  # the demo T1 prints 42 columns: 512 dots

        await pilot.press("f2")
        await settle(pilot, app)
    assert any("T1-1" in line for line in texts(decode(sink.read_bytes())))


async def test_reprint_without_a_receipt_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_preview(pilot, app)
        assert "No receipt to reprint yet." in screen_text(app)
        await pilot.press("f3")  # nothing to save: no prompt
        await settle(pilot, app)
        assert "Receipt preview" in screen_text(app)
