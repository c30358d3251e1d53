"""S-7 with the safe (K-1), property-tested: whatever the order of the operations,

    cash in the drawers + in the safe + deposited at the bank
      = float brought in + cash taken in - cash paid out
        + the discrepancies found when counting (at a close, in the safe)

where "brought in" is what a manual open put into a drawer beyond what its previous
close left there, and cash actions add and remove cash from outside. Each operation
the rules refuse changes nothing, and the equation still holds.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.cash import safe
from core.errors import KassiError
from core.money.tendering import TenderInput
from core.staff import auth
from core.store import demo
from core.store.db import Db
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput
from tests.conftest import FakeClock

TERMINALS = ("T1", "T2")
KR = 100

amounts = st.integers(min_value=0, max_value=2000).map(lambda n: n * 50)  # 0,50 steps
operation = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(TERMINALS), amounts, st.booleans()),
    st.tuples(st.just("sale"), st.sampled_from(TERMINALS), st.integers(1, 5), st.booleans()),
    st.tuples(st.just("refund"), st.sampled_from(TERMINALS), st.integers(1, 2), st.booleans()),
    st.tuples(st.just("adjust"), st.sampled_from(TERMINALS), amounts, st.booleans()),
    st.tuples(st.just("drop"), st.sampled_from(TERMINALS), amounts, st.booleans()),
    st.tuples(st.just("close"), st.sampled_from(TERMINALS), amounts, st.booleans()),
    st.tuples(st.just("deposit"), st.just(""), amounts, st.booleans()),
    st.tuples(st.just("count"), st.just(""), amounts, st.booleans()),
)


def _apply(db: Db, actor, op: tuple) -> None:
    kind, terminal, amount, flag = op
    if kind == "open":
        sessions.open_session(db, actor, terminal, amount, from_safe=flag)
    elif kind == "sale":  # 1007 Kaffe 59,00 each, in cash (with change) or by card
        pay = (
            [TenderInput("cash", amount * 59 * KR + 1000)]
            if flag
            else [TenderInput("card", amount * 59 * KR)]
        )
        sales.record_sale(db, actor, terminal, [LineInput("1007", amount)], pay)
    elif kind == "refund":
        refunds.record_refund(
            db,
            actor,
            terminal,
            [LineInput("1007", amount)],
            [TenderInput("cash", -amount * 59 * KR)],
        )
    elif kind == "adjust":
        sessions.adjust_cash(db, actor, terminal, "add" if flag else "remove", amount, "property")
    elif kind == "drop":
        safe.drop(db, actor, terminal, amount, "B")
    elif kind == "close":
        current = sessions.current_session(db, terminal)
        expected = sessions.expected_cash(db, current.id) if current else 0
        counted = max(0, expected + (amount % 300) - 150 if flag else expected)
        sessions.close_session(db, actor, terminal, counted, min(counted, amount))
    elif kind == "deposit":
        safe.deposit(db, actor, "NORREBRO", amount, "S")
    elif kind == "count":
        safe.count(db, actor, "NORREBRO", amount)


def _drawers(db: Db) -> int:
    total = 0
    for terminal in TERMINALS:
        current = sessions.current_session(db, terminal)
        if current is not None:
            total += sessions.expected_cash(db, current.id)
        else:
            last = sessions.last_closed_session(db, terminal)
            total += last.left_in_drawer if last else 0
    return total


def _sources(db: Db) -> int:
    """Everything that came in or went out from outside the drawers, safe and bank."""
    q = lambda sql: int(db.scalar(sql))  # noqa: E731
    brought = q("SELECT COALESCE(SUM(opening_float - COALESCE(previous_left, 0)), 0) FROM sessions")
    taken_in = q("SELECT COALESCE(SUM(amount), 0) FROM payments WHERE is_cash = 1")
    actions = q(
        "SELECT COALESCE(SUM(CASE kind WHEN 'add' THEN amount ELSE -amount END), 0)"
        " FROM cash_adjustments"
    )
    at_close = q(
        "SELECT COALESCE(SUM(counted_cash - expected_cash), 0) FROM sessions WHERE status = 'closed'"
    )
    in_safe = q(
        "SELECT COALESCE(SUM(amount - expected), 0) FROM safe_movements WHERE kind = 'count'"
    )
    return brought + taken_in + actions + at_close + in_safe


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=25))
def test_drawers_safe_and_bank_hold_what_came_in_whatever_the_order(ops):
    """S-7 and K-1: the sum of cash in drawers, safe and bank deposits equals the cash
    brought in and taken in less paid out (plus the counts' discrepancies)."""
    db = Db(":memory:", clock=FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    try:
        demo.load_demo(db)
        actor = auth.authenticate(db, "1", "1234")
        for op in ops:
            with contextlib.suppress(KassiError):  # refused: nothing changed
                _apply(db, actor, op)
            cash = _drawers(db) + safe.balance(db, "NORREBRO") + safe.deposited(db, "NORREBRO")
            assert cash == _sources(db), op
            assert safe.balance(db, "NORREBRO") >= 0
            # The statement's stored balances agree with the sum of the movements.
            last = db.scalar("SELECT balance FROM safe_movements ORDER BY id DESC LIMIT 1")
            assert (last or 0) == safe.balance(db, "NORREBRO")
    finally:
        db.close()
