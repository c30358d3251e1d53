"""Discounts at the till (SPEC C-5): Ctrl+D on a line, Ctrl+T on the basket; percent or
amount with a reason; over the cashier's limit, the override prompt (C-3)."""

from __future__ import annotations

import json

import pytest

from tests.tui.conftest import approve, login, sale_screen, scan, screen_text, settle, type_text
from tui.screens.discount import DiscountScreen
from tui.screens.pin_prompt import OverrideScreen

pytestmark = pytest.mark.tui


async def _discount(pilot, app, key: str, value: str, reason: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, DiscountScreen)
    await type_text(pilot, value)
    await pilot.press("enter")
    await type_text(pilot, reason)
    await pilot.press("enter")
    await pilot.pause()


async def _pay_by_card(pilot, app) -> None:
    await pilot.press("f5")
    await pilot.pause()
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot, app)


async def test_a_line_discount_shows_on_the_row_the_total_and_the_receipt(make_app, till_db):
    """C-5: 10 % off 3 x Æbler 22,00 (a cashier's limit) with a reason from the list: the
    row shows it, the total is what is paid, the receipt prints line and reason."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "3*1008", "1001")
        await pilot.press("up")
        await _discount(pilot, app, "ctrl+d", "10%", "1")
        screen = sale_screen(app)
        assert app.screen is screen
        shown = screen_text(app)
        assert "Æbler 1 kg −10 %" in shown
        # 66,00 - 6,60 + 32,95 = 92,35
        assert f"Total {app.money(9235)}" in shown
        await _pay_by_card(pilot, app)
    sale = till_db.one("SELECT * FROM sales")
    assert sale["total"] == 9235
    lines = till_db.all("SELECT sku, discount, line_total FROM sale_lines ORDER BY line_no")
    assert [tuple(r) for r in lines] == [("1008", 660, 5940), ("1001", 0, 3295)]
    given = till_db.one("SELECT * FROM sale_discounts")
    assert (given["line_no"], given["kind"], given["value"], given["amount"]) == (
        1,
        "percent",
        1000,
        660,
    )
    receipt = till_db.scalar("SELECT text FROM print_jobs WHERE kind = 'sale_receipt'")
    # In the store's language: the discount, its amount, then the reason.
    assert "  Rabat 10 %                         -6,60\n    Beskadiget eller defekt\n" in receipt


async def test_a_basket_discount_over_the_cashiers_limit_asks_for_an_override(make_app, till_db):
    """C-5, C-3: 25 % off the basket is over a cashier's 10 %: the override prompt opens at
    once; a supervisor (30 %) approves; the approval is audited and the sale records it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1008", "1001")
        await _discount(pilot, app, "ctrl+t", "25%", "Birthday")
        assert isinstance(app.screen, OverrideScreen)
        assert "Needs someone allowed to give discounts" in screen_text(app)
        assert "Kasper Kasserer may give at most 10 % off; 25 % needs approval." in screen_text(app)
        await approve(pilot, "3", "3333")
        screen = sale_screen(app)
        assert app.screen is screen and screen.basket_discount.approver.id == "3"
        # 22,00 + 32,95 = 54,95; 25 % = 13,74 (13,7375 rounded half up)
        assert f"Total {app.money(4121)}" in screen_text(app)
        await _pay_by_card(pilot, app)
    assert till_db.scalar("SELECT total FROM sales") == 4121
    shares = [r[0] for r in till_db.all("SELECT discount FROM sale_lines ORDER BY line_no")]
    assert sum(shares) == 1374
    given = till_db.one("SELECT * FROM sale_discounts")
    assert (given["line_no"], given["amount"], given["reason"], given["approved_by"]) == (
        None,
        1374,
        "Birthday",
        "3",
    )
    override = till_db.one("SELECT * FROM audit_log WHERE action = 'override'")
    assert (override["staff_id"], override["entity_id"]) == ("3", "2")
    assert json.loads(override["details"])["permission"] == "discount"


async def test_an_approver_whose_own_limit_is_too_small_is_refused(make_app, till_db):
    """C-5: 50 % is over a supervisor's 30 % too: their PIN does not approve it; a manager's
    does."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1008")
        await _discount(pilot, app, "ctrl+d", "11.00", "2")
        assert isinstance(app.screen, OverrideScreen)
        await approve(pilot, "3", "3333")
        assert isinstance(app.screen, OverrideScreen)
        assert "Sigrún Vaktstjóri may give at most 30 % off; 50 % needs approval." in screen_text(
            app
        )
        await approve(pilot, "1", "1234")
        screen = sale_screen(app)
        assert app.screen is screen
        assert screen.lines[0].discount.approver.id == "1"
    refused = till_db.one("SELECT * FROM audit_log WHERE action = 'override.refused'")
    assert refused["staff_id"] == "3"


async def test_a_discount_without_a_reason_is_refused_in_the_dialog(make_app):
    """C-5: the reason is required; the dialog says so and stays open."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1008")
        await _discount(pilot, app, "ctrl+d", "5%", "")
        assert isinstance(app.screen, DiscountScreen)
        assert "A discount needs a reason" in screen_text(app)


async def test_the_basket_and_the_notice_say_a_discount_once(make_app):
    """C-5, C-6: an amount off the basket reads "Basket −5.00", not "−5.00 (5.00)", and the
    feedback names the amount and the reason, not "Discount given: Discount ..."."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await scan(pilot, "1008", "1001")
        await _discount(pilot, app, "ctrl+t", "5.00", "Regular")
        shown = screen_text(app)
        assert f"Basket −{app.money(500)}\n" in shown
        assert f"({app.money(500)})" not in shown
        assert f"Discount given: {app.money(500)} (Regular)." in shown
        await _discount(pilot, app, "ctrl+t", "10%", "Regular")
        assert f"Basket −{app.money(550)} (10 %)" in screen_text(app)
