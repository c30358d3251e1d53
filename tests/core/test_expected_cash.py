"""Expected cash (S-7) and cash rounding (M-3), checked against the stored rows.

Amounts are DKK øre (NORREBRO, cash rounding 0,50) or ISK krónur (REYKJAVIK).
Demo prices used here: 1001 Rugbrød 32,95; 1003 Letmælk 12,25; 1006 Ost 54,75;
1007 Kaffe 59,00; 1008 Æbler 22,00; 1013 Øl 9,95.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import KassiError
from core.money.tendering import TenderInput
from core.staff import auth
from core.store import demo
from core.store.db import Db
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput


def sell(db, actor, terminal, lines, pay, customer=None):
    return sales.record_sale(
        db,
        actor,
        terminal,
        [LineInput(sku, qty) for sku, qty in lines],
        [TenderInput(t, a) for t, a in pay],
        customer,
    )


def cash_rows(db, session_id):
    return [
        (r["amount"], r["tendered"])
        for r in db.all(
            "SELECT amount, tendered FROM payments WHERE session_id = ? AND is_cash = 1"
            " ORDER BY id",
            (session_id,),
        )
    ]


def independent_expected(db, session_id):
    """S-7 written out again, straight from the rows, as a second opinion."""
    opening = db.scalar("SELECT opening_float FROM sessions WHERE id = ?", (session_id,))
    cash = db.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE session_id = ? AND is_cash = 1",
        (session_id,),
    )
    added = db.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM cash_adjustments"
        " WHERE session_id = ? AND kind = 'add'",
        (session_id,),
    )
    removed = db.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM cash_adjustments"
        " WHERE session_id = ? AND kind = 'remove'",
        (session_id,),
    )
    return opening + cash + added - removed


def assert_summary_consistent(db, session_id):
    """cash_summary() agrees with expected_cash(), with S-7 from the rows and with payments."""
    summary = sessions.cash_summary(db, session_id)
    expected = sessions.expected_cash(db, session_id)
    assert summary.expected == expected == independent_expected(db, session_id)
    assert summary.expected == (
        summary.opening_float
        + summary.cash_sales
        - summary.cash_refunds
        + summary.cash_added
        - summary.cash_removed_during
    )
    all_payments = db.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE session_id = ?", (session_id,)
    )
    assert sum(t.amount for t in summary.by_tender) == all_payments
    # What the customers settled = sale totals + the rounding recorded on them (M-3).
    assert summary.sales_total - summary.refunds_total + summary.rounding_total == all_payments
    cash = next(t for t in summary.by_tender if t.is_cash)
    assert cash.amount == summary.net_cash
    return summary


# -- S-7 in one scenario -----------------------------------------------------------------


def test_expected_cash_whole_session_s7(db, cashier):
    """S-7: float + cash received (net of change) - cash refunds + added - removed;
    card payments never touch the expected cash."""
    session = sessions.open_session(db, cashier, "T1", 50000, note="Morning float")
    sid = session.id
    seen = [sessions.expected_cash(db, sid)]

    # 3 x Æbler = 66,00, customer hands over 200,00: 134,00 change.
    a = sell(db, cashier, "T1", [("1008", 3)], [("cash", 20000)])
    seen.append(sessions.expected_cash(db, sid))
    # Rugbrød 32,95 -> 33,00 in cash, paid with 50,00: 17,00 change.
    b = sell(db, cashier, "T1", [("1001", 1)], [("cash", 5000)])
    seen.append(sessions.expected_cash(db, sid))
    # One Æbler back from receipt 1, paid out in cash.
    refunds.record_refund(
        db,
        cashier,
        "T1",
        [LineInput("1008", 1)],
        [TenderInput("cash")],
        receipt=("T1", a.sale.receipt_no),
    )
    seen.append(sessions.expected_cash(db, sid))
    sessions.adjust_cash(db, cashier, "T1", "add", 10000, "No change for the customers")
    seen.append(sessions.expected_cash(db, sid))
    sessions.adjust_cash(db, cashier, "T1", "remove", 30000, "Too much cash: theft limit")
    seen.append(sessions.expected_cash(db, sid))
    # Kaffe 59,00 on card.
    sell(db, cashier, "T1", [("1007", 1)], [("card", None)])
    seen.append(sessions.expected_cash(db, sid))
    # Ost 54,75: 20,00 on card, the rest (34,75 -> 35,00) in cash from a 50,00 note.
    d = sell(db, cashier, "T1", [("1006", 1)], [("card", 2000), ("cash", 5000)])
    seen.append(sessions.expected_cash(db, sid))

    assert seen == [50000, 56600, 59900, 57700, 67700, 37700, 37700, 41200]
    assert (a.change, b.change, d.change) == (13400, 1700, 1500)
    # Stored rows: cash kept net of change, the tendered note kept beside it.
    assert cash_rows(db, sid) == [(6600, 20000), (3300, 5000), (-2200, -2200), (3500, 5000)]
    card = db.all(
        "SELECT amount FROM payments WHERE session_id = ? AND tender_id = 'card' ORDER BY id",
        (sid,),
    )
    assert [r["amount"] for r in card] == [5900, 2000]

    summary = assert_summary_consistent(db, sid)
    assert (summary.opening_float, summary.cash_sales, summary.cash_refunds) == (50000, 13400, 2200)
    assert (summary.cash_added, summary.cash_removed_during, summary.expected) == (
        10000,
        30000,
        41200,
    )
    assert (summary.sales_count, summary.refunds_count) == (4, 1)
    assert summary.sales_total == 6600 + 3295 + 5900 + 5475
    assert summary.refunds_total == 2200
    assert summary.rounding_total == 5 + 25
    tenders = {t.tender_id: (t.count, t.amount) for t in summary.by_tender}
    assert tenders == {"cash": (4, 11200), "card": (2, 7900)}

    closed = sessions.close_session(db, cashier, "T1", counted=41200, leave=20000)
    row = db.one("SELECT * FROM sessions WHERE id = ?", (sid,))
    assert (row["expected_cash"], row["counted_cash"]) == (41200, 41200)
    assert (row["left_in_drawer"], row["cash_removed"]) == (20000, 21200)
    assert closed.closing_discrepancy == 0


def test_card_and_mobile_payments_never_change_expected_cash(db, cashier):
    """S-7/S-11: only the cash tender counts; other tenders are tracked beside it."""
    sid = sessions.open_session(db, cashier, "T1", 10000).id
    sell(db, cashier, "T1", [("1001", 1)], [("card", None)])
    sell(db, cashier, "T1", [("1007", 1)], [("mobile", None)])
    sell(db, cashier, "T1", [("1006", 1)], [("giftcard", 5000), ("card", 475)])
    assert sessions.expected_cash(db, sid) == 10000
    assert independent_expected(db, sid) == 10000
    summary = assert_summary_consistent(db, sid)
    assert {t.tender_id: t.amount for t in summary.by_tender} == {
        "cash": 0,
        "card": 3295 + 475,
        "mobile": 5900,
        "giftcard": 5000,
    }


# -- the two classic bugs ----------------------------------------------------------------


def test_float_is_counted_once_after_manual_open(db, cashier):
    """S-7: expected after open + one cash sale = float + sale, not 2 x float + sale."""
    sid = sessions.open_session(db, cashier, "T1", 50000).id
    sell(db, cashier, "T1", [("1008", 3)], [("cash", None)])
    assert sessions.expected_cash(db, sid) == 50000 + 6600
    assert sessions.cash_summary(db, sid).expected == 56600
    # The float is the session's starting amount, never a payment row.
    assert db.scalar("SELECT COUNT(*) FROM payments WHERE session_id = ?", (sid,)) == 1
    assert cash_rows(db, sid) == [(6600, 6600)]


def test_auto_opened_float_is_previous_left_not_added_again(db, cashier):
    """S-4/S-7: the auto-opened session's float is the cash left at the previous close,
    and its expected cash adds only that session's own cash."""
    first = sessions.open_session(db, cashier, "T1", 50000).id
    sell(db, cashier, "T1", [("1008", 3)], [("cash", None)])
    sessions.close_session(db, cashier, "T1", counted=56600, leave=50000)

    result = sell(db, cashier, "T1", [("1008", 3)], [("cash", None)])
    assert result.session_auto_opened
    second = result.session_id
    assert second != first
    row = db.one("SELECT * FROM sessions WHERE id = ?", (second,))
    assert (row["opening_float"], row["previous_left"], row["opened_auto"]) == (50000, 50000, 1)
    assert row["previous_session_id"] == first
    assert sessions.expected_cash(db, second) == 50000 + 6600
    assert_summary_consistent(db, second)
    # The first session's figures are frozen and not touched by the second.
    assert db.scalar("SELECT expected_cash FROM sessions WHERE id = ?", (first,)) == 56600


