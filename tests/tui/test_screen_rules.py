"""The till's screens fit and speak (C-6), and the report selects by store and dates
(C-8, A-1): one test per rule, each driven through the keys a person presses."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Select, Static

from core.staff import auth
from core.tills import sessions
from tests.tui.conftest import login, screen_text, settle, type_text
from tests.tui.fit import cut_texts

pytestmark = pytest.mark.tui


def notice(app) -> str:
    return str(app.screen.query_one("#notice", Static).render())


def header(screen) -> str:
    from tui.widgets.status_bar import StatusBar

    return str(screen.query_one(StatusBar).render())


def open_session(db, terminal: str = "T1", amount: int = 50000, note: str = "") -> int:
    manager = auth.authenticate(db, "1", "1234")
    return sessions.open_session(db, manager, terminal, amount, note).id


@pytest.mark.parametrize("lang", ["en", "da", "is"])
async def test_the_dkk_denomination_count_fits_80x24_with_its_total_and_keys(make_app, lang):
    """C-6: all eleven Danish denominations, the running total and the key hints are on
    the 80x24 screen at once, in every language, and the total follows the counts."""
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f2", "f2")  # terminal page, start session, count
        await settle(pilot, app)
        screen = app.screen
        rows = list(screen.query(Input))
        assert len(rows) == 11
        for widget in [*rows, screen.query_one("#count-total"), screen.query_one(".hint")]:
            assert app.screen.region.contains_region(widget.region), widget
        for _ in range(11):  # one of each: 1000 + 500 + ... + 0.50 kr
            await type_text(pilot, "1")
            await pilot.press("enter")
        await settle(pilot, app)
        total = str(screen.query_one("#count-total", Static).render())
        assert app.money(188850) in total
        assert cut_texts(app) == []


async def test_the_close_summary_scrolls_with_the_arrow_keys_without_tab(make_app, till_db):
    """C-6: step 5 of the close wizard is longer than the dialog; Down scrolls it at once."""
    open_session(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f5")
        await settle(pilot, app)
        await type_text(pilot, "500.00")
        await pilot.press("enter", "enter", "enter", "enter", "enter")  # count .. confirm
        await settle(pilot, app)
        from tui.widgets.document_view import DocumentView

        view = app.screen.query_one("#final", DocumentView)
        assert "5/5" in screen_text(app)
        assert view.max_scroll_y > 0
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert view.scroll_y > 0


async def test_a_stale_notice_is_cleared_when_the_session_state_changes(make_app, till_db):
    """C-6: "Session 1 is already open" belongs to the moment it was said; once the
    session is closed it never stands under "no session is open"."""
    session_id = open_session(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f2")
        await settle(pilot, app)
        assert f"Session {session_id} is already open." in notice(app)
        manager = auth.authenticate(till_db, "1", "1234")
        sessions.close_session(till_db, manager, "T1", 50000, 50000)  # from the CLI, say
        await pilot.press("f7", "escape")  # history and back: the page looks again
        await settle(pilot, app)
        assert "No session is open" in screen_text(app)
        assert "already open" not in screen_text(app)


async def test_a_notice_about_one_user_is_cleared_when_the_next_logs_in(make_app):
    """C-6: after a lock, the next person does not read the last person's notice."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await type_text(pilot, "1001")
        await pilot.press("enter", "f10")
        await login(pilot, "2", "2222")
        assert notice(app) == ""


