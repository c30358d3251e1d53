"""Staff PINs and permissions, enforced here in core (not only hidden in the UI).

Login (SPEC R-10):

- The PIN is checked (scrypt, ~45 ms) on a plain read, outside any write
  transaction: sixteen tills logging in at once never queue behind one another's
  hashing for the database's single write lock. Only the result is written, in a
  short transaction of its own: a failed try, a lockout, a counter reset.
- A hash is core.staff.pins': scrypt, then HMAC with the store's pepper; a hash from
  before the pepper is upgraded in place on the next successful login.
- Five wrong PINs lock the account for five minutes; each further lockout
  doubles (10, 20, 40 ... minutes, at most a day) until a manager resets it
  (``unlock``). A successful login clears the wrong tries, not the escalation.
- An unknown or inactive id costs one scrypt like a known one, and gets the same
  message as a wrong PIN; no message names a person before a correct PIN. The
  audit log tells them apart (login.unknown, login.inactive).

Staying logged in (K-5): ``require`` reads the actor's row (one primary-key
lookup) from the thread's database on every check, so a staff member deactivated
on another till, or whose permissions a manager changed, is held to that at
their next operation; a deactivated one gets NoLongerActive and the till logs
them out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta

from core.audit import journal as audit
from core.errors import AuthError, KassiError, NotFound, PermissionDenied
from core.staff.permissions import label as permission_label
from core.staff.pins import (
    LEGACY,
    dummy_hash,
    is_unset,
    pepper_of,
    upgrade_legacy_hashes,
    verify,
)
from core.store import db as db_module
from core.store.db import Db, iso, parse_iso
from core.store.records import Staff
from core.text.i18n import _, ngettext

MAX_FAILED_PINS = 5
LOCKOUT = timedelta(minutes=5)
MAX_LOCKOUT = timedelta(days=1)


# -- login -----------------------------------------------------------------------------


def get_staff(db: Db, staff_id: str) -> Staff:
    row = db.one("SELECT * FROM staff WHERE id = ?", (staff_id,))
    if row is None:
        raise NotFound(_("No staff member with id {id}.").format(id=staff_id))
    return Staff.from_row(row)


def lockout_for(lockouts_before: int) -> timedelta:
    """The length of a lockout after `lockouts_before` earlier ones: 5, 10, 20 ... min, max a day."""
    if lockouts_before >= 20:  # 5 min * 2**20 is years: the cap long before
        return MAX_LOCKOUT
    return min(LOCKOUT * 2**lockouts_before, MAX_LOCKOUT)


def _wrong() -> AuthError:
    return AuthError(_("Wrong staff id or PIN."))


def _locked(until: str, now) -> AuthError:
    minutes = max(1, int((parse_iso(until) - now).total_seconds() + 59) // 60)
    return AuthError(
        ngettext(
            "This account is locked for {minutes} more minute. A manager can unlock it.",
            "This account is locked for {minutes} more minutes. A manager can unlock it.",
            minutes,
        ).format(minutes=minutes)
    )


def _is_locked(row, now) -> bool:
    return bool(row["locked_until"]) and parse_iso(row["locked_until"]) > now


def authenticate(db: Db, staff_id: str, pin: str, *, terminal_id: str | None = None) -> Staff:
    """Check a staff id and PIN; the PIN is checked before, and outside, any write.

    A failed try is committed (in a short transaction of its own) even though the
    caller gets an error: the count must survive, or retrying would dodge it.
    """
    if db.in_write:
        raise RuntimeError("authenticate outside the operation's transaction")
    pepper = pepper_of(db)
    if not isinstance(pin, str):
        pin = ""
    row = db.one("SELECT * FROM staff WHERE id = ?", (staff_id,))
    now = db.now()
    known = row is not None and bool(row["active"])
    locked = known and _is_locked(row, now)
    # Exactly one scrypt on every path: unknown, locked and known ids cost the same.
    stored = row["pin_hash"] if known and not locked else dummy_hash()
    matched = verify(pepper, pin, stored) and known and not locked
    if locked:
        raise _locked(row["locked_until"], now)
    if not known:
        with db.write():
            # The log says which it was (a person who left trying their old PIN is news
            # to a manager); the message does not.
            action = "login.unknown" if row is None else "login.inactive"
            audit.append(db, action, terminal_id=terminal_id, entity="staff", entity_id=staff_id)
        raise _wrong()
    if matched:
        return _succeeded(db, row, pepper, now)
    if is_unset(stored):  # came from head office (core.sync): no PIN to guess here yet
        raise AuthError(
            _("{name} has no PIN at this store yet: a manager sets it (kassi staff reset-pin).")
            .format(name=row["name"])
        )  # fmt: skip
    _failed(db, staff_id, terminal_id, stored)


def _succeeded(db: Db, row, pepper: bytes, now) -> Staff:
    legacy = row["pin_hash"].startswith(LEGACY + "$")
    if not (row["failed_pins"] or row["locked_until"] or legacy):
        return Staff.from_row(row)  # the common case: a login that writes nothing
    with db.write():
        fresh = db.one("SELECT * FROM staff WHERE id = ?", (row["id"],))
        if fresh is None or not fresh["active"] or fresh["pin_hash"] != row["pin_hash"]:
            raise _wrong()  # changed while the PIN was checked: check again
        if _is_locked(fresh, now):
            raise _locked(fresh["locked_until"], now)  # locked by tries racing this one
        db.execute(
            "UPDATE staff SET failed_pins = 0, locked_until = NULL WHERE id = ?", (row["id"],)
        )
        if legacy:
            upgrade_legacy_hashes(db)
        return Staff.from_row(db.one("SELECT * FROM staff WHERE id = ?", (row["id"],)))


def _failed(db: Db, staff_id: str, terminal_id: str | None, checked_hash: str) -> None:
    with db.write():
        # Counted on the row as it is now: tries racing on other tills all count.
        row = db.one("SELECT * FROM staff WHERE id = ?", (staff_id,))
        now = db.now()
        if row is None or not row["active"] or row["pin_hash"] != checked_hash:
            raise _wrong()
        if _is_locked(row, now):
            raise _locked(row["locked_until"], now)
        failed = row["failed_pins"] + 1
        if failed < MAX_FAILED_PINS:
            db.execute("UPDATE staff SET failed_pins = ? WHERE id = ?", (failed, staff_id))
            action, details = "login.failed", {"failed": failed}
        else:
            until = iso(now + lockout_for(row["lockouts"]))
            db.execute(
                "UPDATE staff SET failed_pins = 0, locked_until = ?, lockouts = lockouts + 1"
                " WHERE id = ?",
                (until, staff_id),
            )
            action, details = "login.locked", {"until": until, "lockout": row["lockouts"] + 1}
        audit.append(
            db,
            action,
            staff_id=staff_id,
            terminal_id=terminal_id,
            entity="staff",
            entity_id=staff_id,
            details=details,
        )
        failure = _locked(until, now) if action == "login.locked" else _wrong()
    raise failure


def unlock(db: Db, actor: Staff, staff_id: str) -> Staff:
    """A manager clears a staff member's lockout, wrong tries and escalation; audited."""
    with db.write():
        require(actor, "config.manage")
        row = db.one("SELECT * FROM staff WHERE id = ?", (staff_id,))
        if row is None:
            raise NotFound(_("No staff member with id {id}.").format(id=staff_id))
        db.execute(
            "UPDATE staff SET failed_pins = 0, locked_until = NULL, lockouts = 0 WHERE id = ?",
            (staff_id,),
        )
        audit.append(
            db,
            "staff.unlock",
            staff_id=actor.id,
            entity="staff",
            entity_id=staff_id,
            details={
                "was_locked_until": row["locked_until"],
                "failed": row["failed_pins"],
                "lockouts": row["lockouts"],
            },
        )
        return Staff.from_row(db.one("SELECT * FROM staff WHERE id = ?", (staff_id,)))


