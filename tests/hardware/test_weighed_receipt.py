"""A weighed line on the printer (SPEC K-8, H-3)."""

from __future__ import annotations

from core.money.tendering import TenderInput
from core.printing import receipts
from core.store import stores, terminals
from core.tills import sales
from core.tills.basket import LineInput
from hardware.render import render
from tests.hardware.escpos_decoder import decode, texts


def test_a_weighed_receipt_line_prints_on_58_mm_paper_in_cp858(db, manager):
    """K-8, H-3: "0,512 kg × 89,95 kr/kg" fits 32 columns and its × prints (CP858 has it)."""
    sale = sales.record_sale(
        db, manager, "T1", [LineInput("2001", 512)], [TenderInput("card")]
    ).sale
    store = stores.get_store(db, "NORREBRO")
    doc = receipts.sale_receipt(sale, store, terminals.get_terminal(db, "T1"), "M", {})
    printed = texts(decode(render(doc, 32, "CP858")))
    assert "  0,512 kg × 89,95 kr/kg   46,05" in printed