def test_change_given_is_not_counted_as_cash_in(db, cashier):
    """S-7: paying 200,00 for 66,00 grows the expected cash by 66,00, not 200,00."""
    sid = sessions.open_session(db, cashier, "T1", 10000).id
    result = sell(db, cashier, "T1", [("1008", 3)], [("cash", 20000)])
    assert result.change == 13400
    assert sessions.expected_cash(db, sid) == 10000 + 6600
    sale = db.one("SELECT * FROM sales WHERE id = ?", (result.sale.id,))
    assert (sale["total"], sale["change_given"], sale["rounding"]) == (6600, 13400, 0)
    assert cash_rows(db, sid) == [(6600, 20000)]
    assert sessions.cash_summary(db, sid).cash_sales == 6600


# -- cash rounding (M-3) -----------------------------------------------------------------


def _sale_row(db, sale_id):
    return db.one("SELECT total, rounding, change_given FROM sales WHERE id = ?", (sale_id,))


def _payments(db, sale_id):
    return [
        (r["tender_id"], r["amount"], r["tendered"])
        for r in db.all(
            "SELECT tender_id, amount, tendered FROM payments WHERE sale_id = ? ORDER BY id",
            (sale_id,),
        )
    ]


def test_cash_total_rounds_up_to_half_krone_and_records_rounding(db, cashier):
    """M-3: 32,95 in cash is 33,00; the +0,05 is recorded on the sale."""
    sid = sessions.open_session(db, cashier, "T1", 0).id
    result = sell(db, cashier, "T1", [("1001", 1)], [("cash", None)])
    row = _sale_row(db, result.sale.id)
    assert (row["total"], row["rounding"], row["change_given"]) == (3295, 5, 0)
    assert _payments(db, result.sale.id) == [("cash", 3300, 3300)]
    assert result.sale.due == 3300
    assert sessions.expected_cash(db, sid) == 3300
    assert sessions.cash_summary(db, sid).rounding_total == 5


