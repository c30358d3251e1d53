"""Opening the cash drawer (C-7): only after an audited, permitted drawer action.

A no sale and the count at close are audited actions of their own; the entry's number
is the grant the till's drawer pulse needs, and `check_drawer_grant` refuses a pulse
that no such entry of this terminal allows.
"""

from __future__ import annotations

from core.audit import journal as audit
from core.errors import InputError, NotFound, StateError
from core.staff.auth import require
from core.store.db import Db
from core.store.records import SessionRow, Staff
from core.store.terminals import get_terminal
from core.text import validate
from core.text.i18n import _
from core.tills.session_views import current_session, open_session_for
from core.tills.sessions import NOTE_MAX


def _grant(
    db: Db,
    action: str,
    actor: Staff,
    terminal_id: str,
    session: SessionRow | None,
    details: dict,
    requested_by: Staff | None,
) -> int:
    """A drawer action's entry, the grant: of this terminal, as ``check_drawer_grant``
    reads it back. An override is the approver's entry; who asked at the till is kept
    beside it."""
    if requested_by is not None and requested_by.id != actor.id:
        details["requested_by"] = requested_by.id
    return audit.append(
        db,
        action,
        staff_id=actor.id,
        terminal_id=terminal_id,
        entity="session",
        entity_id=session.id if session else "",
        details=details,
    )


def no_sale(
    db: Db, actor: Staff, terminal_id: str, reason: str = "", requested_by: Staff | None = None
) -> int:
    """Record a drawer opening without a sale; its own permission, always audited.

    Returns the audit entry's number: the grant the till's drawer pulse needs (C-7).
    ``actor`` is who holds the permission (an approver's override), ``requested_by``
    the staff member logged in at the till when that is someone else.
    """
    reason = validate.note(reason, max_len=NOTE_MAX)
    with db.write():
        require(actor, "drawer.no_sale")
        get_terminal(db, terminal_id)
        session = current_session(db, terminal_id)
        return _grant(
            db, "drawer.no_sale", actor, terminal_id, session, {"reason": reason}, requested_by
        )


def open_drawer_for_count(
    db: Db, actor: Staff, terminal_id: str, requested_by: Staff | None = None
) -> int:
    """C-7: the close wizard opens the drawer to count it; only who may close the
    session, audited as its own action. Returns the entry number (the drawer grant)."""
    with db.write():
        require(actor, "session.close")
        session = open_session_for(db, terminal_id)
        return _grant(db, "drawer.count", actor, terminal_id, session, {}, requested_by)


# Audited actions after which the drawer opens: a no sale, the count at close, the
# float put in at open, the cash taken out at close and a safe drop (K-1).
DRAWER_ACTIONS = ("drawer.no_sale", "drawer.count", "session.open", "session.close", "safe.drop")


def session_drawer_grant(db: Db, terminal_id: str, session_id: int, action: str) -> int:
    """The entry of a session's open or close, as the grant to open the drawer after it."""
    if action not in ("session.open", "session.close"):
        raise InputError(_("The drawer opens only after an audited cash action."))
    # Newest first: the entry was written a moment ago, so this stops at once.
    seq = db.scalar(
        "SELECT seq FROM audit_log WHERE action = ? AND entity = 'session' AND entity_id = ?"
        " AND terminal_id = ? ORDER BY seq DESC LIMIT 1",
        (action, str(session_id), terminal_id),
    )
    if seq is None:
        raise NotFound(
            _("No session {id} on terminal {terminal}.").format(id=session_id, terminal=terminal_id)
        )
    return seq


def check_drawer_grant(db: Db, grant: int, terminal_id: str) -> None:
    """Refuse a drawer pulse no audited, permitted drawer action of this terminal allows."""
    row = db.one("SELECT action, terminal_id FROM audit_log WHERE seq = ?", (grant,))
    if row is None or row["action"] not in DRAWER_ACTIONS or row["terminal_id"] != terminal_id:
        raise StateError(_("The drawer opens only after an audited cash action."))
