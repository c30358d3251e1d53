"""Stores and their settings (K-6): what each setting means, how a value is checked,
adding a store and changing its settings."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.audit.covered import COVERED
from core.errors import InputError, NotFound, StateError
from core.money import amounts as money
from core.money import rounding
from core.staff.auth import require
from core.staff.pins import check_min_pin_length
from core.store.db import Db
from core.store.lookups import by_id
from core.store.record_changes import (
    authorize,
    check_id,
    exists,
    insert_audited,
    require_new,
    update_audited,
)
from core.store.records import Staff, Store
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


# A setting is a column of stores a manager may change; the audit journal covers every one
# so the settings are the covered columns less those fixed when a store is added.
STORE_SETTINGS = set(COVERED["stores"].hashed) - {"id", "currency", "created_at"}

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
        out["cash_rounding"] = rounding.cash_increment(out["cash_rounding"], currency)
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
    if out.get("default_customer_id") and not exists(
        db, "customers", "id", out["default_customer_id"]
    ):
        raise NotFound(_("No customer with id {id}.").format(id=out["default_customer_id"]))
    return out


def _check_settings(settings: dict[str, Any]) -> None:
    unknown = set(settings) - STORE_SETTINGS
    if unknown:
        raise InputError(
            ngettext(
                "Unknown store setting: {names}.", "Unknown store settings: {names}.", len(unknown)
            ).format(names=", ".join(unknown))
        )


def _check_time(value: str) -> str:
    m = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value)
    if not m:
        raise InputError(
            _("A time of day is HH:MM, 00:00 to 23:59; got {value!r}.").format(value=value)
        )
    return value


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
    _check_settings(settings)
    money.exponent(currency)
    with db.write():
        authorize(db, actor)
        require_new(db, "stores", "id", check_id(store_id, _("Store")), _("Store"))
        values = _store_values(
            db, {"name": name, "timezone": timezone, "locale": locale, **settings}, currency
        )
        values.update(id=store_id, currency=currency, created_at=db.now_iso())
        details = {k: v for k, v in values.items() if k != "created_at"}
        insert_audited(db, actor, "stores", "store", values, details)
    return get_store(db, store_id)


def update_store(db: Db, actor: Staff, store_id: str, **settings: Any) -> Store:
    _check_settings(settings)
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
        update_audited(db, actor, "stores", "store", store_id, values, values)
    return get_store(db, store_id)


def get_store(db: Db, store_id: str) -> Store:
    return Store.from_row(by_id(db, "stores", store_id, N_("No store with id {id}.")))


def list_stores(db: Db) -> list[Store]:
    return [Store.from_row(r) for r in db.all("SELECT * FROM stores ORDER BY id")]