def test_cash_total_rounds_down_and_to_half(db, cashier):
    """M-3: ,01-,24 down; ,25-,74 to ,50 (Letmælk 12,25 + Øl 9,95 = 22,20 -> 22,00;
    Letmælk alone 12,25 -> 12,50)."""
    sessions.open_session(db, cashier, "T1", 0)
    down = sell(db, cashier, "T1", [("1003", 1), ("1013", 1)], [("cash", None)])
    half = sell(db, cashier, "T1", [("1003", 1)], [("cash", 2000)])
    assert tuple(_sale_row(db, down.sale.id)) == (2220, -20, 0)
    assert _payments(db, down.sale.id) == [("cash", 2200, 2200)]
    assert tuple(_sale_row(db, half.sale.id)) == (1225, 25, 750)
    assert _payments(db, half.sale.id) == [("cash", 1250, 2000)]


def test_card_payment_is_not_rounded(db, cashier):
    """M-3: card pays the exact 32,95; no rounding is recorded."""
    sid = sessions.open_session(db, cashier, "T1", 0).id
    result = sell(db, cashier, "T1", [("1001", 1)], [("card", None)])
    assert tuple(_sale_row(db, result.sale.id)) == (3295, 0, 0)
    assert _payments(db, result.sale.id) == [("card", 3295, 3295)]
    assert sessions.cash_summary(db, sid).rounding_total == 0


