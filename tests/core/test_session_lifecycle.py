"""Cash tracking sessions from open to close (S-2..S-5, S-8, S-9, S-11, A-3).

Amounts are DKK øre. Demo prices used: 1001 Rugbrød 32,95; 1007 Kaffe 59,00;
1008 Æbler 22,00.
"""

from __future__ import annotations

import sqlite3

import pytest

from core.errors import InputError, PermissionDenied, StateError
from core.money.tendering import TenderInput
from core.store import stores
from core.store.db import iso
from core.tills import sales, sessions
from core.tills.basket import LineInput


def sell(db, actor, terminal, sku="1008", qty=1, tender="cash", amount=None):
    return sales.record_sale(
        db, actor, terminal, [LineInput(sku, qty)], [TenderInput(tender, amount)]
    )


def session_row(db, session_id):
    return db.one("SELECT * FROM sessions WHERE id = ?", (session_id,))


# -- S-2 track cash off ------------------------------------------------------------------


def test_track_cash_off_records_sales_without_sessions(db, manager, cashier):
    """S-2: with "track cash" off no session opens, sales still record (session None)
    and a manual open is refused with a clear error."""
    stores.update_store(db, manager, "NORREBRO", track_cash=False)

    result = sell(db, cashier, "T1", "1007", 2)
    assert result.session_id is None
    assert not result.session_auto_opened
    sale = db.one("SELECT * FROM sales WHERE id = ?", (result.sale.id,))
    assert sale["session_id"] is None
    assert sale["total"] == 11800
    payment = db.one("SELECT * FROM payments WHERE sale_id = ?", (result.sale.id,))
    assert (payment["session_id"], payment["amount"]) == (None, 11800)
    assert db.scalar("SELECT COUNT(*) FROM sessions") == 0

    with pytest.raises(StateError, match="Cash tracking is off"):
        sessions.open_session(db, manager, "T1", 10000)
    assert db.scalar("SELECT COUNT(*) FROM sessions") == 0
    # The other store still tracks cash.
    assert sell(db, manager, "R1", "1001").session_auto_opened


# -- S-3 manual open -----------------------------------------------------------------------


def test_manual_open_records_float_note_and_who(db, cashier, clock):
    """S-3: the operator enters the float and an optional note; the session stays
    open across sales and days until someone closes it."""
    opened = sessions.open_session(db, cashier, "T1", 75000, note="  Two rolls of coins ")
    row = session_row(db, opened.id)
    assert row["status"] == "open"
    assert (row["terminal_id"], row["store_id"]) == ("T1", "NORREBRO")
    assert (row["opening_float"], row["open_note"]) == (75000, "Two rolls of coins")
    assert (row["opened_by"], row["opened_auto"]) == ("2", 0)
    assert row["opened_at"] == iso(clock.now)
    assert row["previous_session_id"] is None
    entry = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert (entry["action"], entry["entity_id"], entry["amount"]) == (
        "session.open",
        str(opened.id),
        75000,
    )

    clock.advance(days=1, hours=3)
    result = sell(db, cashier, "T1")
    assert result.session_id == opened.id
    assert not result.session_auto_opened
    assert session_row(db, opened.id)["status"] == "open"


def test_one_open_session_per_terminal(db, cashier, supervisor):
    """S-3: a second open on the same terminal is refused; another terminal may open."""
    first = sessions.open_session(db, cashier, "T1", 10000)
    with pytest.raises(StateError, match=f"Session {first.id} is already open on terminal T1"):
        sessions.open_session(db, supervisor, "T1", 20000)
    assert db.scalar("SELECT COUNT(*) FROM sessions WHERE terminal_id = 'T1'") == 1
    other = sessions.open_session(db, supervisor, "T2", 20000)
    assert other.terminal_id == "T2"
    assert db.scalar("SELECT COUNT(*) FROM sessions WHERE status = 'open'") == 2


