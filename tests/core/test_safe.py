"""The safe as a cash location (SPEC K-1), the drawer limit (K-2) and blind close (K-3).

Amounts are DKK øre at NORREBRO (terminals T1, T2). Demo price: 1007 Kaffe 59,00.
"""

from __future__ import annotations

import pytest

from core.cash import safe, safe_views
from core.errors import InputError, PermissionDenied, StateError
from core.printing.layout import to_text
from core.printing.receipts import x_report, z_report
from core.store import stores
from core.tills import sessions
from tests.core.test_expected_cash import sell

KR = 100


def _open(db, actor, terminal="T1", amount=500 * KR, **kw):
    return sessions.open_session(db, actor, terminal, amount, **kw)


def _stock_safe(db, manager, amount=5000 * KR):
    """Put cash in the safe the way a shop does: a count of what is in it."""
    return safe.count(db, manager, "NORREBRO", amount)


def test_a_safe_drop_lowers_the_drawers_expected_cash_and_raises_the_safes(db, manager, cashier):
    """K-1: a drop moves cash from the drawer to the safe, nothing else."""
    s = _open(db, cashier)
    sell(db, cashier, "T1", [("1007", 10)], [("cash", 590 * KR)])
    before = sessions.expected_cash(db, s.id)
    m = safe.drop(db, cashier, "T1", 400 * KR, "B-17", note="to the safe")
    assert sessions.expected_cash(db, s.id) == before - 400 * KR
    assert safe.balance(db, "NORREBRO") == 400 * KR
    assert (m.kind, m.reference, m.balance, m.session_id) == ("drop", "B-17", 400 * KR, s.id)
    summary = sessions.cash_summary(db, s.id)
    assert summary.dropped == 400 * KR and summary.expected == before - 400 * KR
    entry = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert (entry["action"], entry["entity"], entry["amount"]) == ("safe.drop", "safe", 400 * KR)


def test_a_drop_counted_by_denomination_keeps_the_count(db, cashier):
    """K-1: a drop may be a denomination count; it must add up to the amount."""
    _open(db, cashier)
    m = safe.drop(db, cashier, "T1", None, "7", counts={20000: 2})
    assert m.amount == 400 * KR
    assert safe.movement_counts(db, m.id) == {20000: 2}
    with pytest.raises(InputError, match="make"):
        safe.drop(db, cashier, "T1", 100 * KR, "8", counts={20000: 1})


def test_a_drop_needs_a_bag_number_and_cannot_empty_more_than_the_drawer(db, cashier, snapshot):
    """K-1: the bag number is required; a drop cannot exceed the expected cash."""
    _open(db, cashier)
    state = snapshot()
    with pytest.raises(InputError, match="bag"):
        safe.drop(db, cashier, "T1", 100 * KR, "  ")
    with pytest.raises(InputError, match="cannot drop"):
        safe.drop(db, cashier, "T1", 501 * KR, "1")
    assert snapshot() == state and safe.balance(db, "NORREBRO") == 0


def test_a_cashier_drops_only_from_a_session_they_opened(db, manager, cashier, supervisor):
    """K-1: a cashier may drop from their own till; the safe permission drops from any."""
    _open(db, manager)
    with pytest.raises(PermissionDenied):
        safe.drop(db, cashier, "T1", 10 * KR, "1")
    assert safe.drop(db, supervisor, "T1", 10 * KR, "1").amount == 10 * KR


def test_the_float_from_the_safe_raises_the_drawer_and_lowers_the_safe(db, manager):
    """K-1: the open takes its float from the safe; no opening discrepancy."""
    _stock_safe(db, manager)
    s = _open(db, manager, amount=800 * KR, from_safe=True)
    assert s.opening_float == 0 and s.opening_discrepancy is None
    assert sessions.expected_cash(db, s.id) == 800 * KR
    assert safe.balance(db, "NORREBRO") == 4200 * KR
    assert sessions.cash_summary(db, s.id).from_safe == 800 * KR


def test_the_safe_cannot_issue_more_than_it_holds(db, manager, snapshot):
    """K-1: a float or a deposit over the safe's balance is refused, nothing changes."""
    state = snapshot()
    with pytest.raises(StateError, match="safe should hold"):
        _open(db, manager, amount=1 * KR, from_safe=True)
    with pytest.raises(StateError, match="safe should hold"):
        safe.deposit(db, manager, "NORREBRO", 1 * KR, "S-1")
    assert snapshot() == state


