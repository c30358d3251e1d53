"""Retail statements: create (T-2, T-7, T-9), transactions (T-3), calculate (T-4),
counted amounts (T-5), states, recalculation and delete.

Amounts are DKK øre (see test_statements_support for the demo prices).
"""

from __future__ import annotations

import json

import pytest

from core.errors import InputError, NotFound, PermissionDenied, StateError
from core.statements import operations as statements
from core.statements.records import OpenSessionsError
from core.store import stores
from tests.core.test_statements_support import Shop, local

DAY = (local(2026, 5, 31, 3), local(2026, 6, 1, 3))  # NORREBRO's business day 31 May


def _mixed_day(shop: Shop) -> None:
    """31 May: T1 by staff 1 and 2, T2 by staff 3; sessions closed with exact counts."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash", staff="1")  # 49,00 cash
    shop.sell("T1", [("1004", 1)], "card", staff="2")  # 24,95 card
    shop.at(2026, 5, 31, 10)
    shop.sell("T2", [("1002", 1)], "mobile", staff="3")  # 24,50 mobile
    shop.sell("T2", [("1003", 2)], "card", staff="3")  # 24,50 card
    shop.at(2026, 5, 31, 11)
    shop.sell("T1", [("1001", 1)], "card", staff="2")  # 32,95 card
    shop.at(2026, 5, 31, 22)
    shop.close("T1", declare={"card": 2495 + 3295})
    shop.close("T2", declare={"card": 2450})


# -- create, numbering (T-2, T-7) ---------------------------------------------------------


def test_statement_ids_come_from_one_global_sequence(shop: Shop) -> None:
    """T-7: statements of two stores share one sequence; a deleted number is not reused."""
    a = shop.create_one("NORREBRO", *DAY)
    b = shop.create_one("REYKJAVIK", local(2026, 5, 31), local(2026, 6, 1))
    assert (a, b) == (1, 2)
    statements.delete_statement(shop.db, shop.manager, b)
    c = shop.create_one("REYKJAVIK", local(2026, 5, 31), local(2026, 6, 1))
    assert c == 3
    assert shop.db.scalar("SELECT value FROM number_sequences WHERE name = 'statement'") == 3


def test_created_statement_records_who_when_and_the_store_settings(shop: Shop) -> None:
    shop.at(2026, 6, 1, 9)
    st = statements.get_statement(shop.db, shop.create_one("NORREBRO", *DAY))
    assert st.status == "created"
    assert (st.store_id, st.method, st.split, st.source) == ("NORREBRO", "total", False, "manual")
    assert st.created_by == "1"
    assert st.created_at == "2026-06-01T07:00:00.000000Z"
    assert st.period_start == "2026-05-31T01:00:00.000000Z"
    assert st.period_end == "2026-06-01T01:00:00.000000Z"


def test_the_same_period_twice_is_refused(shop: Shop) -> None:
    first = shop.create_one("NORREBRO", *DAY)
    with pytest.raises(StateError, match=f"Statement {first} already covers NORREBRO"):
        shop.create("NORREBRO", *DAY)


def test_a_period_must_end_after_it_starts(shop: Shop) -> None:
    with pytest.raises(InputError, match="end after it starts"):
        shop.create("NORREBRO", DAY[1], DAY[0])


def test_statements_need_the_permission(shop: Shop, cashier) -> None:
    with pytest.raises(PermissionDenied, match="manage statements"):
        statements.create_statements(shop.db, cashier, "NORREBRO", *DAY)
    sid = shop.create_one("NORREBRO", *DAY)
    with pytest.raises(PermissionDenied):
        statements.calculate_statement(shop.db, cashier, sid)
    with pytest.raises(PermissionDenied):
        statements.statement_details(shop.db, cashier, sid)


# -- T-9: open sessions ---------------------------------------------------------------------


def test_create_is_refused_while_a_session_in_the_period_is_open(shop: Shop, snapshot) -> None:
    """T-9: naming each open session (id, terminal, when it opened, local time)."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1")
    shop.at(2026, 5, 31, 9, 30)
    t2 = shop.open("T2", 50000)
    before = snapshot()
    with pytest.raises(OpenSessionsError) as refused:
        shop.create("NORREBRO", *DAY)
    message = refused.value.message
    assert "session 1 on T1 (opened 2026-05-31 09:00+0200)" in message
    assert f"session {t2} on T2 (opened 2026-05-31 09:30+0200)" in message
    assert [s[:2] for s in refused.value.sessions] == [(1, "T1"), (t2, "T2")]
    assert snapshot() == before
    assert shop.count("statements") == 0
    shop.close_all()
    assert shop.create_one("NORREBRO", *DAY) == 1