def test_partial_unique_index_refuses_a_second_open_session(db, cashier):
    """S-3 in the schema: even a raw INSERT cannot make two open sessions on a terminal;
    closed ones are not limited."""
    sessions.open_session(db, cashier, "T1", 10000)
    raw = (
        "INSERT INTO sessions (id, terminal_id, store_id, status, opened_at, opened_by,"
        " opening_float{extra}) VALUES (?, 'T1', 'NORREBRO', ?, '2026-01-15T08:00:00.000000Z',"
        " '2', 0{values})"
    )
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        db.execute(raw.format(extra="", values=""), (999, "open"))
    closed = (
        ", closed_at, closed_by, expected_cash, counted_cash, left_in_drawer, cash_removed",
        ", '2026-01-15T09:00:00.000000Z', '2', 0, 0, 0, 0",
    )
    db.execute(raw.format(extra=closed[0], values=closed[1]), (998, "closed"))
    db.execute(raw.format(extra=closed[0], values=closed[1]), (997, "closed"))
    assert db.scalar("SELECT COUNT(*) FROM sessions WHERE terminal_id = 'T1'") == 3


# -- S-4 automatic open --------------------------------------------------------------------


def test_first_auto_opened_session_starts_at_zero(db, cashier):
    """S-4: no session open, the next order opens one; a terminal's first starts at 0."""
    result = sell(db, cashier, "T1", "1008", 3)
    assert result.session_auto_opened
    row = session_row(db, result.session_id)
    assert (row["opening_float"], row["opened_auto"], row["opened_by"]) == (0, 1, "2")
    assert (row["previous_session_id"], row["previous_left"]) == (None, None)
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'session.auto_open' AND entity_id = ?",
            (str(result.session_id),),
        )
        == 1
    )
    assert sessions.get_session(db, result.session_id).opening_discrepancy is None
    # The sale belongs to the new session.
    assert db.scalar("SELECT session_id FROM sales WHERE id = ?", (result.sale.id,)) == (
        result.session_id
    )


def test_auto_open_float_is_cash_left_at_previous_close(db, cashier):
    """S-4: the automatic float is what the terminal's previous close left in the drawer."""
    first = sessions.open_session(db, cashier, "T1", 30000)
    sell(db, cashier, "T1", "1008", 3)
    sessions.close_session(db, cashier, "T1", counted=36600, leave=12500)
    result = sell(db, cashier, "T1")
    row = session_row(db, result.session_id)
    assert result.session_auto_opened
    assert (row["opening_float"], row["previous_left"], row["previous_session_id"]) == (
        12500,
        12500,
        first.id,
    )


def test_terminals_never_share_or_inherit_each_others_float(db, cashier, supervisor):
    """S-4: T1 closes leaving 500,00; T2 auto-opens at 0 and T1 at 500,00. Each later
    session inherits only its own terminal's leftover."""
    t1_first = sessions.open_session(db, cashier, "T1", 60000)
    sessions.close_session(db, cashier, "T1", counted=60000, leave=50000)

    t2 = sell(db, supervisor, "T2")
    assert t2.session_auto_opened
    assert (session_row(db, t2.session_id)["opening_float"],) == (0,)
    assert session_row(db, t2.session_id)["previous_session_id"] is None

    t1 = sell(db, cashier, "T1")
    assert t1.session_auto_opened
    assert session_row(db, t1.session_id)["opening_float"] == 50000
    assert session_row(db, t1.session_id)["previous_session_id"] == t1_first.id

    # Close both with different leftovers; each terminal gets its own back.
    sessions.close_session(db, supervisor, "T2", counted=2200, leave=1000)
    sessions.close_session(db, cashier, "T1", counted=52200, leave=20000)
    t2_next = sell(db, supervisor, "T2")
    t1_next = sell(db, cashier, "T1")
    assert session_row(db, t2_next.session_id)["opening_float"] == 1000
    assert session_row(db, t2_next.session_id)["previous_session_id"] == t2.session_id
    assert session_row(db, t1_next.session_id)["opening_float"] == 20000
    assert session_row(db, t1_next.session_id)["previous_session_id"] == t1.session_id


# -- S-5 / S-8 details -------------------------------------------------------------------


