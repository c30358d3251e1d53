"""The catalog: items, their prices (each with its currency, core.catalog.prices), barcodes,
stock on hand, and the back office's edits of them (K-7).

The catalog CSV's export is here; its import, with its report of what changed, is
core.catalog.csv_import. Every edit here is one write transaction with its audit entry,
which records each changed field's old and new value. An item made inactive is not
sold (the till refuses it by name) but stays in every receipt and report that has it.

An item has one barcode (``items.barcode``); a barcode never equals another item's
SKU or barcode (R-5, also enforced by the m013 triggers).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from core.audit import journal as audit
from core.catalog import name_search, prices
from core.errors import InputError, NotFound
from core.money import amounts as money
from core.store.db import Db
from core.store.record_changes import actor_id, authorize, require_new
from core.store.records import Item, Staff
from core.store.stores import get_store
from core.text import validate
from core.text.i18n import _

if TYPE_CHECKING:  # core.catalog.csv_import imports this module
    from core.catalog.csv_import import ImportReport

# -- items and stock -------------------------------------------------------------------


def _item_values(sku: str, name: str, vat_rate: int, barcode: str | None) -> dict:
    sku = validate.code(sku, _("SKU"))
    name = validate.name(name, "item")
    barcode = validate.code(barcode, _("Barcode")) if barcode and barcode.strip() else None
    if not 0 <= vat_rate <= 10000:
        raise InputError(_("VAT rate must be between 0 and 100 %."))
    return {
        "sku": sku,
        "name": name,
        "vat_rate": vat_rate,
        "barcode": barcode,
    }


def _code_clash(codes: dict[str, str | None], changed: set[str]) -> tuple[str, str, str] | None:
    """The first (code, sku, other sku) where a barcode is another item's SKU or
    barcode (R-5), in ``codes``: every item's SKU -> barcode as it would be. Only
    clashes that involve a ``changed`` SKU count (older rows are the triggers' job)."""
    owner: dict[str, str] = {}
    for sku, barcode in codes.items():
        if barcode is None:
            continue
        other = owner.get(barcode)
        if other is None and barcode != sku and barcode in codes:
            other = barcode
        if other is not None and other != sku and (sku in changed or other in changed):
            return barcode, sku, other
        owner[barcode] = sku
    return None


def _clash_error(code: str, sku: str, other: str) -> InputError:
    return InputError(
        _(
            "Code {code} would name two items ({sku} and {other}): a barcode may not be"
            " another item's SKU or barcode."
        ).format(code=code, sku=sku, other=other)
    )


def _current_codes(db: Db) -> dict[str, str | None]:
    return {r["sku"]: r["barcode"] for r in db.all("SELECT sku, barcode FROM items")}


def add_item(
    db: Db,
    actor: Staff | None,
    sku: str,
    name: str,
    price: int | None,
    vat_rate: int,
    barcode: str | None = None,
    *,
    currency: str | None = None,
    store_id: str | None = None,
) -> Item:
    """A new item with its first price: in ``currency`` for every store selling in it,
    or (``store_id``) that store's own price in its currency. Never a bare amount (R-7)."""
    values = _item_values(sku, name, vat_rate, barcode)
    sku = values["sku"]
    if price is not None and not currency and not store_id:
        raise InputError(_("Give the currency of the price, e.g. 12.50 DKK."))
    with db.write():
        authorize(db, actor)
        require_new(db, "items", "sku", sku, _("Item"))
        codes = _current_codes(db)
        codes[sku] = values["barcode"]
        clash = _code_clash(codes, {sku})
        if clash:
            raise _clash_error(*clash)
        db.insert("items", values)
        name_search.reindex(db, [sku])
        cur = None
        if price is not None:
            cur = prices.check_currency(currency or get_store(db, store_id).currency)
        audit.append(
            db,
            "item.add",
            staff_id=actor_id(actor),
            entity="item",
            entity_id=sku,
            amount=price,
            details={**values, "price": price, "currency": cur, "store": store_id},
        )
        if price is not None:
            prices.set_price(db, actor, sku, price, cur, store_id)
    return get_item(db, sku, store_id)


def check_vat(vat_rate: int) -> int:
    """A VAT rate in basis points (25 % = 2500), 0 to 100 %."""
    if isinstance(vat_rate, bool) or not isinstance(vat_rate, int) or not 0 <= vat_rate <= 10000:
        raise InputError(_("VAT rate must be between 0 and 100 %."))
    return vat_rate


def _shared(db: Db, sku: str):
    row = db.one("SELECT sku, name, vat_rate, barcode, active FROM items WHERE sku = ?", (sku,))
    if row is None:
        raise NotFound(_("No item with SKU {sku}.").format(sku=sku))
    return row


def update_item(
    db: Db,
    actor: Staff | None,
    sku: str,
    *,
    name: str | None = None,
    vat_rate: int | None = None,
    active: bool | None = None,
    store_id: str | None = None,
) -> dict[str, dict]:
    """Change an item's name, VAT rate or whether it is sold; returns the changes as
    {field: {old, new, store}} (empty: it already was so). With ``store_id`` the name
    and VAT rate are changed where that store reads them: its own entry if it has one
    (a store's catalog import), else the shared one. Audited with old and new values."""
    if name is None and vat_rate is None and active is None:
        raise InputError(_("Nothing to change: give a name, a VAT rate, or active/inactive."))
    name = None if name is None else validate.name(name, "item")
    vat_rate = None if vat_rate is None else check_vat(vat_rate)
    with db.write():
        authorize(db, actor)
        row = _shared(db, sku)
        own = None
        if store_id is not None:
            get_store(db, store_id)
            own = db.one(
                "SELECT name, vat_rate FROM store_items WHERE store_id = ? AND sku = ?",
                (store_id, sku),
            )
        changes: dict[str, dict] = {}
        for column, value in (("name", name), ("vat_rate", vat_rate)):
            in_store = own is not None and own[column] is not None
            old = own[column] if in_store else row[column]
            if value is None or value == old:
                continue
            if in_store:
                db.execute(
                    f"UPDATE store_items SET {column} = ? WHERE store_id = ? AND sku = ?",
                    (value, store_id, sku),
                )
            else:
                db.execute(f"UPDATE items SET {column} = ? WHERE sku = ?", (value, sku))
            changes[column] = {"old": old, "new": value, "store": store_id if in_store else None}
        if active is not None and bool(active) != bool(row["active"]):
            db.execute("UPDATE items SET active = ? WHERE sku = ?", (int(active), sku))
            changes["active"] = {"old": bool(row["active"]), "new": bool(active), "store": None}
        if "name" in changes:
            name_search.reindex(db, [sku])  # the folded columns follow the name (C-4)
        if changes:
            audit.append(
                db,
                "item.update",
                staff_id=actor_id(actor),
                entity="item",
                entity_id=sku,
                details={"changes": changes},
            )
    return changes


def set_barcode(db: Db, actor: Staff | None, sku: str, code: str | None) -> bool:
    """Give the item this barcode (None: none), audited with the old one; False when
    it already had it. A barcode that is another item's SKU or barcode is refused."""
    code = validate.code(code, _("Barcode")) if code is not None and code.strip() else None
    with db.write():
        authorize(db, actor)
        old = _shared(db, sku)["barcode"]
        if old == code:
            return False
        codes = _current_codes(db)
        codes[sku] = code
        clash = _code_clash(codes, {sku})
        if clash:
            raise _clash_error(*clash)
        db.execute("UPDATE items SET barcode = ? WHERE sku = ?", (code, sku))
        audit.append(
            db,
            "item.barcode",
            staff_id=actor_id(actor),
            entity="item",
            entity_id=sku,
            details={"old": old, "new": code},
        )
    return True


def add_barcode(db: Db, actor: Staff | None, sku: str, code: str) -> None:
    """The item's barcode, when it has none yet (an item has one barcode)."""
    code = validate.code(code, _("Barcode"))
    with db.write():
        old = _shared(db, sku)["barcode"]
        if old is not None:
            raise InputError(
                _("{sku} already has the barcode {code}; remove it first.").format(
                    sku=sku, code=old
                )
            )
        set_barcode(db, actor, sku, code)


def remove_barcode(db: Db, actor: Staff | None, sku: str, code: str) -> None:
    with db.write():
        if _shared(db, sku)["barcode"] != code:
            raise NotFound(_("{sku} has no barcode {code}.").format(sku=sku, code=code))
        set_barcode(db, actor, sku, None)


PRICE_PREFIX = "price_"  # a price column of the catalog CSV: price_DKK, price_ISK ...


ITEM_COLUMNS = (
    f"i.sku, COALESCE(si.name, i.name) AS name, {prices.PRICE_SQL} AS price,"
    " st.currency AS currency, COALESCE(si.vat_rate, i.vat_rate) AS vat_rate, i.barcode,"
    " i.active, i.unit, i.scale_code"  # K-8 (core.catalog.units)
)
# The store (first parameter; NULL: the shared catalog, no price) and its own names.
ITEM_FROM = (
    " FROM items i LEFT JOIN stores st ON st.id = ?"
    " LEFT JOIN store_items si ON si.sku = i.sku AND si.store_id = st.id"
)


def item_sql(where: str) -> str:
    """Items as a store sells them: its own name, price and VAT rate where it has them
    (a chain across countries); the store id is the first parameter."""
    return f"SELECT {ITEM_COLUMNS}{ITEM_FROM} WHERE {where}"


def get_item(db: Db, sku: str, store_id: str | None = None) -> Item:
    row = db.one(item_sql("i.sku = ?"), (store_id, sku))
    if row is None:
        raise NotFound(_("No item with SKU {sku}.").format(sku=sku))
    return Item.from_row(row)


class UnknownCode(NotFound):
    """No active item has this SKU or barcode (what was scanned or typed)."""


class InactiveItem(NotFound):
    """The item was made inactive in the back office: it is no longer sold (K-7)."""


def inactive(item: Item) -> InactiveItem:
    return InactiveItem(
        _("{item} ({sku}) is no longer sold: a manager can make it active again.").format(
            item=item.name, sku=item.sku
        )
    )


def find_item(db: Db, code: str, store_id: str | None = None, *, priced: bool = False) -> Item:
    """An item by SKU or by barcode (what a scanner types), at the store's price.

    An inactive item is refused by name (InactiveItem), not as an unknown code.
    ``priced``: the till is about to sell it, so a store without a price for it in
    its currency refuses it here, when it is scanned (R-7, core.catalog.prices.NoPrice)."""
    row = db.one(item_sql("i.sku = ? OR i.barcode = ?") + " LIMIT 1", (store_id, code, code))
    if row is None:
        raise UnknownCode(_("No item with SKU or barcode {code}.").format(code=code))
    item = Item.from_row(row)
    if not item.active:
        raise inactive(item)
    if priced and store_id is not None:
        prices.check_priced(db, item, store_id)
    return item


def search_items(
    db: Db,
    text: str,
    store_id: str | None = None,
    limit: int = 20,
    *,
    inactive_too: bool = False,
) -> list[Item]:
    """Active items (``inactive_too``: all, for the back office) whose name holds every
    typed word, or whose SKU starts with the text: case and accents folded as Nordic
    staff type (C-4, core.catalog.name_search), from an index. The SKU typed exactly comes
    first, then names that start with the text, then the rest by name. In the back
    office a scanned barcode finds its item too, first."""
    sql, params = name_search.search_sql(
        ITEM_COLUMNS, text, store_id, limit, active_only=not inactive_too
    )
    found = [Item.from_row(r) for r in db.all(sql, params)]
    code = text.strip()
    if inactive_too and code:
        row = db.one(item_sql("i.barcode = ?"), (store_id, code))
        if row is not None and all(i.sku != row["sku"] for i in found):
            found = [Item.from_row(row), *found][:limit]
    return found


def list_items(db: Db, store_id: str | None = None) -> list[Item]:
    return [Item.from_row(r) for r in db.all(item_sql("1") + " ORDER BY i.sku", (store_id,))]


def on_hand(db: Db, store_id: str, sku: str) -> int:
    return (
        db.scalar("SELECT on_hand FROM inventory WHERE store_id = ? AND sku = ?", (store_id, sku))
        or 0
    )


def import_catalog(*args: Any, **kwargs: Any) -> ImportReport:
    """core.catalog.csv_import.import_catalog, by the name its callers know."""
    from core.catalog import csv_import as catalog_import

    return catalog_import.import_catalog(*args, **kwargs)


def export_catalog(db: Db, store_id: str | None = None, locale: str = "en") -> str:
    """The catalog as import_catalog reads it (same locale): every item with its price
    per currency, or (``store_id``) as that store sells it, with its stock."""
    out = io.StringIO()
    if store_id:
        store = get_store(db, store_id)
        currencies = [store.currency]
        items = list_items(db, store_id)
        own = {i.sku: {store.currency: i.price} for i in items if i.price is not None}
    else:
        currencies = [
            r[0]
            for r in db.all(
                "SELECT DISTINCT currency FROM item_prices WHERE store_id IS NULL ORDER BY 1"
            )
        ]
        items = list_items(db)
        own = {
            sku: {p.currency: p.price for p in ps if p.store_id is None}
            for sku, ps in prices.prices_of(db).items()
        }
    header = ["sku", "name", "vat", "barcode"] + [PRICE_PREFIX + c for c in currencies]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header + (["on_hand"] if store_id else []))
    for item in items:
        row = [
            item.sku,
            item.name,
            money.format_amount(item.vat_rate, "EUR", locale, grouping=False),
            item.barcode or "",
        ]
        for cur in currencies:
            price = own.get(item.sku, {}).get(cur)
            row.append(
                "" if price is None else money.format_amount(price, cur, locale, grouping=False)
            )
        if store_id:
            row.append(str(on_hand(db, store_id, item.sku)))
        writer.writerow(row)
    return out.getvalue()