def test_a_session_opened_after_the_period_does_not_block(shop: Shop) -> None:
    shop.at(2026, 6, 1, 8)
    shop.open("T1", 0)  # the next business day's shift
    assert shop.create_one("NORREBRO", *DAY)


def test_calculate_checks_open_sessions_again(shop: Shop) -> None:
    """A session can appear after the create (e.g. a later import): calculate refuses too."""
    sid = shop.create_one("NORREBRO", *DAY)
    shop.db.execute(
        "INSERT INTO sessions (id, terminal_id, store_id, status, opened_at, opened_by,"
        " opening_float) VALUES (99, 'T2', 'NORREBRO', 'open', ?, '1', 0)",
        ("2026-05-31T10:00:00.000000Z",),
    )
    with pytest.raises(OpenSessionsError, match="session 99 on T2"):
        statements.calculate_statement(shop.db, shop.manager, sid)
    assert statements.get_statement(shop.db, sid).status == "created"


# -- T-3: transactions --------------------------------------------------------------------


def test_transactions_are_listed_before_calculating(shop: Shop) -> None:
    """T-3: before calculating, the period's transactions no statement holds; after, its own."""
    shop.at(2026, 5, 31, 2)  # 02:00 local: still business day 30 May
    early = shop.sell("T1")
    _mixed_day(shop)
    shop.at(2026, 6, 1, 4)  # after the period
    shop.sell("T2")
    shop.close_all()
    sid = shop.create_one("NORREBRO", *DAY)
    page = statements.statement_transactions(shop.db, shop.manager, sid)
    assert not page.taken
    assert page.count == 5
    assert page.amount == 4900 + 2495 + 2450 + 2450 + 3295
    assert early.id not in {r.sale_id for r in page.rows}
    first = statements.statement_transactions(shop.db, shop.manager, sid, limit=2)
    rest = statements.statement_transactions(
        shop.db, shop.manager, sid, limit=10, after_id=first.rows[-1].sale_id
    )
    assert [r.sale_id for r in first.rows + rest.rows] == [r.sale_id for r in page.rows]
    shop.calculate(sid)
    after = statements.statement_transactions(shop.db, shop.manager, sid)
    assert after.taken and after.count == 5
    assert {r.sale_id for r in after.rows} == shop.taken(sid)


# -- T-4: calculate by statement method -----------------------------------------------------


def test_total_method_makes_one_line_per_payment_method(shop: Shop) -> None:
    _mixed_day(shop)
    sid = shop.create_one("NORREBRO", *DAY)
    d = shop.calculate(sid)
    assert d.statement.status == "calculated"
    assert d.statement.transactions == 5
    assert shop.lines(sid) == {
        ("", "cash"): (4900, 4900, 0),
        ("", "card"): (2495 + 2450 + 3295, 2495 + 2450 + 3295, 0),
        ("", "mobile"): (2450, 2450, 0),
    }
    payments = {ln.tender_id: ln.payments for ln in d.lines}
    assert payments == {"cash": 1, "card": 3, "mobile": 1}


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (
            "staff",
            {
                ("1", "cash"): 4900,
                ("2", "card"): 2495 + 3295,
                ("3", "card"): 2450,
                ("3", "mobile"): 2450,
            },
        ),
        (
            "terminal",
            {
                ("T1", "cash"): 4900,
                ("T1", "card"): 2495 + 3295,
                ("T2", "card"): 2450,
                ("T2", "mobile"): 2450,
            },
        ),
        (
            "shift",
            {
                ("1", "cash"): 4900,
                ("1", "card"): 2495 + 3295,
                ("2", "card"): 2450,
                ("2", "mobile"): 2450,
            },
        ),
    ],
)
def test_methods_without_split_make_lines_per_group(shop: Shop, method, expected) -> None:
    """T-4: Staff / Terminal / Shift: a line per payment method per staff member / terminal /
    shift, all in one statement. (Sessions closed by staff 1; their counts are exact.)"""
    stores.update_store(shop.db, shop.manager, "NORREBRO", statement_method=method)
    _mixed_day(shop)
    sid = shop.create_one("NORREBRO", *DAY)
    shop.calculate(sid)
    got = {k: v[0] for k, v in shop.lines(sid).items() if v[0]}
    assert got == expected
    assert all(diff == 0 for _a, _c, diff in shop.lines(sid).values())