def test_open_session_details(db, cashier, supervisor, clock):
    """S-5: date, total sales, who opened, float, every cash action (who, amount, note,
    time); the closed-only fields are empty while open."""
    opened_at = clock.now
    sid = sessions.open_session(db, cashier, "T1", 40000, note="float").id
    sell(db, cashier, "T1", "1008", 3)  # 66,00 cash
    sell(db, cashier, "T1", "1007", 1, "card")  # 59,00 card
    clock.advance(minutes=10)
    add_at = clock.now
    sessions.adjust_cash(db, supervisor, "T1", "add", 5000, "No change for the customer")
    clock.advance(minutes=20)
    remove_at = clock.now
    sessions.adjust_cash(db, cashier, "T1", "remove", 20000, "Staff took cash for milk")

    d = sessions.session_details(db, cashier, sid)
    assert d.session.is_open
    assert d.session.opened_at == iso(opened_at)
    assert (d.opened_by_name, d.session.opening_float) == ("Kasper Kasserer", 40000)
    assert (d.store.id, d.terminal.id) == ("NORREBRO", "T1")
    assert d.summary.sales_total == 6600 + 5900
    assert d.summary.sales_count == 2
    got = [
        (a.kind, a.amount, a.note, a.staff_id, a.staff_name, a.created_at) for a in d.adjustments
    ]
    assert got == [
        ("add", 5000, "No change for the customer", "3", "Sigrún Vaktstjóri", iso(add_at)),
        ("remove", 20000, "Staff took cash for milk", "2", "Kasper Kasserer", iso(remove_at)),
    ]
    assert [a.signed for a in d.adjustments] == [5000, -20000]
    assert d.expected_cash == 40000 + 6600 + 5000 - 20000
    assert d.closed_by_name is None
    s = d.session
    assert (s.closed_at, s.counted_cash, s.left_in_drawer, s.cash_removed) == (None,) * 4
    assert s.closing_discrepancy is None


def test_close_then_closed_session_details(db, cashier, supervisor, manager, clock):
    """S-5/S-8/S-11: a closed session shows who closed it, counted, expected and left
    cash, and payments by type with the declared amounts and their differences."""
    sid = sessions.open_session(db, cashier, "T1", 40000).id
    sell(db, cashier, "T1", "1008", 3)  # cash 66,00
    sell(db, cashier, "T1", "1007", 1, "card")  # card 59,00
    sell(db, cashier, "T1", "1001", 1, "card")  # card 32,95
    sell(db, cashier, "T1", "1008", 1, "mobile")  # mobile 22,00
    sessions.adjust_cash(db, cashier, "T1", "remove", 6000, "Theft limit")
    clock.advance(hours=8)

    expected = 40000 + 6600 - 6000
    closed = sessions.close_session(
        db,
        supervisor,
        "T1",
        counted=expected - 150,
        leave=30000,
        declarations={"card": 9000},
        note="Short by 1,50",
    )
    row = session_row(db, sid)
    assert row["status"] == "closed"
    assert (row["closed_by"], row["closed_at"]) == ("3", iso(clock.now))
    assert (row["expected_cash"], row["counted_cash"]) == (expected, expected - 150)
    assert (row["left_in_drawer"], row["cash_removed"]) == (30000, expected - 150 - 30000)
    assert row["close_note"] == "Short by 1,50"
    assert closed.closing_discrepancy == -150
    declared = dict(
        db.all("SELECT tender_id, amount FROM declarations WHERE session_id = ?", (sid,))
    )
    assert declared == {"cash": expected - 150, "card": 9000}

    d = sessions.session_details(db, manager, sid)
    assert d.closed_by_name == "Sigrún Vaktstjóri"
    assert d.opened_by_name == "Kasper Kasserer"
    assert d.expected_cash == expected
    by = {t.tender_id: (t.count, t.amount, t.declared, t.difference) for t in d.summary.by_tender}
    assert by == {
        "cash": (1, 6600, expected - 150, expected - 150 - 6600),
        "card": (2, 5900 + 3295, 9000, 9000 - 9195),
        "mobile": (1, 2200, None, None),
    }
    entry = db.one("SELECT * FROM audit_log WHERE action = 'session.close'")
    assert entry["entity_id"] == str(sid)
    assert '"discrepancy":-150' in entry["details"]


