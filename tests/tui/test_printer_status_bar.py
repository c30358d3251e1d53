"""The till's status bar says what the printer reports (SPEC P-6): "Paper low", "Cover
open", "Printer offline", "Paper out"; from the print that just happened, else from the
poll that runs with the auto retry, in a worker. The printer is core's FakePrinter."""

from __future__ import annotations

import pytest

from core.printing.port import PrinterState
from tests.core.test_printing_support import FakePrinter, factory
from tests.tui.conftest import login, screen_text, settle, type_text

pytestmark = pytest.mark.tui


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakePrinter:
    printer = FakePrinter()
    printer.state = PrinterState(online=True, paper_near_end=True)
    monkeypatch.setattr("tui.hardware_bridge.default_printers", lambda: factory(printer))
    return printer


def top_line(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_the_status_bar_shows_what_the_printer_reports(make_app, till_db, fake) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await settle(pilot, app)
        assert "Paper low" in top_line(app)  # polled when the till opened
        assert app.staff.name in top_line(app)  # the warning never pushes the name off (C-6)

        fake.state = PrinterState(online=True, cover_open=True)
        await type_text(pilot, "1001")
        await pilot.press("enter", "f5", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Cover open" in top_line(app)  # the print's own answer, no extra poll
        assert "Paper low" not in top_line(app)
        assert "Ctrl+R: reprint" in screen_text(app)

        fake.state = PrinterState(online=True)  # cover shut
        app.hardware._auto_retry()  # the 30 s timer: prints the kept receipt
        await settle(pilot, app)
        assert not any(w in top_line(app) for w in ("Cover open", "Paper low", "offline"))
        assert till_db.scalar("SELECT status FROM print_jobs") == "printed"

        fake.state = PrinterState(online=True, paper_out=True)
        app.hardware._auto_retry()  # nothing waiting: it asks the printer
        await settle(pilot, app)
        assert "Paper out" in top_line(app)

        fake.state = PrinterState(False, error="No answer from the printer", reason="no_answer")
        app.hardware._auto_retry()
        await settle(pilot, app)
        assert "Printer offline" in top_line(app)


async def test_the_back_office_retry_says_which_jobs_the_printer_confirmed(
    make_app, till_db, fake
) -> None:
    """SPEC P-2: "printed (confirmed by the printer)" only for confirmed jobs."""
    fake.script = ["refuse", "refuse"]  # the sale's receipt, then the next sale's
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        for _ in range(2):
            await type_text(pilot, "1001")
            await pilot.press("enter", "f5", "enter")
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot, app)
        assert till_db.scalar("SELECT COUNT(*) FROM print_jobs WHERE status = 'pending'") == 2
        fake.script = ["confirm", "unconfirmed"]
        await pilot.press("f9", "f9")  # terminal page, back office
        await pilot.pause()
        menu = app.screen.query_one("#office-menu")
        menu.highlighted = menu.get_option_index("retry")  # print waiting receipts again
        await pilot.press("enter")
        await settle(pilot, app)
        text = " ".join(screen_text(app).split())
        assert "Printer offline" not in top_line(app)  # the retry's own answer
    assert "1 pending print job printed (confirmed by the printer)." in text
    assert "1 pending print job sent, unconfirmed (this printer cannot confirm)." in text
