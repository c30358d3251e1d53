"""Reading statements: one, a list, and the details a screen or the CLI shows (T-5, T-9 states).

Reading needs "statements.manage" like every statement operation; `get_statement`
is the unchecked lookup the services use inside their own transactions.
"""

from __future__ import annotations

from core.errors import NotFound
from core.staff.auth import require
from core.statements.records import (
    STATUSES,
    InventoryJournal,
    PaymentJournal,
    SalesOrder,
    Statement,
    StatementDetails,
    StatementLine,
)
from core.store.db import Db
from core.store.lookups import by_id, newest_first
from core.store.records import Staff
from core.store.stores import get_store
from core.text.i18n import N_, _

PERMISSION = "statements.manage"


def get_statement(db: Db, statement_id: int) -> Statement:
    return Statement.from_row(by_id(db, "statements", statement_id, N_("No statement {id}.")))


def list_statements(
    db: Db,
    actor: Staff,
    *,
    store_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Statement]:
    """Newest first, optionally one store's or one status's."""
    require(actor, PERMISSION)
    if status is not None and status not in STATUSES:
        raise NotFound(_("No statement status {status}.").format(status=status))
    rows = newest_first(db, "statements", {"store_id": store_id, "status": status}, limit, offset)
    return [Statement.from_row(r) for r in rows]


def _group_labels(db: Db, method: str, keys: set[str]) -> dict[str, str]:
    if method == "staff":
        table = "staff"
    elif method == "terminal":
        table = "terminals"
    elif method == "shift":
        marks, values = _in_list(keys)
        rows = db.all(f"SELECT id, terminal_id FROM sessions WHERE id IN ({marks})", values)
        labels = {
            str(r["id"]): _("session {id} ({terminal})").format(
                id=r["id"], terminal=r["terminal_id"]
            )
            for r in rows
        }
        labels[""] = _("no session")
        return labels
    else:
        return {"": _("all")}
    marks, values = _in_list(keys)
    rows = db.all(f"SELECT id, name FROM {table} WHERE id IN ({marks})", values)
    return {r["id"]: r["name"] for r in rows}


def _in_list(values: set[str]) -> tuple[str, list[str]]:
    """Placeholders and values for ``IN (...)``; NULL when empty (matches nothing)."""
    ordered = sorted(values)
    return (", ".join("?" * len(ordered)) or "NULL"), ordered


def statement_lines(db: Db, st: Statement) -> tuple[StatementLine, ...]:
    rows = db.all(
        "SELECT l.*, t.name AS tender_name, t.is_cash FROM statement_lines l"
        " JOIN tenders t ON t.id = l.tender_id WHERE l.statement_id = ?"
        " ORDER BY l.group_key, t.sort_order, t.id",
        (st.id,),
    )
    labels = _group_labels(db, st.method, {r["group_key"] for r in rows})
    return tuple(
        StatementLine.from_row(r, group_label=labels.get(r["group_key"]) or r["group_key"])
        for r in rows
    )


def statement_details(db: Db, actor: Staff, statement_id: int) -> StatementDetails:
    """The statement, its lines (amount, counted, difference), the sessions whose
    counts it holds, and once posted its orders, invoices and journals."""
    require(actor, PERMISSION)
    with db.read():
        st = get_statement(db, statement_id)
        store = get_store(db, st.store_id)
        lines = statement_lines(db, st)
        sessions = tuple(
            r[0]
            for r in db.all(
                "SELECT session_id FROM statement_sessions WHERE statement_id = ? ORDER BY 1",
                (st.id,),
            )
        )
        orders = tuple(
            SalesOrder.from_row(r)
            for r in db.all(
                "SELECT o.*, i.number AS invoice_number, i.invoice_date,"
                " i.amount AS invoice_amount FROM sales_orders o"
                " JOIN invoices i ON i.order_id = o.id WHERE o.statement_id = ? ORDER BY o.number",
                (st.id,),
            )
        )
        journals = tuple(
            PaymentJournal.from_row(r)
            for r in db.all(
                "SELECT * FROM payment_journals WHERE statement_id = ? ORDER BY number", (st.id,)
            )
        )
        # Pieces add up; a measured unit's thousandths add up per unit only (K-8).
        per_unit = db.all(
            "SELECT j.number, COUNT(l.sku) AS skus, COALESCE(l.unit, 'pcs') AS unit,"
            " COALESCE(-SUM(CASE WHEN l.qty < 0 THEN l.qty END), 0) AS qty_out,"
            " COALESCE(SUM(CASE WHEN l.qty > 0 THEN l.qty END), 0) AS qty_in"
            " FROM inventory_journals j LEFT JOIN inventory_journal_lines l ON l.journal_id = j.id"
            " WHERE j.statement_id = ? GROUP BY j.id, l.unit ORDER BY l.unit = 'pcs' DESC, l.unit",
            (st.id,),
        )
        inv = None
        if per_unit:
            pcs = [r for r in per_unit if r["unit"] == "pcs"]
            inv = InventoryJournal(
                per_unit[0]["number"],
                sum(r["skus"] for r in per_unit),
                sum(r["qty_out"] for r in pcs),
                sum(r["qty_in"] for r in pcs),
                tuple(
                    (r["unit"], r["qty_out"], r["qty_in"]) for r in per_unit if r["unit"] != "pcs"
                ),
            )
        people = {st.created_by, st.calculated_by, st.posted_by}
        people |= {ln.counted_by for ln in lines}
        people.discard(None)
        marks, values = _in_list(people)  # type: ignore[arg-type]
        names = {
            r["id"]: r["name"]
            for r in db.all(f"SELECT id, name FROM staff WHERE id IN ({marks})", values)
        }
    return StatementDetails(
        statement=st,
        store=store,
        names=names,
        lines=lines,
        session_ids=sessions,
        orders=orders,
        payment_journals=journals,
        inventory_journal=inv,
    )