def test_close_figures_counted_leave_removed_discrepancy(db, cashier):
    """S-8: removed = counted - leave; discrepancy = counted - expected (over and short)."""
    sessions.open_session(db, cashier, "T1", 10000)
    sell(db, cashier, "T1", "1008", 1)
    over = sessions.close_session(db, cashier, "T1", counted=12500, leave=10000)
    assert (over.expected_cash, over.counted_cash) == (12200, 12500)
    assert (over.left_in_drawer, over.cash_removed, over.closing_discrepancy) == (10000, 2500, 300)

    sell(db, cashier, "T1", "1008", 1)  # auto-opens at 100,00
    short = sessions.close_session(db, cashier, "T1", counted=0, leave=0)
    assert short.opening_float == 10000
    assert (short.expected_cash, short.cash_removed, short.closing_discrepancy) == (
        12200,
        0,
        -12200,
    )
    assert db.scalar("SELECT COUNT(*) FROM sessions WHERE status = 'open'") == 0


def test_denomination_counts_at_open_and_close(db, cashier, manager):
    """S-3/S-8 with denomination counting (SPEC beyond the sources): counting notes and coins: the
    count gives the amount, is stored per phase, and a typed amount that disagrees with the count
    is refused."""
    with pytest.raises(InputError, match="make 150,00, not 200,00"):
        sessions.open_session(db, cashier, "T1", 20000, counts={10000: 1, 2000: 2, 500: 2})
    assert db.scalar("SELECT COUNT(*) FROM sessions") == 0

    opened = sessions.open_session(db, cashier, "T1", counts={10000: 1, 2000: 2, 500: 2, 50: 0})
    assert opened.opening_float == 15000
    sell(db, cashier, "T1", "1008", 1)  # +22,00

    with pytest.raises(InputError, match="make 172,00, not 170,00"):
        sessions.close_session(
            db, cashier, "T1", counted=17000, leave=0, counts={10000: 1, 5000: 1, 2000: 1, 200: 1}
        )
    assert sessions.current_session(db, "T1") is not None

    closed = sessions.close_session(
        db, cashier, "T1", counted=None, leave=10000, counts={10000: 1, 5000: 1, 2000: 1, 200: 1}
    )
    assert (closed.counted_cash, closed.closing_discrepancy) == (17200, 0)
    rows = db.all(
        "SELECT phase, denomination, count FROM session_counts WHERE session_id = ?"
        " ORDER BY phase, denomination DESC",
        (opened.id,),
    )
    assert [tuple(r) for r in rows] == [
        ("close", 10000, 1),
        ("close", 5000, 1),
        ("close", 2000, 1),
        ("close", 200, 1),
        ("open", 10000, 1),
        ("open", 2000, 2),
        ("open", 500, 2),
    ]
    d = sessions.session_details(db, manager, opened.id)
    assert dict(d.counts["open"]) == {10000: 1, 2000: 2, 500: 2}
    assert dict(d.counts["close"]) == {10000: 1, 5000: 1, 2000: 1, 200: 1}


def test_unknown_denomination_is_refused(db, cashier):
    """S-3 denomination counting: only the currency's notes and coins count."""
    with pytest.raises(InputError, match="not a DKK note or coin"):
        sessions.open_session(db, cashier, "T1", counts={3000: 1})
    assert db.scalar("SELECT COUNT(*) FROM sessions") == 0


# -- A-3 discrepancies ---------------------------------------------------------------------


def test_opening_and_closing_discrepancy(db, cashier):
    """A-3: opening discrepancy = counted at start - left at the previous close (None for
    a first session); closing discrepancy = counted at close - expected."""
    first = sessions.open_session(db, cashier, "T1", 50000)
    assert first.opening_discrepancy is None
    sell(db, cashier, "T1", "1008", 1)
    first = sessions.close_session(db, cashier, "T1", counted=52000, leave=50000)
    assert first.closing_discrepancy == 52000 - 52200

    second = sessions.open_session(db, cashier, "T1", 48000, note="Counted short at start")
    row = session_row(db, second.id)
    assert (row["previous_session_id"], row["previous_left"]) == (first.id, 50000)
    assert second.opening_discrepancy == -2000
    second = sessions.close_session(db, cashier, "T1", counted=48100, leave=48100)
    assert second.closing_discrepancy == 100

    third = sell(db, cashier, "T1")  # auto-open: float = what was left, no discrepancy
    assert sessions.get_session(db, third.session_id).opening_discrepancy == 0


