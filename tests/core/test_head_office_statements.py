"""The head office's statements equal the store's own (SPEC X-1, T-2, T-8), on SQLite and
on PostgreSQL (the ``head_office`` fixture runs each test on both back ends).

The store sells through a late night at NORREBRO (business day ends 03:00), its
transactions reach the head office as a transfer, and the nightly batch with posting
runs at both: the same sales in the same statements, the same lines, the same posted
documents.
"""

from __future__ import annotations

from datetime import date

from core.statements import operations as statements
from core.statements.batch import run_batch
from tests.core.test_statement_batch import sales_at
from tests.core.test_statements_support import Shop, local
from tests.core.transfer_support import export, load


def posted(place: Shop, outcome) -> dict:
    """What a posted batch made, by sale uid rather than by the database's own ids."""
    (statement_id,) = outcome.statements
    details = statements.statement_details(place.db, place.manager, statement_id)
    uids = {
        r[0]
        for r in place.db.all(
            "SELECT s.uid FROM statement_ranges r JOIN sales s ON s.store_id = r.store_id"
            " AND s.id BETWEEN r.lo AND r.hi WHERE r.statement_id = ?",
            (statement_id,),
        )
    }
    return {
        "status": details.statement.status,
        "period": (details.statement.period_start, details.statement.period_end),
        "uids": uids,
        "lines": place.lines(statement_id),
        "orders": sorted(
            tuple(r)
            for r in place.db.all(
                "SELECT kind, customer_id, business_date, currency, transactions, total,"
                " rounding, vat_total FROM sales_orders WHERE statement_id = ?",
                (statement_id,),
            )
        ),
        "order_lines": sorted(
            tuple(r)
            for r in place.db.all(
                "SELECT l.sku, l.vat_rate, l.qty, l.amount, l.vat_amount FROM sales_order_lines l"
                " JOIN sales_orders o ON o.id = l.order_id WHERE o.statement_id = ?",
                (statement_id,),
            )
        ),
        "journals": sorted(
            tuple(r)
            for r in place.db.all(
                "SELECT tender_id, currency, payments, amount, counted, difference"
                " FROM payment_journals WHERE statement_id = ?",
                (statement_id,),
            )
        ),
    }


def test_the_t8_night_posts_the_same_at_the_head_office(shop: Shop, head_office: Shop) -> None:
    """T-8 at the head office: business day 31 May (31 May 03:00 to 1 June 03:00 local)
    takes the 03:30 sale of 31 May and the 00:30 sale of 1 June, on either back end, and
    posts exactly what the store posts for the same transactions."""
    sold = sales_at(shop, (2026, 5, 31, 0, 30), (2026, 5, 31, 3, 30), (2026, 6, 1, 0, 30))
    shop.sell("T2", [("1004", 2)], tender="cash", customer="C1001")
    shop.at(2026, 6, 1, 1, 0)
    shop.close_all()
    sold |= sales_at(shop, (2026, 6, 1, 3, 30))
    shop.at(2026, 6, 1, 3, 45)
    shop.close_all()
    shop.at(2026, 6, 1, 4, 0)
    text, _cursor = export(shop, store="NORREBRO")
    load(head_office, text)
    head_office.clock.set(shop.clock.now)

    results = []
    for place in (shop, head_office):
        (outcome,) = run_batch(place.db, place.manager, store_ids=["NORREBRO"], post=True)
        assert outcome.ok, outcome.errors
        results.append(posted(place, outcome))
    at_store, at_office = results
    assert at_office == at_store
    assert at_office["status"] == "posted"
    uid = {r[0]: r[1] for r in shop.db.all("SELECT id, uid FROM sales WHERE store_id = 'NORREBRO'")}
    night = {uid[sold[(2026, 5, 31, 3, 30)]], uid[sold[(2026, 6, 1, 0, 30)]]}
    assert night <= at_office["uids"] and uid[sold[(2026, 5, 31, 0, 30)]] not in at_office["uids"]
    assert [o[0] for o in at_office["orders"]] == ["cash_and_carry", "customer"]


