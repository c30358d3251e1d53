"""Printing from the till: the sale is stored first; a dead printer is a notice with
Reprint, never a lost sale (H-4)."""

from __future__ import annotations

import pytest

from core.store import terminals
from core.text.i18n import translate
from tests.hardware.escpos_decoder import decode, texts
from tests.tui.conftest import login, screen_text, settle, type_text


def da(text: str) -> str:
    """Documents print in the store's language: the demo store is Danish."""
    return translate(text, "da")


pytestmark = pytest.mark.tui


async def sell_one(pilot, app) -> None:
    await type_text(pilot, "1001")
    await pilot.press("enter", "f5", "enter")
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot, app)


async def test_receipt_prints_to_the_terminal_printer(make_app, till_db, tmp_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell_one(pilot, app)
    events = decode((tmp_path / "printer-T1.bin").read_bytes())
    text = "\n".join(texts(events))
    assert da("RECEIPT") in text and "Rugbrød" in text and "T1-1" in text
    assert any(e[0] == "pulse" for e in events), "cash moved: the drawer opens"
    # after_sale printed the job queued with the sale; it queued no second one.
    # P-2: a file sink cannot confirm: the job was sent, unconfirmed.
    assert [tuple(r) for r in till_db.all("SELECT ref, status FROM print_jobs")] == [
        ("receipt:T1:1", "sent")
    ]


async def test_dead_printer_keeps_the_sale_and_offers_reprint(make_app, till_db, tmp_path):
    manager = terminals.get_terminal(till_db, "T1")
    from core.staff import auth

    boss = auth.authenticate(till_db, "1", "1234")
    # A file sink under a regular file can never be written: a printer that is "off".
    terminals.set_printer(till_db, boss, "T1", {**manager.printer, "path": "/etc/hostname/x"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell_one(pilot, app)
        assert till_db.scalar("SELECT COUNT(*) FROM sales WHERE terminal_id = 'T1'") == 1
        assert "Ctrl+R: reprint" in screen_text(app)
        pending = till_db.all("SELECT status FROM print_jobs WHERE terminal_id = 'T1'")
        assert [r["status"] for r in pending] == ["pending"]

        # The printer comes back: Ctrl+R prints the kept receipt, once.
        terminals.set_printer(till_db, boss, "T1", manager.printer)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
    printed = texts(decode((tmp_path / "printer-T1.bin").read_bytes()))
    assert sum("T1-1" in line for line in printed) == 1
    assert till_db.scalar("SELECT COUNT(*) FROM print_jobs WHERE status = 'pending'") == 0


async def test_an_open_drawer_holds_the_next_sale_when_the_terminal_asks(make_app, till_db):
    """With "wait until the drawer is closed", the till refuses items until it reads closed."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        app.hardware.drawer_open = True  # what the drawer worker sets after a cash sale
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await pilot.pause()
        assert "Close the cash drawer" in screen_text(app)
        assert app.screen.lines == []
        app.hardware._drawer_done(True)
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await pilot.pause()
        assert [ln.sku for ln in app.screen.lines] == ["1001"]
