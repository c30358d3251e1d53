"""The session report screen (A-1..A-5) at 80x24."""

from __future__ import annotations

import csv

import pytest

from core.money.tendering import TenderInput
from core.staff import auth
from core.tills import sales, sessions
from core.tills.basket import LineInput
from tests.tui.conftest import login, screen_text, settle, type_text
from tui.screens.reports import ReportsScreen

pytestmark = pytest.mark.tui


@pytest.fixture
def history(till_db, clock):
    """Two closed sessions (one short by 2,00, one over by 1,00) and an open one."""
    m = auth.authenticate(till_db, "1", "1234")
    sessions.open_session(till_db, m, "T1", 50000)
    sales.record_sale(till_db, m, "T1", [LineInput("1001", 2)], [TenderInput("cash")])
    clock.advance(hours=2)
    sessions.close_session(till_db, m, "T1", 50000 + 6600 - 200, 50000)
    clock.advance(hours=1)
    sessions.open_session(till_db, m, "T2", 20000)
    clock.advance(hours=1)
    sessions.close_session(till_db, m, "T2", 20100, 20000)
    clock.advance(hours=1)
    sessions.open_session(till_db, m, "T1", 50000)
    return m


async def open_reports(pilot):
    await pilot.press("f9", "f9")
    await pilot.pause()
    await pilot.press("enter")  # first menu entry: the session report
    await pilot.pause()


async def test_report_shows_overviews_and_sorted_list(make_app, history, tmp_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await open_reports(pilot)
        assert isinstance(app.screen, ReportsScreen)
        text = screen_text(app)
        assert "Sessions 3 (1 open)" in text and "over 1" in text and "short 1" in text
        assert "total -1.00" in text
        assert "gross 66.00" in text
        table = app.screen.query_one("#report-list")
        assert table.row_count == 3
        # F5 sorts by total discrepancy, ascending first: the short session on top.
        await pilot.press("f5")
        await pilot.pause()
        first = table.get_row_at(0)
        assert first[2].plain == "T1" and first[4] == "-2.00"
        await pilot.press("f5")
        await pilot.pause()
        assert table.get_row_at(0)[4] == "1.00"

        # Export the selection to CSV: one row per session, read back with csv.
        target = tmp_path / "report.csv"
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, str(target))
        await pilot.press("enter")
        await settle(pilot, app)
        assert "3 sessions exported" in screen_text(app)
        with target.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert sorted(r["total_discrepancy"] for r in rows) == ["-2.00", "0.00", "1.00"]


async def test_cashier_is_refused_the_report(make_app, history):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "2222")
        await open_reports(pilot)
        text = screen_text(app)
        assert "may not see the session report" in text
        assert app.screen.query_one("#report-list").row_count == 0


@pytest.mark.parametrize("lang", ["en", "da", "is"])
async def test_a_cashier_refused_a_report_or_history_is_told_who_may_on_one_line(make_app, lang):
    """C-9: the session report, the statements and the session history refuse a cashier
    with why and who can help, in the operator's language, on one line that fits."""
    from core.text.i18n import translate

    app = make_app(lang=lang)
    expected = {
        "report": translate(
            "{name} may not see the session report: ask a supervisor or manager.", lang
        ).format(name="Kasper Kasserer"),
        "statements": translate("{name} may not manage statements: ask a manager.", lang).format(
            name="Kasper Kasserer"
        ),
    }
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "2222")
        await open_reports(pilot)
        shown = {"report": screen_text(app)}
        await pilot.press("escape", "down", "enter")  # the second entry: statements
        await pilot.pause()
        shown["statements"] = screen_text(app)
        await pilot.press("escape", "escape", "f7")  # the terminal page's session history
        await pilot.pause()
        shown["history"] = screen_text(app)
    for screen, message in expected.items():
        assert lang == "en" or "may not" not in message  # translated
        assert len(message) <= 78, message
        assert any(line.strip() == message for line in shown[screen].splitlines()), screen
