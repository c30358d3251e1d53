"""Staff administration (SPEC K-5): a PIN changed by its owner, a PIN reset by a
manager, deactivation and reactivation, roles and permissions. All audited.

Who may do what:

- Anyone changes their own PIN, with the old PIN first (checked like a login, so
  wrong tries count towards the lockout, R-10) and the new one twice; the stores'
  minimum PIN length applies and the same PIN again is refused.
- The rest needs "config.manage", and only over staff whose permissions are within
  the actor's own, to permissions and a role within the actor's own: a supervisor
  who was given config.manage cannot make anyone a manager, nor reset a manager's
  PIN and log in as them.
- Nobody deactivates or resets themselves (their own PIN is changed with the old
  one), and the last active manager (an active holder of config.manage) cannot be
  removed: somebody must always be able to run the shop's staff.

A deactivated staff member cannot log in, and core.staff.auth.require refuses them on
every till from their next operation on.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.audit import journal as audit
from core.errors import AuthError, InputError, NotFound, PermissionDenied, StateError
from core.staff.auth import authenticate, require
from core.staff.permissions import PERMISSIONS, ROLE_PERMISSIONS, ROLES
from core.staff.pins import hash_pin
from core.store.db import Db
from core.store.records import Staff
from core.text.i18n import _, ngettext

MANAGE = "config.manage"


def _row(db: Db, staff_id: str):
    row = db.one("SELECT * FROM staff WHERE id = ?", (staff_id,))
    if row is None:
        raise NotFound(_("No staff member with id {id}.").format(id=staff_id))
    return row


def _check_new_pin(new_pin: str, repeat: str | None) -> None:
    if repeat is not None and new_pin != repeat:
        raise InputError(_("The two new PINs differ: type the same new PIN twice."))


# -- your own PIN ------------------------------------------------------------------------


def change_own_pin(
    db: Db,
    staff_id: str,
    old_pin: str,
    new_pin: str,
    repeat: str | None = None,
    *,
    terminal_id: str | None = None,
) -> Staff:
    """Change your own PIN: the old PIN first, then the new one (twice, when typed)."""
    _check_new_pin(new_pin, repeat)
    # What is wrong with the new PIN first: a typo there must not cost a wrong try of
    # the old one. (Comparing the two typed PINs tells nothing about the stored one.)
    if new_pin == old_pin:
        raise InputError(_("The new PIN is the same as the old one: choose another."))
    new_hash = hash_pin(db, new_pin)
    staff = authenticate(db, staff_id, old_pin, terminal_id=terminal_id)
    with db.write():
        row = _row(db, staff.id)
        if not row["active"]:
            raise AuthError(_("Wrong staff id or PIN."))
        db.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", (new_hash, staff.id))
        audit.append(
            db,
            "staff.pin_change",
            staff_id=staff.id,
            terminal_id=terminal_id,
            entity="staff",
            entity_id=staff.id,
        )
    return staff


# -- a manager's changes -----------------------------------------------------------------


def _may_manage(db: Db, actor: Staff, target) -> None:
    """Refuse unless the actor may change ``target``'s account: config.manage, and
    nothing of the target's role or permissions beyond the actor's own."""
    require(actor, MANAGE)
    me = _row(db, actor.id)
    beyond = set(target["permissions"].split()) - _ceiling(me)
    if beyond or ROLES.index(target["role"]) > ROLES.index(me["role"]):
        raise PermissionDenied(
            _("{actor} cannot change {name}: {name} holds more than {actor} does.").format(
                name=target["name"], actor=actor.name
            )
        )


def _ceiling(me) -> set[str]:
    """What the actor may hand out: their own permissions and their role's defaults.

    The role's defaults count because a permission added in a later version (the
    safe's, say) is not in the rows of staff created before it: a manager of an
    upgraded database must be able to grant it, to others and to themselves.
    """
    return set(me["permissions"].split()) | set(ROLE_PERMISSIONS.get(me["role"], ()))


def check_grantable(db: Db, actor: Staff | None, role: str, permissions: Iterable[str]) -> None:
    """Refuse a role or permissions beyond the actor's own (also for a new staff member:
    otherwise anyone allowed to add staff could add a manager and log in as them).
    ``actor`` None: the first staff member of an empty database (nobody to compare)."""
    if actor is None:
        return
    me = _row(db, actor.id)
    above = set(permissions) - _ceiling(me)
    if above or ROLES.index(role) > ROLES.index(me["role"]):
        raise PermissionDenied(
            _("{name} cannot give more than their own role and permissions{extra}.").format(
                name=actor.name,
                extra=f" ({', '.join(sorted(above))})" if above else "",
            )
        )


def _is_manager(active: bool, permissions: Iterable[str]) -> bool:
    return active and MANAGE in set(permissions)


def _check_keeps_a_manager(db: Db, target, active: bool, permissions: Iterable[str]) -> None:
    """Refuse a change that would leave nobody active who can manage staff."""
    if not _is_manager(bool(target["active"]), target["permissions"].split()):
        return
    if _is_manager(active, permissions):
        return
    others = [
        r["id"]
        for r in db.all(
            "SELECT id, permissions FROM staff WHERE active = 1 AND id != ?", (target["id"],)
        )
        if MANAGE in r["permissions"].split()
    ]
    if not others:
        raise StateError(
            _("{name} is the last active manager: make someone else a manager first.").format(
                name=target["name"]
            )
        )


def _not_self(actor: Staff, staff_id: str, message: str) -> None:
    if actor.id == staff_id:
        raise StateError(message)


def reset_pin(
    db: Db, actor: Staff, staff_id: str, new_pin: str, repeat: str | None = None
) -> Staff:
    """A manager gives someone a new PIN (they forgot theirs); clears their lockout."""
    _not_self(
        actor,
        staff_id,
        _("Change your own PIN with your old one (kassi staff passwd, or F4 at the login)."),
    )
    _check_new_pin(new_pin, repeat)
    require(actor, MANAGE)
    new_hash = hash_pin(db, new_pin)  # scrypt outside the write lock
    with db.write():
        target = _row(db, staff_id)
        _may_manage(db, actor, target)
        db.execute(
            "UPDATE staff SET pin_hash = ?, failed_pins = 0, locked_until = NULL, lockouts = 0"
            " WHERE id = ?",
            (new_hash, staff_id),
        )
        audit.append(
            db,
            "staff.pin_reset",
            staff_id=actor.id,
            entity="staff",
            entity_id=staff_id,
            details={"was_locked_until": target["locked_until"]},
        )
        return Staff.from_row(_row(db, staff_id))


def set_first_pin(db: Db, staff_id: str, new_pin: str, repeat: str | None = None) -> Staff:
    """In a store database whose staff all came from head office without PINs (core.sync):
    the first manager's PIN, set by whoever runs the store machine (as ``kassi init``
    makes the first manager). Refused once anyone there has a PIN."""
    from core.staff.pins import UNSET

    _check_new_pin(new_pin, repeat)
    new_hash = hash_pin(db, new_pin)
    with db.write():
        if db.one("SELECT 1 FROM staff WHERE pin_hash NOT LIKE ? LIMIT 1", (UNSET + "$%",)):
            raise StateError(
                _("Staff here have PINs already: a manager resets one (kassi staff reset-pin).")
            )
        target = _row(db, staff_id)
        if not _is_manager(bool(target["active"]), target["permissions"].split()):
            raise StateError(
                _("{id} is not an active manager: the first PIN is a manager's.").format(
                    id=staff_id
                )
            )
        db.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", (new_hash, staff_id))
        audit.append(db, "staff.first_pin", entity="staff", entity_id=staff_id)
        return Staff.from_row(_row(db, staff_id))


def set_active(db: Db, actor: Staff, staff_id: str, active: bool) -> Staff:
    """Deactivate a staff member who left (they can no longer log in), or take them back."""
    if not active:
        _not_self(actor, staff_id, _("You cannot deactivate yourself: another manager can."))
    with db.write():
        target = _row(db, staff_id)
        _may_manage(db, actor, target)
        if bool(target["active"]) == active:
            message = (
                _("{name} is already active.") if active else _("{name} is already deactivated.")
            )
            raise StateError(message.format(name=target["name"]))
        _check_keeps_a_manager(db, target, active, target["permissions"].split())
        db.execute("UPDATE staff SET active = ? WHERE id = ?", (int(active), staff_id))
        audit.append(
            db,
            "staff.reactivate" if active else "staff.deactivate",
            staff_id=actor.id,
            entity="staff",
            entity_id=staff_id,
        )
        return Staff.from_row(_row(db, staff_id))


def _permission_names(names: Iterable[str]) -> set[str]:
    out = {n.strip() for n in names if n.strip()}
    unknown = out - set(PERMISSIONS)
    if unknown:
        raise InputError(
            ngettext(
                "Unknown permission: {names} (one of: {choices}).",
                "Unknown permissions: {names} (one of: {choices}).",
                len(unknown),
            ).format(names=", ".join(sorted(unknown)), choices=", ".join(PERMISSIONS))
        )
    return out


def set_access(
    db: Db,
    actor: Staff,
    staff_id: str,
    *,
    role: str | None = None,
    grant: Iterable[str] = (),
    revoke: Iterable[str] = (),
) -> Staff:
    """Change a role (its permissions become the role's) and grant or revoke permissions.

    The result must be within the actor's own permissions and role; a manager may
    step down themselves only while another manager remains.
    """
    if role is not None and role not in ROLE_PERMISSIONS:
        raise InputError(_("Role must be one of: {choices}.").format(choices=", ".join(ROLES)))
    grant, revoke = _permission_names(grant), _permission_names(revoke)
    if grant & revoke:
        raise InputError(
            _("Grant or revoke {names}, not both.").format(names=", ".join(sorted(grant & revoke)))
        )
    if role is None and not grant and not revoke:
        raise InputError(_("Give a role, or permissions to grant or revoke."))
    with db.write():
        target = _row(db, staff_id)
        _may_manage(db, actor, target)
        new_role = role or target["role"]
        base = set(ROLE_PERMISSIONS[role]) if role else set(target["permissions"].split())
        perms = (base | grant) - revoke
        check_grantable(db, actor, new_role, perms)
        _check_keeps_a_manager(db, target, bool(target["active"]), perms)
        before = {"role": target["role"], "permissions": sorted(target["permissions"].split())}
        db.execute(
            "UPDATE staff SET role = ?, permissions = ? WHERE id = ?",
            (new_role, " ".join(sorted(perms)), staff_id),
        )
        audit.append(
            db,
            "staff.access",
            staff_id=actor.id,
            entity="staff",
            entity_id=staff_id,
            details={"from": before, "to": {"role": new_role, "permissions": sorted(perms)}},
        )
        return Staff.from_row(_row(db, staff_id))
