"""Property: whatever the sequence of sales, refunds, closes, creates, calculates,
counts, deletes and posts, no transaction is ever in two statements, and every
statement's figures are the sums of what it took.

A hypothesis state machine drives the demo database through random operations;
operations that are refused (an open session, a posted statement, a difference
over the limit) are part of the sequence. After each step the invariants are
checked against the database.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.errors import KassiError
from core.money.tendering import TenderInput
from core.staff import auth
from core.statements import operations as statements
from core.statements import posting as statement_posting
from core.store import demo, stores
from core.store.db import Db
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput
from tests.depth import examples

START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
TERMINALS = ("T1", "T2", "R1")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class Statements(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.clock = Clock()
        self.db = Db(":memory:", clock=self.clock)
        # Which statement holds each sale, as a link per sale: what the invariants read.
        self.db.execute(
            "CREATE TEMP VIEW statement_sales AS SELECT s.id AS sale_id, r.statement_id"
            " FROM statement_ranges r JOIN sales s ON s.store_id = r.store_id"
            " AND s.id BETWEEN r.lo AND r.hi"
        )
        demo.load_demo(self.db)
        self.actor = auth.get_staff(self.db, "1")
        # Reykjavík records without sessions (S-2), so T-9 never blocks it; Nørrebro has them.
        stores.update_store(self.db, self.actor, "REYKJAVIK", track_cash=False)
        self.posted: dict[int, frozenset[int]] = {}
        self.ids: list[int] = []

    def teardown(self) -> None:
        self.db.close()

    # -- the tills ------------------------------------------------------------------------

    @rule(
        terminal=st.sampled_from(TERMINALS),
        minutes=st.integers(1, 600),
        qty=st.integers(1, 3),
        tender=st.sampled_from(["cash", "card", "mobile"]),
        customer=st.sampled_from([None, None, "C1001", "C1002"]),
    )
    def sell(self, terminal, minutes, qty, tender, customer) -> None:
        self.clock.now += timedelta(minutes=minutes)
        sales.record_sale(
            self.db,
            self.actor,
            terminal,
            [LineInput("1002", qty)],
            [TenderInput(tender, None)],
            customer_id=customer,
        )

    @rule(terminal=st.sampled_from(TERMINALS), minutes=st.integers(1, 120))
    def refund(self, terminal, minutes) -> None:
        self.clock.now += timedelta(minutes=minutes)
        refunds.record_refund(
            self.db, self.actor, terminal, [LineInput("1002", 1)], [TenderInput("card", None)]
        )

    @rule(terminal=st.sampled_from(TERMINALS), delta=st.sampled_from([0, 0, -100, 200, -9000]))
    def close(self, terminal, delta) -> None:
        current = sessions.current_session(self.db, terminal)
        if current is None:
            return
        counted = max(0, sessions.expected_cash(self.db, current.id) + delta)
        sessions.close_session(self.db, self.actor, terminal, counted, 0, {"card": 0})

    @rule()
    def close_all(self) -> None:
        for terminal in TERMINALS:
            self.close(terminal, 0)

    # -- the back office ------------------------------------------------------------------

    @rule(
        store=st.sampled_from(["NORREBRO", "REYKJAVIK"]),
        start_hours=st.integers(-24, 24 * 6),
        hours=st.integers(1, 72),
    )
    def create(self, store, start_hours, hours) -> None:
        start = START + timedelta(hours=start_hours)
        try:
            made = statements.create_statements(
                self.db, self.actor, store, start, start + timedelta(hours=hours)
            )
        except KassiError as exc:
            event(f"create refused: {type(exc).__name__}")
            return
        event("created")
        self.ids += [s.id for s in made]

    @rule(pick=st.integers(0, 50))
    def calculate(self, pick) -> None:
        open_ = [r[0] for r in self.db.all("SELECT id FROM statements WHERE status <> 'posted'")]
        if open_:
            try:
                statements.calculate_statement(self.db, self.actor, open_[pick % len(open_)])
                event("calculated")
            except KassiError as exc:
                event(f"calculate refused: {type(exc).__name__}")

    @rule(pick=st.integers(0, 50), amount=st.integers(-5000, 50000))
    def count(self, pick, amount) -> None:
        if self.ids:
            sid = self.ids[pick % len(self.ids)]
            with contextlib.suppress(KassiError):
                statements.set_counted(self.db, self.actor, sid, "cash", amount)

    @rule(pick=st.integers(0, 50))
    def delete(self, pick) -> None:
        if self.ids:
            sid = self.ids[pick % len(self.ids)]
            try:
                statements.delete_statement(self.db, self.actor, sid)
            except KassiError:
                return
            self.ids.remove(sid)

    @rule(pick=st.integers(0, 50))
    def post(self, pick) -> None:
        ready = [r[0] for r in self.db.all("SELECT id FROM statements WHERE status = 'calculated'")]
        if not ready:
            return
        sid = ready[pick % len(ready)]
        stock = self.db.all("SELECT * FROM inventory ORDER BY store_id, sku")
        try:
            statement_posting.post_statement(self.db, self.actor, sid)
        except KassiError as exc:
            event(f"post refused: {type(exc).__name__}")
            return
        event("posted")
        assert [tuple(r) for r in self.db.all("SELECT * FROM inventory ORDER BY 1, 2")] == [
            tuple(r) for r in stock
        ], "posting moved stock"
        taken = self.db.all("SELECT sale_id FROM statement_sales WHERE statement_id = ?", (sid,))
        self.posted[sid] = frozenset(r[0] for r in taken)

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def each_transaction_in_at_most_one_statement(self) -> None:
        if not hasattr(self, "db"):
            return
        db = self.db
        assert db.scalar("SELECT COUNT(*) - COUNT(DISTINCT sale_id) FROM statement_sales") == 0
        overlapping = db.scalar(
            "SELECT COUNT(*) FROM statement_ranges a JOIN statement_ranges b"
            " ON b.store_id = a.store_id AND b.lo > a.lo AND b.lo <= a.hi"
        )
        assert overlapping == 0, "two ranges of a store overlap"
        assert (
            db.scalar(
                "SELECT COUNT(*) FROM statement_sales ss LEFT JOIN statements s"
                " ON s.id = ss.statement_id WHERE s.id IS NULL OR s.status = 'created'"
            )
            == 0
        ), "link rows of a deleted or uncalculated statement"
        outside = db.scalar(
            "SELECT COUNT(*) FROM statement_sales ss JOIN statements st ON st.id = ss.statement_id"
            " JOIN sales s ON s.id = ss.sale_id WHERE s.store_id <> st.store_id"
            " OR s.created_at < st.period_start OR s.created_at >= st.period_end"
        )
        assert outside == 0, "a statement took a sale of another store or period"

    @invariant()
    def lines_are_the_sums_of_what_was_taken(self) -> None:
        if not hasattr(self, "db"):
            return
        rows = self.db.all(
            "SELECT st.id, st.transactions,"
            " (SELECT COUNT(*) FROM statement_sales WHERE statement_id = st.id) AS taken,"
            " (SELECT COALESCE(SUM(transaction_amount), 0) FROM statement_lines"
            "   WHERE statement_id = st.id) AS lines,"
            " (SELECT COALESCE(SUM(p.amount), 0) FROM statement_sales ss JOIN payments p"
            "   ON p.sale_id = ss.sale_id WHERE ss.statement_id = st.id) AS paid"
            " FROM statements st WHERE st.status <> 'created'"
        )
        for r in rows:
            assert r["transactions"] == r["taken"]
            assert r["lines"] == r["paid"]

    @invariant()
    def posted_statements_never_change(self) -> None:
        if not hasattr(self, "db"):
            return
        for sid, taken in self.posted.items():
            now = self.db.all("SELECT sale_id FROM statement_sales WHERE statement_id = ?", (sid,))
            assert frozenset(r[0] for r in now) == taken
            invoiced = self.db.scalar(
                "SELECT COALESCE(SUM(amount), 0) FROM invoices WHERE statement_id = ?", (sid,)
            )
            journals = self.db.scalar(
                "SELECT COALESCE(SUM(amount), 0) FROM payment_journals WHERE statement_id = ?",
                (sid,),
            )
            assert invoiced == journals


TestStatements = Statements.TestCase
TestStatements.settings = settings(
    max_examples=examples(ci=50, deep=150),
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
