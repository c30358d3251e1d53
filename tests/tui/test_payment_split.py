"""C-2 at 80x24: pay in any order and any split; the amount still due is always on
screen; change only from cash. The basket is 197,95 (cash rounds to 198,00)."""

from __future__ import annotations

import pytest

from tests.tui.conftest import login, screen_text, type_text
from tui.screens.payment import PaymentScreen

pytestmark = pytest.mark.tui

BASKET = ("1001", "1007", "1005", "2*1017")  # 32,95 + 59,00 + 36,00 + 2 x 35,00 = 197,95


async def open_payment(pilot, app) -> None:
    await login(pilot)
    for code in BASKET:
        await type_text(pilot, code)
        await pilot.press("enter")
    await pilot.press("f5")
    await pilot.pause()
    assert isinstance(app.screen, PaymentScreen) and app.screen.total == 19795


def payments(db) -> list[tuple[str, int, int]]:
    rows = db.all("SELECT tender_id, amount, tendered FROM payments ORDER BY id")
    return [(r["tender_id"], r["amount"], r["tendered"]) for r in rows]


async def test_cash_first_then_card_for_the_rest(make_app, till_db):
    """C-2: 100 in cash first is taken as part, the dialog shows what is still due,
    then the card pays the rest."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payment(pilot, app)
        await type_text(pilot, "100")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Still to pay: 97.95" in text and "In cash (rounded): 98.00" in text
        assert "less than" not in text
        assert app.screen.result is None and payments(till_db) == []
        await pilot.press("f2")  # the card, for the rest
        await pilot.pause()
        assert app.screen.result is not None
        assert "Change" in screen_text(app)
    assert payments(till_db) == [("card", 9795, 9795), ("cash", 10000, 10000)]
    sale = till_db.one("SELECT total, rounding, change_given FROM sales")
    assert (sale["total"], sale["rounding"], sale["change_given"]) == (19795, 0, 0)


async def test_card_first_then_cash_with_change_from_the_cash(make_app, till_db):
    """C-2: 50 on the card, then 200 in cash for the 148,00 left in cash: change 52,00."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payment(pilot, app)
        await type_text(pilot, "50")
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(app)
        assert "Still to pay: 147.95" in text and "In cash (rounded): 148.00" in text
        assert payments(till_db) == []
        await type_text(pilot, "200")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.result is not None and app.screen.result.change == 5200
    assert payments(till_db) == [("card", 5000, 5000), ("cash", 14800, 20000)]


async def test_a_card_gives_no_change_only_cash_does(make_app, till_db):
    """C-2: a card over what is still due is refused (nothing taken); cash over it
    gives change."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payment(pilot, app)
        await type_text(pilot, "100")
        await pilot.press("enter")
        await type_text(pilot, "100")
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(app)
        assert "Card 100.00 is more than the 97.95 still due." in text
        assert app.screen.result is None and len(app.screen.entries) == 1
        assert "Still to pay: 97.95" in text
        # The refused amount stays in the field; Enter gives it as cash instead.
        assert app.screen.query_one("#amount").input.value == "100"
        await pilot.press("enter")  # the rest in cash: 98,00 of it, 2,00 back
        await pilot.pause()
        assert app.screen.result is not None and app.screen.result.change == 200
    assert payments(till_db) == [("cash", 19800, 20000)]


async def test_the_amount_still_due_is_shown_after_every_part(make_app, till_db):
    """C-2: cash, MobilePay and card parts: the big figure is what is still due."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payment(pilot, app)
        await type_text(pilot, "50")
        await pilot.press("enter")
        await type_text(pilot, "40")
        await pilot.press("f3")  # MobilePay
        await pilot.pause()
        assert "Still to pay: 107.95" in screen_text(app)
        assert app.screen.query_one("#due-title").render().plain == "Still to pay"
        await pilot.press("f2")  # the card takes exactly what is left
        await pilot.pause()
        assert app.screen.result is not None
    assert payments(till_db) == [
        ("mobile", 4000, 4000),
        ("card", 10795, 10795),
        ("cash", 5000, 5000),
    ]