@pytest.mark.parametrize(
    ("method", "keys"),
    [("staff", ["1", "2", "3"]), ("terminal", ["T1", "T2"]), ("shift", ["1", "2"])],
)
def test_split_by_statement_method_makes_a_statement_per_group(shop: Shop, method, keys) -> None:
    """T-4 with "split by statement method": one statement per staff member / terminal / shift,
    each taking only its group's transactions; together they take all, once."""
    stores.update_store(
        shop.db, shop.manager, "NORREBRO", statement_method=method, split_by_statement_method=True
    )
    _mixed_day(shop)
    made = shop.create("NORREBRO", *DAY)
    assert [s.split_key for s in made] == keys
    assert all(s.split for s in made)
    taken: list[int] = []
    for st in made:
        shop.calculate(st.id)
        assert {k[0] for k in shop.lines(st.id)} == {st.split_key}
        taken += shop.taken(st.id)
    assert len(taken) == len(set(taken)) == 5
    total = sum(v[0] for st in made for v in shop.lines(st.id).values())
    assert total == 4900 + 2495 + 2450 + 2450 + 3295
    # Creating again finds nothing new to split off.
    with pytest.raises(StateError, match="already covers"):
        shop.create("NORREBRO", *DAY)


def test_split_with_the_total_method_is_one_statement(shop: Shop) -> None:
    stores.update_store(shop.db, shop.manager, "NORREBRO", split_by_statement_method=True)
    _mixed_day(shop)
    made = shop.create("NORREBRO", *DAY)
    assert [(s.split, s.split_key) for s in made] == [(False, "")]


def test_split_with_nothing_in_the_period_is_refused(shop: Shop) -> None:
    stores.update_store(
        shop.db,
        shop.manager,
        "NORREBRO",
        statement_method="terminal",
        split_by_statement_method=True,
    )
    with pytest.raises(StateError, match="no transactions in the period"):
        shop.create("NORREBRO", *DAY)


def test_refunds_count_negative_in_the_lines(shop: Shop) -> None:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1001", 3)], "card")  # 98,85
    shop.at(2026, 5, 31, 10)
    shop.refund("T1", [("1001", 1)], receipt=("T1", 1))  # -32,95 to the card
    shop.close_all()
    sid = shop.create_one("NORREBRO", *DAY)
    shop.calculate(sid)
    assert shop.lines(sid)[("", "card")][0] == 9885 - 3295


def test_no_transaction_is_taken_twice(shop: Shop) -> None:
    """T-4: a later statement over an overlapping period takes only what no statement holds."""
    _mixed_day(shop)
    first = shop.create_one("NORREBRO", local(2026, 5, 31, 3), local(2026, 5, 31, 10, 30))
    shop.calculate(first)
    assert len(shop.taken(first)) == 4
    second = shop.create_one("NORREBRO", *DAY)
    shop.calculate(second)
    assert len(shop.taken(second)) == 1
    assert not shop.taken(first) & shop.taken(second)
    # The schema refuses a second statement for a sale, whatever the code does.
    with pytest.raises(Exception, match="at most one statement"):
        taken = min(shop.taken(first))
        shop.db.execute(
            "INSERT INTO statement_ranges (store_id, lo, hi, statement_id)"
            " VALUES ('NORREBRO', ?, ?, ?)",
            (taken, taken, second),
        )


def test_recalculate_takes_new_transactions_and_delete_releases(shop: Shop) -> None:
    _mixed_day(shop)
    sid = shop.create_one("NORREBRO", *DAY)
    shop.calculate(sid)
    assert len(shop.taken(sid)) == 5
    shop.at(2026, 5, 31, 23)
    shop.sell("T1", [("1004", 2)], "card")  # arrives late in the period
    shop.close("T1", declare={"card": 4990})
    d = shop.calculate(sid)
    assert d.statement.transactions == 6
    assert shop.lines(sid)[("", "card")][0] == 2495 + 2450 + 3295 + 4990
    assert statements.delete_statement(shop.db, shop.manager, sid) == 6
    with pytest.raises(NotFound):
        statements.get_statement(shop.db, sid)
    assert shop.count("statement_ranges") == shop.count("statement_sessions") == 0
    again = shop.create_one("NORREBRO", *DAY)
    shop.calculate(again)
    assert len(shop.taken(again)) == 6


