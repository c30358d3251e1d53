"""Configuration records: stores, terminals, tenders, staff, customers, items, stock.

Every change needs the "config.manage" permission, except creating the first
staff member of an empty database (there is nobody yet who could allow it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import audit, money, validate
from core.auth import check_min_pin_length, check_pin_format, hash_pin, require
from core.db import Db
from core.errors import InputError, NotFound, StateError
from core.i18n import N_, _, ngettext
from core.model import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    Customer,
    Staff,
    Store,
    Tender,
    Terminal,
)

STATEMENT_METHODS = ("total", "staff", "terminal", "shift")
_BOOLEAN_SETTINGS = ("track_cash", "post_as_business_day", "split_by_statement_method")
_TEXT_SETTINGS = {"name": "store", "address": "address", "vat_number": "vat_number"}


def _check_id(value: str, what: str) -> str:
    return validate.ident(value, what)


def _check_time(value: str) -> str:
    m = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value)
    if not m:
        raise InputError(
            _("A time of day is HH:MM, 00:00 to 23:59; got {value!r}.").format(value=value)
        )
    return value


def _exists(db: Db, table: str, key: str, value: str) -> bool:
    return db.one(f"SELECT 1 FROM {table} WHERE {key} = ?", (value,)) is not None


def require_new(db: Db, table: str, key: str, value: str, what: str) -> None:
    if _exists(db, table, key, value):
        raise InputError(_("{what} {value} already exists.").format(what=what, value=value))


# -- stores ----------------------------------------------------------------------------

STORE_SETTINGS = {
    "name",
    "address",
    "vat_number",
    "timezone",
    "locale",
    "track_cash",
    "cash_rounding",
    "default_customer_id",
    "end_of_business_day",
    "post_as_business_day",
    "statement_method",
    "split_by_statement_method",
    "max_posting_difference",
    "drawer_limit",
    "min_pin_length",
    "max_change",
    "max_adjustment",
    "scale_labels",  # K-8: core.scale_barcode
}


def _store_values(db: Db, values: dict[str, Any], currency: str) -> dict[str, Any]:
    out = dict(values)
    for key, kind in _TEXT_SETTINGS.items():
        if key in out:
            out[key] = validate.name(out[key], kind, required=key == "name")
    if "timezone" in out:
        try:
            ZoneInfo(out["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                _("Unknown time zone {tz!r} (use an IANA name such as Europe/Copenhagen).").format(
                    tz=out["timezone"]
                )
            ) from None
    if "locale" in out and out["locale"] not in money.LOCALES:
        raise InputError(
            _("Language must be one of: {choices}.").format(choices=", ".join(money.LOCALES))
        )
    if "cash_rounding" in out and isinstance(out["cash_rounding"], str):
        out["cash_rounding"] = money.cash_increment(out["cash_rounding"], currency)
    if "end_of_business_day" in out:
        _check_time(out["end_of_business_day"])
    if "statement_method" in out and out["statement_method"] not in STATEMENT_METHODS:
        raise InputError(
            _("Statement method must be one of: {choices}.").format(
                choices=", ".join(STATEMENT_METHODS)
            )
        )
    for key in _BOOLEAN_SETTINGS:
        if key in out:
            out[key] = int(validate.boolean(out[key], key))
    for key in ("max_change", "max_adjustment"):  # C-7 limits: empty or "default" resets
        if key in out and str(out[key]).strip().lower() in ("", "default", "none"):
            out[key] = None
    for key in ("max_posting_difference", "drawer_limit", "max_change", "max_adjustment"):
        if key in out and isinstance(out[key], str):
            out[key] = money.parse_amount(out[key], currency, "en")
        if key in ("max_change", "max_adjustment") and out.get(key) is not None and out[key] <= 0:
            raise InputError(_("{key} must be more than zero.").format(key=key))
    if "scale_labels" in out:
        from core.scale_barcode import check_setting

        out["scale_labels"] = check_setting(out["scale_labels"])
    if "min_pin_length" in out:
        out["min_pin_length"] = check_min_pin_length(out["min_pin_length"])
    if out.get("default_customer_id") and not _exists(
        db, "customers", "id", out["default_customer_id"]
    ):
        raise NotFound(_("No customer with id {id}.").format(id=out["default_customer_id"]))
    return out


def add_store(
    db: Db,
    actor: Staff | None,
    store_id: str,
    name: str,
    *,
    currency: str,
    timezone: str,
    locale: str,
    **settings: Any,
) -> Store:
    unknown = set(settings) - STORE_SETTINGS
    if unknown:
        raise InputError(
            ngettext(
                "Unknown store setting: {names}.", "Unknown store settings: {names}.", len(unknown)
            ).format(names=", ".join(unknown))
        )
    money.exponent(currency)
    with db.write():
        authorize(db, actor)
        require_new(db, "stores", "id", _check_id(store_id, _("Store")), _("Store"))
        values = _store_values(
            db, {"name": name, "timezone": timezone, "locale": locale, **settings}, currency
        )
        values.update(id=store_id, currency=currency, created_at=db.now_iso())
        db.insert("stores", values)
        audit.append(
            db,
            "store.add",
            staff_id=actor_id(actor),
            entity="store",
            entity_id=store_id,
            details={k: v for k, v in values.items() if k != "created_at"},
        )
    return get_store(db, store_id)


def update_store(db: Db, actor: Staff, store_id: str, **settings: Any) -> Store:
    unknown = set(settings) - STORE_SETTINGS
    if unknown:
        raise InputError(
            ngettext(
                "Unknown store setting: {names}.", "Unknown store settings: {names}.", len(unknown)
            ).format(names=", ".join(unknown))
        )
    with db.write():
        require(actor, "config.manage")
        store = get_store(db, store_id)
        values = _store_values(db, settings, store.currency)
        if values.get("track_cash") == 0 and store.track_cash:
            open_ids = [
                r[0]
                for r in db.all(
                    "SELECT id FROM sessions WHERE store_id = ? AND status = 'open'", (store_id,)
                )
            ]
            if open_ids:
                raise StateError(
                    ngettext(
                        "Close the open session {ids} before turning cash tracking off.",
                        "Close the open sessions {ids} before turning cash tracking off.",
                        len(open_ids),
                    ).format(ids=", ".join(map(str, open_ids)))
                )
        if values:
            sets = ", ".join(f"{k} = ?" for k in values)
            db.execute(f"UPDATE stores SET {sets} WHERE id = ?", (*values.values(), store_id))
        audit.append(
            db,
            "store.update",
            staff_id=actor.id,
            entity="store",
            entity_id=store_id,
            details=values,
        )
    return get_store(db, store_id)


def get_store(db: Db, store_id: str) -> Store:
    row = db.one("SELECT * FROM stores WHERE id = ?", (store_id,))
    if row is None:
        raise NotFound(_("No store with id {id}.").format(id=store_id))
    return Store.from_row(row)


def list_stores(db: Db) -> list[Store]:
    return [Store.from_row(r) for r in db.all("SELECT * FROM stores ORDER BY id")]


# -- terminals -------------------------------------------------------------------------


def add_terminal(
    db: Db,
    actor: Staff | None,
    terminal_id: str,
    store_id: str,
    name: str = "",
    printer: dict[str, Any] | None = None,
) -> Terminal:
    name = validate.name(name, "terminal", required=False)
    with db.write():
        authorize(db, actor)
        require_new(db, "terminals", "id", _check_id(terminal_id, _("Terminal")), _("Terminal"))
        get_store(db, store_id)
        db.insert(
            "terminals",
            {
                "id": terminal_id,
                "store_id": store_id,
                "name": name or terminal_id,
                "printer": json.dumps(printer or {"kind": "none"}),
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
            details={"store": store_id},
        )
    return get_terminal(db, terminal_id)


def set_printer(db: Db, actor: Staff, terminal_id: str, printer: dict[str, Any]) -> Terminal:
    with db.write():
        require(actor, "config.manage")
        get_terminal(db, terminal_id)
        db.execute(
            "UPDATE terminals SET printer = ? WHERE id = ?", (json.dumps(printer), terminal_id)
        )
        audit.append(
            db,
            "terminal.printer",
            staff_id=actor.id,
            terminal_id=terminal_id,
            entity="terminal",
            entity_id=terminal_id,
            details=printer,
        )
    return get_terminal(db, terminal_id)


def get_terminal(db: Db, terminal_id: str) -> Terminal:
    row = db.one("SELECT * FROM terminals WHERE id = ?", (terminal_id,))
    if row is None:
        raise NotFound(_("No terminal with id {id}.").format(id=terminal_id))
    return Terminal.from_row(row)


def list_terminals(db: Db, store_id: str | None = None) -> list[Terminal]:
    if store_id:
        rows = db.all("SELECT * FROM terminals WHERE store_id = ? ORDER BY id", (store_id,))
    else:
        rows = db.all("SELECT * FROM terminals ORDER BY id")
    return [Terminal.from_row(r) for r in rows]


# Payment type names that kassi ships (the demo's); shown in the user's language.
# A shop's own names are shown as typed.
BUILTIN_TENDER_NAMES = (N_("Cash"), N_("Card"), N_("Gift card"), N_("Mobile"))

# -- tenders ---------------------------------------------------------------------------


def add_tender(
    db: Db,
    actor: Staff | None,
    tender_id: str,
    name: str,
    *,
    is_cash: bool = False,
    counted_at_close: bool | None = None,
    sort_order: int = 0,
) -> Tender:
    name = validate.name(name, "tender")
    with db.write():
        authorize(db, actor)
        require_new(db, "tenders", "id", _check_id(tender_id, _("Tender")), _("Tender"))
        if is_cash and db.one("SELECT 1 FROM tenders WHERE is_cash = 1"):
            raise InputError(_("There is already a cash tender; a store has exactly one."))
        counted = is_cash if counted_at_close is None else counted_at_close
        db.insert(
            "tenders",
            {
                "id": tender_id,
                "name": name,
                "is_cash": int(is_cash),
                "counted_at_close": int(counted),
                "sort_order": sort_order,
            },
        )
        audit.append(
            db,
            "tender.add",
            staff_id=actor_id(actor),
            entity="tender",
            entity_id=tender_id,
            details={"name": name, "is_cash": is_cash},
        )
    return get_tender(db, tender_id)


def get_tender(db: Db, tender_id: str) -> Tender:
    row = db.one("SELECT * FROM tenders WHERE id = ?", (tender_id,))
    if row is None:
        raise NotFound(_("No payment type {id}.").format(id=tender_id))
    return Tender.from_row(row)


def list_tenders(db: Db) -> list[Tender]:
    return [Tender.from_row(r) for r in db.all("SELECT * FROM tenders ORDER BY sort_order, id")]


def cash_tender(db: Db) -> Tender:
    row = db.one("SELECT * FROM tenders WHERE is_cash = 1")
    if row is None:
        raise NotFound(_("No cash payment type is set up."))
    return Tender.from_row(row)


# -- staff -----------------------------------------------------------------------------


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
        require_new(db, "staff", "id", _check_id(staff_id, _("Staff")), _("Staff member"))
        db.insert(
            "staff",
            {
                "id": staff_id,
                "name": name,
                "role": role,
                "permissions": " ".join(sorted(perms)),
                "pin_hash": pin_hash,
                "created_at": db.now_iso(),
            },
        )
        audit.append(
            db,
            "staff.add",
            staff_id=actor_id(actor),
            entity="staff",
            entity_id=staff_id,
            details={"name": name, "role": role, "permissions": sorted(perms)},
        )
    return Staff.from_row(db.one("SELECT * FROM staff WHERE id = ?", (staff_id,)))


def list_staff(db: Db) -> list[Staff]:
    return [Staff.from_row(r) for r in db.all("SELECT * FROM staff ORDER BY id")]


# -- customers -------------------------------------------------------------------------


def add_customer(
    db: Db, actor: Staff | None, customer_id: str, name: str, email: str = "", phone: str = ""
) -> Customer:
    name = validate.name(name, "customer")
    email = validate.name(email, "email", required=False)
    phone = validate.name(phone, "phone", required=False)
    with db.write():
        authorize(db, actor)
        require_new(db, "customers", "id", _check_id(customer_id, _("Customer")), _("Customer"))
        db.insert(
            "customers",
            {
                "id": customer_id,
                "name": name,
                "email": email,
                "phone": phone,
                "created_at": db.now_iso(),
            },
        )
        audit.append(
            db,
            "customer.add",
            staff_id=actor_id(actor),
            entity="customer",
            entity_id=customer_id,
            details={"name": name},
        )
    return get_customer(db, customer_id)


def get_customer(db: Db, customer_id: str) -> Customer:
    row = db.one("SELECT * FROM customers WHERE id = ?", (customer_id,))
    if row is None:
        raise NotFound(_("No customer with id {id}.").format(id=customer_id))
    return Customer.from_row(row)


def list_customers(db: Db) -> list[Customer]:
    return [Customer.from_row(r) for r in db.all("SELECT * FROM customers ORDER BY id")]


# -- helpers ---------------------------------------------------------------------------


def actor_id(actor: Staff | None) -> str | None:
    return actor.id if actor else None


def authorize(db: Db, actor: Staff | None) -> None:
    """config.manage, or nobody at all while the database has no staff yet (bootstrap)."""
    if actor is not None:
        require(actor, "config.manage")
    elif db.one("SELECT 1 FROM staff LIMIT 1") is not None:
        raise InputError(_("Log in as a manager to change the configuration."))
