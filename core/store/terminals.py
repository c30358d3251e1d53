"""Terminals (tills): adding one, its name and its printer setting (P-4: checked here,
the only place a terminal's printer setting is written)."""

from __future__ import annotations

import json
from typing import Any

from core.audit import journal as audit
from core.errors import InputError
from core.printing import settings as printer_settings
from core.staff.auth import require
from core.store.db import Db
from core.store.lookups import by_id
from core.store.record_changes import actor_id, authorize, check_id, require_new
from core.store.records import Staff, Terminal
from core.store.stores import get_store
from core.text import validate
from core.text.i18n import N_, _


def add_terminal(
    db: Db,
    actor: Staff | None,
    terminal_id: str,
    store_id: str,
    name: str = "",
    printer: dict[str, Any] | None = None,
    *,
    profiles: printer_settings.ProfileLookup | None = None,
) -> Terminal:
    name = validate.name(name, "terminal", required=False)
    # P-4: checked fully before anything is stored; the stored form is the canonical one.
    setting = printer_settings.normalize(
        {"kind": "none"} if printer is None else printer, profiles=profiles
    )
    with db.write():
        authorize(db, actor)
        require_new(db, "terminals", "id", check_id(terminal_id, _("Terminal")), _("Terminal"))
        get_store(db, store_id)
        db.insert(
            "terminals",
            {
                "id": terminal_id,
                "store_id": store_id,
                "name": name or terminal_id,
                "printer": json.dumps(setting),
                "created_at": db.now_iso(),
            },
        )
        audit.append(
            db,
            "terminal.add",
            staff_id=actor_id(actor),
            terminal_id=terminal_id,
            entity="terminal",
            entity_id=terminal_id,
            details={"store": store_id, "printer": setting},
        )
    return get_terminal(db, terminal_id)


def set_printer(
    db: Db,
    actor: Staff,
    terminal_id: str,
    printer: dict[str, Any],
    *,
    profiles: printer_settings.ProfileLookup | None = None,
) -> Terminal:
    return update_terminal(db, actor, terminal_id, printer=printer, profiles=profiles)


def update_terminal(
    db: Db,
    actor: Staff,
    terminal_id: str,
    *,
    name: str | None = None,
    printer: dict[str, Any] | None = None,
    profiles: printer_settings.ProfileLookup | None = None,
) -> Terminal:
    """Change a terminal's name and/or printer setting (K-6, P-4): one transaction,
    audited with the old and new values, config.manage; a bad value changes nothing."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = validate.name(name, "terminal")
    if printer is not None:
        changes["printer"] = printer_settings.normalize(printer, profiles=profiles)
    if not changes:
        raise InputError(_("Nothing to change: give a new name or printer setting."))
    with db.write():
        require(actor, "config.manage")
        before = get_terminal(db, terminal_id)
        stored = {k: json.dumps(v) if k == "printer" else v for k, v in changes.items()}
        sets = ", ".join(f"{k} = ?" for k in stored)
        db.execute(f"UPDATE terminals SET {sets} WHERE id = ?", (*stored.values(), terminal_id))
        details: dict[str, Any] = {}
        for key, value in changes.items():
            details[key] = {"from": getattr(before, key), "to": value}
        audit.append(
            db,
            "terminal.printer" if set(changes) == {"printer"} else "terminal.update",
            staff_id=actor.id,
            terminal_id=terminal_id,
            entity="terminal",
            entity_id=terminal_id,
            details=details,
        )
    return get_terminal(db, terminal_id)


def get_terminal(db: Db, terminal_id: str) -> Terminal:
    return Terminal.from_row(by_id(db, "terminals", terminal_id, N_("No terminal with id {id}.")))


def list_terminals(db: Db, store_id: str | None = None) -> list[Terminal]:
    if store_id:
        rows = db.all("SELECT * FROM terminals WHERE store_id = ? ORDER BY id", (store_id,))
    else:
        rows = db.all("SELECT * FROM terminals ORDER BY id")
    return [Terminal.from_row(r) for r in rows]
