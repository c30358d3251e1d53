"""Reading cash tracking sessions: expected cash, the cash summary, details (S-5) and
the history list (S-9). Figures are computed in SQL over integer columns; the expected
cash is the view ``session_cash``, S-7's one definition (core/store/migrations/m019.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import evolve, frozen

from core.audit import chain_head
from core.audit.chain_head import ChainHead
from core.errors import StateError
from core.staff.auth import require
from core.store.db import Db
from core.store.lookups import by_id, newest_first
from core.store.records import CashAdjustment, SessionRow, Staff, Store, Terminal
from core.store.stores import get_store
from core.store.terminals import get_terminal
from core.text.i18n import N_, _


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
    # K-1: the float issued from the safe at open and the safe drops (in ``expected``)
    from_safe: int = 0
    dropped: int = 0

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
    # The journal head its X or Z report prints; see core.audit.chain_head.
    head: ChainHead | None = None
    # K-1: the session's float from the safe, safe drops and the cash returned at close
    safe: tuple = ()  # of core.cash.safe.SafeMovement
    # K-3: an open session of a blind-close store read by someone who may not see the
    # expected cash: every figure it could be worked out from is None.
    blind: bool = False
    # K-2: how far the expected cash is over the store's drawer limit (None: not over)
    over_limit: int | None = None

    @property
    def expected_cash(self) -> int | None:
        s = self.session
        if s.expected_cash is not None:
            return s.expected_cash
        return None if self.blind else self.summary.expected


# -- reading ---------------------------------------------------------------------------


def get_session(db: Db, session_id: int) -> SessionRow:
    return SessionRow.from_row(by_id(db, "sessions", session_id, N_("No session {id}.")))


def current_session(db: Db, terminal_id: str) -> SessionRow | None:
    row = db.one("SELECT * FROM sessions WHERE terminal_id = ? AND status = 'open'", (terminal_id,))
    return SessionRow.from_row(row) if row else None


def open_session_for(db: Db, terminal_id: str) -> SessionRow:
    """The terminal's open session; refused when none is open (a cash action, a drop
    into the safe and the close all need one)."""
    get_terminal(db, terminal_id)
    session = current_session(db, terminal_id)
    if session is None:
        raise StateError(
            _("No session is open on terminal {terminal}: start one first.").format(
                terminal=terminal_id
            )
        )
    return session


def last_closed_session(db: Db, terminal_id: str) -> SessionRow | None:
    row = db.one(
        "SELECT * FROM sessions WHERE terminal_id = ? AND status = 'closed' "
        "ORDER BY id DESC LIMIT 1",
        (terminal_id,),
    )
    return SessionRow.from_row(row) if row else None


def expected_cash(db: Db, session_id: int) -> int:
    """What the drawer should hold now, as the view ``session_cash`` defines it (see
    the module's docstring), the safe's float and drops included (K-1)."""
    return int(db.scalar("SELECT expected FROM session_cash WHERE session_id = ?", (session_id,)))


def cash_summary(db: Db, session_id: int) -> CashSummary:
    with db.read():
        session = get_session(db, session_id)
        cash = db.one("SELECT * FROM session_cash WHERE session_id = ?", (session_id,))
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
            " GROUP BY t.id HAVING COUNT(p.id) > 0 OR t.is_cash = 1 OR t.id IN"
            " (SELECT tender_id FROM declarations WHERE session_id = ?)"
            " ORDER BY t.sort_order, t.id",
            (session_id, session_id),
        )
    by_tender = tuple(
        TenderTotal(r["id"], r["name"], bool(r["is_cash"]), r["n"], r["amt"], declared.get(r["id"]))
        for r in tenders
    )
    return CashSummary(
        session_id=session_id,
        opening_float=session.opening_float,
        cash_sales=cash["cash_received"],
        cash_refunds=cash["cash_paid_out"],
        cash_added=cash["cash_added"],
        cash_removed_during=cash["cash_removed"],
        expected=cash["expected"],
        sales_count=sales["n_sales"],
        refunds_count=sales["n_refunds"],
        sales_total=sales["sales_total"],
        refunds_total=sales["refunds_total"],
        rounding_total=sales["rounding"],
        by_tender=by_tender,
        discounts_total=given["total"],
        discounts_count=given["n"],
        from_safe=cash["from_safe"],
        dropped=cash["dropped"],
    )


def adjustments(db: Db, session_id: int) -> tuple[CashAdjustment, ...]:
    rows = db.all(
        "SELECT a.*, st.name AS staff_name FROM cash_adjustments a"
        " JOIN staff st ON st.id = a.staff_id WHERE a.session_id = ? ORDER BY a.id",
        (session_id,),
    )
    return tuple(CashAdjustment.from_row(r) for r in rows)


def is_blind(store: Store, session: SessionRow, actor: Staff) -> bool:
    """K-3: the expected cash of an open session is hidden from this actor."""
    return store.blind_close and session.is_open and not actor.can("cash.expected")


def blind_summary(summary: CashSummary) -> CashSummary:
    """The summary without the expected cash and what it is computed from (K-3)."""
    return evolve(
        summary,
        cash_sales=None,
        cash_refunds=None,
        cash_added=None,
        cash_removed_during=None,
        expected=None,
        from_safe=None,
        dropped=None,
        # With cash alone, the sales total would give the expected cash away.
        sales_total=None,
        refunds_total=None,
        rounding_total=None,
        by_tender=tuple(evolve(t, amount=None) if t.is_cash else t for t in summary.by_tender),
    )


def over_limit(store: Store, expected: int | None) -> int | None:
    """K-2: how much the drawer holds over the store's drawer limit, None if not over."""
    if store.drawer_limit is None or expected is None or expected <= store.drawer_limit:
        return None
    return expected - store.drawer_limit


def cash_summary_for(db: Db, actor: Staff, session_id: int) -> CashSummary:
    """The cash summary as ``actor`` may see it (K-3: blind while the session is open)."""
    summary = cash_summary(db, session_id)
    session = get_session(db, session_id)
    if is_blind(get_store(db, session.store_id), session, actor):
        return blind_summary(summary)
    return summary


def session_details(db: Db, actor: Staff, session_id: int) -> SessionDetails:
    """S-5; an open session needs "view sessions", a closed one "view session history"
    (A-2), except for the staff member who closed it. K-3: blind for who may not see
    the expected cash while a blind-close store's session is open."""
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
        from core.cash import safe  # it reads sessions through this module

        store = get_store(db, session.store_id)
        summary = cash_summary(db, session_id)
        blind = is_blind(store, session, actor)
        return SessionDetails(
            session=session,
            store=store,
            terminal=get_terminal(db, session.terminal_id),
            opened_by_name=names.get(session.opened_by, session.opened_by),
            closed_by_name=names.get(session.closed_by) if session.closed_by else None,
            adjustments=adjustments(db, session_id),
            summary=blind_summary(summary) if blind else summary,
            counts=counts,
            head=chain_head.of_session(db, session),
            safe=safe.session_movements(db, session_id),
            blind=blind,
            over_limit=None
            if blind or not session.is_open
            else over_limit(store, summary.expected),
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
    equal = {"terminal_id": terminal_id, "status": status}
    return [SessionRow.from_row(r) for r in newest_first(db, "sessions", equal, limit, offset)]
