"""Staff PINs and permissions, enforced here in core (not only hidden in the UI)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from core import audit
from core.db import Db, iso, parse_iso
from core.errors import AuthError, InputError, KassiError, NotFound, PermissionDenied
from core.i18n import N_, _, ngettext
from core.model import Staff

MAX_FAILED_PINS = 5
LOCKOUT = timedelta(minutes=5)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1

PERMISSION_LABELS = {
    "sale": N_("ring up sales"),
    "refund": N_("make refunds"),
    "refund.no_receipt": N_("make refunds without a receipt"),
    "discount": N_("give discounts"),
    "session.open": N_("start cash tracking sessions"),
    "session.adjust": N_("add and remove cash"),
    "session.close": N_("close cash tracking sessions"),
    "drawer.no_sale": N_("open the drawer without a sale"),
    "sessions.view": N_("view cash tracking sessions"),
    "sessions.history": N_("view cash tracking session history"),
    "reports.view": N_("view reports"),
    "statements.manage": N_("manage statements"),
    "config.manage": N_("manage stores, staff and items"),
    "kiosk.exit": N_("leave kiosk mode"),
}


def check_pin_format(pin: str) -> None:
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
        raise InputError(_("A PIN is 4 to 8 digits."))


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def get_staff(db: Db, staff_id: str) -> Staff:
    row = db.one("SELECT * FROM staff WHERE id = ?", (staff_id,))
    if row is None:
        raise NotFound(_("No staff member with id {id}.").format(id=staff_id))
    return Staff.from_row(row)


def authenticate(db: Db, staff_id: str, pin: str, *, terminal_id: str | None = None) -> Staff:
    """Check a PIN; five wrong PINs in a row lock the account for five minutes.

    A failed attempt is committed even though the caller gets an error: the
    count must survive, or the lockout could be dodged by retrying.
    """
    with db.write():
        row = db.one("SELECT * FROM staff WHERE id = ?", (staff_id,))
        if row is None or not row["active"]:
            audit.append(
                db, "login.unknown", terminal_id=terminal_id, entity="staff", entity_id=staff_id
            )
            failure = AuthError(_("Unknown staff member or wrong PIN."))
        else:
            now = db.now()
            locked = row["locked_until"]
            if locked and parse_iso(locked) > now:
                minutes = max(1, int((parse_iso(locked) - now).total_seconds() + 59) // 60)
                raise AuthError(
                    ngettext(
                        "Too many wrong PINs: {name} is locked for {minutes} more minute.",
                        "Too many wrong PINs: {name} is locked for {minutes} more minutes.",
                        minutes,
                    ).format(name=row["name"], minutes=minutes)
                )
            if pin_matches(pin, row["pin_hash"]):
                if row["failed_pins"] or locked:
                    db.execute(
                        "UPDATE staff SET failed_pins = 0, locked_until = NULL WHERE id = ?",
                        (staff_id,),
                    )
                return Staff.from_row(row)
            failed = row["failed_pins"] + 1
            if failed >= MAX_FAILED_PINS:
                db.execute(
                    "UPDATE staff SET failed_pins = 0, locked_until = ? WHERE id = ?",
                    (iso(now + LOCKOUT), staff_id),
                )
                audit.append(
                    db,
                    "login.locked",
                    staff_id=staff_id,
                    terminal_id=terminal_id,
                    entity="staff",
                    entity_id=staff_id,
                )
                minutes = int(LOCKOUT.total_seconds() // 60)
                failure = AuthError(
                    ngettext(
                        "Wrong PIN {count} times: {name} is locked for {minutes} minute.",
                        "Wrong PIN {count} times: {name} is locked for {minutes} minutes.",
                        minutes,
                    ).format(count=failed, name=row["name"], minutes=minutes)
                )
            else:
                db.execute("UPDATE staff SET failed_pins = ? WHERE id = ?", (failed, staff_id))
                audit.append(
                    db,
                    "login.failed",
                    staff_id=staff_id,
                    terminal_id=terminal_id,
                    entity="staff",
                    entity_id=staff_id,
                )
                failure = AuthError(
                    ngettext(
                        "Wrong PIN ({left} try left before a lockout).",
                        "Wrong PIN ({left} tries left before a lockout).",
                        MAX_FAILED_PINS - failed,
                    ).format(left=MAX_FAILED_PINS - failed)
                )
    raise failure


def require(actor: Staff, permission: str) -> None:
    """Refuse with a clear message unless the staff member holds the permission."""
    if not actor.active or permission not in actor.permissions:
        label = _(PERMISSION_LABELS.get(permission, permission))
        raise PermissionDenied(
            _("{name} is not allowed to {action}.").format(name=actor.name, action=label)
        )


def require_or_approved(actor: Staff, permission: str, approver: Staff | None) -> None:
    """Allow what the actor may do, or what an approver holding the permission approved
    (core.auth.authorize_override checked that approver's PIN and audited it)."""
    if actor.active and actor.can(permission):
        return
    if approver is not None and approver.active and approver.can(permission):
        return
    require(actor, permission)


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
