"""Weighed goods at the till, at 80x24 (SPEC K-8, C-1, C-6, C-9).

A scale label adds its item with the weight it carries; a weighed item scanned or
typed without one asks for it; a misread label or a bad quantity is one line.
"""

from __future__ import annotations

import pytest

from core.catalog.scale_labels import ean_check_digit
from tests.tui.conftest import login, sale_screen, scan, screen_text, sell, settle, type_text
from tui.screens.prompt import PromptScreen

pytestmark = pytest.mark.tui


def label(prefix: str, item: str, value: str) -> str:
    body = prefix + item + value
    return body + str(ean_check_digit(body))


async def pay_by_card(pilot, app) -> None:
    await pilot.press("f5", "f2")
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot, app)


def last_lines(db):
    return [
        tuple(r)
        for r in db.all(
            "SELECT sku, qty, unit, line_total FROM sale_lines WHERE sale_id ="
            " (SELECT MAX(id) FROM sales) ORDER BY line_no"
        )
    ]


async def test_a_scale_label_sells_its_weight_in_one_line(make_app, till_db):
    """K-8, C-1: 21 02001 00512 C adds 0,512 kg of cheese at 89,95 kr/kg = 46,05, in
    the store's number format; a bread scanned after it is its own line."""
    app = make_app(lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, label("21", "02001", "00512"), "1001")
        text = screen_text(app)
        assert "0,512" in text and "89,95/kg" in text and "46,05" in text
        await pay_by_card(pilot, app)
    assert last_lines(till_db) == [("2001", 512, "kg", 4605), ("1001", 1, "pcs", 3295)]


async def test_a_misread_scale_label_is_refused_with_one_line(make_app, till_db):
    """K-8, C-9: a wrong check digit adds nothing and says so on one line."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        good = label("21", "02001", "00512")
        await scan(pilot, good[:12] + str((int(good[12]) + 1) % 10))
        screen = sale_screen(app)
        assert screen.lines == []
        assert "check digit is wrong" in screen_text(app)


async def test_a_weighed_item_typed_asks_for_its_quantity(make_app, till_db):
    """K-8: typing 2001 asks "Quantity of ... in kg"; 0,512 (or 0.512) sells 0,512 kg;
    four decimals are refused with one line and nothing is added."""
    app = make_app(lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "2001")
        assert isinstance(app.screen, PromptScreen)
        assert "kg" in screen_text(app)
        await type_text(pilot, "0,5123")
        await pilot.press("enter")
        await pilot.pause()
        screen = sale_screen(app)
        assert screen.lines == [] and screen.query_one("#notice").has_class("error")
        assert "0,5123" in screen_text(app)  # the one line names what was typed
        await scan(pilot, "2001")
        await type_text(pilot, "0.512")
        await pilot.press("enter")
        await pilot.pause()
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("2001", 512)]
        await scan(pilot, "1,25*2001")  # the quantity typed before the code
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("2001", 512), ("2001", 1250)]
        await pay_by_card(pilot, app)
    assert last_lines(till_db) == [("2001", 512, "kg", 4605), ("2001", 1250, "kg", 11244)]


async def test_codes_scanned_while_the_quantity_is_asked_wait_their_turn(make_app, till_db):
    """C-1: a code that arrives while the weight prompt is open is added after the weighed
    line, in the order scanned."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        screen = sale_screen(app)
        screen.codes.extend(["2001", "1001"])
        screen.take_codes()
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and list(screen.codes) == ["1001"]
        await type_text(pilot, "0.512")
        await pilot.press("enter")
        await pilot.pause()
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("2001", 512), ("1001", 1)]


async def test_f4_changes_a_weighed_lines_quantity_in_its_unit(make_app, till_db):
    """K-8: F4 on a weighed line shows 0,512 and takes 0,75; pieces keep whole numbers."""
    app = make_app(lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, label("21", "02001", "00512"))
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and app.screen.value == "0,512"
        await pilot.press(*["backspace"] * 5)
        await type_text(pilot, "0,75")
        await pilot.press("enter")
        await pilot.pause()
        screen = sale_screen(app)
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("2001", 750)]
        assert "67,46" in screen_text(app)  # 89,95 x 0,75 = 67,4625


async def test_a_weighed_line_refunded_against_its_receipt_shows_its_weight(make_app, till_db):
    """K-8, C-3: the receipt's 0,512 kg comes back as -0,512 kg at what was paid; a label
    asking more than is left is refused when it is scanned."""
    sell(till_db, "T1", (("2001", 512),))
    app = make_app(lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f6")
        await pilot.pause()
        await type_text(pilot, "T1-1")
        await pilot.press("enter")
        await pilot.pause()
        screen = sale_screen(app)
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("2001", 512)]
        text = screen_text(app)
        assert "-0,512" in text and "-46,05" in text
        await scan(pilot, label("21", "02001", "00100"))
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("2001", 512)]
        assert "kun 0,512 kg" in screen_text(app)
