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

from core.audit import journal as audit
from core.errors import InputError, NotFound, StateError
from core.money import amounts as money
from core.printing import settings as printer_settings
from core.staff.auth import require
from core.staff.permissions import PERMISSIONS, ROLE_PERMISSIONS
from core.staff.pins import check_min_pin_length, check_pin_format, hash_pin
from core.store.db import Db
from core.store.records import Customer, Staff, Store, Tender, Terminal
from core.text import validate
from core.text.i18n import N_, _, ngettext

STATEMENT_METHODS = ("total", "staff", "terminal", "shift")
_BOOLEAN_SETTINGS = (
    "track_cash",
    "post_as_business_day",
    "split_by_statement_method",
    "drawer_limit_required",  # K-2: a till over its drawer limit drops to the safe first
    "blind_close",  # K-3: the counting operator does not see the expected cash
)
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
    "drawer_limit_required",
    "blind_close",
    "scale_labels",  # K-8: core.catalog.scale_labels
}

# What each store setting means (K-6), shown by `kassi store show` in the user's language.
# A setting without a line here is still listed, marked as undescribed.
STORE_SETTING_MEANINGS = {
    "name": N_("The store's name, printed at the top of every receipt."),
    "address": N_("The address printed under the name."),
    "vat_number": N_("The VAT (CVR/kennitala) number printed on receipts."),
    "currency": N_("The currency of every price and amount; fixed when the store is added."),
    "timezone": N_("The IANA time zone for local times and business days."),
    "locale": N_("The language of receipts and screens (en, da, is)."),
    "track_cash": N_("Count and expect cash in the drawer at open and close (on/off)."),
    "cash_rounding": N_("Round cash totals to this amount (e.g. 0.50); 0 means no rounding."),
    "default_customer_id": N_("The customer a sale goes to when none is chosen."),
    "end_of_business_day": N_("When the business day ends (HH:MM); later sales count next day."),
    "post_as_business_day": N_("Statements post on the business day, not the calendar day."),
    "statement_method": N_("How statements group sessions: total, staff, terminal or shift."),
    "split_by_statement_method": N_("Make one statement per group of the statement method."),
    "max_posting_difference": N_(
        "The largest cash difference a statement posts without a manager."
    ),
    "drawer_limit": N_("Cash in a drawer above which the till warns (empty: no limit)."),
    "min_pin_length": N_("The fewest digits a new PIN may have."),
    "max_change": N_(
        "The most change one cash payment may give (default: below the largest note)."
    ),
    "max_adjustment": N_(
        "The largest single cash add or remove (default: 50 of the largest note)."
    ),
    "drawer_limit_required": N_(
        "Above the drawer limit, the next sale waits for a safe drop (on/off)."
    ),
    "blind_close": N_("Hide the expected cash from the counting cashier at close (on/off)."),
    "scale_labels": N_(
        "What the scale's labels carry, prefix=layout (e.g. 21=IIIIIWWWWW); empty: none."
    ),
}
_AMOUNT_SETTINGS = ("cash_rounding", "max_posting_difference", "drawer_limit")


def describe_store(store: Store) -> list[tuple[str, str, str]]:
    """Every store setting as (key, what it means, its current value as text) (K-6)."""
    from core.tills import limits

    rows = []
    for key in ("currency", *sorted(STORE_SETTINGS, key=_setting_order)):
        value = getattr(store, key, None)
        if key in ("max_change", "max_adjustment"):
            limit = getattr(limits, key)(store)
            text = money.to_decimal_str(limit, store.currency)
            text = text if value is not None else _("{value} (default)").format(value=text)
        elif key in _AMOUNT_SETTINGS:
            text = _("none") if value is None else money.to_decimal_str(value, store.currency)
        elif isinstance(value, bool):
            text = "on" if value else "off"  # as `store set` takes them, not translated
        else:
            text = _("none") if value in (None, "") else str(value)
        meaning = STORE_SETTING_MEANINGS.get(key)
        rows.append((key, _(meaning) if meaning else _("(no description)"), text))
    return rows


