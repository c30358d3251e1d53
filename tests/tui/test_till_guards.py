"""The till guards itself at the counter (SPEC C-7, C-9): the drawer opens only after
core allowed and audited it; no unpaid basket is lost on quit; kiosk exit needs its
permission; kiosk needs its terminal; a refused tender says why on one line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from textual import messages

from core.staff import auth
from core.store import staff_members
from core.tills import parked, sessions
from core.tills.basket import LineInput
from tests.tui.conftest import approve, login, pulses, scan, screen_text, settle
from tui.screens.pin_prompt import PinPromptScreen
from tui.screens.quit_basket import QuitBasketScreen
from tui.screens.sale import SaleScreen

pytestmark = pytest.mark.tui


def entries(db, action: str) -> list:
    return db.all("SELECT * FROM audit_log WHERE action = ? ORDER BY seq", (action,))


@pytest.fixture
def open_session(till_db):
    boss = auth.authenticate(till_db, "1", "1234")
    sessions.open_session(till_db, boss, "T1", 100000)
    return boss


# -- the drawer -----------------------------------------------------------------------


async def test_the_close_count_pops_the_drawer_only_with_an_audit_entry(
    make_app, till_db, tmp_path, open_session
):
    """C-7: F9 → F5 → Esc as a cashier (session.close): the pulse comes with drawer.count."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9", "f5")
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
    assert pulses(tmp_path) == 1
    (entry,) = entries(till_db, "drawer.count")
    assert entry["staff_id"] == "2" and entry["terminal_id"] == "T1"


async def test_a_cashier_who_may_not_close_gets_no_pulse_but_an_override_prompt(
    make_app, till_db, tmp_path, open_session
):
    """C-7: without session.close the wizard asks for an approving PIN; Esc: drawer shut."""
    staff_members.add_staff(till_db, open_session, "9", "Nyansat", "9999", "cashier", ["sale"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "9", "9999")
        await pilot.press("f9", "f5")
        await settle(pilot, app)
        assert isinstance(app.screen, PinPromptScreen)
        assert app.screen.permission == "session.close"
        await pilot.press("escape")
        await settle(pilot, app)
        assert pulses(tmp_path) == 0 and entries(till_db, "drawer.count") == []

        await pilot.press("f5")
        await pilot.pause()
        await approve(pilot, "3", "3333")  # the supervisor approves the count
        await settle(pilot, app)
    assert pulses(tmp_path) == 1
    (entry,) = entries(till_db, "drawer.count")
    assert entry["staff_id"] == "3"
    assert json.loads(entry["details"])["requested_by"] == "9"


async def test_no_sale_without_the_permission_asks_and_opens_only_when_approved(
    make_app, till_db, tmp_path
):
    """C-7: F8 no sale as a cashier: override prompt; refused or cancelled, no pulse."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f9", "f8")
        await settle(pilot, app)
        assert isinstance(app.screen, PinPromptScreen)
        assert "No sale: an approving PIN" in screen_text(app)
        await approve(pilot, "2", "2222")  # the cashier cannot approve herself
        assert isinstance(app.screen, PinPromptScreen)
        assert "not allowed" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert pulses(tmp_path) == 0 and entries(till_db, "drawer.no_sale") == []
        assert "drawer stays shut" in screen_text(app)

        await pilot.press("f8")
        await pilot.pause()
        await approve(pilot, "3", "3333")
        await settle(pilot, app)
        assert "recorded in the audit log" in screen_text(app)
    assert pulses(tmp_path) == 1
    (entry,) = entries(till_db, "drawer.no_sale")
    assert entry["staff_id"] == "3"
    assert json.loads(entry["details"])["requested_by"] == "2"


async def test_no_sale_by_someone_with_the_permission_opens_at_once_audited(
    make_app, till_db, tmp_path
):
    """C-7: a supervisor holds drawer.no_sale: F8 asks nobody, pulses once and writes one
    audit entry in their name for this terminal."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "3", "3333")
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("f8")
        await settle(pilot, app)
        assert "Drawer opened (no sale)" in screen_text(app)
    assert [(e["staff_id"], e["terminal_id"]) for e in entries(till_db, "drawer.no_sale")] == [
        ("3", "T1")
    ]
    assert pulses(tmp_path) == 1


async def test_the_bridge_refuses_a_pulse_without_a_drawer_grant(make_app, tmp_path):
    """C-7: the hardware bridge pulses only after a permitted, audited drawer action."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert app.hardware.open_drawer(10**9) is False
        await settle(pilot, app)
        assert "only after an audited cash action" in screen_text(app)
    assert pulses(tmp_path) == 0


# -- quitting ----------------------------------------------------------------------------


async def test_ctrl_q_with_an_unpaid_basket_asks_and_esc_stays(make_app):
    """C-7: Ctrl+Q never drops a basket without asking; Esc keeps the till and basket."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1001")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitBasketScreen)
        assert "not paid" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and [ln.sku for ln in app.screen.lines] == ["1001"]