def test_split_card_and_cash_rounds_only_the_cash_remainder(db, cashier):
    """M-3: 32,95 with 10,20 on card leaves 22,75 cash -> 23,00 (+0,25); rounding the
    whole total instead would give +0,05. The card part stays exact."""
    sid = sessions.open_session(db, cashier, "T1", 0).id
    result = sell(db, cashier, "T1", [("1001", 1)], [("card", 1020), ("cash", None)])
    assert tuple(_sale_row(db, result.sale.id)) == (3295, 25, 0)
    assert _payments(db, result.sale.id) == [("card", 1020, 1020), ("cash", 2300, 2300)]
    assert sessions.expected_cash(db, sid) == 2300
    assert_summary_consistent(db, sid)


def test_cash_refund_is_rounded_too(db, cashier):
    """M-3 for refunds: paying back 32,95 in cash pays 33,00; rounding is mirrored."""
    sid = sessions.open_session(db, cashier, "T1", 10000).id
    sold = sell(db, cashier, "T1", [("1001", 1)], [("cash", None)])
    refund = refunds.record_refund(
        db,
        cashier,
        "T1",
        [LineInput("1001", 1)],
        [TenderInput("cash")],
        receipt=("T1", sold.sale.receipt_no),
    )
    assert tuple(_sale_row(db, refund.sale.id)) == (-3295, -5, 0)
    assert _payments(db, refund.sale.id) == [("cash", -3300, -3300)]
    assert sessions.expected_cash(db, sid) == 10000
    summary = assert_summary_consistent(db, sid)
    assert (summary.cash_sales, summary.cash_refunds, summary.rounding_total) == (3300, 3300, 0)


def test_store_without_cash_rounding_takes_exact_cash(db, manager):
    """M-3: REYKJAVIK has no cash rounding; ISK has no decimals."""
    sid = sessions.open_session(db, manager, "R1", 20000).id
    result = sell(db, manager, "R1", [("1001", 1), ("1013", 2)], [("cash", 2000)])
    assert tuple(_sale_row(db, result.sale.id)) == (690 + 398, 0, 2000 - 1088)
    assert _payments(db, result.sale.id) == [("cash", 1088, 2000)]
    assert sessions.expected_cash(db, sid) == 20000 + 1088


# -- cross-check over many random sessions ------------------------------------------------

