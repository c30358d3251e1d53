"""The catalog: items, their prices (each with its currency, core.prices), CSV import
and export, and stock on hand.

The catalog CSV (docs/catalog-format.md): ``sku,name,vat`` and one column per
currency, ``price_DKK``, ``price_ISK`` ... (an empty cell: no price in that
currency, or unchanged on re-import); optional ``barcode`` and ``on_hand``. A bare
``price`` column is read only in a currency named by the caller (``--currency``, or
the store's with ``--store``); a file whose prices have no currency is refused (R-7).
With a store, the file is that store's: its names, VAT rates, stock and own prices,
in its currency only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from core import audit, money, name_search, prices, validate
from core.config import actor_id, authorize, get_store, require_new
from core.db import Db
from core.errors import InputError, NotFound
from core.i18n import _
from core.model import Item, Staff, Store

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


def _read_catalog(
    text: str, currency: str | None, store: Store | None, locale: str
) -> list[tuple[int, dict, dict[str, int], int | None]]:
    """(line number, item values, {currency: price}, stock or None) for every row;
    InputError naming the line."""
    text = text.removeprefix("\ufeff")  # a BOM from a spreadsheet's "CSV UTF-8"
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise InputError(_("Catalog line {line}: {error}").format(line=1, error=exc)) from None
    required = {"sku", "name", "vat"}
    names = [(f or "").strip() for f in fieldnames or ()]
    if not required <= set(names):
        raise InputError(_("The catalog CSV needs the columns: sku, name, vat and its prices."))
    reader.fieldnames = names
    columns = _price_columns(names, currency, store)
    rows = []
    seen: dict[str, tuple[str, int]] = {}  # a code -> (what it is, the line that gave it)
    lineno = 1
    try:
        for rec in reader:
            lineno = reader.line_num
            if None in rec:
                raise InputError(_("this row has more fields than the header."))
            row_prices = {
                cur: money.parse_amount(rec[col], cur, locale)
                for col, cur in columns.items()
                if (rec[col] or "").strip()
            }
            if any(price < 0 for price in row_prices.values()):
                raise InputError(_("A price cannot be negative."))
            vat = money.parse_amount(rec["vat"] or "", "EUR", locale)  # percent, 2 decimals
            values = _item_values(
                (rec["sku"] or "").strip(),
                rec["name"] or "",
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
            rows.append((lineno, values, row_prices, stock))
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
    currency: str | None = None,
    locale: str = "en",
    store_id: str | None = None,
) -> int:
    """Load items from CSV (sku,name,vat,price_<CUR>...[,barcode][,on_hand]); all or nothing.

    Existing SKUs are updated; a bad row is reported by its line number and
    nothing from the file is loaded. ``currency`` names the currency of a bare
    ``price`` column (with a store: the store's); see the module docstring. ``text``
    comes from `validate.utf8_text`.
    """
    store = get_store(db, store_id) if store_id else None
    rows = _read_catalog(text, currency, store, locale)
    with db.write():
        authorize(db, actor)
        codes = _current_codes(db)
        line_of = {}
        for lineno, values, _prices, _stock in rows:
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
        for _lineno, values, _row_prices, stock in rows:
            # With a store, the row is that store's name, price (its currency) and VAT
            # rate; the shared catalog entry is only created for a new SKU.
            params = (values["sku"], values["name"], values["vat_rate"], values["barcode"])
            if store_id:
                db.execute(
                    "INSERT INTO items (sku, name, vat_rate, barcode) VALUES (?,?,?,?)"
                    " ON CONFLICT(sku) DO UPDATE SET active = 1,"
                    " barcode = COALESCE(excluded.barcode, barcode)",
                    params,
                )
                db.execute(
                    "INSERT INTO store_items (store_id, sku, name, vat_rate)"
                    " VALUES (?,?,?,?) ON CONFLICT(store_id, sku) DO UPDATE SET"
                    " name = excluded.name, vat_rate = excluded.vat_rate",
                    (store_id, values["sku"], values["name"], values["vat_rate"]),
                )
            else:
                db.execute(
                    "INSERT INTO items (sku, name, vat_rate, barcode) VALUES (?,?,?,?)"
                    " ON CONFLICT(sku) DO UPDATE SET name = excluded.name,"
                    " vat_rate = excluded.vat_rate, barcode = excluded.barcode, active = 1",
                    params,
                )
            if store_id and stock is not None:
                db.execute(
                    "INSERT INTO inventory (store_id, sku, on_hand) VALUES (?,?,?) "
                    "ON CONFLICT(store_id, sku) DO UPDATE SET on_hand = excluded.on_hand",
                    (store_id, values["sku"], stock),
                )
        prices.put_many(
            db,
            [
                prices.ItemPrice(values["sku"], cur, price, store_id)
                for _line, values, row_prices, _stock in rows
                for cur, price in row_prices.items()
            ],
        )
        name_search.reindex(db, [values["sku"] for _line, values, _prices, _stock in rows])
        audit.append(
            db,
            "catalog.import",
            staff_id=actor_id(actor),
            entity="catalog",
            details={
                "items": len(rows),
                "store": store_id,
                "currencies": sorted(
                    {cur for _l, _v, row_prices, _s in rows for cur in row_prices}
                ),
            },
        )
    return len(rows)


PRICE_PREFIX = "price_"


def _price_columns(
    fieldnames: Sequence[str], currency: str | None, store: Store | None
) -> dict[str, str]:
    """Column name -> its currency: price_DKK columns, or a bare price column in the
    currency the caller names; a file without a currency for its prices is refused."""
    columns = {f: f[len(PRICE_PREFIX) :].upper() for f in fieldnames if f.startswith(PRICE_PREFIX)}
    if "price" in fieldnames:
        named = currency or (store.currency if store else None)
        if not named:
            raise InputError(
                _(
                    "The catalog's price column has no currency: name it price_DKK,"
                    " price_ISK ... or give --currency."
                )
            )
        columns["price"] = named
    if not columns:
        raise InputError(
            _("The catalog CSV needs a price column per currency: price_DKK, price_ISK ...")
        )
    for cur in columns.values():
        prices.check_currency(cur)
        if store is not None and cur != store.currency:
            raise InputError(
                _(
                    "A store's catalog holds its own prices, in {store_currency};"
                    " this one has prices in {currency}."
                ).format(store_currency=store.currency, currency=cur)
            )
    if len(set(columns.values())) < len(columns):
        raise InputError(_("The catalog CSV has two price columns for one currency."))
    return columns


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


ITEM_COLUMNS = (
    f"i.sku, COALESCE(si.name, i.name) AS name, {prices.PRICE_SQL} AS price,"
    " st.currency AS currency, COALESCE(si.vat_rate, i.vat_rate) AS vat_rate, i.barcode,"
    " i.active, i.unit, i.scale_code"  # K-8 (core.item_units)
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


def find_item(db: Db, code: str, store_id: str | None = None, *, priced: bool = False) -> Item:
    """An item by SKU or by barcode (what a scanner types), at the store's price.

    ``priced``: the till is about to sell it, so a store without a price for it in
    its currency refuses it here, when it is scanned (R-7, core.prices.NoPrice)."""
    row = db.one(item_sql("i.sku = ? OR i.barcode = ?") + " LIMIT 1", (store_id, code, code))
    if row is None or not row["active"]:
        raise UnknownCode(_("No item with SKU or barcode {code}.").format(code=code))
    item = Item.from_row(row)
    if priced and store_id is not None:
        prices.check_priced(db, item, store_id)
    return item


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