async def test_the_header_follows_who_is_logged_in_after_an_idle_lock(make_app, till_db):
    """C-6: the idle lock comes while a dialog is open on the terminal page; after the
    next person logs in, no header on screen names the previous one."""
    open_session(till_db)
    app = make_app(idle_lock_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f3")  # the add cash dialog, over the terminal page
        await settle(pilot, app)
        terminal_page = app.screen_stack[-2]
        assert "Mette Manager" in header(terminal_page)
        app._last_activity -= 61
        app._check_idle()
        await settle(pilot, app)
        assert "Mette Manager" not in header(terminal_page)
        await login(pilot, "2", "2222")
        await settle(pilot, app)
        assert "Kasper Kasserer" in header(terminal_page)
        assert "Mette Manager" not in screen_text(app)


@pytest.mark.parametrize(
    "key, typed, said",
    [("f3", "100.00", "Added 100.00 to the drawer."), ("f4", "50.00", "Removed 50.00 from")],
)
async def test_adding_or_removing_cash_says_what_moved(make_app, till_db, key, typed, said):
    """C-6: every action gives feedback: the page says what went in or out."""
    open_session(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", key)
        await type_text(pilot, typed)
        await pilot.press("enter")
        await type_text(pilot, "to the safe")
        await pilot.press("enter")
        await settle(pilot, app)
        assert said in notice(app)


async def test_printing_an_x_report_says_so_and_then_how_it_went(make_app, till_db):
    """C-6: F6 on the terminal page answers at once, then with the printer's outcome."""
    open_session(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f6")
        await settle(pilot, app)
        assert "X REPORT" in notice(app) or "X report" in notice(app)


@pytest.mark.parametrize(
    "lang, codes, expected",
    [
        ("en", ["1001"], "1 line"),
        ("en", ["1001", "1013"], "2 lines"),
        ("da", ["1001"], "1 linje"),
        ("is", ["1001"], "1 lína"),
        ("is", ["1001", "1013"], "2 línur"),
    ],
)
async def test_the_basket_counts_its_lines_in_plural_forms(make_app, lang, codes, expected):
    """C-6: plurals through ngettext: "1 line", never "1 lines"."""
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        for code in codes:
            await type_text(pilot, code)
            await pilot.press("enter")
        await pilot.pause()
        totals = str(app.screen.query_one("#totals", Static).render())
        assert expected in totals.split("   ")


async def test_notices_name_the_item_not_its_sku(make_app):
    """C-6: "Removed Rugbrød.", not "Removed 1001."; the quantity prompt names it too."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "1001")
        await pilot.press("enter", "f4")
        await settle(pilot, app)
        assert "Quantity for Rugbrød" in screen_text(app)
        await pilot.press("escape", "f8")
        await pilot.pause()
        assert notice(app) == "Removed Rugbrød."


async def test_the_opening_note_is_on_the_session_detail(make_app, till_db):
    """S-3, C-6: the note typed at the start shows on the session's page (and its print)."""
    session_id = open_session(till_db, note="Float from the safe, bag 17")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await login(pilot, "1", "1234")
        from tui.screens.session_detail import SessionDetailScreen

        app.push_screen(SessionDetailScreen(session_id))
        await settle(pilot, app)
        assert "Opening note: Float from the safe, bag 17" in screen_text(app)


async def test_the_report_filters_by_store(make_app, till_db):
    """C-8, A-1: the report opens on the till's store and can select any other store;
    the overview, the list and the amounts are that store's."""
    open_session(till_db, "R1", 1000000)
    manager = auth.authenticate(till_db, "1", "1234")
    sessions.close_session(till_db, manager, "R1", 1000000, 1000000)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f9", "enter")  # terminal page, office, session report
        await settle(pilot, app)
        select = app.screen.query_one("#store", Select)
        assert select.value == "NORREBRO"
        assert app.screen.query_one(DataTable).row_count == 0
        select.focus()
        await pilot.press("enter", "down", "enter")  # open the list, the next store
        await settle(pilot, app)
        assert select.value == "REYKJAVIK"
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[2] == "R1"
        assert row[5] == "1,000,000"  # ISK, in whole krónur


async def test_report_dates_are_shown_and_typed_the_way_the_language_writes_them(make_app):
    """C-8: Danish dates read 01.01.2026, are typed the same way, and a date the
    language does not write is refused with the format it expects."""
    app = make_app(lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f9", "enter")
        await settle(pilot, app)
        date_from = app.screen.query_one("#date-from", Input)
        assert date_from.value == "01.01.2026"
        assert app.screen.query_one("#date-to", Input).value == "15.01.2026"
        date_from.focus()
        date_from.value = ""
        await type_text(pilot, "13 jan 2026")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "DD.MM.ÅÅÅÅ" in notice(app)
        date_from.value = ""
        await type_text(pilot, "14.01.2026")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.selection.date_from.isoformat() == "2026-01-14"
        assert cut_texts(app) == []


@pytest.mark.parametrize("lang", ["en", "da", "is"])
async def test_line_keys_on_an_empty_basket_say_why_and_what_to_do(make_app, lang):
    """C-9, C-6: F8, F4, Ctrl+D and Ctrl+T with nothing in the basket each answer, in the
    operator's language, on one line: the basket is empty, scan an item first (F8 used to
    answer nothing and leave the last notice standing)."""
    from core.text.i18n import translate

    expected = translate("The basket is empty: scan an item first.", lang)
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        for key in ("f8", "f4", "ctrl+d", "ctrl+t", "f5"):
            await type_text(pilot, "9999")  # something else in the notice first
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert notice(app) == expected, key
    assert lang == "en" or expected != "The basket is empty: scan an item first."
    assert len(expected) <= 78


@pytest.mark.parametrize("lang", ["en", "da", "is"])
async def test_an_unknown_code_says_to_check_it_or_search(make_app, lang):
    """C-9: a code no item has is refused with what to do next (check it, or F2 to
    search), in the operator's language, on one line; nothing is added."""
    from core.text.i18n import translate

    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "9999")
        await pilot.press("enter")
        await pilot.pause()
        expected = translate(
            "No item with SKU or barcode {code}: check it, or press F2 to search.", lang
        ).format(code="9999")
        assert notice(app) == expected
        assert "F2" in expected and len(expected) <= 78
        assert app.screen.lines == []