def test_only_the_safe_permission_takes_a_float_from_the_safe(db, manager, cashier):
    """K-1: issuing a float is the safe's business (safe.manage)."""
    _stock_safe(db, manager)
    with pytest.raises(PermissionDenied):
        _open(db, cashier, amount=100 * KR, from_safe=True)


def test_the_cash_removed_at_close_goes_into_the_safe(db, cashier):
    """K-1 with S-8: counted - left goes to the safe as a return."""
    s = _open(db, cashier)
    sessions.close_session(db, cashier, "T1", 500 * KR, 100 * KR)
    assert safe.balance(db, "NORREBRO") == 400 * KR
    (ret,) = safe.session_movements(db, s.id)
    assert (ret.kind, ret.amount) == ("return", 400 * KR)


def test_a_bank_deposit_lowers_the_safe_and_prints_a_slip(db, manager):
    """K-1: deposit with a slip number; the deposit slip document carries it."""
    _stock_safe(db, manager, 1000 * KR)
    m = safe.deposit(db, manager, "NORREBRO", 700 * KR, "DS-0042", counts={50000: 1, 20000: 1})
    assert safe.balance(db, "NORREBRO") == 300 * KR and safe.deposited(db, "NORREBRO") == 700 * KR
    text = to_text(safe_views.deposit_slip(db, manager, m.id, lang="en"), 42)
    assert "DS-0042" in text and "700.00" in text and "500.00" in text


def test_a_safe_count_records_the_discrepancy_and_resets_the_balance(db, manager, cashier):
    """K-1: counted vs expected; the discrepancy is recorded, blind or not."""
    _open(db, cashier)
    safe.drop(db, cashier, "T1", 300 * KR, "1")
    m = safe.count(db, manager, "NORREBRO", 290 * KR, blind=True)
    assert (m.expected, m.discrepancy, m.blind, m.balance) == (300 * KR, -10 * KR, True, 290 * KR)
    assert safe.balance(db, "NORREBRO") == 290 * KR


