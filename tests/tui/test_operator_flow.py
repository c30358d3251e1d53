"""The whole operator flow at 80x24, keyboard only, checked against the database."""

from __future__ import annotations

import pytest
from textual.widgets import Digits

from core.printing.layout import to_text
from tests.tui.conftest import login, screen_text, settle, type_text
from tui.widgets.document_view import DocumentView

pytestmark = pytest.mark.tui


def scalar(db, sql, *params):
    return db.scalar(sql, params)


async def test_full_session_from_login_to_history(make_app, till_db):
    """S-3, S-5, S-6, S-7, S-8, S-9 driven through the screens like a cashier would."""
    db = till_db
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "2222")
        assert app.staff is not None and app.staff.id == "2"

        # Start session with a float and a note (S-3).
        await pilot.press("f9", "f2")
        await type_text(pilot, "500.00")
        await pilot.press("enter")
        await type_text(pilot, "morning float")
        await pilot.press("enter")
        await pilot.pause()
        row = db.one("SELECT * FROM sessions WHERE terminal_id = 'T1' AND status = 'open'")
        assert row["opening_float"] == 50000 and row["open_note"] == "morning float"
        assert row["opened_by"] == "2" and row["opened_auto"] == 0
        session_id = row["id"]
        await pilot.press("escape")

        # Cash sale with change: 3 x 32.95 + 9.95 = 108.80 -> 109.00 in cash; 200 handed over.
        await type_text(pilot, "3*1001")
        await pilot.press("enter")
        await type_text(pilot, "1013")
        await pilot.press("enter", "f5")
        await type_text(pilot, "200")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#change", Digits).value == "91.00"  # shown large
        await pilot.press("enter")
        await settle(pilot, app)
        sale = db.one("SELECT * FROM sales WHERE terminal_id = 'T1' ORDER BY id DESC LIMIT 1")
        assert (sale["total"], sale["rounding"], sale["change_given"]) == (10880, 20, 9100)
        assert sale["session_id"] == session_id
        cash = db.one("SELECT amount, tendered FROM payments WHERE sale_id = ?", (sale["id"],))
        assert (cash["amount"], cash["tendered"]) == (10900, 20000)

        # Card sale: F2 is the first non-cash tender (card), for the rest.
        await type_text(pilot, "1007")
        await pilot.press("enter", "f5", "f2")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        card = db.one(
            "SELECT p.tender_id, p.amount FROM payments p JOIN sales s ON s.id = p.sale_id"
            " WHERE s.receipt_no = 2 AND s.terminal_id = 'T1'"
        )
        assert (card["tender_id"], card["amount"]) == ("card", 5900)

        # Add cash, then remove cash, each with a note (S-6).
        await pilot.press("f9", "f3")
        await type_text(pilot, "100")
        await pilot.press("enter")
        await type_text(pilot, "coins from the safe")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f4")
        await type_text(pilot, "250")
        await pilot.press("enter")
        await type_text(pilot, "to the safe")
        await pilot.press("enter")
        await settle(pilot, app)
        adjustments = db.all(
            "SELECT kind, amount, note, staff_id FROM cash_adjustments"
            " WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        assert [tuple(a) for a in adjustments] == [
            ("add", 10000, "coins from the safe", "2"),
            ("remove", 25000, "to the safe", "2"),
        ]

        # Close with a discrepancy (S-8): expected 500 + 109 + 100 - 250 = 459.00; count 455.50.
        await pilot.press("f5")
        await type_text(pilot, "455.50")
        await pilot.press("enter")  # counted cash -> card declaration field
        await type_text(pilot, "59.00")
        await pilot.press("enter")  # -> cash summary
        await pilot.pause()
        summary = screen_text(app)
        assert "459.00" in summary and "-3.50" in summary
        await pilot.press("enter")  # -> amount to leave (defaults to the float)
        await type_text(pilot, "400")
        await pilot.press("enter")  # -> confirm cash to remove
        await pilot.pause()
        assert "55.50" in screen_text(app)
        await pilot.press("enter")  # confirm: closes
        await pilot.pause()
        assert "5/5  Session summary" in screen_text(app)  # the closer may review it (S-8)
        closed = db.one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        assert closed["status"] == "closed" and closed["closed_by"] == "2"
        assert (closed["expected_cash"], closed["counted_cash"]) == (45900, 45550)
        assert (closed["left_in_drawer"], closed["cash_removed"]) == (40000, 5550)
        declared = dict(
            db.all("SELECT tender_id, amount FROM declarations WHERE session_id = ?", (session_id,))
        )
        assert declared == {"cash": 45550, "card": 5900}
        await pilot.press("enter")  # done
        await pilot.pause()

    # History needs "view session history": the cashier lacks it, a supervisor has it.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "3", "3333")
        await pilot.press("f9", "f7")
        await pilot.pause()
        text = screen_text(app)
        assert str(session_id) in text and "-3.50" in text
        await pilot.press("enter")
        await pilot.pause()
        assert "Session 1" in screen_text(app)
        page = to_text(app.screen.query_one(DocumentView).document, 60)
        assert "455.50" in page and "Card (1)" in page and "Terminal: Kasse 1 [T1]" in page