def test_the_schema_keeps_each_sale_in_at_most_one_statement(shop: Shop, head_office: Shop) -> None:
    """T-4 / X-6: a statement holds ranges of its store's sale ids, and the schema keeps
    a sale in at most one statement on both back ends: ranges of a store never overlap,
    a statement holds only its own store's sales, a sale cannot be added inside a range
    (ids only grow; an explicit one is refused), a statement a range names cannot be
    deleted, and a posted statement's ranges cannot be released."""
    import sqlite3

    import pytest

    sales_at(shop, (2026, 5, 31, 10, 0))
    shop.at(2026, 6, 1, 4, 0)
    shop.close_all()
    text, _cursor = export(shop, store="NORREBRO")
    load(head_office, text)
    head_office.clock.set(shop.clock.now)
    db = head_office.db
    (made,) = head_office.create("NORREBRO", local(2026, 5, 31, 3), local(2026, 6, 1, 3))
    head_office.calculate(made.id)
    assert head_office.taken(made.id), "the statement took the day's sales"
    top = db.scalar("SELECT MAX(id) FROM sales")
    ranges = "INSERT INTO statement_ranges (store_id, lo, hi, statement_id) VALUES (?, ?, ?, ?)"
    with db.write():
        db.execute(ranges, ("NORREBRO", top + 10, top + 20, made.id))
    columns = "uid, kind, store_id, terminal_id, receipt_no, session_id, staff_id, created_at,"
    columns += " currency, total, rounding, vat_total"
    a_sale = (
        f"INSERT INTO sales (id, {columns}) SELECT ?, uid || '-again', kind, store_id,"
        " terminal_id, receipt_no + 1000, session_id, staff_id, created_at, currency, total,"
        " rounding, vat_total FROM sales WHERE id = ?"
    )
    other_store = db.scalar("SELECT id FROM stores WHERE id <> 'NORREBRO' ORDER BY id")
    refused = [
        (ranges, ("NORREBRO", top + 15, top + 30, made.id)),  # overlaps the range above
        (ranges, ("NORREBRO", top + 1, top + 10, made.id)),  # ends where it begins
        (ranges, ("NORREBRO", top + 40, top + 50, made.id + 1000)),  # no such statement
        (ranges, (other_store, top + 40, top + 50, made.id)),  # another store's sales
        (ranges, ("NORREBRO", top + 60, top + 50, made.id)),  # ends before it begins
        (a_sale, (top + 15, top)),  # a sale added inside a taken range
        ("UPDATE statement_ranges SET hi = hi + 100 WHERE lo = ?", (top + 10,)),
        ("DELETE FROM statements WHERE id = ?", (made.id,)),
    ]
    for sql, params in refused:
        with pytest.raises(sqlite3.IntegrityError), db.write():
            db.execute(sql, params)
    with db.write():  # a sale after every range is nobody's yet
        db.execute(a_sale, (top + 21, top))
    assert db.scalar("SELECT COUNT(*) FROM statement_ranges WHERE lo = ?", (top + 10,)) == 1
    with db.write():
        db.execute("DELETE FROM statement_ranges WHERE lo = ?", (top + 10,))
        db.execute("DELETE FROM sales WHERE id = ?", (top + 21,))
    statements.post_statement(db, head_office.manager, made.id)
    with pytest.raises(sqlite3.IntegrityError), db.write():
        db.execute("DELETE FROM statement_ranges WHERE statement_id = ?", (made.id,))
    assert head_office.taken(made.id)


def _a_month_at_two_stores(shop: Shop) -> None:
    """Three business days at NORREBRO (two tills, a customer sale) and REYKJAVIK."""
    for day in (28, 29, 30):
        shop.at(2026, 5, day, 10)
        shop.sell("T1", [("1002", 2)], tender="cash")
        shop.sell("T2", [("1004", 1)], tender="card", customer="C1001")
        shop.sell("R1", [("1001", 3)], tender="card")
        shop.at(2026, 5, day, 22)
        shop.close_all()
    shop.at(2026, 5, 31, 4)


