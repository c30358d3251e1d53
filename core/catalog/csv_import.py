"""The catalog CSV's import, with a report of what it changes (K-7, R-7).

The catalog CSV (docs/catalog-format.md): ``sku,name,vat`` and one column per
currency, ``price_DKK``, ``price_ISK`` ... (an empty cell: no price in that
currency, or unchanged on re-import); optional ``barcode`` and ``on_hand``. A bare
``price`` column is read only in a currency named by the caller (``--currency``, or
the store's with ``--store``); a file whose prices have no currency is refused (R-7).
With a store, the file is that store's: its names, VAT rates, stock and own prices,
in its currency only.

An import is all or nothing. Every row is read and checked first; each refused row
is named by its line, and if any is refused nothing is loaded (`CatalogRefused`
carries the whole report). The report says which rows add an item, which change
one (each field, old and new, named as its CSV column) and which change nothing;
a dry run makes the same report and writes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from attrs import field, frozen

from core.audit import journal as audit
from core.catalog import name_search, prices
from core.catalog.items import PRICE_PREFIX, _clash_error, _code_clash, _current_codes, _item_values
from core.errors import InputError
from core.money import amounts as money
from core.store.db import Db
from core.store.record_changes import actor_id, authorize
from core.store.records import Staff, Store
from core.store.stores import get_store
from core.text import validate
from core.text.i18n import _, ngettext

Row = tuple[int, dict, dict[str, int], int | None]  # line, item values, prices, stock


@frozen
class Change:
    """One field of one item as the import changes it; ``field`` is the CSV column
    (name, vat, barcode, active, price_DKK, on_hand); None: it had no value."""

    sku: str
    field: str
    old: Any
    new: Any


@frozen
class ImportReport:
    added: list[str] = field(factory=list)
    changed: dict[str, list[Change]] = field(factory=dict)
    unchanged: list[str] = field(factory=list)
    refused: list[tuple[int, str]] = field(factory=list)  # (line, why)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + len(self.unchanged)


class CatalogRefused(InputError):
    """Rows of the file were refused; nothing was imported. The message names the
    first refused line; ``report`` has them all."""

    def __init__(self, report: ImportReport) -> None:
        line, why = report.refused[0]
        text = _("Catalog line {line}: {error}").format(line=line, error=why)
        more = len(report.refused) - 1
        if more:  # one line on stderr; the dry run lists every refused row
            text += " " + ngettext(
                "({n} more row refused; nothing was imported; --dry-run lists them.)",
                "({n} more rows refused; nothing was imported; --dry-run lists them.)",
                more,
            ).format(n=more)
        super().__init__(text)
        self.report = report


def shown_value(change_field: str, value: Any, locale: str) -> str:
    """A changed value as a person reads it: a price in its currency's format."""
    if value is None:
        return "\u2014"
    if change_field.startswith(PRICE_PREFIX):
        return money.format_money(value, change_field[len(PRICE_PREFIX) :], locale)
    if change_field == "vat":
        return money.format_amount(value, "EUR", locale) + " %"
    if change_field == "active":
        return _("yes") if value else _("no")
    return str(value)


def _read_catalog(
    text: str, currency: str | None, store: Store | None, locale: str
) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows that read well, and (line, why) for every row that does not. A file
    without the columns, or that is not CSV past some line, is refused whole."""
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
    rows: list[Row] = []
    refused: list[tuple[int, str]] = []
    seen: dict[str, tuple[str, int]] = {}  # a code -> (what it is, the line that gave it)
    try:
        for rec in reader:
            lineno = reader.line_num
            try:
                rows.append(_read_row(rec, lineno, columns, locale, seen))
            except InputError as exc:
                refused.append((lineno, exc.message))
    except csv.Error as exc:
        raise InputError(
            _("Catalog line {line}: {error}").format(line=reader.line_num, error=exc)
        ) from None
    return rows, refused


def _read_row(rec: dict, lineno: int, columns: dict[str, str], locale: str, seen: dict) -> Row:
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
    on_hand_text = (rec.get("on_hand") or "").strip()
    stock = validate.stock(on_hand_text) if on_hand_text else None
    for _kind, code in (("sku", values["sku"]), ("barcode", values["barcode"])):
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
    for kind, code in (("sku", values["sku"]), ("barcode", values["barcode"])):
        if code is not None:
            seen[code] = (kind, lineno)
    return lineno, values, row_prices, stock


def _refuse_clashes(
    db: Db, rows: list[Row], refused: list[tuple[int, str]], store_id: str | None
) -> list[Row]:
    """The rows left once every row whose code would name two items (R-5) is refused."""
    current = _current_codes(db)
    while True:
        codes = dict(current)
        line_of = {}
        for lineno, values, _prices, _stock in rows:
            sku = values["sku"]
            # With a store the shared barcode is kept when the file gives none.
            keep = store_id and values["barcode"] is None
            codes[sku] = current.get(sku) if keep else values["barcode"]
            line_of[sku] = lineno
        clash = _code_clash(codes, set(line_of))
        if not clash:
            return rows
        code, sku, other = clash
        line = line_of.get(sku) or line_of.get(other)
        refused.append((line, _clash_error(code, sku, other).message))
        rows = [r for r in rows if r[0] != line]


def _old_state(db: Db, skus: list[str], store: Store | None) -> dict[str, dict[str, Any]]:
    """Per existing SKU, its fields as the file's columns name them: the shared entry,
    or (a store) what that store sells: its name, VAT rate, price and stock."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        marks = ",".join("?" * len(chunk))
        if store is None:
            sql = f"SELECT sku, name, vat_rate, barcode, active FROM items WHERE sku IN ({marks})"
            found = db.all(sql, tuple(chunk))
        else:
            sql = (
                "SELECT i.sku, COALESCE(si.name, i.name) AS name,"
                " COALESCE(si.vat_rate, i.vat_rate) AS vat_rate, i.barcode, i.active,"
                f" {prices.PRICE_SQL} AS price, COALESCE(inv.on_hand, 0) AS on_hand"
                " FROM items i JOIN stores st ON st.id = ?"
                " LEFT JOIN store_items si ON si.sku = i.sku AND si.store_id = st.id"
                " LEFT JOIN inventory inv ON inv.sku = i.sku AND inv.store_id = st.id"
                f" WHERE i.sku IN ({marks})"
            )
            found = db.all(sql, (store.id, *chunk))
        for r in found:
            state = {
                "name": r["name"],
                "vat": r["vat_rate"],
                "barcode": r["barcode"],
                "active": bool(r["active"]),
            }
            if store is not None:
                state[PRICE_PREFIX + store.currency] = r["price"]
                state["on_hand"] = r["on_hand"]
            out[r["sku"]] = state
    if store is None:
        for sku, ps in prices.prices_of(db, skus).items():
            for p in ps:
                if p.store_id is None and sku in out:
                    out[sku][PRICE_PREFIX + p.currency] = p.price
    return out


