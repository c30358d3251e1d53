"""The transfer carries the safe's movements (K-1, T-1): the head office shows each
store's safe balance and deposits, and a second import changes nothing (R-8)."""

from __future__ import annotations

import json

import pytest

from core.cash import safe, safe_views
from core.errors import InputError
from core.tills import sessions
from tests.core.test_statements_support import Shop
from tests.core.transfer_support import export, load

KR = 100


def _cash_office_day(shop: Shop) -> None:
    db, manager = shop.db, shop.manager
    shop.at(2026, 6, 1, 9)
    safe.count(db, manager, "NORREBRO", 2000 * KR)
    sessions.open_session(db, manager, "T1", 500 * KR, from_safe=True)
    shop.sell("T1", [("1007", 4)], tender="cash")
    safe.drop(db, manager, "T1", 300 * KR, "BAG-1", counts={20000: 1, 10000: 1})
    shop.at(2026, 6, 1, 18)
    sessions.close_session(db, manager, "T1", 436 * KR, 0)
    safe.deposit(db, manager, "NORREBRO", 1000 * KR, "SLIP-7")


def test_the_transfer_carries_every_safe_movement(shop: Shop, head_office: Shop) -> None:
    """K-1: float, drop, return, deposit and count arrive with their figures."""
    _cash_office_day(shop)
    text, _cursor = export(shop)
    records = [json.loads(line) for line in text.splitlines()]
    kinds = [r["kind"] for r in records if r["type"] == "safe"]
    # float and return travel with their session, drops and the rest at their entries
    assert kinds == ["count", "float", "return", "drop", "deposit"]
    summary = load(head_office, text)
    assert summary.safe_movements == 5
    st = safe_views.statement(head_office.db, head_office.manager, "NORREBRO")
    assert st.balance == safe.balance(shop.db, "NORREBRO") == 1236 * KR
    assert st.deposited == 1000 * KR
    drop = next(m for m in st.movements if m.kind == "drop")
    assert drop.reference == "BAG-1" and safe.movement_counts(head_office.db, drop.id) == {
        20000: 1,
        10000: 1,
    }
    # the drop is linked to the imported session, so it lowers its expected cash there too
    assert sessions.get_session(head_office.db, drop.session_id).terminal_id == "T1"


def test_importing_the_safe_twice_holds_each_movement_once(shop: Shop, head_office: Shop) -> None:
    """R-8: the movement's uid is its identity; the second file changes nothing."""
    _cash_office_day(shop)
    text, cursor = export(shop)
    load(head_office, text)
    safe.count(shop.db, shop.manager, "NORREBRO", 1236 * KR)
    later, _ = export(shop, since=cursor)
    again = load(head_office, later)
    assert again.safe_movements == 1
    assert head_office.db.scalar("SELECT COUNT(*) FROM safe_movements") == 6


def test_a_safe_record_of_an_unknown_kind_is_refused(shop: Shop, head_office: Shop) -> None:
    """T-1: a malformed safe record names its line; nothing is imported."""
    _cash_office_day(shop)
    text, _ = export(shop)
    bad = text.replace('"kind":"deposit"', '"kind":"party"')
    with pytest.raises(InputError, match="kind"):
        load(head_office, bad)
    assert head_office.db.scalar("SELECT COUNT(*) FROM safe_movements") == 0


def test_a_version_2_file_from_a_store_not_yet_updated_still_imports(
    shop: Shop, head_office: Shop
) -> None:
    """T-1: version 3 adds the safe record; a version-2 file (none in it) imports as before."""
    shop.at(2026, 6, 1, 9)
    shop.sell("T1", [("1007", 1)], tender="card")
    text, _ = export(shop)
    lines = text.splitlines(keepends=True)
    header = json.loads(lines[0])
    lines[0] = json.dumps({**header, "version": 2}) + "\n"
    assert load(head_office, "".join(lines)).sales == 1