# -- S-9 history -------------------------------------------------------------------------


def test_list_sessions_newest_first_with_filters(db, manager, clock):
    """S-9: history lists sessions newest first; filter by terminal and status; pages."""
    ids = {}
    for n, terminal in enumerate(["T1", "T2", "T1", "R1", "T2"]):
        clock.advance(minutes=5)
        if sessions.current_session(db, terminal):
            sessions.close_session(db, manager, terminal, counted=0, leave=0)
        ids[n] = sessions.open_session(db, manager, terminal, 0).id
    everything = sessions.list_sessions(db, manager)
    assert [s.id for s in everything] == sorted(ids.values(), reverse=True)
    assert [s.opened_at for s in everything] == sorted(
        (s.opened_at for s in everything), reverse=True
    )

    t1 = sessions.list_sessions(db, manager, terminal_id="T1")
    assert [s.id for s in t1] == [ids[2], ids[0]]
    closed = sessions.list_sessions(db, manager, status="closed")
    assert [s.id for s in closed] == [ids[1], ids[0]]
    assert all(not s.is_open for s in closed)
    open_ = sessions.list_sessions(db, manager, status="open")
    assert {s.terminal_id for s in open_} == {"T1", "T2", "R1"}
    closed_t2 = sessions.list_sessions(db, manager, terminal_id="T2", status="closed")
    assert [s.id for s in closed_t2] == [ids[1]]
    page = sessions.list_sessions(db, manager, limit=2, offset=1)
    assert [s.id for s in page] == [s.id for s in everything[1:3]]


def test_cashier_sees_open_sessions_but_not_history(db, cashier, manager):
    """A-2: "view cash tracking sessions" lists open ones; history needs its own permission."""
    sessions.open_session(db, cashier, "T1", 0)
    assert [s.terminal_id for s in sessions.list_sessions(db, cashier, status="open")] == ["T1"]
    with pytest.raises(PermissionDenied, match="view cash tracking session history"):
        sessions.list_sessions(db, cashier)
    with pytest.raises(PermissionDenied, match="view cash tracking session history"):
        sessions.list_sessions(db, cashier, status="closed")


# -- S-11 -----------------------------------------------------------------------------------


def test_other_payment_types_are_tracked_in_the_session(db, cashier):
    """S-11: card, mobile and gift card payments are counted per session and tender."""
    sid = sessions.open_session(db, cashier, "T1", 0).id
    sell(db, cashier, "T1", "1007", 1, "card")
    sell(db, cashier, "T1", "1007", 2, "card")
    sell(db, cashier, "T1", "1008", 1, "mobile")
    sales.record_sale(
        db,
        cashier,
        "T1",
        [LineInput("1001", 1)],
        [TenderInput("giftcard", 2000), TenderInput("cash", None)],
    )
    other = sell(db, cashier, "T2", "1007", 1, "card")  # another terminal's session
    assert other.session_id != sid

    summary = sessions.cash_summary(db, sid)
    by = {t.tender_id: (t.count, t.amount, t.is_cash) for t in summary.by_tender}
    assert by == {
        "cash": (1, 1300, True),
        "card": (2, 5900 * 3, False),
        "mobile": (1, 2200, False),
        "giftcard": (1, 2000, False),
    }
    assert [t.tender_id for t in summary.by_tender] == ["cash", "card", "mobile", "giftcard"]
    assert summary.expected == 1300


def test_cash_tracking_cannot_be_turned_off_while_a_session_is_open(db, manager):
    """S-2: turning tracking off with an open session would orphan later sales."""
    from core.errors import StateError
    from core.store import stores

    sessions.open_session(db, manager, "T1", 10000)
    with pytest.raises(StateError, match="before turning cash tracking off"):
        stores.update_store(db, manager, "NORREBRO", track_cash="off")
    assert stores.get_store(db, "NORREBRO").track_cash
