"""Till behaviour at 80x24: auto-open, kiosk lock-down, bad input, locking the till."""

from __future__ import annotations

import pytest

from core.money.tendering import TenderInput
from core.staff import auth
from core.tills import sales, sessions
from core.tills.basket import LineInput
from tests.tui.conftest import login, screen_text, settle, type_text
from tui.screens.login import LoginScreen
from tui.screens.sale import SaleScreen
from tui.widgets.amount_input import AmountField

pytestmark = pytest.mark.tui


async def test_selling_with_no_session_opens_one_and_says_so(make_app, till_db):
    """S-4: the first sale opens a session by itself, float 0 for the terminal's first."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "1001")
        await pilot.press("enter", "f5", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert "opened automatically" in screen_text(app)
        row = till_db.one("SELECT opened_auto, opening_float FROM sessions WHERE terminal_id='T1'")
        assert (row["opened_auto"], row["opening_float"]) == (1, 0)


async def test_kiosk_has_no_command_palette(make_app):
    app = make_app(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)


async def test_bad_amount_shows_error_under_the_field_and_changes_nothing(make_app, till_db):
    """M-2: "12,50" in an English till is an error, never a guess."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9", "f2")
        await type_text(pilot, "12,50")
        await pilot.pause()
        assert "Use a point for decimals" in screen_text(app)
        await pilot.press("enter")
        await type_text(pilot, "note")
        await pilot.press("enter")
        await pilot.pause()
        assert till_db.scalar("SELECT COUNT(*) FROM sessions") == 0
        assert "Fix the amount first" in screen_text(app)


async def test_wrong_pin_is_refused_without_naming_anyone(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "9999")
        assert isinstance(app.screen, LoginScreen) and app.staff is None
        assert "Wrong staff id or PIN" in screen_text(app)  # no name, no count


async def test_switch_user_keeps_the_basket(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "2*1001")
        await pilot.press("enter")
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.staff is None
        await login(pilot, "3", "3333")
        sale_screen = app.screen
        assert isinstance(sale_screen, SaleScreen) and app.staff.id == "3"
        assert [(ln.sku, ln.qty) for ln in sale_screen.lines] == [("1001", 2)]


async def test_idle_till_locks_itself(make_app):
    app = make_app(idle_lock_seconds=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        app._last_activity -= 10
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.staff is None


async def test_cash_removal_above_the_drawer_is_refused_on_screen(make_app, till_db):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9", "f2")
        await type_text(pilot, "100")
        await pilot.press("enter", "enter")
        await pilot.pause()
        await pilot.press("f4")
        await type_text(pilot, "150")
        await pilot.press("enter")
        await type_text(pilot, "bank")
        await pilot.press("enter")
        await pilot.pause()
        assert "cannot remove" in screen_text(app)
        assert till_db.scalar("SELECT COUNT(*) FROM cash_adjustments") == 0


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TEXTUAL_COLOR_SYSTEM": "standard"}])
async def test_sixteen_colour_terminals_get_the_ansi_theme(make_app, monkeypatch, env):
    """SSH into a 16-colour terminal, or NO_COLOR: the till uses the terminal's own colours."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert app.theme == "ansi-dark"
        assert isinstance(app.screen, SaleScreen)


async def test_the_close_wizard_offers_the_starting_amount_to_leave(make_app, till_db, tmp_path):
    """S-8 step 3: the amount to leave in the drawer starts as the session's starting amount
    (the float for tomorrow); Enter takes it, the rest of the count is removed."""
    cashier = auth.authenticate(till_db, "2", "2222")
    sessions.open_session(till_db, cashier, "T1", 50000)
    sales.record_sale(till_db, cashier, "T1", [LineInput("1001")], [TenderInput("cash")])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9", "f5")
        await type_text(pilot, "533.00")  # 500,00 + 32,95 rounded to 33,00 in cash
        await pilot.press("enter", "enter")  # counted cash -> card declaration -> summary
        await pilot.press("enter")  # -> amount to leave
        await pilot.pause()
        assert "3/5  Amount to leave in the drawer" in screen_text(app)
        assert app.screen.query_one("#leave-amount", AmountField).input.value == "500.00"
        await pilot.press("enter")  # take the offered amount
        await pilot.pause()
        assert "Take 33.00 out of the drawer and leave 500.00 in it." in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
    row = till_db.one("SELECT status, left_in_drawer, cash_removed FROM sessions WHERE id = 1")
    assert tuple(row) == ("closed", 50000, 3300)
