"""Terminals and printers in the back office (SPEC K-6, P-4), at 80x24."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Input, OptionList

from core.store import terminals
from core.text.i18n import translate
from core.tills import pairing
from tests.hardware.escpos_decoder import decode, texts
from tests.tui.conftest import approve, login, screen_text, settle

pytestmark = pytest.mark.tui


async def open_terminals(pilot, app) -> None:
    """Sale screen -> terminal page -> back office -> "Terminals and printers"."""
    from tui.screens.terminal_settings import TerminalSettingsScreen

    await pilot.press("f9", "f9")
    await settle(pilot, app)
    menu = app.screen.query_one(OptionList)
    menu.highlighted = menu.get_option_index("terminals")
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, TerminalSettingsScreen)


def stored(db, terminal: str) -> str:
    return db.one("SELECT printer FROM terminals WHERE id = ?", (terminal,))["printer"]


async def test_a_printer_setting_is_checked_saved_with_a_manager_pin_and_tried(
    make_app, till_db, tmp_path
):
    """P-4/K-6: the back office lists the store's terminals; a wrong setting is refused
    with one line naming the key and nothing stored; a right one is saved with a
    manager's PIN (the cashier lacks config.manage), audited, and F3 prints a test page."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)  # the cashier
        await open_terminals(pilot, app)
        text = screen_text(app)
        assert "T1" in text and "T2" in text and "R1" not in text  # this store's tills only
        await pilot.press("down")  # T2
        await pilot.pause()
        assert app.screen.terminal_id == "T2"
        before = stored(till_db, "T2")
        audits = till_db.scalar("SELECT COUNT(*) FROM audit_log")

        app.screen.query_one("#printer-setting", Input).value = '{"kind": "laser"}'
        await pilot.press("f2")
        await settle(pilot, app)
        assert "Printer setting: `kind` must be one of" in screen_text(app)
        app.screen.query_one("#printer-setting", Input).value = '{"kind": "network", "port": 9}'
        await pilot.press("f2")
        await settle(pilot, app)
        assert "a network printer needs `host`" in screen_text(app)
        assert stored(till_db, "T2") == before
        assert till_db.scalar("SELECT COUNT(*) FROM audit_log") == audits

        sink = tmp_path / "new-T2.bin"
        app.screen.query_one("#terminal-name", Input).value = "Kasse to"
        app.screen.query_one("#printer-setting", Input).value = json.dumps(
            {"kind": "file", "path": str(sink), "width": 48}
        )
        await pilot.press("f2")
        await settle(pilot, app)
        assert "PIN" in screen_text(app)  # the override prompt: a manager approves
        await approve(pilot, "1", "1234")
        await settle(pilot, app)
        assert "Try it: F3 prints a test page" in screen_text(app)
        terminal = terminals.get_terminal(till_db, "T2")
        assert terminal.name == "Kasse to"
        assert terminal.printer == {"kind": "file", "path": str(sink), "width": 48}
        entry = till_db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
        assert entry["action"] == "terminal.update" and entry["staff_id"] == "1"

        await pilot.press("f3")
        await settle(pilot, app)
    printed = "\n".join(texts(decode(sink.read_bytes())))
    assert translate("PRINTER TEST", "da") in printed and "T2" in printed


async def test_f4_pairs_a_thin_client_and_prints_its_url_as_a_qr_code(
    make_app, till_db, tmp_path, monkeypatch
):
    """W-2: F4 pairs a thin client with the chosen terminal (a cashier needs a manager's
    PIN, audited); the URL is shown and printed as a QR code on that terminal's printer,
    never kept as a print job; only the token's hash is stored."""
    monkeypatch.setenv("KASSI_SERVE_URL", "http://butik:8000")
    sink = tmp_path / "T2.bin"
    with till_db.write():
        till_db.execute(
            "UPDATE terminals SET printer = ? WHERE id = 'T2'",
            (json.dumps({"kind": "file", "path": str(sink)}),),
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)  # the cashier
        await open_terminals(pilot, app)
        await pilot.press("down")  # T2
        await pilot.pause()
        await pilot.press("f4")
        await settle(pilot, app)
        assert "PIN" in screen_text(app)
        await approve(pilot, "1", "1234")
        for _ in range(100):
            await settle(pilot, app)
            if "Scan the slip" in screen_text(app):
                break
        text = screen_text(app)
        assert "Sent, unconfirmed" in text and "Scan the slip" in text
    (url,) = [e[1] for e in decode(sink.read_bytes()) if e[0] == "qr"]
    token = url.removeprefix("http://butik:8000/?t=")
    assert token != url and token[:20] in text.replace("\n", "")
    assert pairing.paired_terminal(till_db, token) == "T2"
    assert till_db.scalar("SELECT COUNT(*) FROM print_jobs") == 0
    assert (
        till_db.scalar("SELECT COUNT(*) FROM terminal_pairings WHERE token_hash = ?", (token,)) == 0
    )
    entry = till_db.one("SELECT * FROM audit_log WHERE action = 'terminal.pair'")
    assert entry["terminal_id"] == "T2" and entry["staff_id"] == "1"


async def test_a_malformed_stored_setting_does_not_stop_the_till_and_says_how_to_fix_it(
    make_app, till_db
):
    """P-4: a database stored before settings were checked still opens; the till says
    the setting is wrong and where to correct it; the back office marks it and fixes it."""
    with till_db.write():
        till_db.execute("UPDATE terminals SET printer = ? WHERE id = 'T1'", ('"serial"',))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        said = " ".join(n.message for n in app._notifications)
        assert "Printer setting: expected an object" in said
        assert "Terminals and printers" in said
        await open_terminals(pilot, app)
        table = app.screen.query_one(DataTable)
        assert "wrong" in str(table.get_row("T1"))
        assert "kassi terminal set T1" in screen_text(app)
        app.screen.query_one("#printer-setting", Input).value = '{"kind": "none"}'
        await pilot.press("f2")  # the manager holds config.manage: no PIN prompt
        await settle(pilot, app)
        assert terminals.get_terminal(till_db, "T1").printer == {"kind": "none"}
        assert "wrong" not in str(table.get_row("T1"))


@pytest.mark.parametrize("lang", ["en", "da", "is"])
async def test_the_terminals_screen_fits_80x24_in_every_language(make_app, till_db, lang):
    """C-6: nothing on the screen is cut, whatever the language or the path's length."""
    from tests.tui.fit import cut_texts

    with till_db.write():
        till_db.execute(
            "UPDATE terminals SET name = ?, printer = ? WHERE id = 'T2'",
            ("A very long name for the till by the door", json.dumps({"kind": "laser"})),
        )
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await open_terminals(pilot, app)
        assert cut_texts(app) == []
        await pilot.press("down")  # T2: its wrong setting and how to correct it
        await settle(pilot, app)
        assert cut_texts(app) == []
        app.screen.query_one("#printer-setting", Input).value = '{"kind": "serial"}'
        await pilot.press("f2")
        await settle(pilot, app)
        assert "`device`" in screen_text(app)
        assert cut_texts(app) == []