class NoLongerActive(AuthError):
    """The logged-in staff member was deactivated since they logged in (K-5)."""


def _no_longer_active(actor: Staff) -> NoLongerActive:
    return NoLongerActive(
        _("{name} is no longer an active staff member: log in again.").format(name=actor.name)
    )


def _current_row(actor: Staff) -> tuple[bool, frozenset[str]] | None:
    """The actor's active flag and permissions as the database holds them now.

    Read from the thread's database (core.store.db.current), inside the operation's own
    transaction when there is one, so the check and the work see the same row.
    None when there is no database or it does not know this id (a record from
    another database): the record's own values stand then.
    """
    db = db_module.current()
    if db is None:
        return None
    try:
        row = db.one("SELECT active, permissions FROM staff WHERE id = ?", (actor.id,))
    except sqlite3.Error:  # not a store database (no staff table yet)
        return None
    if row is None:
        return None
    return bool(row[0]), frozenset(p for p in row[1].split() if p)


def still_active(db: Db, actor: Staff) -> bool:
    """Whether the staff member is still active (the till asks before each key, K-5)."""
    row = db.one("SELECT active FROM staff WHERE id = ?", (actor.id,))
    return row is not None and bool(row[0])


def require(actor: Staff, permission: str) -> None:
    """Refuse with a clear message unless the staff member holds the permission.

    Checked against the staff row as it is now (one indexed lookup): a deactivation
    or a revoked permission counts from the next operation on, on every till.
    """
    active, permissions = actor.active, actor.permissions
    current = _current_row(actor)
    if current is not None:
        active, permissions = current
        if not active:
            raise _no_longer_active(actor)
    if not active or permission not in permissions:
        label = permission_label(permission)
        raise PermissionDenied(
            _("{name} is not allowed to {action}.").format(name=actor.name, action=label)
        )


