"""The head office's statements equal the store's own (SPEC X-1, T-2, T-8), on SQLite and
on PostgreSQL (the ``head_office`` fixture runs each test on both back ends).

The store sells through a late night at NORREBRO (business day ends 03:00), its
transactions reach the head office as a transfer, and the nightly batch with posting
runs at both: the same sales in the same statements, the same lines, the same posted
documents.
"""

from __future__ import annotations

from core.statements import operations as statements
from core.statements.batch import run_batch
from tests.core.test_statement_batch import sales_at
from tests.core.test_statements_support import Shop
from tests.core.transfer_support import export, load


def posted(place: Shop, outcome) -> dict:
    """What a posted batch made, by sale uid rather than by the database's own ids."""
    (statement_id,) = outcome.statements
    details = statements.statement_details(place.db, place.manager, statement_id)
    uids = {
        r[0]
        for r in place.db.all(
            "SELECT s.uid FROM statement_sales ss JOIN sales s ON s.id = ss.sale_id"
            " WHERE ss.statement_id = ?",
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
