"""Receipts and printouts write dates the way the store's language does, like the
screens (SPEC C-6, C-8; core/text/dates.py): 15.01.2026 in da/is, ISO in English."""

from __future__ import annotations

import re

import pytest

from core.money.tendering import TenderInput
from core.printing import receipts
from core.printing.layout import to_text
from core.store.stores import get_store
from core.store.terminals import get_terminal
from core.tills import sales, sessions
from core.tills.basket import LineInput
from core.tills.session_views import session_details

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _printouts(db, actor, terminal_id, now, lang=None):
    """Every document that carries a date: receipt, slip, X report, session page."""
    sale = sales.record_sale(
        db, actor, terminal_id, [LineInput("1001")], [TenderInput("card")]
    ).sale
    adj = sessions.adjust_cash(db, actor, terminal_id, "add", 10000, "wechsel")
    terminal = get_terminal(db, terminal_id)
    store = get_store(db, terminal.store_id)
    details = session_details(db, actor, sale.session_id)
    docs = [
        receipts.sale_receipt(sale, store, terminal, actor.name, {"card": "Card"}, lang=lang),
        receipts.adjustment_slip(adj, store, terminal, lang=lang),
        receipts.x_report(details, now, lang=lang),
        receipts.history_page(details, lang=lang),
        receipts.test_page(store, terminal, now, lang=lang),
    ]
    return [to_text(doc, 42) for doc in docs]


@pytest.mark.parametrize("terminal_id", ["T1", "R1"])
def test_receipts_and_printouts_show_dates_in_the_stores_locale(db, manager, clock, terminal_id):
    """C-6/C-8: a Danish or Icelandic receipt reads 15.01.2026 09:00 (store's local
    time), never the ISO 2026-01-15 the database keeps."""
    local = "15.01.2026 09:00" if terminal_id == "T1" else "15.01.2026 08:00"
    for text in _printouts(db, manager, terminal_id, clock.now):
        assert local in text
        assert not ISO.search(text), text


def test_an_english_printout_keeps_iso_dates(db, manager, clock):
    """dates.py: English writes ISO 8601, on paper as on screen."""
    for text in _printouts(db, manager, "T1", clock.now, lang="en"):
        assert "2026-01-15 09:00" in text
