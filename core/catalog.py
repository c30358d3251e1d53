"""The catalog: items, per-store prices, CSV import, and stock on hand."""

from __future__ import annotations

import csv
import io

from core import audit, money, name_search
from core.config import actor_id, authorize, get_store, require_new
from core.db import Db
from core.errors import InputError, NotFound
from core.i18n import _
from core.model import Item, Staff

# -- items and stock -------------------------------------------------------------------


def _item_values(sku: str, name: str, price: int, vat_rate: int, barcode: str | None) -> dict:
    if not sku.strip() or len(sku) > 64 or any(c.isspace() for c in sku):
        raise InputError(_("SKU {sku!r} is not valid: 1-64 characters, no spaces.").format(sku=sku))
    if not name.strip():
        raise InputError(_("An item needs a name."))
    if price < 0:
        raise InputError(_("A price cannot be negative."))
    if not 0 <= vat_rate <= 10000:
        raise InputError(_("VAT rate must be between 0 and 100 %."))
    return {
        "sku": sku,
        "name": name.strip(),
        "price": price,
        "vat_rate": vat_rate,
        "barcode": barcode or None,
    }


def add_item(
    db: Db,
    actor: Staff | None,
    sku: str,
    name: str,
    price: int,
    vat_rate: int,
    barcode: str | None = None,
) -> Item:
    values = _item_values(sku, name, price, vat_rate, barcode)
    with db.write():
        authorize(db, actor)
        require_new(db, "items", "sku", sku, _("Item"))
        db.insert("items", values)
        name_search.reindex(db, [sku])
        audit.append(
            db,
            "item.add",
            staff_id=actor_id(actor),
            entity="item",
            entity_id=sku,
            amount=price,
            details=values,
        )
    return get_item(db, sku)


def import_catalog(
    db: Db,
    actor: Staff | None,
    text: str,
    currency: str,
    locale: str = "en",
    store_id: str | None = None,
) -> int:
    """Load items from CSV (sku,name,price,vat[,barcode][,on_hand]); all or nothing.

    Existing SKUs are updated; a bad row is reported by its line number and
    nothing from the file is loaded.
    """
    reader = csv.DictReader(io.StringIO(text))
    required = {"sku", "name", "price", "vat"}
    if not reader.fieldnames or not required <= set(reader.fieldnames):
        raise InputError(_("The catalog CSV needs the columns: sku, name, price, vat."))
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        try:
            price = money.parse_amount(rec["price"] or "", currency, locale)
            vat = money.parse_amount(rec["vat"] or "", "EUR", locale)  # percent, 2 decimals
            values = _item_values(
                (rec["sku"] or "").strip(),
                rec["name"] or "",
                price,
                vat,
                (rec.get("barcode") or "").strip() or None,
            )
            on_hand = rec.get("on_hand")
            stock = int(on_hand) if on_hand not in (None, "") else None
        except (InputError, ValueError) as exc:
            msg = exc.message if isinstance(exc, InputError) else str(exc)
            raise InputError(
                _("Catalog line {line}: {error}").format(line=lineno, error=msg)
            ) from None
        rows.append((values, stock))
    with db.write():
        authorize(db, actor)
        if store_id:
            get_store(db, store_id)
        for values, stock in rows:
            # With a store, the row is that store's name, price (its currency) and VAT
            # rate; the shared catalog entry is only created for a new SKU.
            params = (
                values["sku"],
                values["name"],
                values["price"],
                values["vat_rate"],
                values["barcode"],
            )
            if store_id:
                db.execute(
                    "INSERT INTO items (sku, name, price, vat_rate, barcode) VALUES (?,?,?,?,?)"
                    " ON CONFLICT(sku) DO UPDATE SET active = 1,"
                    " barcode = COALESCE(excluded.barcode, barcode)",
                    params,
                )
                db.execute(
                    "INSERT INTO store_items (store_id, sku, name, price, vat_rate)"
                    " VALUES (?,?,?,?,?) ON CONFLICT(store_id, sku) DO UPDATE SET"
                    " name = excluded.name, price = excluded.price, vat_rate = excluded.vat_rate",
                    (store_id, values["sku"], values["name"], values["price"], values["vat_rate"]),
                )
            else:
                db.execute(
                    "INSERT INTO items (sku, name, price, vat_rate, barcode) VALUES (?,?,?,?,?)"
                    " ON CONFLICT(sku) DO UPDATE SET name = excluded.name,"
                    " price = excluded.price, vat_rate = excluded.vat_rate,"
                    " barcode = excluded.barcode, active = 1",
                    params,
                )
            if store_id and stock is not None:
                db.execute(
                    "INSERT INTO inventory (store_id, sku, on_hand) VALUES (?,?,?) "
                    "ON CONFLICT(store_id, sku) DO UPDATE SET on_hand = excluded.on_hand",
                    (store_id, values["sku"], stock),
                )
        name_search.reindex(db, [values["sku"] for values, _stock in rows])
        audit.append(
            db,
            "catalog.import",
            staff_id=actor_id(actor),
            entity="catalog",
            details={"items": len(rows), "store": store_id},
        )
    return len(rows)


ITEM_COLUMNS = (
    "i.sku, COALESCE(si.name, i.name) AS name, COALESCE(si.price, i.price) AS price,"
    " COALESCE(si.vat_rate, i.vat_rate) AS vat_rate, i.barcode, i.active"
)


def item_sql(where: str) -> str:
    """Items as a store sells them: its own name, price and VAT rate where it has them
    (a chain across countries); the store id is the first parameter."""
    return (
        f"SELECT {ITEM_COLUMNS} FROM items i LEFT JOIN store_items si"
        f" ON si.sku = i.sku AND si.store_id = ? WHERE {where}"
    )


def get_item(db: Db, sku: str, store_id: str | None = None) -> Item:
    row = db.one(item_sql("i.sku = ?"), (store_id, sku))
    if row is None:
        raise NotFound(_("No item with SKU {sku}.").format(sku=sku))
    return Item.from_row(row)


def find_item(db: Db, code: str, store_id: str | None = None) -> Item:
    """An item by SKU or by barcode (what a scanner types), at the store's price."""
    row = db.one(item_sql("i.sku = ? OR i.barcode = ?") + " LIMIT 1", (store_id, code, code))
    if row is None or not row["active"]:
        raise NotFound(_("No item with SKU or barcode {code}.").format(code=code))
    return Item.from_row(row)


def search_items(db: Db, text: str, store_id: str | None = None, limit: int = 20) -> list[Item]:
    """Active items whose name holds every typed word, or whose SKU starts with the
    text: case and accents folded as Nordic staff type (C-4, core.name_search),
    from an index. The SKU typed exactly comes first, then names that start
    with the text, then the rest by name."""
    sql, params = name_search.search_sql(ITEM_COLUMNS, text, store_id, limit)
    return [Item.from_row(r) for r in db.all(sql, params)]


def list_items(db: Db, store_id: str | None = None) -> list[Item]:
    return [Item.from_row(r) for r in db.all(item_sql("1") + " ORDER BY i.sku", (store_id,))]


def on_hand(db: Db, store_id: str, sku: str) -> int:
    return (
        db.scalar("SELECT on_hand FROM inventory WHERE store_id = ? AND sku = ?", (store_id, sku))
        or 0
    )
