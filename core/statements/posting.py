"""Posting a calculated statement (T-6, T-7, T-10): one write transaction, all or nothing.

Refused, listing the offending lines, when a line's difference (counted -
transaction amount) exceeds the store's maximum posting difference; a manager
may post anyway with an explicit reason (``override_reason``), which is
recorded on the statement and in the audit entry with the lines it overrode.

Posting creates, from SQL GROUP BYs over the statement's transactions:

* sales orders, each with its invoice: one per business date (T-8; the local
  calendar date when "post as business day" is off) for the cash-and-carry
  sales (no customer), invoiced to the store's default customer, and one per
  customer id for sales with a customer. An order's lines are per SKU and VAT
  rate (quantity, amount, VAT); its total + rounding is the invoice amount.
  Refunds are negative lines in the same orders.
* a payment journal per tender: payments, amount, counted, difference.
* an inventory journal: per SKU, the stock change of the statement's sales
  (sold out negative, refunds put back positive).

Stock is *not* moved again: the tills moved it at the sale (reason 'sale' /
'refund'; on a head office database the import moved it, reason 'import').
The inventory journal is the posted record, and the view
``inventory_movement_postings`` marks which till movements it covers (through
``statement_ranges``) — derived, because rewriting millions of movement rows
to flag them would cost seconds and repeat what the link table already says.

Numbers (T-7): the statement's id came from the global "statement" sequence;
orders, invoices and journals take theirs from the "sales_order", "invoice",
"payment_journal" and "inventory_journal" sequences, reserved as a block.
Everything, including the status change and the audit entry, is one
``Db.write()``: a failure anywhere leaves nothing behind and the statement
calculated; the schema refuses documents for a statement that is not
calculated, so it cannot be posted twice.

On a head office's PostgreSQL stores post side by side (X-6): the write holds its
store's lock, the orders and their lines (the work over every sale) are written
with provisional numbers, and only then the write lock is taken to draw the real
numbers, write the invoices and journals and append the audit entry. So numbers
still follow one another without a gap, in the order statements are posted; a
provisional number never leaves the transaction.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError, PermissionDenied, StateError
from core.money import amounts as money
from core.staff.auth import require
from core.statements.periods import business_date_sql, cutoff
from core.statements.ranges import HELD_BY
from core.statements.records import PostingRefused, Statement, StatementLine
from core.statements.selection import statement_scope
from core.statements.views import get_statement, statement_lines
from core.store.db import Db, iso
from core.store.records import Staff, Store
from core.store.stores import get_store
from core.text import validate
from core.text.i18n import _

PERMISSION = "statements.manage"


@frozen
class PostingResult:
    statement: Statement
    orders: int
    invoices: int
    payment_journals: int
    inventory_lines: int
    overridden: tuple[StatementLine, ...] = ()


def reserve_numbers(db: Db, sequence: str, count: int) -> int:
    """Advance a global number sequence by ``count``; returns the first number."""
    db.require_write("reserving statement numbers")
    db.lock_journal()
    row = db.one(
        "INSERT INTO number_sequences (name, value) VALUES (?, ?)"
        " ON CONFLICT(name) DO UPDATE SET value = number_sequences.value + excluded.value RETURNING value",
        (sequence, count),
    )
    if row is None:  # RETURNING after an upsert always has a row
        raise RuntimeError(f"number sequence {sequence!r} returned nothing")
    return int(row[0]) - count + 1


def _check_differences(
    store: Store, st: Statement, lines: tuple[StatementLine, ...], actor: Staff, reason: str | None
) -> tuple[StatementLine, ...]:
    limit = store.max_posting_difference
    over = tuple(ln for ln in lines if abs(ln.difference) > limit)
    if not over:
        return ()
    fmt = lambda v: money.format_amount(v, store.currency, store.locale)  # noqa: E731
    if reason is not None:
        if actor.role != "manager":
            raise PermissionDenied(
                _("Only a manager can post over the maximum posting difference.")
            )
        if not reason.strip():
            raise InputError(_("Give the reason for posting over the maximum difference."))
        validate.note(reason)
        return over
    listed = "; ".join(
        _("{tender}{group}: sold {amount}, counted {counted}, difference {diff}").format(
            tender=ln.tender_name,
            group=f" ({ln.group_label})" if ln.group_key else "",
            amount=fmt(ln.transaction_amount),
            counted=fmt(ln.counted),
            diff=fmt(ln.difference),
        )
        for ln in over
    )
    raise PostingRefused(
        _(
            "Statement {id} is not posted: differences exceed the maximum posting "
            "difference of {limit}: {lines}."
        ).format(id=st.id, limit=fmt(limit), lines=listed),
        over,
    )


# An order's number while its statement's transaction is still writing it: unique per
# statement (so statements posting side by side never meet), far above any real number,
# and replaced by the real one before the transaction ends (_number_orders).
PROVISIONAL_BASE = 4 * 10**18
PROVISIONAL_SPAN = 10**9


def _provisional(st: Statement) -> int:
    return PROVISIONAL_BASE + st.id * PROVISIONAL_SPAN


def order_key_sql(st: Statement) -> str:
    """The order a sale (alias s) goes to (T-8): 'C:' and its customer, or 'D:' and its
    business date by the settings the statement was calculated with."""
    if st.timezone is None or st.business_day is None or st.end_of_business_day is None:
        raise StateError(_("Calculate statement {id} before posting it.").format(id=st.id))
    bizdate = business_date_sql(
        "s.created_at",
        datetime.fromisoformat(st.period_start),
        datetime.fromisoformat(st.period_end),
        ZoneInfo(st.timezone),
        cutoff(st.business_day, st.end_of_business_day),
    )
    return (
        f"CASE WHEN s.customer_id IS NOT NULL THEN 'C:' || s.customer_id ELSE 'D:' || {bizdate} END"
    )


def _post_orders(db: Db, st: Statement, store: Store) -> int:
    """Sales orders with their lines, numbered provisionally: the per-sale work of
    posting, done before the write lock (core.store.db.Db.write's scope)."""
    p = {"id": st.id}
    if not store.default_customer_id and db.scalar(
        f"SELECT EXISTS (SELECT 1 FROM {HELD_BY} WHERE r.statement_id = :id"
        " AND s.customer_id IS NULL)",
        p,
    ):
        raise StateError(
            _(
                "{store} has no default customer to invoice the cash-and-carry sales to;"
                " set one first."
            ).format(store=store.id)
        )
    order_key = order_key_sql(st)
    made = db.execute(
        f"""INSERT INTO sales_orders (number, statement_id, store_id, kind, order_key,
               customer_id, business_date, currency, transactions, total, rounding, vat_total,
               created_at)
        SELECT CAST(:first AS INTEGER) - 1
                   + row_number() OVER (ORDER BY substr(k, 1, 1) DESC, k),
               :id, :store,
               CASE WHEN k LIKE 'D:%' THEN 'cash_and_carry' ELSE 'customer' END,
               k,
               CASE WHEN k LIKE 'D:%' THEN :walkin ELSE substr(k, 3) END,
               CASE WHEN k LIKE 'D:%' THEN substr(k, 3) END,
               :currency, COUNT(*), SUM(total), SUM(rounding), SUM(vat_total), :now
          FROM (SELECT {order_key} AS k, s.total, s.rounding, s.vat_total
                  FROM {HELD_BY} WHERE r.statement_id = :id) AS o
         GROUP BY k""",
        {
            **p,
            "first": _provisional(st) + 1,
            "store": store.id,
            "walkin": store.default_customer_id,
            "currency": store.currency,
            "now": db.now_iso(),
        },
    )
    n_orders = made.rowcount
    if not n_orders:
        return 0
    if n_orders >= PROVISIONAL_SPAN:
        raise StateError(_("Statement {id} has too many orders to post at once.").format(id=st.id))
    db.execute(
        f"""INSERT INTO sales_order_lines (order_id, sku, vat_rate, qty, amount, vat_amount, unit)
        SELECT o.id, g.sku, g.vat_rate, g.qty, g.amount, g.vat, g.unit
          FROM (SELECT l.sku, l.vat_rate, {order_key} AS k, SUM(l.qty) AS qty,
                       MAX(l.unit) AS unit, SUM(l.line_total) AS amount,
                       SUM(l.vat_amount) AS vat
                  FROM {HELD_BY} JOIN sale_lines l ON l.sale_id = s.id
                 WHERE r.statement_id = :id
                 GROUP BY l.sku, l.vat_rate, {order_key}) g
          JOIN sales_orders o ON o.statement_id = :id AND o.order_key = g.k
         WHERE g.qty <> 0 OR g.amount <> 0 OR g.vat <> 0""",
        p,
    )
    return int(n_orders)


def _number_orders(db: Db, st: Statement, n_orders: int, posting_date: str) -> int:
    """The orders' real numbers, then one invoice per order (T-7): under the write lock,
    so numbers follow one another across statements in the order they are posted."""
    if not n_orders:
        return 0
    first = reserve_numbers(db, "sales_order", n_orders)
    db.execute(
        "UPDATE sales_orders SET number = number - CAST(:provisional AS INTEGER) + :first - 1"
        " WHERE statement_id = :id",
        {"id": st.id, "provisional": _provisional(st), "first": first},
    )
    first_invoice = reserve_numbers(db, "invoice", n_orders)
    db.execute(
        """INSERT INTO invoices (number, order_id, statement_id, customer_id, invoice_date,
               currency, amount, vat_total, created_at)
        SELECT :first - 1 + row_number() OVER (ORDER BY o.number), o.id, o.statement_id,
               o.customer_id, COALESCE(o.business_date, :posting_date), o.currency,
               o.total + o.rounding, o.vat_total, o.created_at
          FROM sales_orders o WHERE o.statement_id = :id""",
        {"id": st.id, "first": first_invoice, "posting_date": posting_date},
    )
    return n_orders


def _post_payment_journals(db: Db, st: Statement, store: Store) -> int:
    # A tender with nothing paid and nothing counted (a zero cash count) needs no journal.
    n = db.scalar(
        "SELECT COUNT(*) FROM (SELECT tender_id FROM statement_lines WHERE statement_id = ?"
        " GROUP BY tender_id HAVING SUM(payments) > 0 OR SUM(counted) <> 0) AS t",
        (st.id,),
    )
    if not n:
        return 0
    first = reserve_numbers(db, "payment_journal", n)
    db.execute(
        """INSERT INTO payment_journals (number, statement_id, tender_id, currency, payments,
               amount, counted, difference, created_at)
        SELECT :first - 1 + row_number() OVER (ORDER BY t.sort_order, t.id), :id, l.tender_id,
               :currency, SUM(l.payments), SUM(l.transaction_amount), SUM(l.counted),
               SUM(l.counted) - SUM(l.transaction_amount), :now
          FROM statement_lines l JOIN tenders t ON t.id = l.tender_id
         WHERE l.statement_id = :id
         GROUP BY l.tender_id, t.sort_order, t.id
        HAVING SUM(l.payments) > 0 OR SUM(l.counted) <> 0""",
        {"first": first, "id": st.id, "currency": store.currency, "now": db.now_iso()},
    )
    return int(n)


def _post_inventory(db: Db, st: Statement, store: Store) -> int:
    number = db.next_number("inventory_journal")
    journal_id = db.insert(
        "inventory_journals",
        {
            "number": number,
            "statement_id": st.id,
            "store_id": store.id,
            "created_at": db.now_iso(),
        },
    )
    cur = db.execute(
        """INSERT INTO inventory_journal_lines (journal_id, sku, qty, unit)
        SELECT ?, l.sku, -SUM(l.qty), MAX(l.unit) FROM sales_order_lines l
          JOIN sales_orders o ON o.id = l.order_id
         WHERE o.statement_id = ?
         GROUP BY l.sku HAVING SUM(l.qty) <> 0""",
        (journal_id, st.id),
    )
    return cur.rowcount


def _check_balance(db: Db, st: Statement) -> None:
    """What was invoiced equals what was paid: a broken transaction never posts."""
    invoiced = db.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM invoices WHERE statement_id = ?", (st.id,)
    )
    paid = db.scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM payment_journals WHERE statement_id = ?", (st.id,)
    )
    if invoiced != paid:
        raise StateError(
            _(
                "Statement {id} does not balance: invoices {invoiced}, payments {paid}; "
                "nothing was posted."
            ).format(id=st.id, invoiced=invoiced, paid=paid)
        )


