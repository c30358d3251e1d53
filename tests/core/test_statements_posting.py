"""Posting statements (T-6, T-7, T-8, T-10), all or nothing, and the batch (T-2).

Amounts are DKK øre (see test_statements_support for the demo prices).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from core.errors import PermissionDenied, StateError
from core.statements import operations as statements
from core.statements import posting as statement_posting
from core.statements.batch import run_batch
from core.statements.posting import post_statement
from core.statements.records import PostingRefused
from core.store import staff_members, stores
from tests.core.test_statements_support import Shop, local

DAY = (local(2026, 5, 31, 3), local(2026, 6, 1, 3))
DOCUMENT_TABLES = (
    "sales_orders",
    "sales_order_lines",
    "invoices",
    "payment_journals",
    "inventory_journals",
    "inventory_journal_lines",
)


def documents(shop: Shop) -> dict[str, int]:
    return {t: shop.count(t) for t in DOCUMENT_TABLES}


def orders(shop: Shop, sid: int) -> list[tuple]:
    return [
        (o.kind, o.customer_id, o.business_date, o.transactions, o.total + o.rounding)
        for o in shop.details(sid).orders
    ]


def calculated(shop: Shop, start=DAY[0], end=DAY[1]) -> int:
    shop.close_all()
    sid = shop.create_one("NORREBRO", start, end)
    shop.calculate(sid)
    return sid


# -- T-10: orders, invoices, journals -------------------------------------------------------


def test_cash_and_carry_and_customer_sales_make_orders_and_invoices(shop: Shop) -> None:
    """T-10: cash-and-carry sales make one order invoiced to the default customer; each
    customer id its own order and invoice. Payment journals per tender."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "card")  # 49,00, no customer
    shop.sell("T2", [("1004", 1)], "card", customer="C1001")  # 24,95
    shop.sell("T1", [("1003", 2)], "card")  # 24,50, no customer
    shop.at(2026, 5, 31, 15)
    shop.sell("T1", [("1001", 1)], "mobile", customer="C1001")  # 32,95
    shop.sell("T2", [("1002", 1)], "card", customer="C1002")  # 24,50
    sid = calculated(shop)
    result = post_statement(shop.db, shop.manager, sid)
    assert (result.orders, result.invoices, result.payment_journals) == (3, 3, 2)
    assert result.statement.status == "posted"
    assert orders(shop, sid) == [
        ("cash_and_carry", "WALKIN", "2026-05-31", 2, 4900 + 2450),
        ("customer", "C1001", None, 2, 2495 + 3295),
        ("customer", "C1002", None, 1, 2450),
    ]
    d = shop.details(sid)
    assert [o.number for o in d.orders] == [1, 2, 3]
    assert [o.invoice_number for o in d.orders] == [1, 2, 3]
    assert [o.invoice_amount for o in d.orders] == [7350, 5790, 2450]
    assert {(j.tender_id, j.amount, j.payments) for j in d.payment_journals} == {
        ("card", 4900 + 2495 + 2450 + 2450, 4),
        ("mobile", 3295, 1),
    }
    lines = shop.db.all(
        "SELECT o.customer_id, l.sku, l.qty, l.amount FROM sales_order_lines l"
        " JOIN sales_orders o ON o.id = l.order_id ORDER BY o.number, l.sku"
    )
    assert [tuple(r) for r in lines] == [
        ("WALKIN", "1002", 2, 4900),
        ("WALKIN", "1003", 2, 2450),
        ("C1001", "1001", 1, 3295),
        ("C1001", "1004", 1, 2495),
        ("C1002", "1002", 1, 2450),
    ]