# -- T-5: counted amounts ---------------------------------------------------------------------


def test_counted_amounts_come_from_the_closing_declarations(shop: Shop) -> None:
    """T-5: cash counted 10,00 short, card declared 5,00 over; MobilePay is not counted
    at the till (counted = sold). Each line: amount, counted, difference."""
    shop.at(2026, 5, 31, 9)
    shop.open("T1", 100000)  # a 1.000,00 float is not a sale
    shop.sell("T1", [("1002", 2)], "cash")  # 49,00
    shop.sell("T1", [("1004", 1)], "card")  # 24,95
    shop.sell("T1", [("1002", 1)], "mobile")  # 24,50
    shop.at(2026, 5, 31, 21)
    shop.close("T1", cash_delta=-1000, declare={"card": 2495 + 500})
    sid = shop.create_one("NORREBRO", *DAY)
    d = shop.calculate(sid)
    assert shop.lines(sid) == {
        ("", "cash"): (4900, 3900, -1000),
        ("", "card"): (2495, 2995, 500),
        ("", "mobile"): (2450, 2450, 0),
    }
    cash = next(ln for ln in d.lines if ln.tender_id == "cash")
    assert cash.declared == 100000 + 4900 - 1000  # the counted drawer, float included
    assert cash.discrepancy == -1000
    assert d.session_ids == (1,)


def test_a_counted_amount_entered_by_hand_is_audited_and_kept(shop: Shop, supervisor) -> None:
    _mixed_day(shop)
    sid = shop.create_one("NORREBRO", *DAY)
    shop.calculate(sid)
    statements.set_counted(shop.db, shop.manager, sid, "mobile", 2400, note="app report")
    assert shop.lines(sid)[("", "mobile")] == (2450, 2400, -50)
    entry = shop.db.one("SELECT * FROM audit_log WHERE action = 'statement.count'")
    details = json.loads(entry["details"])
    assert (entry["staff_id"], entry["entity_id"], entry["amount"]) == ("1", str(sid), 2400)
    assert details["before"] == 2450 and details["after"] == 2400
    assert details["note"] == "app report"
    line = next(ln for ln in shop.details(sid).lines if ln.tender_id == "mobile")
    assert line.counted_manual and line.counted_by == "1"
    shop.calculate(sid)  # recalculating keeps what was entered by hand
    assert shop.lines(sid)[("", "mobile")] == (2450, 2400, -50)
    statements.set_counted(shop.db, shop.manager, sid, "mobile", None)
    assert shop.lines(sid)[("", "mobile")] == (2450, 2450, 0)
    with pytest.raises(NotFound, match="no line for giftcard"):
        statements.set_counted(shop.db, shop.manager, sid, "giftcard", 100)
    with pytest.raises(PermissionDenied):
        statements.set_counted(shop.db, supervisor, sid, "mobile", 1)


def test_counts_are_only_changed_on_a_calculated_statement(shop: Shop) -> None:
    sid = shop.create_one("NORREBRO", *DAY)
    with pytest.raises(StateError, match="created"):
        statements.set_counted(shop.db, shop.manager, sid, "cash", 100)


def test_a_session_counts_once_even_when_statements_overlap(shop: Shop) -> None:
    """A session's declarations go to the first statement calculated over it."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    shop.at(2026, 5, 31, 21)
    shop.close("T1", cash_delta=-200)
    a = shop.create_one("NORREBRO", local(2026, 5, 31, 3), local(2026, 5, 31, 12))
    b = shop.create_one("NORREBRO", *DAY)
    shop.calculate(a)
    shop.calculate(b)
    assert shop.lines(a)[("", "cash")] == (4900, 4700, -200)
    assert shop.lines(b) == {}


def test_staff_groups_get_the_counts_of_the_sessions_they_closed(shop: Shop) -> None:
    """Method Staff: two cashiers share T1; the one who closed it answers for its count."""
    stores.update_store(shop.db, shop.manager, "NORREBRO", statement_method="staff")
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash", staff="2")
    shop.sell("T1", [("1002", 1)], "cash", staff="3")
    shop.at(2026, 5, 31, 21)
    shop.close("T1", cash_delta=-500, staff="3")
    sid = shop.create_one("NORREBRO", *DAY)
    shop.calculate(sid)
    assert shop.lines(sid) == {
        ("2", "cash"): (4900, 4900, 0),
        ("3", "cash"): (2450, 1950, -500),
    }
