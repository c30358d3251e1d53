"""The catalog: items, per-store prices, CSV import, and stock on hand."""

from __future__ import annotations

import csv
import io

from core import audit, money, name_search, validate
from core.config import actor_id, authorize, get_store, require_new
from core.db import Db
from core.errors import InputError, NotFound
from core.i18n import _
from core.model import Item, Staff

# -- items and stock -------------------------------------------------------------------


def _item_values(sku: str, name: str, price: int, vat_rate: int, barcode: str | None) -> dict:
    sku = validate.code(sku, _("SKU"))
    name = validate.name(name, "item")
    barcode = validate.code(barcode, _("Barcode")) if barcode and barcode.strip() else None
    if price < 0:
        raise InputError(_("A price cannot be negative."))
    if not 0 <= vat_rate <= 10000:
        raise InputError(_("VAT rate must be between 0 and 100 %."))
    return {
        "sku": sku,
        "name": name,
        "price": price,
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
    price: int,
    vat_rate: int,
    barcode: str | None = None,
) -> Item:
    values = _item_values(sku, name, price, vat_rate, barcode)
    sku = values["sku"]
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


def _read_catalog(text: str, currency: str, locale: str) -> list[tuple[int, dict, int | None]]:
    """(line number, item values, stock or None) for every row; InputError naming the line."""
    text = text.removeprefix("\ufeff")  # a BOM from a spreadsheet's "CSV UTF-8"
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise InputError(_("Catalog line {line}: {error}").format(line=1, error=exc)) from None
    required = {"sku", "name", "price", "vat"}
    if not fieldnames or not required <= {(f or "").strip() for f in fieldnames}:
        raise InputError(_("The catalog CSV needs the columns: sku, name, price, vat."))
    reader.fieldnames = [(f or "").strip() for f in fieldnames]
    rows = []
    seen: dict[str, tuple[str, int]] = {}  # a code -> (what it is, the line that gave it)
    lineno = 1
    try:
        for rec in reader:
            lineno = reader.line_num
            if None in rec:
                raise InputError(_("this row has more fields than the header."))
            price = money.parse_amount(rec["price"] or "", currency, locale)
            vat = money.parse_amount(rec["vat"] or "", "EUR", locale)  # percent, 2 decimals
            values = _item_values(
                (rec["sku"] or "").strip(),
                rec["name"] or "",
                price,
                vat,
                (rec.get("barcode") or "").strip() or None,
            )
            on_hand = (rec.get("on_hand") or "").strip()
            stock = validate.stock(on_hand) if on_hand else None
            for kind, code in (("sku", values["sku"]), ("barcode", values["barcode"])):
                if code is None:
                    continue
                earlier = seen.get(code)
                if earlier is not None and earlier[1] != lineno:
                    message = (
                        _("{code} is already a SKU on line {line}.")
                        if earlier[0] == "sku"
                        else _("{code} is already a barcode on line {line}.")
                    )
                    raise InputError(message.format(code=code, line=earlier[1]))
                seen[code] = (kind, lineno)
            rows.append((lineno, values, stock))
    except csv.Error as exc:
        raise InputError(
            _("Catalog line {line}: {error}").format(line=reader.line_num, error=exc)
        ) from None
    except InputError as exc:
        raise InputError(
            _("Catalog line {line}: {error}").format(line=lineno, error=exc.message)
        ) from None
    return rows


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
    nothing from the file is loaded. ``text`` comes from `validate.utf8_text`.
    """
    rows = _read_catalog(text, currency, locale)
    with db.write():
        authorize(db, actor)
        if store_id:
            get_store(db, store_id)
        codes = _current_codes(db)
        line_of = {}
        for lineno, values, _stock in rows:
            sku = values["sku"]
            # With a store the shared barcode is kept when the file gives none.
            keep = store_id and values["barcode"] is None
            codes[sku] = codes.get(sku) if keep else values["barcode"]
            line_of[sku] = lineno
        clash = _code_clash(codes, set(line_of))
        if clash:
            code, sku, other = clash
            line = line_of.get(sku) or line_of.get(other)
            raise InputError(
                _("Catalog line {line}: {error}").format(
                    line=line, error=_clash_error(code, sku, other).message
                )
            )
        for _lineno, values, stock in rows:
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
        name_search.reindex(db, [values["sku"] for _line, values, _stock in rows])
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