def post_statement(
    db: Db, actor: Staff, statement_id: int, *, override_reason: str | None = None
) -> PostingResult:
    """T-6 and T-10: check the differences, then create the orders, invoices and
    journals and mark the statement posted, in one transaction."""
    with db.write(scope=statement_scope(db, statement_id)):
        require(actor, PERMISSION)
        st = get_statement(db, statement_id)
        if st.status == "posted":
            raise StateError(_("Statement {id} is already posted.").format(id=st.id))
        if st.status != "calculated":
            raise StateError(_("Calculate statement {id} before posting it.").format(id=st.id))
        store = get_store(db, st.store_id)
        lines = statement_lines(db, st)
        overridden = _check_differences(store, st, lines, actor, override_reason)
        now = db.now()
        posting_date = now.astimezone(ZoneInfo(store.timezone)).date().isoformat()
        orders = _post_orders(db, st, store)
        audit.hash_written(db)  # the order lines, before the write lock (_number_orders)
        invoices = _number_orders(db, st, orders, posting_date)
        journals = _post_payment_journals(db, st, store)
        inventory = _post_inventory(db, st, store)
        _check_balance(db, st)
        db.execute(
            "UPDATE statements SET status = 'posted', posted_at = ?, posted_by = ?,"
            " override_reason = ? WHERE id = ?",
            (
                iso(now),
                actor.id,
                override_reason.strip() if overridden and override_reason else None,
                st.id,
            ),
        )
        audit.append(
            db,
            "statement.post",
            staff_id=actor.id,
            entity="statement",
            entity_id=st.id,
            amount=sum(ln.transaction_amount for ln in lines),
            details={
                "orders": orders,
                "invoices": invoices,
                "payment_journals": journals,
                "inventory_lines": inventory,
                **(
                    {
                        "override": (override_reason or "").strip(),
                        "overridden": [
                            {
                                "tender": ln.tender_id,
                                "group": ln.group_key,
                                "difference": ln.difference,
                            }
                            for ln in overridden
                        ],
                    }
                    if overridden
                    else {}
                ),
            },
        )
        return PostingResult(
            statement=get_statement(db, st.id),
            orders=orders,
            invoices=invoices,
            payment_journals=journals,
            inventory_lines=inventory,
            overridden=overridden,
        )