def _setting_order(key: str) -> int:
    order = list(STORE_SETTING_MEANINGS)
    return order.index(key) if key in order else len(order)


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
        from core.catalog.scale_labels import check_setting

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
        require_new(db, "terminals", "id", _check_id(terminal_id, _("Terminal")), _("Terminal"))
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


# Payment type names that kassi ships (init's and the demo's); stored in English and
# shown in the user's language (tender_label). A shop's own names are shown as typed.
BUILTIN_TENDER_NAMES = (N_("Cash"), N_("Card"), N_("Gift card"), N_("Mobile"), N_("Mobile pay"))

# What `kassi init` creates (K-4): id, name, is cash, counted at close, sort order.
# Cash is counted in the drawer. Card and mobile pay are not: the payment terminal's
# own settlement (and the provider's statement) is what they are checked against, and
# a count typed from the terminal's slip would only repeat it. Gift cards are: kassi
# keeps no gift card balances, so what a shop takes is its own paper vouchers (or
# cards it collects), kept in the drawer and counted with the cash at close, where a
# voucher accepted but missing shows as a difference.
DEFAULT_TENDERS = (
    ("cash", N_("Cash"), True, True, 1),
    ("card", N_("Card"), False, False, 2),
    ("mobile", N_("Mobile pay"), False, False, 3),
    ("giftcard", N_("Gift card"), False, True, 4),
)

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


def add_default_tenders(db: Db, actor: Staff | None) -> list[Tender]:
    """Cash, card, mobile pay and gift card (K-4); those already there are left alone."""
    added = []
    for tender_id, name, is_cash, counted, order in DEFAULT_TENDERS:
        if _exists(db, "tenders", "id", tender_id):
            continue
        if is_cash and db.one("SELECT 1 FROM tenders WHERE is_cash = 1"):
            continue  # the database has its own cash tender
        added.append(
            add_tender(
                db,
                actor,
                tender_id,
                name,
                is_cash=is_cash,
                counted_at_close=counted,
                sort_order=order,
            )
        )
    return added


def tender_label(tender: Tender) -> str:
    """A payment type's name as the user reads it: kassi's own names translated."""
    return _(tender.name) if tender.name in BUILTIN_TENDER_NAMES else tender.name


def update_tender(
    db: Db,
    actor: Staff,
    tender_id: str,
    *,
    name: str | None = None,
    counted: bool | None = None,
    active: bool | None = None,
) -> Tender:
    """Rename a payment type, say whether it is counted at close, take it out of use
    or back (K-4). An inactive one takes no new payment; old sessions and reports
    keep it. Cash stays: it is always counted, and never out of use while it is the
    only cash tender (a till's float and change are cash)."""
    if name is not None:
        name = validate.name(name, "tender")
    if name is None and counted is None and active is None:
        raise InputError(_("Give --name, --counted/--not-counted or --active/--inactive."))
    with db.write():
        require(actor, "config.manage")
        tender = get_tender(db, tender_id)
        if tender.is_cash and counted is False:
            raise InputError(_("Cash is always counted at close."))
        if tender.is_cash and active is False:
            others = db.scalar(
                "SELECT COUNT(*) FROM tenders WHERE is_cash = 1 AND active = 1 AND id != ?",
                (tender_id,),
            )
            if not others:
                raise StateError(
                    _("{name} is the only cash payment type: it cannot be made inactive.").format(
                        name=tender_label(tender)
                    )
                )
        changes = {
            k: v
            for k, v in (
                ("name", name),
                ("counted_at_close", None if counted is None else int(counted)),
                ("active", None if active is None else int(active)),
            )
            if v is not None
        }
        sets = ", ".join(f"{k} = ?" for k in changes)
        db.execute(f"UPDATE tenders SET {sets} WHERE id = ?", (*changes.values(), tender_id))
        audit.append(
            db,
            "tender.update",
            staff_id=actor.id,
            entity="tender",
            entity_id=tender_id,
            details={
                "from": {
                    "name": tender.name,
                    "counted_at_close": int(tender.counted_at_close),
                    "active": int(tender.active),
                },
                "to": changes,
            },
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
        from core.staff.admin import check_grantable

        check_grantable(db, actor, role, perms)  # K-5: nobody adds someone above themselves
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