def test_numbers_continue_across_statements(shop: Shop) -> None:
    """T-7: orders and invoices take their own sequences, shared by every statement."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", customer="C1001")
    first = calculated(shop)
    post_statement(shop.db, shop.manager, first)
    shop.at(2026, 6, 1, 9)
    shop.sell("T1")
    shop.sell("T1", customer="C1002")
    second = calculated(shop, local(2026, 6, 1, 3), local(2026, 6, 2, 3))
    post_statement(shop.db, shop.manager, second)
    assert [o.number for o in shop.details(second).orders] == [2, 3]
    assert [o.invoice_number for o in shop.details(second).orders] == [2, 3]
    assert [j.number for j in shop.details(second).payment_journals] == [2]  # card only
    assert shop.details(second).inventory_journal.number == 2


# -- T-8: business day ----------------------------------------------------------------------


def _open_late(shop: Shop) -> None:
    """Open 08:00-03:00: sales on 31 May 08:00-24:00 and 1 June 00:01-02:59."""
    for hour in (8, 12, 18, 23):
        shop.at(2026, 5, 31, hour)
        shop.sell("T1", [("1002", 1)], "card")
    for hour, minute, second in ((0, 1, 0), (1, 30, 0), (2, 59, 59)):
        shop.at(2026, 6, 1, hour, minute, second)
        shop.sell("T1", [("1002", 1)], "card")


def test_business_day_makes_one_order_for_a_night_past_midnight(shop: Shop) -> None:
    """T-8, "post as business day" on, end of business day 03:00: one business day (31 May)
    and one cash-and-carry order for 31 May 08:00 to 1 June 03:00."""
    _open_late(shop)
    sid = calculated(shop, local(2026, 5, 31, 8), local(2026, 6, 1, 3))
    post_statement(shop.db, shop.manager, sid)
    assert orders(shop, sid) == [("cash_and_carry", "WALKIN", "2026-05-31", 7, 7 * 2450)]
    assert shop.details(sid).orders[0].invoice_date == "2026-05-31"


def test_calendar_days_make_two_orders_without_business_day(shop: Shop) -> None:
    """T-8 with the option off: two orders, one per calendar date."""
    stores.update_store(shop.db, shop.manager, "NORREBRO", post_as_business_day=False)
    _open_late(shop)
    sid = calculated(shop, local(2026, 5, 31, 8), local(2026, 6, 1, 3))
    post_statement(shop.db, shop.manager, sid)
    assert orders(shop, sid) == [
        ("cash_and_carry", "WALKIN", "2026-05-31", 4, 4 * 2450),
        ("cash_and_carry", "WALKIN", "2026-06-01", 3, 3 * 2450),
    ]


def test_the_business_day_starts_at_the_end_of_business_day(shop: Shop) -> None:
    """A sale at 03:00:00 exactly belongs to the new business day (1 June)."""
    shop.at(2026, 6, 1, 2, 59, 59)
    shop.sell("T1")
    shop.at(2026, 6, 1, 3, 0, 0)
    shop.sell("T1")
    sid = calculated(shop, local(2026, 5, 31, 3), local(2026, 6, 2, 3))
    post_statement(shop.db, shop.manager, sid)
    assert [o[2] for o in orders(shop, sid)] == ["2026-05-31", "2026-06-01"]


def test_business_days_follow_daylight_saving_time(shop: Shop) -> None:
    """Copenhagen goes from +02:00 to +01:00 on 25 Oct 2026: 02:30 local happens twice,
    and both are before 03:00, so both belong to 24 October."""
    from datetime import UTC, datetime

    for instant in ("2026-10-25T00:30:00", "2026-10-25T01:30:00", "2026-10-25T02:00:00"):
        shop.clock.set(datetime.fromisoformat(instant).replace(tzinfo=UTC))
        shop.sell("T1")
    sid = calculated(shop, local(2026, 10, 24, 3), local(2026, 10, 26, 3))
    post_statement(shop.db, shop.manager, sid)
    # 00:30Z = 02:30 CEST, 01:30Z = 02:30 CET (both 24 Oct); 02:00Z = 03:00 CET (25 Oct).
    assert [(o[2], o[3]) for o in orders(shop, sid)] == [("2026-10-24", 2), ("2026-10-25", 1)]


# -- inventory ------------------------------------------------------------------------------


def test_posting_records_inventory_without_moving_stock_again(shop: Shop) -> None:
    """Sales moved stock at the till; posting records an inventory journal per SKU (refunds
    put stock back) and leaves on_hand alone. The view marks the till movements it covers."""
    on_hand = lambda sku: shop.db.scalar(  # noqa: E731
        "SELECT on_hand FROM inventory WHERE store_id = 'NORREBRO' AND sku = ?", (sku,)
    )
    start = {sku: on_hand(sku) for sku in ("1001", "1002")}
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1001", 3), ("1002", 1)], "card")
    shop.at(2026, 5, 31, 10)
    shop.refund("T1", [("1001", 1)], receipt=("T1", 1))
    shop.refund("T1", [("1002", 2)])  # without a receipt: puts 2 back
    assert on_hand("1001") == start["1001"] - 2
    assert on_hand("1002") == start["1002"] + 1
    sid = calculated(shop)
    post_statement(shop.db, shop.manager, sid)
    assert on_hand("1001") == start["1001"] - 2  # unchanged by posting
    assert on_hand("1002") == start["1002"] + 1
    journal = shop.db.all("SELECT sku, qty FROM inventory_journal_lines ORDER BY sku")
    assert [tuple(r) for r in journal] == [("1001", -2), ("1002", 1)]
    inv = shop.details(sid).inventory_journal
    assert (inv.skus, inv.qty_out, inv.qty_in) == (2, 2, 1)
    covered = shop.db.scalar(
        "SELECT COUNT(*) FROM inventory_movement_postings WHERE statement_id = ?", (sid,)
    )
    assert covered == shop.count("inventory_movements") == 4


def test_a_refund_only_order_is_a_credit(shop: Shop) -> None:
    shop.at(2026, 5, 30, 9)
    shop.sell("T1", [("1004", 2)], "card", customer="C1001")
    shop.at(2026, 5, 31, 9)
    shop.refund("T1", [("1004", 1)], receipt=("T1", 1))
    sid = calculated(shop)
    post_statement(shop.db, shop.manager, sid)
    assert orders(shop, sid) == [("customer", "C1001", None, 1, -2495)]


# -- T-6: maximum posting difference --------------------------------------------------------


def _short_day(shop: Shop) -> int:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 4)], "cash")  # 98,00
    shop.sell("T1", [("1004", 1)], "card")  # 24,95
    shop.at(2026, 5, 31, 21)
    shop.close("T1", cash_delta=-5050, declare={"card": 2495 - 100})  # 50,50 and 1,00 short
    return calculated(shop)


def test_posting_is_refused_over_the_maximum_difference(shop: Shop, snapshot) -> None:
    """T-6: the 50,50 cash difference exceeds the store's 50,00; the 1,00 card one does not.
    The refusal lists the offending line and nothing is posted."""
    sid = _short_day(shop)
    before, docs = snapshot(), documents(shop)
    with pytest.raises(PostingRefused) as refused:
        post_statement(shop.db, shop.manager, sid)
    assert [(ln.tender_id, ln.difference) for ln in refused.value.lines] == [("cash", -5050)]
    assert "maximum posting difference of 50,00" in refused.value.message
    assert "Cash: sold 98,00, counted 47,50, difference -50,50" in refused.value.message
    assert "Card" not in refused.value.message
    assert snapshot() == before and documents(shop) == docs
    assert statements.get_statement(shop.db, sid).status == "calculated"
    # Correct the count by hand (the missing 50,50 was found), then it posts.
    statements.set_counted(shop.db, shop.manager, sid, "cash", 9800, note="found in the safe")
    assert post_statement(shop.db, shop.manager, sid).statement.status == "posted"


def test_a_difference_exactly_at_the_limit_posts(shop: Shop) -> None:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 4)], "cash")
    shop.at(2026, 5, 31, 21)
    shop.close("T1", cash_delta=-5000)
    sid = calculated(shop)
    assert post_statement(shop.db, shop.manager, sid).statement.status == "posted"


def test_a_manager_may_post_over_the_limit_with_a_reason(shop: Shop, supervisor) -> None:
    sid = _short_day(shop)
    staff_members.add_staff(
        shop.db, shop.manager, "9", "Back office", "9999", "cashier", ["statements.manage"]
    )
    back_office = shop.staff("9")
    with pytest.raises(PermissionDenied, match="Only a manager"):
        post_statement(shop.db, back_office, sid, override_reason="counted wrong")
    with pytest.raises(PermissionDenied):
        post_statement(shop.db, supervisor, sid, override_reason="counted wrong")
    result = post_statement(
        shop.db, shop.manager, sid, override_reason="till robbed, police report 17"
    )
    assert [ln.tender_id for ln in result.overridden] == ["cash"]
    assert result.statement.override_reason == "till robbed, police report 17"
    entry = shop.db.one("SELECT * FROM audit_log WHERE action = 'statement.post'")
    details = json.loads(entry["details"])
    assert details["override"] == "till robbed, police report 17"
    assert details["overridden"] == [{"tender": "cash", "group": "", "difference": -5050}]


# -- posted means final ---------------------------------------------------------------------


def test_a_posted_statement_cannot_be_posted_again_or_changed(shop: Shop) -> None:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1")
    sid = calculated(shop)
    post_statement(shop.db, shop.manager, sid)
    docs = documents(shop)
    with pytest.raises(StateError, match="already posted"):
        post_statement(shop.db, shop.manager, sid)
    with pytest.raises(StateError, match="posted"):
        statements.calculate_statement(shop.db, shop.manager, sid)
    with pytest.raises(StateError, match="posted"):
        statements.set_counted(shop.db, shop.manager, sid, "card", 1)
    with pytest.raises(StateError, match="posted"):
        statements.delete_statement(shop.db, shop.manager, sid)
    assert documents(shop) == docs
    # The schema holds even against SQL that bypasses the services.
    for sql in (
        "UPDATE statements SET status = 'calculated' WHERE id = ?",
        "DELETE FROM statements WHERE id = ?",
        "DELETE FROM statement_ranges WHERE statement_id = ?",
        "UPDATE statement_lines SET counted = 0 WHERE statement_id = ?",
        "DELETE FROM statement_lines WHERE statement_id = ?",
        "INSERT INTO payment_journals (number, statement_id, tender_id, currency, payments,"
        " amount, counted, difference, created_at) VALUES (99, ?, 'cash', 'DKK', 0, 0, 0, 0, 'x')",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="posted|only a calculated"):
            shop.db.execute(sql, (sid,))


def test_only_a_calculated_statement_posts(shop: Shop) -> None:
    sid = shop.create_one("NORREBRO", *DAY)
    with pytest.raises(StateError, match="Calculate statement"):
        post_statement(shop.db, shop.manager, sid)


def test_cash_and_carry_needs_a_default_customer(shop: Shop) -> None:
    shop.db.execute("UPDATE stores SET default_customer_id = NULL WHERE id = 'NORREBRO'")
    shop.at(2026, 5, 31, 9)
    shop.sell("T1")
    sid = calculated(shop)
    with pytest.raises(StateError, match="no default customer"):
        post_statement(shop.db, shop.manager, sid)
    assert documents(shop) == dict.fromkeys(DOCUMENT_TABLES, 0)


def test_a_statement_that_does_not_balance_never_posts(shop: Shop) -> None:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 1)], "card")
    sid = calculated(shop)
    shop.db.execute("UPDATE sales SET total = total + 100 WHERE id = 1")  # a damaged row
    with pytest.raises(StateError, match="does not balance"):
        post_statement(shop.db, shop.manager, sid)
    assert documents(shop) == dict.fromkeys(DOCUMENT_TABLES, 0)


@pytest.mark.parametrize(
    "step", ["_post_orders", "_post_payment_journals", "_post_inventory", "_check_balance"]
)
def test_a_failure_in_the_middle_of_posting_leaves_nothing(
    shop: Shop, snapshot, monkeypatch, step
) -> None:
    """All or nothing: a failure injected after each step leaves no order, invoice,
    journal or inventory line, no used number, no audit entry; the statement is still
    calculated and posts cleanly afterwards."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1001", 2)], "card")
    shop.sell("T2", [("1002", 1)], "card", customer="C1001")
    sid = calculated(shop)
    before = snapshot()
    real = getattr(statement_posting, step)

    def fail_after(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(statement_posting, step, fail_after)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        post_statement(shop.db, shop.manager, sid)
    assert documents(shop) == dict.fromkeys(DOCUMENT_TABLES, 0)
    assert snapshot() == before
    assert statements.get_statement(shop.db, sid).status == "calculated"
    monkeypatch.setattr(statement_posting, step, real)
    result = post_statement(shop.db, shop.manager, sid)
    assert [o.number for o in shop.details(sid).orders] == [1, 2]
    assert result.statement.status == "posted"


# -- the batch (T-2) ------------------------------------------------------------------------


def test_the_batch_runs_every_store_and_twice_changes_nothing(shop: Shop) -> None:
    shop.at(2026, 5, 31, 12)
    shop.sell("T1")
    shop.sell("R1", [("1001", 1)], "card")
    shop.close_all()
    shop.at(2026, 6, 1, 4)  # after NORREBRO's business day 31 May ended at 03:00
    first = run_batch(shop.db, shop.manager)
    assert [(o.store_id, o.business_date, len(o.created), len(o.calculated)) for o in first] == [
        ("NORREBRO", date(2026, 5, 31), 1, 1),
        ("REYKJAVIK", date(2026, 5, 31), 1, 1),
    ]
    assert all(o.ok for o in first)
    audit_rows = shop.count("audit_log")
    second = run_batch(shop.db, shop.manager)
    assert [(len(o.created), len(o.calculated), o.statements) for o in second] == [
        ((0, 0, o.statements)) for o in first
    ]
    assert shop.count("statements") == 2 and shop.count("audit_log") == audit_rows
    posted = run_batch(shop.db, shop.manager, post=True)
    assert [len(o.posted) for o in posted] == [1, 1]
    assert run_batch(shop.db, shop.manager, post=True)[0].posted == ()
    assert shop.count("sales_orders") == 2


def test_the_batch_reports_a_store_with_an_open_session_and_goes_on(shop: Shop) -> None:
    shop.at(2026, 5, 31, 12)
    shop.sell("T1")  # its session stays open
    shop.sell("R1", [("1001", 1)], "card")
    shop.close("R1")
    shop.at(2026, 6, 1, 4)
    outcomes = {o.store_id: o for o in run_batch(shop.db, shop.manager)}
    assert not outcomes["NORREBRO"].ok
    assert "session 1 on T1" in outcomes["NORREBRO"].errors[0]
    assert outcomes["REYKJAVIK"].ok and len(outcomes["REYKJAVIK"].calculated) == 1


def test_the_batch_skips_a_day_with_nothing_to_take(shop: Shop) -> None:
    shop.at(2026, 6, 1, 4)
    assert [o.statements for o in run_batch(shop.db, shop.manager)] == [(), ()]
    assert shop.count("statements") == 0


def test_the_batch_posts_what_it_can_and_reports_the_rest(shop: Shop) -> None:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 4)], "cash")
    shop.at(2026, 5, 31, 21)
    shop.close("T1", cash_delta=-5100)
    shop.at(2026, 6, 1, 4)
    (outcome,) = run_batch(shop.db, shop.manager, store_ids=["NORREBRO"], post=True)
    assert outcome.calculated and not outcome.posted
    assert "not posted" in outcome.errors[0]
