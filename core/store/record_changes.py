"""How a configuration record is added or changed: who may, an id not taken yet, and
the row written together with its audit entry, inside the caller's transaction.

Every change needs the "config.manage" permission, except creating the first
staff member of an empty database (there is nobody yet who could allow it).
"""

from __future__ import annotations

from typing import Any

from core.audit import journal as audit
from core.errors import InputError
from core.staff.auth import require
from core.store.db import Db
from core.store.records import Staff
from core.text import validate
from core.text.i18n import _


def check_id(value: str, what: str) -> str:
    return validate.ident(value, what)


def exists(db: Db, table: str, key: str, value: str) -> bool:
    return db.one(f"SELECT 1 FROM {table} WHERE {key} = ?", (value,)) is not None


def require_new(db: Db, table: str, key: str, value: str, what: str) -> None:
    if exists(db, table, key, value):
        raise InputError(_("{what} {value} already exists.").format(what=what, value=value))


def actor_id(actor: Staff | None) -> str | None:
    return actor.id if actor else None


def authorize(db: Db, actor: Staff | None) -> None:
    """config.manage, or nobody at all while the database has no staff yet (bootstrap)."""
    if actor is not None:
        require(actor, "config.manage")
    elif db.one("SELECT 1 FROM staff LIMIT 1") is not None:
        raise InputError(_("Log in as a manager to change the configuration."))


def insert_audited(
    db: Db, actor: Staff | None, table: str, entity: str, row: dict[str, Any], details: dict
) -> None:
    """A new record and its "<entity>.add" audit entry."""
    db.insert(table, row)
    audit.append(
        db,
        f"{entity}.add",
        staff_id=actor_id(actor),
        entity=entity,
        entity_id=row["id"],
        details=details,
    )


def update_audited(
    db: Db,
    actor: Staff,
    table: str,
    entity: str,
    record_id: str,
    changes: dict[str, Any],
    details: dict,
) -> None:
    """A record's changed columns (none is still audited) and its "<entity>.update" entry."""
    if changes:
        sets = ", ".join(f"{k} = ?" for k in changes)
        db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*changes.values(), record_id))
    audit.append(
        db,
        f"{entity}.update",
        staff_id=actor.id,
        entity=entity,
        entity_id=record_id,
        details=details,
    )
