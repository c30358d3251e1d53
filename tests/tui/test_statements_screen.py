"""The statements screen (T-2..T-10) at 80x24: create, calculate, post."""

from __future__ import annotations

import pytest

from core.money.tendering import TenderInput
from core.staff import auth
from core.tills import sales, sessions
from core.tills.basket import LineInput
from tests.tui.conftest import login, screen_text
from tui.screens.statements import StatementDetailScreen, StatementsScreen

pytestmark = pytest.mark.tui


@pytest.fixture
def day_of_sales(till_db, clock):
    m = auth.authenticate(till_db, "1", "1234")
    sessions.open_session(till_db, m, "T1", 50000)
    sales.record_sale(till_db, m, "T1", [LineInput("1001", 2)], [TenderInput("cash")])
    sales.record_sale(
        till_db, m, "T1", [LineInput("1007")], [TenderInput("card")], customer_id="C1001"
    )
    clock.advance(hours=8)
    return m


async def open_statements(pilot, app):
    await pilot.press("f9", "f9")
    await pilot.pause()
    await pilot.press("down", "enter")
    await pilot.pause()
    assert isinstance(app.screen, StatementsScreen)


async def test_create_refused_while_a_session_is_open_then_calculate_and_post(
    make_app, till_db, day_of_sales
):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await open_statements(pilot, app)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")  # today's business day, as suggested
        await pilot.pause()
        assert "open" in screen_text(app).lower()  # T-9 names the open session
        assert till_db.scalar("SELECT COUNT(*) FROM statements") == 0

        sessions.close_session(till_db, day_of_sales, "T1", 50000 + 6600, 50000, {"card": 5900})
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert till_db.scalar("SELECT status FROM statements") == "created"
        await pilot.press("f4")  # calculate
        await pilot.pause()
        assert till_db.scalar("SELECT transactions FROM statements") == 2
        await pilot.press("enter")  # details: lines with transaction amount and counted
        await pilot.pause()
        assert isinstance(app.screen, StatementDetailScreen)
        text = screen_text(app)
        assert "66.00" in text and "59.00" in text
        await pilot.press("escape", "f5")
        await pilot.pause()
        await pilot.press("enter")  # confirm
        await pilot.pause()
        assert till_db.scalar("SELECT status FROM statements") == "posted"
        # T-10: one cash-and-carry order (default customer) and one for the customer.
        customers = sorted(r[0] for r in till_db.all("SELECT customer_id FROM sales_orders"))
        assert customers == ["C1001", "WALKIN"]
        assert "posted" in screen_text(app)


async def test_cashier_cannot_manage_statements(make_app, day_of_sales):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "2222")
        await open_statements(pilot, app)
        assert "may not manage statements" in screen_text(app)
