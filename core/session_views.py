"""Reading cash tracking sessions: expected cash (S-7), the cash summary, details
(S-5) and the history list (S-9). Figures are computed in SQL over integer columns.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from core import chain_head
from core.auth import require
from core.chain_head import ChainHead
from core.config import get_store, get_terminal
from core.db import Db
from core.errors import NotFound
from core.i18n import _
from core.model import CashAdjustment, SessionRow, Staff, Store, Terminal


@frozen
class TenderTotal:
    tender_id: str
    name: str
    is_cash: bool
    count: int
    amount: int
    declared: int | None = None

    @property
    def difference(self) -> int | None:
        return None if self.declared is None else self.declared - self.amount


@frozen
class CashSummary:
    """The cash figures of one session, computed in SQL from what was recorded."""

    session_id: int
    opening_float: int
    cash_sales: int
    cash_refunds: int
    cash_added: int
    cash_removed_during: int
    expected: int
    sales_count: int
    refunds_count: int
    sales_total: int
    refunds_total: int
    rounding_total: int
    by_tender: tuple[TenderTotal, ...]
    # C-5: what was given off (line and basket), net of what refunds took back, and on
    # how many sales; the totals above are already after it.
    discounts_total: int = 0
    discounts_count: int = 0

    @property
    def net_cash(self) -> int:
        return self.cash_sales - self.cash_refunds


@frozen
class SessionDetails:
    """Everything S-5 says a session shows; closed-only fields are None while open."""

    session: SessionRow
    store: Store
    terminal: Terminal
    opened_by_name: str
    closed_by_name: str | None
    adjustments: tuple[CashAdjustment, ...]
    summary: CashSummary
    counts: Mapping[str, Mapping[int, int]]
    # The journal head its X or Z report prints; see core.chain_head.
    head: ChainHead | None = None

    @property
    def expected_cash(self) -> int:
        s = self.session
        return s.expected_cash if s.expected_cash is not None else self.summary.expected


# -- reading ---------------------------------------------------------------------------


def get_session(db: Db, session_id: int) -> SessionRow:
    row = db.one("SELECT * FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        raise NotFound(_("No session {id}.").format(id=session_id))
    return SessionRow.from_row(row)


def current_session(db: Db, terminal_id: str) -> SessionRow | None:
    row = db.one("SELECT * FROM sessions WHERE terminal_id = ? AND status = 'open'", (terminal_id,))
    return SessionRow.from_row(row) if row else None


def last_closed_session(db: Db, terminal_id: str) -> SessionRow | None:
    row = db.one(
        "SELECT * FROM sessions WHERE terminal_id = ? AND status = 'closed' "
        "ORDER BY id DESC LIMIT 1",
        (terminal_id,),
    )
    return SessionRow.from_row(row) if row else None


def expected_cash(db: Db, session_id: int) -> int:
    """S-7 in one query over integer columns."""
    return int(
        db.scalar(
            """SELECT s.opening_float
             + COALESCE((SELECT SUM(amount) FROM payments
                          WHERE session_id = s.id AND is_cash = 1), 0)
             + COALESCE((SELECT SUM(CASE kind WHEN 'add' THEN amount ELSE -amount END)
                           FROM cash_adjustments WHERE session_id = s.id), 0)
           FROM sessions s WHERE s.id = ?""",
            (session_id,),
        )
    )


def cash_summary(db: Db, session_id: int) -> CashSummary:
    with db.read():
        session = get_session(db, session_id)
        cash = db.one(
            "SELECT COALESCE(SUM(CASE WHEN amount > 0 THEN amount END), 0) AS received,"
            "       COALESCE(-SUM(CASE WHEN amount < 0 THEN amount END), 0) AS paid_out"
            "  FROM payments WHERE session_id = ? AND is_cash = 1",
            (session_id,),
        )
        adj = db.one(
            "SELECT COALESCE(SUM(CASE kind WHEN 'add' THEN amount END), 0) AS added,"
            "       COALESCE(SUM(CASE kind WHEN 'remove' THEN amount END), 0) AS removed"
            "  FROM cash_adjustments WHERE session_id = ?",
            (session_id,),
        )
        sales = db.one(
            "SELECT COUNT(CASE kind WHEN 'sale' THEN 1 END) AS n_sales,"
            "       COUNT(CASE kind WHEN 'refund' THEN 1 END) AS n_refunds,"
            "       COALESCE(SUM(CASE kind WHEN 'sale' THEN total END), 0) AS sales_total,"
            "       COALESCE(-SUM(CASE kind WHEN 'refund' THEN total END), 0) AS refunds_total,"
            "       COALESCE(SUM(rounding), 0) AS rounding"
            "  FROM sales WHERE session_id = ?",
            (session_id,),
        )
        given = db.one(
            "SELECT COALESCE(SUM(l.discount), 0) AS total,"
            "       COUNT(DISTINCT CASE WHEN s.kind = 'sale' AND l.discount > 0 THEN s.id END) AS n"
            "  FROM sales s JOIN sale_lines l ON l.sale_id = s.id WHERE s.session_id = ?",
            (session_id,),
        )
        declared = {
            r["tender_id"]: r["amount"]
            for r in db.all(
                "SELECT tender_id, amount FROM declarations WHERE session_id = ?", (session_id,)
            )
        }
        tenders = db.all(
            "SELECT t.id, t.name, t.is_cash, COUNT(p.id) AS n, COALESCE(SUM(p.amount), 0) AS amt"
            "  FROM tenders t LEFT JOIN payments p ON p.tender_id = t.id AND p.session_id = ?"
            " GROUP BY t.id HAVING n > 0 OR t.is_cash = 1 OR t.id IN"
            " (SELECT tender_id FROM declarations WHERE session_id = ?)"
            " ORDER BY t.sort_order, t.id",
            (session_id, session_id),
        )
    by_tender = tuple(
        TenderTotal(r["id"], r["name"], bool(r["is_cash"]), r["n"], r["amt"], declared.get(r["id"]))
        for r in tenders
    )
    expected = (
        session.opening_float + cash["received"] - cash["paid_out"] + adj["added"] - adj["removed"]
    )
    return CashSummary(
        session_id=session_id,
        opening_float=session.opening_float,
        cash_sales=cash["received"],
        cash_refunds=cash["paid_out"],
        cash_added=adj["added"],
        cash_removed_during=adj["removed"],
        expected=expected,
        sales_count=sales["n_sales"],
        refunds_count=sales["n_refunds"],
        sales_total=sales["sales_total"],
        refunds_total=sales["refunds_total"],
        rounding_total=sales["rounding"],
        by_tender=by_tender,
        discounts_total=given["total"],
        discounts_count=given["n"],
    )


def adjustments(db: Db, session_id: int) -> tuple[CashAdjustment, ...]:
    rows = db.all(
        "SELECT a.*, st.name AS staff_name FROM cash_adjustments a"
        " JOIN staff st ON st.id = a.staff_id WHERE a.session_id = ? ORDER BY a.id",
        (session_id,),
    )
    return tuple(CashAdjustment.from_row(r) for r in rows)


def session_details(db: Db, actor: Staff, session_id: int) -> SessionDetails:
    """S-5; an open session needs "view sessions", a closed one "view session history"
    (A-2), except for the staff member who closed it."""
    with db.read():
        session = get_session(db, session_id)
        # S-8 ends with the closer reviewing (and printing) the summary, so whoever
        # closed a session may see it; everyone else needs the history permission.
        if session.is_open:
            require(actor, "sessions.view")
        elif session.closed_by != actor.id:
            require(actor, "sessions.history")
        names = dict(
            db.all(
                "SELECT id, name FROM staff WHERE id IN (?, ?)",
                (session.opened_by, session.closed_by or ""),
            )
        )
        counts: dict[str, dict[int, int]] = {"open": {}, "close": {}}
        for r in db.all(
            "SELECT phase, denomination, count FROM session_counts"
            " WHERE session_id = ? ORDER BY denomination DESC",
            (session_id,),
        ):
            counts[r["phase"]][r["denomination"]] = r["count"]
        return SessionDetails(
            session=session,
            store=get_store(db, session.store_id),
            terminal=get_terminal(db, session.terminal_id),
            opened_by_name=names.get(session.opened_by, session.opened_by),
            closed_by_name=names.get(session.closed_by) if session.closed_by else None,
            adjustments=adjustments(db, session_id),
            summary=cash_summary(db, session_id),
            counts=counts,
            head=chain_head.of_session(db, session),
        )


def list_sessions(
    db: Db,
    actor: Staff,
    *,
    terminal_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SessionRow]:
    """Newest first. Listing closed sessions is the history (S-9)."""
    require(actor, "sessions.history" if status != "open" else "sessions.view")
    where, params = [], []
    if terminal_id:
        where.append("terminal_id = ?")
        params.append(terminal_id)
    if status:
        where.append("status = ?")
        params.append(status)
    sql = "SELECT * FROM sessions" + (" WHERE " + " AND ".join(where) if where else "")
    rows = db.all(sql + " ORDER BY id DESC LIMIT ? OFFSET ?", (*params, limit, offset))
    return [SessionRow.from_row(r) for r in rows]
