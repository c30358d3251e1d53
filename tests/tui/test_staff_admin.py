"""Staff administration at the till and in the back office (SPEC K-5, R-10), at 80x24:
a PIN changed from the login (F4), the staff screen (deactivate, reset a PIN), and a
cashier deactivated elsewhere logged out at their next key with a one-line reason."""

from __future__ import annotations

import pytest

from core.staff import admin as staff_admin
from core.staff import auth
from tests.tui.conftest import login, sale_screen, scan, screen_text, type_text
from tui.screens.login import LoginScreen
from tui.screens.pin_change import PinChangeScreen
from tui.screens.staff import StaffScreen

pytestmark = pytest.mark.tui


async def _answer(pilot, *values: str) -> None:
    """Type each value and Enter, one field after the other."""
    for value in values:
        await type_text(pilot, value)
        await pilot.press("enter")
    await pilot.pause()


async def test_a_cashier_changes_their_pin_from_the_login_screen(make_app, till_db):
    """K-5: F4 at the login (shown in the footer): id, old PIN, new PIN twice; then the
    new PIN logs in and the old one does not."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Change PIN" in screen_text(app)  # discoverable in the footer
        await type_text(pilot, "2")
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, PinChangeScreen)
        text = screen_text(app)
        for label in ("Change your PIN", "Old PIN", "New PIN again", "Esc: back"):
            assert label in text  # the whole dialog fits 80x24
        await _answer(pilot, "2222", "5678", "5678")
        assert isinstance(app.screen, LoginScreen)
        assert "Your PIN is changed" in screen_text(app)
        await login(pilot, "2", "5678")
        assert app.staff is not None and app.staff.id == "2"
    with pytest.raises(auth.AuthError):
        auth.authenticate(till_db, "2", "2222")


async def test_a_wrong_old_pin_or_differing_new_pins_say_so_and_change_nothing(make_app, till_db):
    """K-5: one line says what is wrong; the dialog stays open to try again."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await _answer(pilot, "2", "2222", "5678", "5679")
        assert isinstance(app.screen, PinChangeScreen)
        assert "The two new PINs differ" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f4")
        await _answer(pilot, "2", "0000", "5678", "5678")
        assert "Wrong staff id or PIN." in screen_text(app)
    assert auth.authenticate(till_db, "2", "2222").id == "2"


async def _staff_screen(pilot, app) -> StaffScreen:
    """The manager's way there: F9 terminal page, F9 back office, the Staff line."""
    await login(pilot, "1", "1234")
    await pilot.press("f9", "f9")
    await pilot.pause()
    menu = app.screen.query_one("#office-menu")
    index = next(i for i, o in enumerate(menu.options) if o.id == "staff")
    menu.highlighted = index
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, StaffScreen)
    return app.screen


async def test_the_manager_deactivates_and_resets_a_pin_on_the_staff_screen(make_app, till_db):
    """K-5: the staff screen lists everyone; F3 deactivates (after a yes), F2 gives a new
    PIN; both audited, and the deactivated cashier can no longer log in."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _staff_screen(pilot, app)
        text = screen_text(app)
        assert "Kasper Kasserer" in text and "New PIN" in text and "(De)activate" in text
        await pilot.press("down")  # staff 2, the cashier
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("enter")  # yes
        await pilot.pause()
        assert "Kasper Kasserer is deactivated." in screen_text(app)
        assert "deactivated" in screen_text(app).split("Kasper Kasserer", 1)[1].splitlines()[0]
        await pilot.press("down")  # staff 3, the supervisor
        await pilot.press("f2")
        await pilot.pause()
        assert "New PIN for" in screen_text(app)
        await _answer(pilot, "7531", "7531")
        assert isinstance(app.screen, StaffScreen)
        assert "has a new PIN" in screen_text(app)
    with pytest.raises(auth.AuthError, match="Wrong staff id or PIN"):
        auth.authenticate(till_db, "2", "2222")
    assert auth.authenticate(till_db, "3", "7531").id == "3"


async def test_the_staff_screen_refuses_the_managers_own_deactivation_on_one_line(
    make_app, till_db
):
    """K-5: a manager cannot deactivate themselves; the list is as it was."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _staff_screen(pilot, app)
        await pilot.press("f3")  # the first row: the manager themselves
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "You cannot deactivate yourself" in screen_text(app)
    assert auth.authenticate(till_db, "1", "1234").active


