"""C-1 at 80x24: a barcode scanner's keys (a code, then Enter, Tab or LF) all arrive, in
order, in one burst or spaced, while a receipt is printing; type-ahead never pays.

``burst`` hands the app many keys at once, as the terminal driver does when one read
brings a whole scan (or an SSH stall releases a second's typing): no key waits for
the one before it to be handled. ``pilot.press`` instead waits for the app to be
idle after every key.
"""

from __future__ import annotations

import threading

import pytest
from textual import events

from tests.tui.conftest import login, screen_text, settle
from tui.screens.login import LoginScreen
from tui.screens.payment import PaymentScreen
from tui.screens.pin_prompt import PinPromptScreen
from tui.screens.sale import SaleScreen
from tui.widgets.amount_input import AmountField

pytestmark = pytest.mark.tui

CHARACTERS = {"enter": "\r", "tab": "\t", "ctrl+j": "\n"}
TERMINATORS = ("enter", "tab", "ctrl+j")  # Enter, Tab and LF, as scanners are set up


def scanner_codes(n: int = 50) -> list[str]:
    # The demo catalog's 1001..1020, in an order that is not sorted and repeats.
    return [str(1001 + (n * 7) % 20) for n in range(n)]


def scanner_keys(codes: list[str]) -> list[str]:
    keys: list[str] = []
    for n, code in enumerate(codes):
        keys.extend(code)
        keys.append(TERMINATORS[n % len(TERMINATORS)])
    return keys


def key_events(app, keys: list[str]) -> list[events.Key]:
    """Key events as the driver makes them: stamped with the moment they were read."""
    out = []
    for key in keys:
        event = events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        out.append(event)
    return out


def send(app, keys: list[events.Key]) -> None:
    for event in keys:
        app._driver.send_message(event)


def burst(app, keys: list[str]) -> None:
    """Every key handed to the app at once, as the driver does with one read."""
    send(app, key_events(app, keys))


async def wait_for_lines(pilot, screen, n: int) -> None:
    for _ in range(400):  # not a time limit: enough turns for any machine
        if len(screen.lines) >= n and not screen.codes:
            break
        await pilot.pause()
    await pilot.pause()


def basket_skus(screen) -> list[str]:
    """The basket as lines of one unit each, in the order scanned."""
    return [ln.sku for ln in screen.lines for _ in range(ln.qty)]


def sales_count(db) -> int:
    return db.one("SELECT count(*) AS n FROM sales")["n"]


@pytest.fixture
def slow_printer(monkeypatch):
    """A receipt that takes until the test says so: the print worker stays busy."""
    from core.printing.service import PrintService

    release = threading.Event()
    started = threading.Event()
    original = PrintService.print_sale

    def print_sale(self, db, sale_id, **kwargs):
        started.set()
        release.wait(30)
        return original(self, db, sale_id, **kwargs)

    monkeypatch.setattr(PrintService, "print_sale", print_sale)
    yield started, release
    release.set()


async def sell_one_and_leave_it_printing(pilot, app, slow_printer) -> None:
    started, _release = slow_printer
    await pilot.press(*"1001", "enter", "f5")
    await pilot.pause()
    await pilot.press("enter")  # exact cash
    await pilot.pause()
    await pilot.press("enter")  # next sale; the receipt is now printing
    await pilot.pause()
    assert started.wait(10), "the receipt never started printing"
    assert isinstance(app.screen, SaleScreen) and not app.screen.lines


