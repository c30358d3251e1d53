"""Staff members as configuration: adding one with a role and permissions, listing them.

Changing a member's role, permissions or PIN is core.staff.admin's (K-5)."""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import InputError
from core.staff.permissions import PERMISSIONS, ROLE_PERMISSIONS
from core.staff.pins import check_pin_format, hash_pin
from core.store.db import Db
from core.store.record_changes import authorize, check_id, insert_audited, require_new
from core.store.records import Staff
from core.text import validate
from core.text.i18n import _, ngettext


def add_staff(
    db: Db,
    actor: Staff | None,
    staff_id: str,
    name: str,
    pin: str,
    role: str = "cashier",
    permissions: Iterable[str] | None = None,
) -> Staff:
    if role not in ROLE_PERMISSIONS:
        raise InputError(
            _("Role must be one of: {choices}.").format(choices=", ".join(ROLE_PERMISSIONS))
        )
    perms = set(ROLE_PERMISSIONS[role] if permissions is None else permissions)
    unknown = perms - set(PERMISSIONS)
    if unknown:
        raise InputError(
            ngettext(
                "Unknown permission: {names}.", "Unknown permissions: {names}.", len(unknown)
            ).format(names=", ".join(sorted(unknown)))
        )
    name = validate.name(name, "staff")
    check_pin_format(pin)
    pin_hash = hash_pin(db, pin)
    with db.write():
        authorize(db, actor)
        from core.staff.admin import check_grantable

        check_grantable(db, actor, role, perms)  # K-5: nobody adds someone above themselves
        require_new(db, "staff", "id", check_id(staff_id, _("Staff")), _("Staff member"))
        row = {
            "id": staff_id,
            "name": name,
            "role": role,
            "permissions": " ".join(sorted(perms)),
            "pin_hash": pin_hash,
            "created_at": db.now_iso(),
        }
        details = {"name": name, "role": role, "permissions": sorted(perms)}
        insert_audited(db, actor, "staff", "staff", row, details)
    return Staff.from_row(db.one("SELECT * FROM staff WHERE id = ?", (staff_id,)))


def list_staff(db: Db) -> list[Staff]:
    return [Staff.from_row(r) for r in db.all("SELECT * FROM staff ORDER BY id")]
