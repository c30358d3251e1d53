"""R-6 on paper: a stored name never carries ESC or GS commands into the printer stream."""

from __future__ import annotations

import pytest

from core.money.tendering import TenderInput
from core.printing import sources as print_sources
from core.tills import sales
from core.tills.basket import LineInput
from hardware.render import render
from tests.hardware.escpos_decoder import decode, texts

pytestmark = pytest.mark.hardware

# reset, drawer kick on pin 2, full cut, double size, and an OSC title, all in one name
HOSTILE_NAME = "Rugbrød\x1b@\x1bp\x00\x19\x19\x1dV\x00\x1d!\x11\x1b]0;t\x07\x9b2J\nTOTAL 0,00"


def receipt_events(db, cashier, width: int) -> list[tuple]:
    sale = sales.record_sale(
        db, cashier, "T1", [LineInput("1001", 1)], [TenderInput("card", None)]
    ).sale
    doc, _sale = print_sources.sale_document(db, sale.id)
    return decode(render(doc, width))  # raises on any command the renderer does not send


def commands(events: list[tuple]) -> list[str]:
    return [e[0] for e in events if e[0] != "text"]


@pytest.mark.parametrize("width", [32, 42, 48])
def test_a_hostile_item_name_prints_as_text_and_sends_only_the_renderers_commands(
    db, cashier, width: int
) -> None:
    """R-6: the same commands as a receipt with a plain name: one init, one cut, no pulse."""
    plain = receipt_events(db, cashier, width)
    for table in ("items", "store_items"):
        db.execute(f"UPDATE {table} SET name = ? WHERE sku = '1001'", (HOSTILE_NAME,))
    hostile = receipt_events(db, cashier, width)
    assert commands(hostile) == commands(plain)
    assert commands(hostile).count("init") == 1 and "pulse" not in commands(hostile)
    printed = texts(hostile)
    # every control is a mark, and CP858 has no ␛ or ␀: "?" on paper, never the byte
    assert "Rugbrød??????V??!???\\nTOTAL 0,00" in printed
    # the stored line break did not become a receipt line of its own
    assert not any(t.strip().startswith("TOTAL 0,00") for t in printed)