async def test_a_scanner_burst_adds_every_code_in_order_while_a_receipt_prints(
    make_app, till_db, slow_printer
):
    """C-1: 50 codes ended by Enter, Tab and LF, handed over in one burst while the
    printer is busy, become 50 units in the order scanned; nothing is paid."""
    app = make_app()
    codes = scanner_codes()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell_one_and_leave_it_printing(pilot, app, slow_printer)
        screen = app.screen
        burst(app, scanner_keys(codes))
        await wait_for_lines(pilot, screen, 1)
        for _ in range(400):
            if len(basket_skus(screen)) >= len(codes):
                break
            await pilot.pause()
        assert basket_skus(screen) == codes
        assert screen.query_one("#code").value == ""
        assert not isinstance(app.screen, PaymentScreen)
        assert sales_count(till_db) == 1  # only the sale paid before the burst
        assert "50 lines" in screen_text(app)
        assert screen.query_one("#basket").row_count == 50
        slow_printer[1].set()
        await settle(pilot, app)
        # The pay key, and only it, pays the 50.
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert sales_count(till_db) == 2
        lines = till_db.all(
            "SELECT sku, qty FROM sale_lines WHERE sale_id = "
            "(SELECT max(id) FROM sales) ORDER BY line_no"
        )
        assert [r["sku"] for r in lines for _ in range(r["qty"])] == codes


async def test_scanner_codes_pressed_one_key_at_a_time_arrive_in_order(make_app, till_db):
    """C-1: the same 50 codes typed key by key (Pilot's press) with every terminator."""
    app = make_app()
    codes = scanner_codes()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press(*scanner_keys(codes))
        await wait_for_lines(pilot, app.screen, 1)
        assert basket_skus(app.screen) == codes
        assert sales_count(till_db) == 0


async def test_scanner_codes_spaced_apart_arrive_in_order_while_a_receipt_prints(
    make_app, till_db, slow_printer
):
    """C-1: one burst per code with a pause between codes (a scanner at a counter)."""
    app = make_app()
    codes = scanner_codes()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell_one_and_leave_it_printing(pilot, app, slow_printer)
        for n, code in enumerate(codes):
            burst(app, [*code, TERMINATORS[n % 3]])
            await pilot.pause(0.085)  # a scan every 85 ms
        await wait_for_lines(pilot, app.screen, 1)
        for _ in range(400):
            if len(basket_skus(app.screen)) >= len(codes):
                break
            await pilot.pause()
        assert basket_skus(app.screen) == codes
        assert sales_count(till_db) == 1
        slow_printer[1].set()  # the receipt may finish: the app's exit waits for it


async def test_enter_tab_or_lf_on_an_empty_field_never_pays(make_app, till_db):
    """C-1: with items in the basket, a terminator on an empty field opens no payment
    and records nothing: paying needs F5."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press(*"1001", "enter")
        await pilot.pause()
        burst(app, ["enter", "enter", "tab", "ctrl+j", "enter"])
        await pilot.pause()
        await pilot.press("enter", "tab", "ctrl+j")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert [ln.sku for ln in app.screen.lines] == ["1001"]
        assert sales_count(till_db) == 0


async def test_the_pay_dialog_drops_keys_typed_before_it_opened(make_app, till_db):
    """C-1: F5 with a scan's worth of keys behind it (type-ahead) opens the dialog and
    pays nothing; keys typed after it opened pay."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press(*"1001", "enter")
        await pilot.pause()
        burst(app, ["f5", *"100", "enter", "enter", "f2", "enter"])
        for _ in range(5):
            await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        assert app.screen.entries == [] and app.screen.result is None
        assert app.screen.query_one("#amount", AmountField).input.value == ""
        assert sales_count(till_db) == 0
        await pilot.press("enter")  # now: exact cash, typed after the dialog opened
        await pilot.pause()
        assert app.screen.result is not None and sales_count(till_db) == 1


async def test_keys_read_before_the_pay_dialog_opened_never_reach_it(make_app, till_db):
    """C-1: keys the terminal delivered before F5 opened the dialog, but handed on only
    once it is open (the app busy meanwhile), neither tender nor confirm a payment."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press(*"1001", "enter")
        await pilot.pause()
        typed_ahead = key_events(app, [*"100", "enter", "f2", "enter"])
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        send(app, typed_ahead)
        for _ in range(5):
            await pilot.pause()
        assert app.screen.entries == [] and app.screen.result is None
        assert app.screen.query_one("#amount", AmountField).input.value == ""
        assert sales_count(till_db) == 0
        await pilot.press("enter")  # exact cash, typed after the dialog opened
        await pilot.pause()
        assert app.screen.result is not None and sales_count(till_db) == 1


async def test_a_burst_login_fills_staff_id_then_pin(make_app):
    """C-1: `2`, Tab, `2222`, Enter in one burst logs in staff 2 (no "22222")."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        burst(app, ["2", "tab", *"2222", "enter"])
        for _ in range(20):
            if isinstance(app.screen, SaleScreen):
                break
            await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert app.staff is not None and app.staff.id == "2"