def _numbers(db, table: str) -> list[int]:
    return [r[0] for r in db.all(f"SELECT number FROM {table} ORDER BY number")]


def _consecutive(numbers: list[int]) -> bool:
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _office_with_the_month(shop: Shop, pg_url: str):
    """A head office on PostgreSQL holding both stores' month (``_a_month_at_two_stores``),
    with its manager and its clock."""
    from core.staff import auth
    from core.store.pg import PgDb
    from tests.conftest import FakeClock

    _a_month_at_two_stores(shop)
    clock = FakeClock(shop.clock.now)
    office = PgDb(pg_url, clock=clock)
    manager = auth.get_staff(office, "1")
    for store in ("NORREBRO", "REYKJAVIK"):
        text, _cursor = export(shop, store=store)
        load(Shop(office, clock, manager), text)
    return office, manager, clock


def test_a_month_of_two_stores_posts_side_by_side_as_it_does_one_by_one(
    shop: Shop, head_office: Shop
) -> None:
    """X-6, T-2, T-7: the batch over business days 28-30 May as one period, at the store
    one store after the other, at the head office on PostgreSQL four stores at a time:
    the same statements and documents, and the documents' numbers still follow one
    another without a gap (drawn under the write lock, in the order posted)."""
    _a_month_at_two_stores(shop)
    for store in ("NORREBRO", "REYKJAVIK"):
        text, _cursor = export(shop, store=store)
        load(head_office, text)
    head_office.clock.set(shop.clock.now)
    days = {"day": date(2026, 5, 28), "until": date(2026, 5, 30)}

    at_store = run_batch(shop.db, shop.manager, post=True, **days)
    at_office = run_batch(head_office.db, head_office.manager, post=True, workers=4, **days)
    assert [o.store_id for o in at_office] == ["NORREBRO", "REYKJAVIK"]
    for mine, theirs in zip(at_store, at_office, strict=True):
        assert theirs.ok and mine.ok, (theirs.errors, mine.errors)
        assert theirs.days == "2026-05-28..2026-05-30"
        assert (theirs.period_start, theirs.period_end) == (mine.period_start, mine.period_end)
        assert posted(head_office, theirs) == posted(shop, mine)
    db = head_office.db
    for table in ("sales_orders", "invoices", "payment_journals", "inventory_journals"):
        assert _consecutive(_numbers(db, table)), table
    for (statement_id,) in db.all("SELECT id FROM statements"):
        own = [
            r[0]
            for r in db.all(
                "SELECT number FROM sales_orders WHERE statement_id = ? ORDER BY number",
                (statement_id,),
            )
        ]
        assert _consecutive(own)


def test_two_head_office_batches_at_once_post_each_statement_once(shop: Shop, pg_url) -> None:
    """X-1, X-6, T-2: two people start the month's batch with posting at the same moment
    on the head office's PostgreSQL, each working on several stores at once. Each store's
    statements are worked on under its own lock, so each statement is created,
    calculated and posted exactly once, both runs end without an error, and the
    document numbers have no gap. A store's lock is never taken after the write lock
    (that order could deadlock): asking for it so is a programming error, at once."""
    import threading

    import pytest

    from core.store.pg import PgDb

    office, manager, clock = _office_with_the_month(shop, pg_url)
    days = {"day": date(2026, 5, 28), "until": date(2026, 5, 30)}
    outcomes: list = []
    start = threading.Barrier(2)

    def run() -> None:
        own = PgDb(pg_url, clock=clock)
        try:
            start.wait()
            outcomes.append(run_batch(own, manager, post=True, workers=2, **days))
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    for outcome in outcomes:
        assert all(o.ok for o in outcome), [o.errors for o in outcome]
    made = [len(o.created) for outcome in outcomes for o in outcome]
    done = [len(o.posted) for outcome in outcomes for o in outcome]
    assert sum(made) == 2 and sum(done) == 2
    assert office.scalar("SELECT COUNT(*) FROM statements WHERE status = 'posted'") == 2
    orders = _numbers(office, "sales_orders")
    assert _consecutive(orders)
    assert _numbers(office, "invoices") == list(range(1, len(orders) + 1))
    with (
        pytest.raises(RuntimeError, match="lock it first"),
        office.write(),
        office.write(scope="kassi statements NORREBRO"),
    ):
        pass
    office.close()


