"""Cash tracking sessions (S-1..S-11): open, adjust, expected cash, close, history.

The expected cash is the view ``session_cash`` (core.tills.session_views.expected_cash
reads it). Cash payments are stored net of change, so change handed back never counts
as cash in, and the float is counted once: as the session's starting amount, never as
a payment.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.audit import journal as audit
from core.errors import InputError, NotFound, StateError
from core.money import amounts as money
from core.money import denominations
from core.staff.auth import require
from core.store.db import Db
from core.store.records import CashAdjustment, SessionRow, Staff, Store, Terminal
from core.store.stores import get_store
from core.store.tenders import cash_tender
from core.store.terminals import get_terminal
from core.text import validate
from core.text.i18n import _
from core.tills import limits
from core.tills.session_views import (  # noqa: F401  (the sessions API, in one place for callers)
    CashSummary,
    SessionDetails,
    TenderTotal,
    adjustments,
    cash_summary,
    cash_summary_for,
    current_session,
    expected_cash,
    get_session,
    last_closed_session,
    list_sessions,
    open_session_for,
    session_details,
)

NOTE_MAX = 500


# -- opening ---------------------------------------------------------------------------


def _check_note(note: str, required: bool = False) -> str:
    return validate.note(note, required=required, max_len=NOTE_MAX)


def _reconcile(
    amount: int | None, counts: Mapping[int, int] | None, store: Store, missing: str
) -> int:
    """The amount counted: as typed, or the sum of a denomination count; both must agree."""
    counted = (
        None if counts is None else denominations.count_denominations(dict(counts), store.currency)
    )
    if amount is None:
        if counted is None:
            raise InputError(missing)
        return counted
    if counted is not None and counted != amount:
        fmt = lambda m: money.format_amount(m, store.currency, store.locale)  # noqa: E731
        raise InputError(
            _("The counted notes and coins make {counted}, not {amount}.").format(
                counted=fmt(counted), amount=fmt(amount)
            )
        )
    return amount


def _insert_session(
    db: Db,
    actor: Staff,
    terminal: Terminal,
    opening_float: int | None,
    note: str,
    from_safe: int = 0,
) -> int:
    """Open a session; ``opening_float`` None opens automatically (S-4) with the cash
    left in this terminal's drawer at its own previous close (0 for its first)."""
    previous = last_closed_session(db, terminal.id)
    auto = opening_float is None
    if auto:
        opening_float = previous.left_in_drawer if previous else 0
    session_id = db.insert(
        "sessions",
        {
            "id": db.next_number("session"),
            "terminal_id": terminal.id,
            "store_id": terminal.store_id,
            "status": "open",
            "opened_at": db.now_iso(),
            "opened_by": actor.id,
            "opened_auto": int(auto),
            "opening_float": opening_float,
            "open_note": note,
            "previous_session_id": previous.id if previous else None,
            "previous_left": previous.left_in_drawer if previous else None,
        },
    )
    details: dict = {"note": note} if note else {}
    if from_safe:  # K-1: the movement is written first, so the session's entry covers it
        from core.cash import safe

        movement = safe.issue_float(db, actor, get_session(db, session_id), from_safe)
        details.update(from_safe=from_safe, safe_movement=movement.id)
    audit.append(
        db,
        "session.auto_open" if auto else "session.open",
        staff_id=actor.id,
        terminal_id=terminal.id,
        entity="session",
        entity_id=session_id,
        amount=opening_float,
        details=details or None,
    )
    return session_id