def _plan(db: Db, rows: list[Row], store: Store | None, report: ImportReport) -> None:
    """Sort the rows into added, changed (field by field) and unchanged."""
    old = _old_state(db, [values["sku"] for _l, values, _p, _s in rows], store)
    for _line, values, row_prices, stock in rows:
        sku = values["sku"]
        if sku not in old:
            report.added.append(sku)
            continue
        new = {"name": values["name"], "vat": values["vat_rate"], "active": True}
        if store is None or values["barcode"] is not None:
            new["barcode"] = values["barcode"]
        new.update({PRICE_PREFIX + cur: price for cur, price in row_prices.items()})
        if stock is not None:
            new["on_hand"] = stock
        changes = [
            Change(sku, name, old[sku].get(name), value)
            for name, value in new.items()
            if old[sku].get(name) != value
        ]
        if changes:
            report.changed[sku] = changes
        else:
            report.unchanged.append(sku)


def import_catalog(
    db: Db,
    actor: Staff | None,
    text: str,
    currency: str | None = None,
    locale: str = "en",
    store_id: str | None = None,
    *,
    dry_run: bool = False,
) -> ImportReport:
    """Load items from CSV (sku,name,vat,price_<CUR>...[,barcode][,on_hand]); all or nothing.

    Existing SKUs are updated; refused rows are reported by their line numbers and
    nothing from the file is loaded (CatalogRefused, unless ``dry_run``). ``currency``
    names the currency of a bare ``price`` column (with a store: the store's); see the
    module docstring. ``text`` comes from `validate.utf8_text`. ``dry_run``: the same
    report, nothing written.
    """
    store = get_store(db, store_id) if store_id else None
    rows, refused = _read_catalog(text, currency, store, locale)
    report = ImportReport(refused=refused, dry_run=dry_run)
    if dry_run:
        authorize(db, actor)
        rows = _refuse_clashes(db, rows, report.refused, store_id)
        _plan(db, rows, store, report)
        report.refused.sort()
        return report
    with db.write():
        authorize(db, actor)
        rows = _refuse_clashes(db, rows, report.refused, store_id)
        _plan(db, rows, store, report)
        if report.refused:
            report.refused.sort()
            raise CatalogRefused(report)
        _write_rows(db, rows, store_id)
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
                "added": report.added,
                "unchanged": len(report.unchanged),
                # K-7: every changed field, old and new, as the file's columns name them
                "changed": [
                    [c.sku, c.field, c.old, c.new]
                    for changes in report.changed.values()
                    for c in changes
                ],
            },
        )
    return report


def _write_rows(db: Db, rows: list[Row], store_id: str | None) -> None:
    for _lineno, values, _row_prices, stock in rows:
        # With a store, the row is that store's name, price (its currency) and VAT
        # rate; the shared catalog entry is only created for a new SKU.
        params = (values["sku"], values["name"], values["vat_rate"], values["barcode"])
        if store_id:
            db.execute(
                "INSERT INTO items (sku, name, vat_rate, barcode) VALUES (?,?,?,?)"
                " ON CONFLICT(sku) DO UPDATE SET active = 1,"
                " barcode = COALESCE(excluded.barcode, items.barcode)",
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
