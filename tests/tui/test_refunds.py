"""Refunds at the till at speed (SPEC C-3, C-9): the receipt's own barcode, refusals when
entered, one override prompt for what the cashier may not do alone."""

from __future__ import annotations

import json

import pytest

from core.money.tendering import TenderInput
from core.staff import auth
from core.tills import refunds
from core.tills.basket import LineInput
from tests.tui.conftest import (
    approve,
    login,
    sale_screen,
    scan,
    screen_text,
    sell,
    settle,
    type_text,
)
from tui.screens.pin_prompt import OverrideScreen
from tui.screens.refund_prompt import RefundPromptScreen

pytestmark = pytest.mark.tui


async def _refund_prompt(pilot, app, text: str) -> None:
    await pilot.press("f6")
    await pilot.pause()
    assert isinstance(app.screen, RefundPromptScreen)
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


async def _set_quantity(pilot, qty: str) -> None:
    """F4 on the selected line: clear the offered quantity, type the new one."""
    await pilot.press("f4")
    await pilot.pause()
    await pilot.press("backspace")
    await type_text(pilot, qty)
    await pilot.press("enter")
    await pilot.pause()


async def test_f6_takes_the_receipts_own_barcode_and_says_which_forms_it_takes(make_app, till_db):
    """C-3: the prompt names the forms; `T1-3` (the printed barcode) loads receipt 3."""
    for _n in range(3):
        sell(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f6")
        await pilot.pause()
        shown = screen_text(app)
        assert "T1-3, T1:3 or 3" in shown
        await type_text(pilot, "T1-3")
        await pilot.press("enter")
        await pilot.pause()
        screen = sale_screen(app)
        assert app.screen is screen and screen.refund_mode
        assert screen.refund_receipt == ("T1", 3)
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("1008", 3), ("1001", 1)]
        assert "Refund of T1-3" in screen_text(app)
        assert "REFUND — receipt T1-3 (F7 to cancel)" in screen_text(app)  # one form throughout


async def test_another_stores_receipt_is_refused_when_entered(make_app, till_db):
    """C-3, C-9: a receipt of REYKJAVIK entered at a NORREBRO till is refused at once, in
    one line that says why and what to do; nothing is loaded."""
    sell(till_db, "R1", (("1001", 1),))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await _refund_prompt(pilot, app, "R1-1")
        assert isinstance(app.screen, RefundPromptScreen)  # still open for the next scan
        error = str(app.screen.query_one("#receipt-error").render())
        assert error == "Receipt R1-1 is from Kassi Búð Laugavegi: refund it there."
        assert len(error) <= 78
        await pilot.press("escape")
        await pilot.pause()
        screen = sale_screen(app)
        assert not screen.refund_mode and screen.lines == []


async def test_unknown_and_fully_refunded_receipts_and_bad_forms_are_refused_at_entry(
    make_app, till_db
):
    """C-3, C-9: an unknown receipt, one already refunded in full and a bad form each get
    their one-line reason in the prompt."""
    sell(till_db, lines=(("1008", 1),))
    manager = auth.authenticate(till_db, "1", "1234")
    refunds.record_refund(
        till_db, manager, "T1", [LineInput("1008")], [TenderInput("card")], receipt=("T1", 1)
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await _refund_prompt(pilot, app, "T1-9")
        errors = [str(app.screen.query_one("#receipt-error").render())]
        for text in ("1", "T1-2", "T1/3"):
            await type_text(pilot, text)
            await pilot.press("enter")
            await pilot.pause()
            errors.append(str(app.screen.query_one("#receipt-error").render()))
        assert errors == [
            "No receipt 9 on terminal T1: check the number under the barcode.",
            "Everything on receipt T1-1 was already refunded; nothing is left.",
            "Receipt T1-2 is itself a refund: scan the receipt of the sale.",
            "'T1/3' is not a receipt: scan its barcode or type T1-3 or 3.",
        ]
        assert isinstance(app.screen, RefundPromptScreen)


async def test_raising_a_refund_quantity_beyond_what_is_left_is_refused_at_f4(make_app, till_db):
    """C-3: F4 to more than the receipt has left is refused at once with the number still
    refundable; the line keeps its quantity. Scanning the item again is refused too."""
    sell(till_db, lines=(("1008", 2),))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await _refund_prompt(pilot, app, "T1-1")
        screen = sale_screen(app)
        await _set_quantity(pilot, "3")
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("1008", 2)]
        notice = str(screen.query_one("#notice").render())
        assert notice == "Receipt T1-1: only 2 × Æbler 1 kg can still be refunded, not 3."
        await scan(pilot, "1008")
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("1008", 2)]
        assert "only 2 × Æbler 1 kg" in str(screen.query_one("#notice").render())
        # Lowering it is fine.
        await _set_quantity(pilot, "1")
        assert [(ln.sku, ln.qty) for ln in screen.lines] == [("1008", 1)]


async def test_cashier_refund_without_receipt_asks_for_a_supervisor_at_once(make_app, till_db):
    """C-3: a cashier without "refund.no_receipt" is asked for an override when choosing
    no receipt, not at pay; the supervisor's PIN allows it, and the override and the
    refund are audited (who approved, for whom, which action)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)  # staff 2, a cashier
        await _refund_prompt(pilot, app, "")
        assert isinstance(app.screen, OverrideScreen)
        assert "Needs someone allowed to make refunds without a receipt" in screen_text(app)
        # The cashier's own PIN is refused: no permission.
        await approve(pilot, "2", "2222")
        assert isinstance(app.screen, OverrideScreen)
        assert "not allowed to make refunds without a receipt" in screen_text(app)
        await approve(pilot, "3", "3333")
        screen = sale_screen(app)
        assert app.screen is screen and screen.refund_mode and screen.refund_receipt is None
        await type_text(pilot, "1008")
        await pilot.press("enter", "f5")
        await pilot.pause()
        await pilot.press("f2")  # paid back to the card
        await settle(pilot, app)
    refund = till_db.one("SELECT * FROM sales WHERE kind = 'refund'")
    assert refund is not None and refund["staff_id"] == "2" and refund["total"] == -2200
    entries = till_db.all(
        "SELECT action, staff_id, entity_id, details FROM audit_log"
        " WHERE action LIKE 'override%' OR action = 'refund' ORDER BY seq"
    )
    got = [(e["action"], e["staff_id"], e["entity_id"]) for e in entries]
    assert got == [("override.refused", "2", "2"), ("override", "3", "2"), ("refund", "2", "1")]
    assert json.loads(entries[1]["details"])["permission"] == "refund.no_receipt"
    assert json.loads(entries[2]["details"])["approved_by"] == "3"


async def test_supervisor_refunds_without_receipt_with_no_prompt(make_app, till_db):
    """C-3: who holds the permission is not asked for anyone's PIN."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "3", "3333")
        await _refund_prompt(pilot, app, "")
        screen = sale_screen(app)
        assert app.screen is screen and screen.refund_mode and screen.refund_approver is None


async def test_the_finished_refund_says_the_money_was_paid_out(make_app, till_db):
    """C-6, C-9: a refund's completion reads "paid out", not "paid": the money went
    to the customer."""
    from tui.screens.payment import PaymentScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "3", "3333")
        await _refund_prompt(pilot, app, "")
        await type_text(pilot, "1008")
        await pilot.press("enter", "f5")
        await pilot.pause()
        await pilot.press("f2")  # paid back to the card
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        paid = str(app.screen.query_one("#paid").render())
        assert "paid out 22.00" in paid, paid