def require_or_approved(actor: Staff, permission: str, approver: Staff | None) -> None:
    """Allow what the actor may do, or what an approver holding the permission approved
    (core.staff.auth.authorize_override checked that approver's PIN and audited it)."""
    try:
        require(actor, permission)
        return
    except NoLongerActive:
        raise
    except PermissionDenied:
        if approver is None or not _holds(approver, permission):
            raise


def _holds(staff: Staff, permission: str) -> bool:
    """Whether ``staff`` may do it now (their current row), without raising."""
    current = _current_row(staff)
    active, permissions = current or (staff.active, staff.permissions)
    return active and permission in permissions


def authorize_override(
    db: Db,
    actor: Staff | None,
    approver_id: str,
    pin: str,
    permission: str,
    *,
    terminal_id: str | None,
    action: str = "",
    check: Callable[[Staff], None] | None = None,
) -> Staff:
    """A supervisor override (SPEC C-3): someone holding ``permission`` approves, with
    their id and PIN, what ``actor`` may not do alone. Audited either way: who
    overrode, for whom, which permission and action. ``check`` adds a rule of
    the action (a discount within the approver's own limit) and raises if not met.
    """
    approver = authenticate(db, approver_id, pin, terminal_id=terminal_id)
    for_id = actor.id if actor is not None else None  # None: nobody logged in (kiosk exit)
    details = {"permission": permission, "action": action, "for": for_id}
    refused: KassiError | None = None
    with db.write():
        try:
            require(approver, permission)
            if check is not None:
                check(approver)
        except KassiError as exc:
            refused = exc
        audit.append(
            db,
            "override.refused" if refused else "override",
            staff_id=approver.id,
            terminal_id=terminal_id,
            entity="staff",
            entity_id=for_id or "",
            details=details,
        )
    if refused is not None:
        raise refused
    return approver
