"""The journal head on paper (SPEC R-3): every X report prints the head when it is
printed, every Z report the entry that closed the session, with its full hash;
read back from the ESC/POS bytes the printer gets."""

from __future__ import annotations

import pytest

from core.audit import journal as audit
from core.printing import receipts
from core.store.db import Db
from core.text.i18n import translate
from core.tills import sessions
from hardware.render import render
from tests.core.test_statements_support import Shop
from tests.hardware.escpos_decoder import decode, texts

pytestmark = pytest.mark.hardware


@pytest.fixture
def shop(db, clock, manager) -> Shop:
    return Shop(db, clock, manager)


def printed(doc, width: int = 32) -> list[str]:
    return texts(decode(render(doc, width, "CP858")))


def close_entry(db: Db, session_id: int) -> tuple[int, str]:
    row = db.one(
        "SELECT seq, hash FROM audit_log WHERE action = 'session.close' AND entity_id = ?",
        (str(session_id),),
    )
    return int(row[0]), str(row[1])


@pytest.mark.parametrize("width", [32, 42, 48])
def test_the_x_report_prints_the_journal_head_at_printing(shop: Shop, manager, width) -> None:
    """R-3: number and 16 hex digits of the newest entry, when the X report is made."""
    sale = shop.sell("T1", [("1002", 2)], "cash")
    seq, digest = audit.head(shop.db)
    d = sessions.session_details(shop.db, manager, sale.session_id)
    lines = printed(receipts.x_report(d, shop.db.now(), "en"), width)
    assert f"{seq}:{digest[:16]}" in " ".join(lines)
    assert any(line.startswith("Journal head:") for line in lines)
    shop.sell("T1", [("1004", 1)], "card")
    d = sessions.session_details(shop.db, manager, sale.session_id)
    later = " ".join(printed(receipts.x_report(d, shop.db.now(), "en"), width))
    seq2, digest2 = audit.head(shop.db)
    assert seq2 > seq and f"{seq2}:{digest2[:16]}" in later


@pytest.mark.parametrize("width", [32, 42, 48])
def test_the_z_report_prints_the_close_entry_with_its_full_hash(shop: Shop, manager, width) -> None:
    """R-3: the head at close, short and in full; a later reprint prints the same head
    however far the journal has moved on."""
    sale = shop.sell("T1", [("1002", 2)], "cash")
    shop.close("T1")
    seq, digest = close_entry(shop.db, sale.session_id)
    d = sessions.session_details(shop.db, manager, sale.session_id)
    lines = printed(receipts.z_report(d, "en"), width)
    text = " ".join(lines)
    assert f"{seq}:{digest[:16]}" in text and "Journal head:" in text
    assert "".join(" ".join(lines).split()).count(digest) == 1  # the full hash, once
    assert all(len(line) <= width for line in lines)
    shop.sell("T2", [("1004", 1)], "card")
    d = sessions.session_details(shop.db, manager, sale.session_id)
    assert printed(receipts.z_report(d, "en"), width) == lines


def test_the_head_label_is_in_the_store_language(shop: Shop, manager) -> None:
    """R-3 on a Danish and an Icelandic till: the label is translated."""
    sale = shop.sell("T1", [("1002", 2)], "cash")
    d = sessions.session_details(shop.db, manager, sale.session_id)
    for lang in ("da", "is"):
        label = translate("Journal head", lang)
        assert label != "Journal head"
        text = " ".join(printed(receipts.x_report(d, shop.db.now(), lang)))
        assert f"{label}:" in text