def open_session(
    db: Db,
    actor: Staff,
    terminal_id: str,
    opening_float: int | None = None,
    note: str = "",
    counts: Mapping[int, int] | None = None,
    *,
    from_safe: bool = False,
) -> SessionRow:
    """S-3: start a session with the counted starting amount (float) and a note.

    ``from_safe`` (K-1): the amount is the float issued from the store's safe into
    the drawer. The session then starts with what its drawer held at the previous
    close (0 for the first) and the float is a safe movement, so the drawer's
    expected cash rises by it, the safe's balance falls by it and neither is an
    opening discrepancy."""
    money.check_minor(opening_float, "opening_float")
    note = _check_note(note)
    with db.write():
        require(actor, "session.open")
        terminal = get_terminal(db, terminal_id)
        store = get_store(db, terminal.store_id)
        if not store.track_cash:
            raise StateError(
                _("Cash tracking is off for {store}: sales are recorded without sessions.").format(
                    store=store.name
                )
            )
        opening_float = _reconcile(opening_float, counts, store, _("Enter the starting amount."))
        if opening_float < 0:
            raise InputError(_("The starting amount cannot be negative."))
        existing = current_session(db, terminal_id)
        if existing:
            raise StateError(
                _("Session {id} is already open on terminal {terminal}.").format(
                    id=existing.id, terminal=terminal_id
                )
            )
        if from_safe:
            from core.cash import safe

            require(actor, safe.PERMISSION)
            if opening_float == 0:
                raise InputError(_("The float from the safe must be more than zero."))
            previous = last_closed_session(db, terminal_id)
            in_drawer = previous.left_in_drawer if previous and previous.left_in_drawer else 0
            session_id = _insert_session(db, actor, terminal, in_drawer, note, opening_float)
        else:
            session_id = _insert_session(db, actor, terminal, opening_float, note)
        _store_counts(db, session_id, "open", counts)
    return get_session(db, session_id)


def ensure_session(
    db: Db, actor: Staff, terminal: Terminal, store: Store
) -> tuple[int | None, bool]:
    """S-4, inside a sale's transaction: the open session, opening one if needed.

    The automatic float is the cash left in this terminal's drawer at its own
    previous close (0 for its first session): never another terminal's.
    Returns (session id or None when cash tracking is off, whether it was opened now).
    """
    db.require_write("ensure_session")
    if not store.track_cash:
        return None, False
    current = current_session(db, terminal.id)
    if current:
        return current.id, False
    return _insert_session(db, actor, terminal, None, ""), True


def check_drawer_limit(db: Db, session_id: int | None, store: Store) -> None:
    """K-2, inside a sale's transaction: a store that requires it takes no sale while
    the drawer holds more than its limit, until a safe drop brings it down."""
    if session_id is None or not store.drawer_limit_required or store.drawer_limit is None:
        return
    expected = expected_cash(db, session_id)
    if expected > store.drawer_limit:
        raise StateError(
            _(
                "The drawer holds more than its limit of {limit}: make a safe drop"
                " before the next sale."
            ).format(limit=money.format_amount(store.drawer_limit, store.currency, store.locale))
        )


def _store_counts(db: Db, session_id: int, phase: str, counts: Mapping[int, int] | None) -> None:
    if counts:
        db.executemany(
            "INSERT INTO session_counts (session_id, phase, denomination, count) VALUES (?,?,?,?)",
            [(session_id, phase, d, c) for d, c in counts.items() if c],
        )


# -- cash actions (S-6) -----------------------------------------------------------------


def adjust_cash(
    db: Db, actor: Staff, terminal_id: str, kind: str, amount: int, note: str
) -> CashAdjustment:
    """Add or remove cash with a note (S-6).

    Removing more than the drawer should hold (the expected cash) is refused:
    a count that says otherwise is a discrepancy to record at close, not by
    driving the expected cash negative.
    """
    if kind not in ("add", "remove"):
        raise InputError(_("A cash action is add or remove."))
    money.check_minor(amount, "amount")
    if amount <= 0:
        raise InputError(_("The amount must be more than zero."))
    note = _check_note(note, required=True)
    with db.write():
        require(actor, "session.adjust")
        session = open_session_for(db, terminal_id)
        store = get_store(db, session.store_id)
        limits.check_adjustment(amount, store)
        if kind == "remove":
            expected = expected_cash(db, session.id)
            if amount > expected:
                raise InputError(
                    _("The drawer should hold {expected}; you cannot remove {amount}.").format(
                        expected=money.format_amount(expected, store.currency, store.locale),
                        amount=money.format_amount(amount, store.currency, store.locale),
                    )
                )
        adj_id = db.insert(
            "cash_adjustments",
            {
                "session_id": session.id,
                "kind": kind,
                "amount": amount,
                "note": note,
                "staff_id": actor.id,
                "created_at": db.now_iso(),
            },
        )
        from core.printing import (
            sources as print_sources,  # it builds documents from core.tills.session_views
        )

        # Queued before the entry, so the entry covers the slip's job too.
        print_sources.queue_adjustment_slip(db, adj_id)  # commits with the cash action
        audit.append(
            db,
            f"cash.{kind}",
            staff_id=actor.id,
            terminal_id=terminal_id,
            entity="session",
            entity_id=session.id,
            amount=amount,
            details={"note": note, "adjustment": adj_id},
        )
        row = db.one(
            "SELECT a.*, st.name AS staff_name FROM cash_adjustments a"
            " JOIN staff st ON st.id = a.staff_id WHERE a.id = ?",
            (adj_id,),
        )
    return CashAdjustment.from_row(row)