async def test_a_burst_login_after_a_wrong_pin_starts_again_from_the_staff_id(make_app):
    """C-1: a wrong PIN clears the staff id and puts the cursor there, so the retry
    (`2`, Tab, `2222`, Enter in one burst) logs in instead of typing into the PIN."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, ["2", "tab", *"1111", "enter"])
        for _ in range(10):
            await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#staff-id").value == ""
        assert app.focused is app.screen.query_one("#staff-id")
        burst(app, ["2", "tab", *"2222", "enter"])
        for _ in range(20):
            if isinstance(app.screen, SaleScreen):
                break
            await pilot.pause()
        assert app.staff is not None and app.staff.id == "2"


async def test_a_burst_login_with_enter_after_the_staff_id_logs_in_too(make_app):
    """C-1: Enter instead of Tab after the staff id, all in one burst."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, ["2", "enter", *"2222", "enter"])
        for _ in range(20):
            if isinstance(app.screen, SaleScreen):
                break
            await pilot.pause()
        assert app.staff is not None and app.staff.id == "2"


async def test_a_badge_burst_at_the_override_prompt_fills_staff_id_then_pin(make_app):
    """C-1 / C-3: at the override prompt (here Ctrl+Q in kiosk mode) a refused cashier's
    burst, then Esc, then a manager's burst (`1`, Tab, `1234`, Enter) approves: no
    "11234" in the staff id, no PIN submitted empty (as a browser delivers it, W-3)."""
    app = make_app(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, PinPromptScreen)
        burst(app, ["2", "tab", *"2222", "enter"])
        await settle(pilot, app)
        assert "not allowed to leave kiosk mode" in screen_text(app)
        assert app.focused is app.screen.query_one("#staff-id")
        burst(app, ["1", "tab", *"1234", "enter"])
        for _ in range(40):
            if not app.is_running:
                break
            await pilot.pause()
        assert not app.is_running


async def test_a_burst_retry_after_a_wrong_pin_at_the_override_prompt_approves(make_app):
    """C-1 / C-3: a wrong PIN at the override prompt clears both fields and puts the
    cursor on the staff id, so the retried burst approves instead of typing into the PIN."""
    app = make_app(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        burst(app, ["1", "enter", *"9999", "enter"])
        await settle(pilot, app)
        assert app.is_running and isinstance(app.screen, PinPromptScreen)
        assert app.screen.query_one("#staff-id").value == ""
        assert app.focused is app.screen.query_one("#staff-id")
        burst(app, ["1", "enter", *"1234", "enter"])
        for _ in range(40):
            if not app.is_running:
                break
            await pilot.pause()
        assert not app.is_running


async def test_a_pin_change_typed_ahead_in_one_burst_lands_field_by_field(make_app, till_db):
    """C-1 / K-5: F4 at the login, then id, old PIN, new PIN twice in one burst (each
    ended by Enter or Tab): the PIN is changed; nothing lands in the wrong field."""
    from core.staff import auth
    from tui.screens.pin_change import PinChangeScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, PinChangeScreen)
        burst(app, ["2", "tab", *"2222", "enter", *"5678", "tab", *"5678", "enter"])
        for _ in range(40):
            if isinstance(app.screen, LoginScreen):
                break
            await pilot.pause()
        assert isinstance(app.screen, LoginScreen), screen_text(app)
    assert auth.authenticate(till_db, "2", "5678").id == "2"


