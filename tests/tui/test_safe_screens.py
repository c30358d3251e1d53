"""The safe at the till and in the back office at 80x24 (SPEC K-1..K-3): the safe drop
from the terminal page and the sale page, the drawer limit's warning and its stop, the
float from the safe, blind close, and the safe screen's deposit and count."""

from __future__ import annotations

import pytest

from core.cash import safe
from core.money.tendering import TenderInput
from core.staff import auth
from core.store import stores
from core.tills import sales, sessions
from core.tills.basket import LineInput
from tests.tui.conftest import login, pulses, screen_text, settle, type_text
from tui.screens.safe_drop import SafeDropScreen

pytestmark = pytest.mark.tui
KR = 100


def _document(app, selector: str) -> str:
    """The whole document a DocumentView shows (also what is scrolled off the screen)."""
    from core.printing.layout import to_text

    view = app.screen.query_one(selector)
    return to_text(view.document, view.paper_width)


async def _until(pilot, app, screen_type) -> None:
    """The key goes through the scanner's queue (C-1): wait for the dialog it opens."""
    for _ in range(20):
        if isinstance(app.screen, screen_type):
            break
        await pilot.pause()
    await pilot.pause()  # and drawn


def _open(db, amount=500 * KR, staff=("2", "2222")):
    actor = auth.authenticate(db, *staff)
    sessions.open_session(db, actor, "T1", amount)
    return actor


async def test_a_safe_drop_from_the_terminal_page(make_app, till_db, tmp_path):
    """K-1: F9 then F10: amount and bag number; the drawer opens, the safe holds it."""
    _open(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert "F10: safe drop" in screen_text(app)  # past the footer at 80 columns
        await pilot.press("f10")
        await type_text(pilot, "300")
        await pilot.press("enter")
        await type_text(pilot, "B-12")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "300.00 dropped into the safe." in screen_text(app)
        # the X report on the page lists the drop with its bag
        assert "B-12" in _document(app, "#session-view")
    assert safe.balance(till_db, "NORREBRO") == 300 * KR
    assert pulses(tmp_path) == 1


async def test_a_drop_without_a_bag_number_is_not_made(make_app, till_db):
    """K-1: the bag number is asked for; nothing moves without it."""
    _open(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9", "f10")
        await type_text(pilot, "300")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert "Enter the bag number." in screen_text(app)
    assert safe.balance(till_db, "NORREBRO") == 0


async def test_the_till_warns_after_the_sale_that_passed_the_drawer_limit(make_app, till_db):
    """K-2: the notice after the sale says by how much, and how to drop (Ctrl+B)."""
    manager = auth.authenticate(till_db, "1", "1234")
    stores.update_store(till_db, manager, "NORREBRO", drawer_limit="550.00")
    _open(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "1007")
        await pilot.press("enter", "f5")
        await pilot.pause()
        await pilot.press("enter")  # cash, the exact amount
        await pilot.pause()
        await pilot.press("enter")  # next sale
        await settle(pilot, app)
        text = screen_text(app)
        assert "The drawer is 9.00 over its limit: Ctrl+B makes a safe drop." in text
        await pilot.press("ctrl+b")
        await pilot.pause()
        await type_text(pilot, "100")
        await pilot.press("enter")
        await type_text(pilot, "7")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "100.00 dropped into the safe." in screen_text(app)
    assert safe.balance(till_db, "NORREBRO") == 100 * KR


async def test_a_required_drop_opens_before_the_next_sale(make_app, till_db):
    """K-2: with drawer_limit_required the till opens the drop dialog instead of paying."""
    manager = auth.authenticate(till_db, "1", "1234")
    stores.update_store(
        till_db, manager, "NORREBRO", drawer_limit="400.00", drawer_limit_required="on"
    )
    _open(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "1007")
        await pilot.press("enter", "f5")
        await _until(pilot, app, SafeDropScreen)
        assert isinstance(app.screen, SafeDropScreen)
        assert "make a safe drop before the next sale" in app.screen.reason
        await type_text(pilot, "150")
        await pilot.press("enter")
        await type_text(pilot, "9")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Receipt 1 recorded." in screen_text(app)
    assert till_db.scalar("SELECT COUNT(*) FROM sales") == 1


async def test_the_float_can_come_from_the_safe(make_app, till_db):
    """K-1: the start screen's F3 takes the float from the safe."""
    safe.count(till_db, auth.authenticate(till_db, "1", "1234"), "NORREBRO", 1000 * KR)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f2", "f3")
        await pilot.pause()
        assert "Float from the safe" in screen_text(app)
        await type_text(pilot, "400")
        await pilot.press("enter", "enter")
        await settle(pilot, app)
    assert safe.balance(till_db, "NORREBRO") == 600 * KR
    session = sessions.current_session(till_db, "T1")
    assert sessions.expected_cash(till_db, session.id) == 400 * KR


async def test_blind_close_shows_the_discrepancy_only_after_the_close(make_app, till_db):
    """K-3: a cashier at a blind-close store counts without seeing the expected cash; the
    terminal page hides it too; the summary after the close shows the discrepancy."""
    manager = auth.authenticate(till_db, "1", "1234")
    stores.update_store(till_db, manager, "NORREBRO", blind_close="on")
    cashier = _open(till_db)
    sales.record_sale(till_db, cashier, "T1", [LineInput("1007")], [TenderInput("cash")])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert "559.00" not in screen_text(app)
        await pilot.press("f5")
        await type_text(pilot, "550")
        await pilot.press("enter", "enter")  # counted cash -> card declaration -> summary
        await pilot.pause()
        text = screen_text(app)
        assert "shown after the close" in text and "559.00" not in text
        await pilot.press("enter")  # -> amount to leave
        await pilot.pause()
        await pilot.press("enter")  # the starting amount
        await pilot.pause()
        await pilot.press("enter")  # confirm and close
        await settle(pilot, app)
        assert "5/5  Session summary" in screen_text(app)
        summary = _document(app, "#final")
        assert "559.00" in summary and "-9.00" in summary


async def test_the_safe_screen_deposits_and_counts(make_app, till_db):
    """K-1: back office -> Safe: balance and movements; F2 deposit, F4 blind count."""
    manager = auth.authenticate(till_db, "1", "1234")
    safe.count(till_db, manager, "NORREBRO", 1000 * KR)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f9")  # terminal page -> back office
        await pilot.pause()
        menu = app.screen.query_one("#office-menu")
        menu.highlighted = menu.get_option_index("safe")
        await pilot.press("enter")
        await pilot.pause()
        assert "In the safe: 1,000.00" in screen_text(app)
        await pilot.press("f2")
        await type_text(pilot, "600")
        await pilot.press("enter")
        await type_text(pilot, "DS-1")
        await pilot.press("enter")
        await settle(pilot, app)
        text = screen_text(app)
        assert "BANK DEPOSIT DS-1" in text and "In the safe: 400.00" in text
        await pilot.press("f4")
        await pilot.pause()
        assert "400.00" not in screen_text(app)  # blind: the balance is off the screen
        await type_text(pilot, "390")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "discrepancy -10.00" in screen_text(app)
    assert safe.balance(till_db, "NORREBRO") == 390 * KR
    assert till_db.scalar("SELECT COUNT(*) FROM print_jobs WHERE kind = 'deposit_slip'") == 1