# -- closing (S-8) ---------------------------------------------------------------------


def close_session(
    db: Db,
    actor: Staff,
    terminal_id: str,
    counted: int | None,
    leave: int,
    declarations: Mapping[str, int] | None = None,
    counts: Mapping[int, int] | None = None,
    note: str = "",
) -> SessionRow:
    """Close the terminal's open session: counted cash (or a denomination count),
    declarations for the other counted tenders, and the amount left in the drawer.

    The expected cash is frozen in the same transaction that closes, so a sale
    racing the close is either in the session and in the figure, or in the next.
    """
    money.check_minor(counted, "counted")
    money.check_minor(leave, "leave")
    for declared_amount in (declarations or {}).values():
        money.check_minor(declared_amount, "declaration")
    note = _check_note(note)
    with db.write():
        require(actor, "session.close")
        session = open_session_for(db, terminal_id)
        store = get_store(db, session.store_id)
        fmt = lambda m: money.format_amount(m, store.currency, store.locale)  # noqa: E731
        counted = _reconcile(counted, counts, store, _("Enter the counted cash."))
        if counted < 0:
            raise InputError(_("Counted cash cannot be negative."))
        if leave < 0:
            raise InputError(_("The amount to leave in the drawer cannot be negative."))
        if leave > counted:
            raise InputError(
                _("You counted {counted}; you cannot leave {leave} in the drawer.").format(
                    counted=fmt(counted), leave=fmt(leave)
                )
            )
        cash = cash_tender(db)
        declared = dict(declarations or {})
        for tender_id in declared:
            tender = db.one("SELECT is_cash FROM tenders WHERE id = ?", (tender_id,))
            if tender is None:
                raise NotFound(_("No payment type {id}.").format(id=tender_id))
            if tender["is_cash"]:
                raise InputError(_("Cash is declared as the counted cash, not as a declaration."))
        declared[cash.id] = counted
        expected = expected_cash(db, session.id)
        db.execute(
            "UPDATE sessions SET status = 'closed', closed_at = ?, closed_by = ?,"
            " expected_cash = ?, counted_cash = ?, left_in_drawer = ?, cash_removed = ?,"
            " close_note = ? WHERE id = ?",
            (db.now_iso(), actor.id, expected, counted, leave, counted - leave, note, session.id),
        )
        db.executemany(
            "INSERT INTO declarations (session_id, tender_id, amount) VALUES (?,?,?)",
            [(session.id, t, a) for t, a in declared.items()],
        )
        _store_counts(db, session.id, "close", counts)
        from core.cash import safe

        # S-8's cash removed goes into the safe (K-1), not into thin air; written
        # before the close's entry, which covers it.
        returned = safe.return_at_close(db, actor, get_session(db, session.id), counted - leave)
        audit.append(
            db,
            "session.close",
            staff_id=actor.id,
            terminal_id=terminal_id,
            entity="session",
            entity_id=session.id,
            amount=counted,
            details={
                "expected": expected,
                "counted": counted,
                "left": leave,
                "removed": counted - leave,
                "discrepancy": counted - expected,
                "declarations": declared,
                "note": note,
                **({"safe_movement": returned.id} if returned else {}),
            },
        )
    return get_session(db, session.id)