async def test_a_discount_typed_ahead_in_one_burst_takes_value_then_reason(make_app):
    """C-1 / C-5: Ctrl+T, `10%`, Enter, `1`, Enter in one burst: 10 % off the basket with
    the first reason on the list (no "10%1" refused as a value)."""
    from tui.screens.discount import DiscountScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press(*"1001", "enter")
        await pilot.pause()
        screen = app.screen
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, DiscountScreen)
        burst(app, [*"10%", "enter", "1", "enter"])
        for _ in range(40):
            if app.screen is screen:
                break
            await pilot.pause()
        assert app.screen is screen, screen_text(app)
        assert "10 % (Damaged or faulty)" in screen_text(app)


async def test_a_receipt_barcode_scanned_at_the_refund_prompt_shows_as_printed(make_app, till_db):
    """C-1/C-3: the receipt's CODE128 `T1-1`, scanned (one burst, Enter) at F6, loads
    the receipt, and the refund banner names it in the receipt's own form."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")  # a manager may refund
        await pilot.press(*"1001", "enter", "f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("f6")
        await pilot.pause()
        burst(app, [*"T1-1", "enter"])
        for _ in range(20):
            if isinstance(app.screen, SaleScreen) and app.screen.refund_mode:
                break
            await pilot.pause()
        text = screen_text(app)
        assert "receipt T1-1" in text and "T1:1" not in text
        assert [ln.sku for ln in app.screen.lines] == ["1001"]


async def test_a_code_scanned_as_the_pay_dialog_opens_waits_for_the_next_sale(make_app, till_db):
    """C-1: F5 with a scan right behind it: the scan neither changes the basket being
    paid nor is lost; it starts the next sale."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press(*"1001", "enter")
        await pilot.pause()
        burst(app, [*"1007", "enter", "f5", *"1002", "enter"])
        for _ in range(5):
            await pilot.pause()
        # 1001 and 1007 (typed before F5) are paid: 32,95 + 59,00
        assert isinstance(app.screen, PaymentScreen) and app.screen.total == 9195
        await pilot.press("enter")  # exact cash
        await pilot.pause()
        await pilot.press("enter")  # next sale
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert [ln.sku for ln in app.screen.lines] == ["1002"]
    lines = till_db.all("SELECT sku FROM sale_lines ORDER BY id")
    assert [r["sku"] for r in lines] == ["1001", "1007"]


async def test_a_scan_onto_a_long_basket_adds_one_row_and_repaints_no_other(make_app):
    """C-1: with 1,000 lines, a scan adds its row and leaves the other 1,000 rows be
    (a whole-basket repaint per scan is what let keys pile up behind it)."""
    from core.tills.basket import LineInput

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        screen = app.screen
        screen.lines = [LineInput(f"{1001 + n % 2}", 1) for n in range(1000)]
        screen.redraw_basket()
        await pilot.pause()
        table = screen.query_one("#basket")
        calls = []
        for name in ("add_row", "update_cell", "remove_row", "clear"):
            original = getattr(table, name)

            def spy(*args, _name=name, _original=original, **kwargs):
                calls.append(_name)
                return _original(*args, **kwargs)

            setattr(table, name, spy)
        await pilot.press(*"1005", "enter")
        await pilot.pause()
        assert calls == ["add_row"] and table.row_count == 1001
        await pilot.press(*"1005", "enter")  # the same item again: its quantity, one row
        await pilot.pause()
        assert calls == ["add_row", "update_cell", "update_cell"]
        assert screen.shown_rows[-1][2] == "2" and table.row_count == 1001


async def test_tab_in_a_form_moves_on_before_the_keys_typed_after_it(make_app):
    """C-1: in a back-office form (the session report's filters) "T2", Tab, "1" typed in
    one go puts T2 in the terminal field and the 1 in the next one, not "T21"."""
    from tui.screens.reports import ReportsScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await pilot.press("f9", "f9")
        await pilot.pause()
        await pilot.press("enter")  # the session report
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)
        terminal = app.screen.query_one("#terminal")
        app.screen.set_focus(terminal)
        await pilot.pause()
        burst(app, ["T", "2", "tab", "1"])
        for _ in range(10):
            await pilot.pause()
        assert terminal.value == "T2"
        assert app.focused is app.screen.query_one("#date-from")
        assert app.focused.value.endswith("1")