async def test_parking_on_quit_brings_the_basket_back_at_the_next_start(make_app, till_db):
    """C-7: Enter parks the basket and quits; the next start of T1 shows it again."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1001", "1008")
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert [ln.sku for ln in parked.parked(till_db, "T1").lines] == ["1001", "1008"]

    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await login(pilot)
        assert [ln.sku for ln in again.screen.lines] == ["1001", "1008"]
        assert "parked" in screen_text(again) and "Rugbrød" in screen_text(again)
    assert parked.parked(till_db, "T1") is None


async def test_a_closed_tab_parks_the_basket_of_the_logged_in_cashier(make_app, till_db):
    """W-2 / C-7: an exit the till did not ask for (kassi serve's quit on a closed tab)
    parks the unpaid basket for the terminal's next connection."""
    app = make_app(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1001", "1008")
        app.post_message(messages.ExitApp())  # what the web driver does on "quit"
        await pilot.pause()
    basket = parked.parked(till_db, "T1")
    assert [ln.sku for ln in basket.lines] == ["1001", "1008"] and basket.staff_id == "2"


async def test_a_till_stopped_before_a_login_parks_again_the_basket_it_brought_back(
    make_app, till_db
):
    """W-2 / C-7: a thin client reconnecting twice at once starts a till that takes the
    parked basket back and is stopped before anyone logs in: the basket is parked again,
    in its owner's name, not lost."""
    cashier = auth.get_staff(till_db, "2")
    parked.park(till_db, cashier, "T1", [LineInput("1001"), LineInput("1008", 2)])
    app = make_app(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert parked.parked(till_db, "T1") is None  # it is on the sale screen now
        app.post_message(messages.ExitApp())
        await pilot.pause()
    basket = parked.parked(till_db, "T1")
    assert basket is not None, "the basket brought back was lost"
    assert [(ln.sku, ln.qty) for ln in basket.lines] == [("1001", 1), ("1008", 2)]
    assert basket.staff_id == "2"


async def test_ctrl_q_with_an_empty_basket_quits_at_once(make_app):
    """C-7: nothing to lose, nothing to ask."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize(("staff", "pin"), [("3", "3333"), ("1", "1234")])
async def test_leaving_kiosk_mode_needs_kiosk_exit_and_the_prompt_says_so(make_app, staff, pin):
    """C-7: the prompt names the permission; a cashier is refused and Esc goes back to the
    till; a supervisor or a manager (both hold kiosk.exit) leaves."""
    app = make_app(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, PinPromptScreen)
        assert app.screen.permission == "kiosk.exit"
        text = screen_text(app)
        assert "allowed to leave" in text and "manager" not in text
        await approve(pilot, "2", "2222")
        assert app.is_running and "not allowed to leave kiosk mode" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await approve(pilot, staff, pin)
        await pilot.pause()
        assert not app.is_running


def test_kiosk_without_a_terminal_is_refused_on_one_line(tmp_path, monkeypatch):
    """C-7: `kassi --kiosk` without --terminal would let anyone pick any till."""
    from tui.app import KassiApp
    from tui.cli import main

    monkeypatch.setattr(KassiApp, "run", lambda self, **kw: None)  # started = not refused

    result = CliRunner().invoke(
        main,
        ["--db", str(tmp_path / "k.db"), "--lang", "en", "--kiosk"],
        env={"KASSI_TERMINAL": ""},
    )
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--terminal" in lines[0] and len(lines[0]) <= 80


def test_an_unknown_terminal_is_refused_before_the_screen_starts(till_db, monkeypatch):
    """C-7: the till refuses a terminal that is not configured, on one line."""
    from tui.app import KassiApp
    from tui.cli import main

    monkeypatch.setattr(KassiApp, "run", lambda self, **kw: None)

    result = CliRunner().invoke(
        main, ["--db", till_db.path, "--lang", "en", "--terminal", "T9"], env={}
    )
    assert result.exit_code != 0 and "T9" in result.output


async def test_a_terminal_open_in_this_process_cannot_be_picked_twice(make_app, till_db):
    """C-7: the lock is per terminal; a second till on T1 is refused, on the screen."""
    from core.store import till_lock

    held = till_lock.acquire(till_db.path, "T1")
    try:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.terminal is None
            assert "Which terminal" in screen_text(app)
            assert any("T1 already runs in process" in n.message for n in app._notifications)
    finally:
        held.release()


# -- limits --------------------------------------------------------------------------------


async def test_a_tender_over_the_change_limit_is_refused_on_one_line(make_app, till_db):
    """C-7, C-9: 999.999.999 in cash for 33,00 is refused with one line that fits 80."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1001")
        await pilot.press("f5")
        await pilot.pause()
        await scan(pilot, "999999999")
        text = screen_text(app)
        line = next(ln for ln in text.splitlines() if "Too much cash" in ln)
        # whole, not cut; in the screen's own number format, as every amount on it
        assert "999,999,999.00; change is at most 999.99." in line
    assert till_db.scalar("SELECT COUNT(*) FROM sales") == 0