def test_a_store_busy_in_another_run_is_reported_and_the_batch_goes_on(shop: Shop, pg_url) -> None:
    """T-2, X-6: while another run holds a store's statements (longer than the busy
    timeout), the batch reports that store in one line, changes nothing for it, and
    does the other stores; run again, it does the rest."""
    import psycopg

    from core.statements.selection import scope

    office, manager, _clock = _office_with_the_month(shop, pg_url)
    days = {"day": date(2026, 5, 28), "until": date(2026, 5, 30)}
    office._run("SET lock_timeout = '300ms'")
    with psycopg.connect(pg_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (scope("NORREBRO"),))
        busy, free = run_batch(office, manager, post=True, workers=1, **days)
    assert busy.errors == (
        "NORREBRO's statements stayed busy (another run is working on them); nothing was"
        " changed for it: run the batch again.",
    )
    assert busy.statements == () and free.ok and len(free.posted) == 1
    again = run_batch(office, manager, post=True, workers=1, **days)
    assert [len(o.posted) for o in again] == [1, 0] and all(o.ok for o in again)
    office.close()


def test_a_posted_statements_entry_covers_its_orders_and_lines_as_they_are(
    shop: Shop, head_office: Shop, monkeypatch
) -> None:
    """R-2 / X-6: posting hashes its order lines before it takes the write lock and the
    orders again after they got their real numbers; the post entry covers every
    order and order line with the hash of the row as stored, and the journal verifies.
    A posting that fails after the early hashing leaves no stray hashes behind."""
    import json

    import pytest

    from core.audit import verification
    from core.audit.content import row_hash, select_all
    from core.audit.covered import COVERED
    from core.statements import posting

    sales_at(shop, (2026, 5, 31, 10, 0), (2026, 5, 31, 11, 0), (2026, 6, 1, 10, 0))
    shop.at(2026, 6, 2, 4, 0)
    shop.close_all()
    text, _cursor = export(shop, store="NORREBRO")
    load(head_office, text)
    head_office.clock.set(shop.clock.now)
    db = head_office.db
    (first,) = head_office.create("NORREBRO", local(2026, 5, 31, 3), local(2026, 6, 1, 3))
    (second,) = head_office.create("NORREBRO", local(2026, 6, 1, 3), local(2026, 6, 2, 3))
    head_office.calculate(first.id)
    head_office.calculate(second.id)

    def server_gone(*args, **kwargs):
        raise RuntimeError("the server went away")

    with monkeypatch.context() as m:
        m.setattr(posting, "_number_orders", server_gone)
        with pytest.raises(RuntimeError):
            statements.post_statement(db, head_office.manager, second.id)
    assert db.scalar("SELECT COUNT(*) FROM sales_orders") == 0
    statements.post_statement(db, head_office.manager, first.id)
    (covers,) = db.one(
        "SELECT covers FROM audit_log WHERE action = 'statement.post' AND entity_id = ?",
        (str(first.id),),
    )
    covered = {(t, k): h for t, k, h in json.loads(covers)}
    for table in ("sales_orders", "sales_order_lines"):
        cover = COVERED[table]
        rows = db.all(select_all(table))
        assert rows, table
        for row in rows:
            values = tuple(row)
            key = json.dumps(list(values[: len(cover.key)]), separators=(",", ":"))
            assert covered[(table, key)] == row_hash(cover.columns, values[len(cover.key) :])
    assert verification.verify(db, full=True).ok
