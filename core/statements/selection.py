"""Which transactions and sessions a statement takes (T-3, T-4, T-9), as SQL.

A sale belongs to a group by the statement method: '' (total), its staff
member, its terminal or its session (shift). A closed session belongs to a
group by who closed it (staff), its terminal, or itself (shift); its counts go
to the first statement calculated over a period it overlaps. "Untaken" means
no statement holds it yet (core.statements.ranges / ``statement_sessions``).
"""

from __future__ import annotations

from core.staff.auth import require
from core.statements.periods import local_text
from core.statements.ranges import HELD, HELD_BY
from core.statements.records import (
    OpenSessionsError,
    Statement,
    StatementTransaction,
    TransactionPage,
)
from core.statements.views import get_statement
from core.store.db import Db
from core.store.records import Staff, Store
from core.text.i18n import _

PERMISSION = "statements.manage"

# The group of a sale (alias s) and of a session (alias x) per statement method.
SALE_GROUP = {
    "total": "''",
    "staff": "s.staff_id",
    "terminal": "s.terminal_id",
    "shift": "COALESCE(CAST(s.session_id AS TEXT), '')",
}
SESSION_GROUP = {
    "total": "''",
    "staff": "x.closed_by",
    "terminal": "x.terminal_id",
    "shift": "CAST(x.id AS TEXT)",
}

PERIOD_SALES = (
    "FROM sales s WHERE s.store_id = :store AND s.created_at >= :start AND s.created_at < :end"
)
UNTAKEN_SALES = PERIOD_SALES + f" AND NOT {HELD}"
UNTAKEN_SESSIONS = (
    "FROM sessions x WHERE x.store_id = :store AND x.status = 'closed'"
    " AND x.opened_at < :end AND x.closed_at >= :start"
    " AND NOT EXISTS (SELECT 1 FROM statement_sessions y WHERE y.session_id = x.id)"
)


def scope(store_id: str) -> str:
    """What a store's statement work locks (Db.write's scope): one store's statements
    are created, calculated and posted one at a time; different stores' side by side."""
    return f"kassi statements {store_id}"


def statement_scope(db: Db, statement_id: int) -> str | None:
    """The scope of an existing statement (its store never changes); None: no such
    statement, which the operation then reports under the database's write lock."""
    row = db.one("SELECT store_id FROM statements WHERE id = ?", (statement_id,))
    return scope(row[0]) if row is not None else None


def split_filter(statement: Statement, alias: str) -> str:
    if not statement.split:
        return ""
    table = SALE_GROUP if alias == "s" else SESSION_GROUP
    return f" AND {table[statement.method]} = :key"


def params(st: Statement) -> dict[str, object]:
    return {
        "store": st.store_id,
        "start": st.period_start,
        "end": st.period_end,
        "key": st.split_key,
        "id": st.id,
    }


def check_no_open_sessions(db: Db, store: Store, end: str) -> None:
    """T-9: every session that began before the period's end must be closed."""
    rows = db.all(
        "SELECT id, terminal_id, opened_at FROM sessions"
        " WHERE store_id = ? AND status = 'open' AND opened_at < ? ORDER BY id",
        (store.id, end),
    )
    if rows:
        named = ", ".join(
            _("session {id} on {terminal} (opened {at})").format(
                id=r["id"], terminal=r["terminal_id"], at=local_text(r["opened_at"], store)
            )
            for r in rows
        )
        raise OpenSessionsError(
            _("Close the sessions in the period first: {sessions}.").format(sessions=named),
            tuple((r["id"], r["terminal_id"], r["opened_at"]) for r in rows),
        )


def split_keys(db: Db, store: Store, start: str, end: str) -> list[str]:
    """The groups with untaken transactions or sessions in the period."""
    p = {"store": store.id, "start": start, "end": end}
    method = store.statement_method
    rows = db.all(
        f"SELECT DISTINCT {SALE_GROUP[method]} AS k {UNTAKEN_SALES}"
        f" UNION SELECT DISTINCT {SESSION_GROUP[method]} {UNTAKEN_SESSIONS}"
        " ORDER BY 1",
        p,
    )
    return [r["k"] for r in rows]


def has_untaken(db: Db, store_id: str, start: str, end: str) -> bool:
    p = {"store": store_id, "start": start, "end": end}
    return bool(
        db.scalar(f"SELECT EXISTS (SELECT 1 {UNTAKEN_SALES})", p)
        or db.scalar(f"SELECT EXISTS (SELECT 1 {UNTAKEN_SESSIONS})", p)
    )


def existing_for_period(db: Db, store_id: str, start: str, end: str) -> list[Statement]:
    rows = db.all(
        "SELECT * FROM statements WHERE store_id = ? AND period_start = ? AND period_end = ?"
        " ORDER BY id",
        (store_id, start, end),
    )
    return [Statement.from_row(r) for r in rows]


# -- transactions (T-3) -----------------------------------------------------------------


def statement_transactions(
    db: Db, actor: Staff, statement_id: int, *, limit: int = 100, after_id: int = 0
) -> TransactionPage:
    """What the statement takes: once calculated, its own transactions; before,
    the period's transactions no statement holds yet (what calculating would take)."""
    require(actor, PERMISSION)
    limit = max(1, min(int(limit), 10_000))
    with db.read():
        st = get_statement(db, statement_id)
        p = {**params(st), "after": after_id, "limit": limit}
        taken = st.status != "created"
        if taken:
            source = f"FROM {HELD_BY} WHERE r.statement_id = :id"
        else:
            source = UNTAKEN_SALES + split_filter(st, "s")
        head = db.one(f"SELECT COUNT(*), COALESCE(SUM(s.total + s.rounding), 0) {source}", p)
        rows = db.all(
            f"SELECT s.* {source} AND s.id > :after ORDER BY s.id LIMIT :limit",
            p,
        )
    return TransactionPage(
        statement_id=st.id,
        taken=taken,
        count=head[0],
        amount=head[1],
        rows=tuple(StatementTransaction.from_row(r) for r in rows),
    )
