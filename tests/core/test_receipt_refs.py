"""Receipt references and refunds checked when the receipt is entered (SPEC C-3, C-9)."""

from __future__ import annotations

import pytest

from core.errors import InputError, NotFound
from core.money.tendering import TenderInput
from core.printing import receipts
from core.store.stores import get_store
from core.store.terminals import get_terminal
from core.tills import refunds, sales
from core.tills.basket import LineInput
from core.tills.receipt_refs import ReceiptRef, parse_receipt_ref

CARD = [TenderInput("card")]


def _sell(db, actor, terminal="T1", lines=(("1008", 2), ("1001", 1))):
    return sales.record_sale(db, actor, terminal, [LineInput(s, q) for s, q in lines], CARD).sale


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T1-3", ReceiptRef("T1", 3)),  # the printed barcode
        ("T1:3", ReceiptRef("T1", 3)),
        ("3", ReceiptRef("T1", 3)),  # this terminal
        ("  T2-17 ", ReceiptRef("T2", 17)),
        ("KASSE-1-3", ReceiptRef("KASSE-1", 3)),  # a terminal id with a hyphen
        ("KASSE-1:3", ReceiptRef("KASSE-1", 3)),
    ],
)
def test_a_receipt_is_its_barcode_terminal_colon_number_or_a_bare_number(text, expected):
    """C-3: `T1-3` as printed, `T1:3`, or `3` on this terminal: one parser for all."""
    assert parse_receipt_ref(text, "T1") == expected


@pytest.mark.parametrize(
    "text", ["", "  ", "T1-", "-3", ":3", "T1-0", "T1/3", "3.5", "T1-3a", "x" * 40, "1" * 11]
)
def test_bad_receipt_forms_are_refused_with_the_forms_that_work(text):
    """C-9: one line that says what a receipt looks like."""
    with pytest.raises(InputError) as refused:
        parse_receipt_ref(text, "T1")
    message = refused.value.message
    assert message.endswith("is not a receipt: scan its barcode or type T1-3 or 3.")
    assert len(message) <= 78


def test_the_receipt_barcode_reads_back_as_its_own_reference(db, cashier):
    """C-3: what the receipt prints is what the refund prompt takes."""
    sale = _sell(db, cashier)
    store, terminal = get_store(db, "NORREBRO"), get_terminal(db, "T1")
    doc = receipts.sale_receipt(sale, store, terminal, "Kasper", {"card": "Card"})
    assert doc.barcode == "T1-1"
    basis = refunds.refund_basis(db, "T1", doc.barcode)
    assert basis.sale.id == sale.id and basis.ref == ReceiptRef("T1", 1)
    assert [(ln.sku, ln.qty) for ln in basis.lines()] == [("1008", 2), ("1001", 1)]


def test_a_terminal_typed_in_the_wrong_case_still_finds_the_receipt(db, cashier):
    sale = _sell(db, cashier)
    assert refunds.refund_basis(db, "T1", "t1-1").sale.id == sale.id


def test_refusals_when_the_receipt_is_entered_change_nothing(db, cashier, manager, snapshot):
    """C-3, C-9: another store's receipt, a refund receipt, one refunded in full and an
    unknown one are each refused when entered, with why and what to do."""
    _sell(db, cashier, lines=(("1008", 1),))
    refunds.record_refund(db, cashier, "T1", [LineInput("1008")], CARD, receipt=("T1", 1))
    _sell(db, manager, "R1", (("1001", 1),))
    before = snapshot()
    cases = {
        "R1-1": "Receipt R1-1 is from Kassi Búð Laugavegi: refund it there.",
        "T1-2": "Receipt T1-2 is itself a refund: scan the receipt of the sale.",
        "1": "Everything on receipt T1-1 was already refunded; nothing is left.",
        "T2-1": "No receipt 1 on terminal T2: check the number under the barcode.",
    }
    for text, message in cases.items():
        with pytest.raises((InputError, NotFound)) as refused:
            refunds.refund_basis(db, "T1", text)
        assert refused.value.message == message
        assert len(message) <= 78
    assert snapshot() == before


def test_another_stores_receipt_is_refused_at_pay_too(db, cashier, manager, snapshot):
    """C-3 in core: the same rule holds when the refund is recorded (CLI, scripts)."""
    _sell(db, manager, "R1", (("1001", 1),))
    before = snapshot()
    with pytest.raises(InputError, match="Receipt R1-1 is from Kassi Búð Laugavegi"):
        refunds.record_refund(db, cashier, "T1", [LineInput("1001")], CARD, receipt=("R1", 1))
    assert snapshot() == before


def test_more_than_is_left_is_refused_with_the_number_still_refundable(db, cashier):
    """C-3: a refund basket line asking for more than the receipt has left is refused,
    saying how many can still be refunded; two lines of the item count together."""
    _sell(db, cashier)
    refunds.record_refund(db, cashier, "T1", [LineInput("1008")], CARD, receipt=("T1", 1))
    rows = refunds.refund_rows(db, "NORREBRO", [LineInput("1008", 1)], ("T1", 1))
    assert [(r.sku, r.qty, r.line_total) for r in rows] == [("1008", -1, -2200)]
    with pytest.raises(InputError) as refused:
        refunds.refund_rows(
            db, "NORREBRO", [LineInput("1008"), LineInput("5701234000080")], ("T1", 1)
        )
    assert refused.value.message == (
        "Receipt T1-1: only 1 × Æbler 1 kg can still be refunded, not 2."
    )
    with pytest.raises(InputError) as refused:
        refunds.refund_rows(db, "NORREBRO", [LineInput("1003")], ("T1", 1))
    # C-9: why, and what to do next
    assert refused.value.message == (
        "Letmælk 1 l is not on receipt T1-1: scan the receipt it was sold on."
    )


def test_the_refund_receipt_names_the_original(db, cashier):
    """C-3: the refund receipt says which receipt it refunds, as printed (T1-1)."""
    _sell(db, cashier)
    refund = refunds.record_refund(
        db, cashier, "T1", [LineInput("1001")], CARD, receipt=ReceiptRef("T1", 1)
    ).sale
    assert refund.original_ref == "T1-1"
    store, terminal = get_store(db, "NORREBRO"), get_terminal(db, "T1")
    doc = receipts.sale_receipt(refund, store, terminal, "Kasper", {"card": "Card"}, lang="en")
    from core.printing.layout import to_text

    assert "Refund of receipt: T1-1" in to_text(doc, 42)