SKUS = ["1001", "1003", "1006", "1007", "1008", "1013"]
operation = st.one_of(
    st.tuples(
        st.just("sale"),
        st.sampled_from(SKUS),
        st.integers(1, 4),
        st.sampled_from(["cash", "card", "split", "mobile"]),
        st.integers(0, 5000),
    ),
    st.tuples(st.just("refund"), st.integers(0, 10), st.sampled_from(["cash", "card"])),
    st.tuples(st.just("add"), st.integers(1, 20000)),
    st.tuples(st.just("remove"), st.integers(1, 20000)),
    st.tuples(st.just("close"), st.integers(0, 3000)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(float_=st.integers(0, 100000), ops=st.lists(operation, max_size=15))
def test_summary_always_agrees_with_rows(float_, ops):
    """S-7 cross-check: after any mix of sales, refunds, cash actions and closes,
    cash_summary(), expected_cash() and the rows agree for every session, and a closed
    session's stored expected cash is what the rows say."""
    # A fresh database per example (the autouse fixture keeps PIN hashing cheap).
    db = Db(":memory:", clock=lambda: datetime(2026, 1, 15, 8, 0, tzinfo=UTC))
    demo.load_demo(db)
    try:
        staff = auth.authenticate(db, "1", "1234")
        sessions.open_session(db, staff, "T1", float_)
        for op in ops:
            try:
                if op[0] == "sale":
                    _, sku, qty, how, extra = op
                    pay = {
                        "cash": [("cash", None)],
                        "card": [("card", None)],
                        "mobile": [("mobile", None)],
                        "split": [("card", 1 + extra % 500), ("cash", None)],
                    }[how]
                    sell(db, staff, "T1", [(sku, qty)], pay)
                elif op[0] == "refund":
                    receipts = db.all(
                        "SELECT receipt_no FROM sales WHERE kind = 'sale' ORDER BY id"
                    )
                    if receipts:
                        no = receipts[op[1] % len(receipts)]["receipt_no"]
                        sku = db.scalar(
                            "SELECT l.sku FROM sale_lines l JOIN sales s ON s.id = l.sale_id"
                            " WHERE s.terminal_id = 'T1' AND s.receipt_no = ?",
                            (no,),
                        )
                        refunds.record_refund(
                            db,
                            staff,
                            "T1",
                            [LineInput(sku, 1)],
                            [TenderInput(op[2])],
                            receipt=("T1", no),
                        )
                elif op[0] in ("add", "remove"):
                    sessions.adjust_cash(db, staff, "T1", op[0], op[1], "test")
                else:
                    current = sessions.current_session(db, "T1")
                    if current:
                        expected = sessions.expected_cash(db, current.id)
                        counted = expected + op[1] - 1500 if expected + op[1] >= 1500 else 0
                        sessions.close_session(
                            db, staff, "T1", counted=counted, leave=min(counted, 5000)
                        )
            except KassiError:
                pass  # a refused operation (over-refund, drawer too low) is fine here
        for row in db.all("SELECT * FROM sessions"):
            assert_summary_consistent(db, row["id"])
            if row["status"] == "closed":
                assert row["expected_cash"] == independent_expected(db, row["id"])
            assert independent_expected(db, row["id"]) >= 0
        # Every sale settled its total plus its rounding, no more, no less.
        for sale in db.all("SELECT id, total, rounding FROM sales"):
            paid = db.scalar("SELECT SUM(amount) FROM payments WHERE sale_id = ?", (sale["id"],))
            assert paid == sale["total"] + sale["rounding"]
    finally:
        db.close()


# -- the one definition: views and triggers (m019) -----------------------------------------


def _sides_total(db, session_id):
    return tuple(
        db.one(
            "SELECT COALESCE(SUM(received), 0), COALESCE(SUM(paid_out), 0)"
            " FROM cash_payment_sides WHERE session_id = ?",
            (session_id,),
        )
    )


def _session_totals(db, session_id):
    return tuple(
        db.one("SELECT cash_received, cash_paid_out FROM sessions WHERE id = ?", (session_id,))
    )


def test_triggers_keep_the_session_cash_totals_through_any_payment_write(db, cashier):
    """S-7: whoever inserts, moves, changes or deletes a cash payment, the session's
    cash received and paid out stay the sums of cash_payment_sides (the one split)."""
    first = sessions.open_session(db, cashier, "T1", 10000).id
    sell(db, cashier, "T1", [("1008", 3)], [("cash", 20000)])
    sell(db, cashier, "T1", [("1007", 1)], [("card", None)])
    sessions.close_session(db, cashier, "T1", counted=16600, leave=0)
    second = sessions.open_session(db, cashier, "T1", 0).id
    assert _session_totals(db, first) == _sides_total(db, first) == (6600, 0)
    with db.write():
        db.execute("UPDATE payments SET amount = -amount WHERE is_cash = 1")
    assert _session_totals(db, first) == _sides_total(db, first) == (0, 6600)
    with db.write():
        db.execute("UPDATE payments SET session_id = ? WHERE is_cash = 1", (second,))
    assert _session_totals(db, first) == (0, 0)
    assert _session_totals(db, second) == _sides_total(db, second) == (0, 6600)
    with db.write():
        db.execute("UPDATE payments SET is_cash = 1, amount = 5900 WHERE is_cash = 0")
    assert _session_totals(db, first) == _sides_total(db, first) == (5900, 0)
    with db.write():
        db.execute("DELETE FROM payments")
    assert _session_totals(db, first) == _session_totals(db, second) == (0, 0)


def test_the_views_migration_keeps_an_existing_databases_totals_and_triggers(tmp_path, clock):
    """m019 on a database from before it: the m002 triggers are replaced (no payment
    counted twice), and the figures stored before it read the same through the views."""
    from core.store.schema import migrations

    db = Db(tmp_path / "old.db", clock=clock, migrate=False)
    at = "2026-01-15T08:00:00.000000Z"
    with db.write():
        migrations.apply(db.sql, stop_before="m019_session_cash_views")
        db.execute(
            "INSERT INTO stores (id, name, currency, timezone, locale, created_at)"
            " VALUES ('S', 'S', 'DKK', 'UTC', 'en', ?)",
            (at,),
        )
        db.execute(
            "INSERT INTO terminals (id, store_id, name, created_at) VALUES ('T', 'S', 'T', ?)",
            (at,),
        )
        db.execute(
            "INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES ('1', 'A', 'manager', 'x', ?)",
            (at,),
        )
        db.execute("INSERT INTO tenders (id, name, is_cash) VALUES ('cash', 'Cash', 1)")
        db.execute(
            "INSERT INTO sessions (id, terminal_id, store_id, status, opened_at, opened_by,"
            " opening_float, previous_left) VALUES (1, 'T', 'S', 'open', ?, '1', 1000, 900)",
            (at,),
        )
        for uid, total in (("a", 500), ("b", -200)):
            kind = "sale" if total > 0 else "refund"
            sale = db.insert(
                "sales",
                {
                    "uid": uid,
                    "kind": kind,
                    "store_id": "S",
                    "terminal_id": "T",
                    "receipt_no": 1 if total > 0 else 2,
                    "session_id": 1,
                    "staff_id": "1",
                    "created_at": at,
                    "currency": "DKK",
                    "total": total,
                    "vat_total": 0,
                },
            )
            db.execute(
                "INSERT INTO payments (sale_id, session_id, tender_id, is_cash, amount, tendered)"
                " VALUES (?, 1, 'cash', 1, ?, ?)",
                (sale, total, total),
            )
    assert _session_totals(db, 1) == (500, 200)
    db.migrate()
    triggers = {
        r["name"]
        for r in db.all("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        if r["name"].startswith("payments_session_cash")
    }
    assert triggers == {
        "payments_session_cash_insert",
        "payments_session_cash_delete",
        "payments_session_cash_update_old",
        "payments_session_cash_update",
    }
    assert _session_totals(db, 1) == _sides_total(db, 1) == (500, 200)
    assert sessions.expected_cash(db, 1) == 1000 + 500 - 200
    with db.write():
        db.execute("UPDATE payments SET amount = 300, tendered = 300 WHERE amount = 500")
    assert _session_totals(db, 1) == (300, 200)
    assert db.scalar("SELECT opening_discrepancy FROM session_discrepancies WHERE id = 1") == 100
    db.close()


def test_session_rows_and_the_discrepancy_view_agree(db, cashier):
    """A-3: SessionRow's discrepancies are those of the view session_discrepancies."""
    sessions.open_session(db, cashier, "T1", 10000)
    sell(db, cashier, "T1", [("1008", 1)], [("cash", None)])
    sessions.close_session(db, cashier, "T1", counted=12000, leave=3000)
    sessions.open_session(db, cashier, "T1", 2500)
    for row in db.all("SELECT * FROM session_discrepancies"):
        s = sessions.get_session(db, row["id"])
        assert (s.opening_discrepancy, s.closing_discrepancy) == (
            row["opening_discrepancy"],
            row["closing_discrepancy"],
        )
    assert [
        tuple(r)
        for r in db.all(
            "SELECT opening_discrepancy, closing_discrepancy, total_discrepancy"
            " FROM session_discrepancies ORDER BY id"
        )
    ] == [(None, 12000 - 12200, -200), (2500 - 3000, None, -500)]