async def test_a_deactivated_cashier_is_logged_out_at_the_next_key(make_app, till_db):
    """K-5: deactivated on another till while logged in here: the next key brings the
    login back with the reason on one line; the basket stays for whoever logs in."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "2222")
        await scan(pilot, "1001")
        assert len(sale_screen(app).lines) == 1
        manager = auth.authenticate(till_db, "1", "1234")
        staff_admin.set_active(till_db, manager, "2", False)  # the back office, elsewhere
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.staff is None
        reason = str(app.screen.query_one("#login-error").render())
        assert reason == "Logged out: Kasper Kasserer is no longer active."
        assert "Logged out: Kasper Kasserer" in screen_text(app)
        await login(pilot, "2", "2222")
        assert isinstance(app.screen, LoginScreen)
        assert "Wrong staff id or PIN." in screen_text(app)
        await login(pilot, "1", "1234")
        assert app.staff.id == "1"
        assert [ln.sku for ln in sale_screen(app).lines] == ["1001"]
        assert sale_screen(app).query_one("#code").value == ""  # the key went nowhere


@pytest.mark.parametrize("lang", ["en", "da", "is"])
async def test_the_pin_dialogs_and_the_staff_screen_fit_80x24_in_every_language(make_app, lang):
    """K-5, C-6: nothing of the PIN change, the reset or the staff screen is cut off."""
    from tests.tui.fit import cut_lines, cut_texts

    app = make_app(lang=lang)
    problems = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        problems["own"] = cut_texts(app) + cut_lines(screen_text(app))
        await pilot.press("escape")
        await pilot.pause()
        await _staff_screen(pilot, app)
        problems["staff"] = cut_texts(app) + cut_lines(screen_text(app))
        await pilot.press("down", "f2")
        await pilot.pause()
        problems["reset"] = cut_texts(app) + cut_lines(screen_text(app))
    assert not {k: v for k, v in problems.items() if v}


@pytest.fixture
def plain_app(tmp_path):
    """A till over a plain `kassi init` (no demo): an Icelandic store, one terminal."""
    from core.catalog import items as catalog
    from core.store import demo, staff_members, stores, terminals
    from core.store.db import Db
    from tui.app import KassiApp

    db = Db(tmp_path / "plain.db")
    demo.init_defaults(db)
    staff_members.add_staff(db, None, "1", "Anna", "1234", "manager")
    boss = auth.authenticate(db, "1", "1234")
    stores.add_store(
        db, boss, "S1", "Búð", currency="ISK", timezone="Atlantic/Reykjavik", locale="is"
    )
    terminals.add_terminal(db, boss, "T1", "S1")
    catalog.add_item(db, boss, "1001", "Mjólk", 250, 2400, None, currency="ISK")
    yield KassiApp(db, terminal_id="T1", idle_lock_seconds=0)
    db.close()


async def test_a_first_sale_on_a_plain_init_is_paid_at_the_till(plain_app):
    """K-4: the payment dialog offers init's payment types in the store's language, and
    nothing of it is cut at 80x24; Enter pays in cash."""
    from tests.tui.fit import cut_lines, cut_texts
    from tui.screens.payment import PaymentScreen

    app = plain_app
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await scan(pilot, "1001")
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        text = screen_text(app)
        for name in ("Reiðufé", "Kort", "Farsímagreiðsla", "Gjafakort"):
            assert name in text
        assert not cut_texts(app) + cut_lines(text)
        await pilot.press("enter")  # pays in cash
        await pilot.pause()
        await pilot.press("enter")  # the next sale
        await pilot.pause()
        assert "Kvittun 1 skráð." in str(sale_screen(app).query_one("#notice").render())
    rows = app.db.all("SELECT tender_id, amount FROM payments")
    assert [tuple(r) for r in rows] == [("cash", 250)]