def test_safe_movements_need_the_safe_permission(db, cashier):
    """K-1: deposits, counts and the statement are for supervisors and managers."""
    for call in (
        lambda: safe.deposit(db, cashier, "NORREBRO", 1, "1"),
        lambda: safe.count(db, cashier, "NORREBRO", 0),
        lambda: safe_views.statement(db, cashier, "NORREBRO"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_the_statement_lists_movements_with_their_balances(db, manager, cashier):
    """K-1: the statement in order, each with the balance after it, paged."""
    _stock_safe(db, manager, 100 * KR)
    _open(db, cashier)
    safe.drop(db, cashier, "T1", 50 * KR, "1")
    safe.deposit(db, manager, "NORREBRO", 120 * KR, "S1")
    st = safe_views.statement(db, manager, "NORREBRO")
    assert [(m.kind, m.balance) for m in st.movements] == [
        ("count", 100 * KR),
        ("drop", 150 * KR),
        ("deposit", 30 * KR),
    ]
    assert (st.balance, st.deposited, st.total) == (30 * KR, 120 * KR, 3)
    page = safe_views.statement(db, manager, "NORREBRO", limit=1, offset=1)
    assert [m.kind for m in page.movements] == ["drop"] and page.total == 3
    assert st.totals == {"count": 100 * KR, "drop": 50 * KR, "deposit": 120 * KR}
    assert (st.opening, st.discrepancies, st.closing) == (0, 100 * KR, 30 * KR)


def test_a_statement_from_a_date_opens_with_the_balance_before_it(db, manager, clock):
    """K-1: --since: what the safe held before that day, and the day's movements."""
    from datetime import timedelta

    _stock_safe(db, manager, 100 * KR)
    clock.advance(days=2)
    safe.deposit(db, manager, "NORREBRO", 40 * KR, "S2")
    day = (clock() - timedelta(hours=1)).date()
    st = safe_views.statement(db, manager, "NORREBRO", since=day)
    assert [m.kind for m in st.movements] == ["deposit"]
    assert (st.opening, st.closing, st.balance) == (100 * KR, 60 * KR, 60 * KR)


def test_the_session_details_and_reports_show_the_safe_movements(db, manager, clock):
    """K-1: the float and drops appear in the session detail, the X and the Z report."""
    _stock_safe(db, manager)
    s = _open(db, manager, amount=300 * KR, from_safe=True)
    safe.drop(db, manager, "T1", 100 * KR, "BAG-9")
    x = to_text(x_report(sessions.session_details(db, manager, s.id), clock(), lang="en"), 42)
    assert "Float from safe" in x and "BAG-9" in x
    sessions.close_session(db, manager, "T1", 200 * KR, 0)
    z = to_text(z_report(sessions.session_details(db, manager, s.id), lang="en"), 42)
    assert "BAG-9" in z and "Returned at close" in z


# -- K-2 the drawer limit ----------------------------------------------------------------


def test_the_drawer_limit_is_reported_when_passed(db, manager, cashier):
    """K-2: over the limit, the details and the till say by how much."""
    stores.update_store(db, manager, "NORREBRO", drawer_limit=600 * KR)
    s = _open(db, cashier)
    assert safe_views.drawer_over_limit(db, cashier, "T1") is None
    sell(db, cashier, "T1", [("1007", 2)], [("cash", 118 * KR)])
    assert safe_views.drawer_over_limit(db, cashier, "T1") == 18 * KR
    assert sessions.session_details(db, cashier, s.id).over_limit == 18 * KR


def test_a_store_can_require_the_drop_before_the_next_sale(db, manager, cashier):
    """K-2: with drawer_limit_required the sale is refused until a drop."""
    stores.update_store(db, manager, "NORREBRO", drawer_limit=600 * KR, drawer_limit_required="on")
    _open(db, cashier)
    sell(db, cashier, "T1", [("1007", 2)], [("cash", 118 * KR)])  # this one passes the limit
    assert safe_views.require_drop_first(db, "T1")
    with pytest.raises(StateError, match="safe drop before the next sale"):
        sell(db, cashier, "T1", [("1007", 1)], [("card", 59 * KR)])
    safe.drop(db, cashier, "T1", 100 * KR, "1")
    assert not safe_views.require_drop_first(db, "T1")
    sell(db, cashier, "T1", [("1007", 1)], [("card", 59 * KR)])


# -- K-3 blind close ---------------------------------------------------------------------


def test_blind_close_hides_the_expected_cash_from_the_counting_operator(
    db, manager, cashier, clock
):
    """K-3: the details and the X report leave out the expected cash for a cashier."""
    stores.update_store(db, manager, "NORREBRO", blind_close="on")
    s = _open(db, cashier)
    sell(db, cashier, "T1", [("1007", 1)], [("cash", 59 * KR)])
    d = sessions.session_details(db, cashier, s.id)
    assert d.blind and d.expected_cash is None and d.summary.cash_sales is None
    assert sessions.cash_summary_for(db, cashier, s.id).expected is None
    x = to_text(x_report(d, clock(), lang="en"), 42)
    assert "559,00" not in x and "59,00" not in x.split("Payments by type")[0]
    seen = sessions.session_details(db, manager, s.id)
    assert not seen.blind and seen.expected_cash == 559 * KR
    sessions.close_session(db, cashier, "T1", 550 * KR, 0)
    after = sessions.session_details(db, cashier, s.id)
    assert not after.blind and after.session.closing_discrepancy == -9 * KR


def test_a_sale_that_opens_its_session_is_not_stopped_by_the_limit(db, manager, cashier):
    """K-2: a session opened by the sale itself has had no chance of a drop yet: the sale
    goes through, and the next one waits for the drop."""
    stores.update_store(db, manager, "NORREBRO", drawer_limit=100 * KR, drawer_limit_required="on")
    _open(db, cashier, amount=300 * KR)
    sessions.close_session(db, cashier, "T1", 300 * KR, 300 * KR)  # 300,00 stays in the drawer
    assert sell(db, cashier, "T1", [("1007", 1)], [("card", 59 * KR)]).session_auto_opened
    with pytest.raises(StateError, match="safe drop"):
        sell(db, cashier, "T1", [("1007", 1)], [("card", 59 * KR)])
