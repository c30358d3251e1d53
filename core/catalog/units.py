"""What an item is sold by (SPEC K-8): its unit and the item code on its scale labels.

Kept apart from core.catalog.items's item editing: the unit and the scale code are set
here, audited, and read back through catalog.item_sql like every other item field.
"""

from __future__ import annotations

from attrs import frozen

from core.audit import journal as audit
from core.catalog import prices
from core.catalog import scale_labels as scale_barcode
from core.catalog.items import get_item, item_sql
from core.errors import InputError
from core.money import quantity
from core.store.db import Db
from core.store.record_changes import actor_id, authorize
from core.store.records import Item, Staff, Store
from core.text.i18n import _

_KEEP = object()


def check_scale_code(value: str | None) -> str | None:
    """A scale code as stored: 1-6 digits without leading zeros; empty: none."""
    text = (value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 6 or not int(text):
        raise InputError(
            _("Scale code '{code}' is not valid: 1-6 digits, not all zeros.").format(code=text)
        )
    return str(int(text))


def set_unit(
    db: Db,
    actor: Staff | None,
    sku: str,
    unit: str | None = None,
    scale_code: str | None | object = _KEEP,
) -> Item:
    """Set what ``sku`` is sold by and/or its scale code; one audited transaction.

    The unit cannot change once the item was sold or has stock: its stored
    quantities (thousandths of a kg, or pieces) would change meaning."""
    new_unit = quantity.check_unit(unit) if unit is not None else None
    code = check_scale_code(scale_code) if scale_code is not _KEEP else _KEEP  # type: ignore[arg-type]
    with db.write():
        authorize(db, actor)
        item = get_item(db, sku)
        values: dict = {}
        if new_unit is not None and new_unit != item.unit:
            used = db.one("SELECT 1 FROM sale_lines WHERE sku = ? LIMIT 1", (item.sku,)) or db.one(
                "SELECT 1 FROM inventory WHERE sku = ? AND on_hand <> 0 LIMIT 1", (item.sku,)
            )
            if used:
                raise InputError(
                    _(
                        "{item} was sold or has stock in {unit}; its unit cannot change."
                        " Add a new item for the other unit."
                    ).format(item=item.name, unit=item.unit)
                )
            values["unit"] = new_unit
        if code is not _KEEP and code != item.scale_code:
            other = db.scalar("SELECT sku FROM items WHERE scale_code = ?", (code,))
            if code is not None and other is not None:
                raise InputError(
                    _("Scale code {code} is already item {sku}'s.").format(code=code, sku=other)
                )
            values["scale_code"] = code
        if values:
            sets = ", ".join(f"{k} = ?" for k in values)
            db.execute(f"UPDATE items SET {sets} WHERE sku = ?", (*values.values(), item.sku))
            audit.append(
                db,
                "item.unit",
                staff_id=actor_id(actor),
                entity="item",
                entity_id=item.sku,
                details=values,
            )
    return get_item(db, sku)


@frozen
class ScaleScan:
    """A scanned scale label as a basket line: the item and the quantity it sells."""

    item: Item
    qty: int
    label: scale_barcode.ScaleLabel


def read_scan(db: Db, code: str, store: Store, *, priced: bool = True) -> ScaleScan | None:
    """The item and quantity a scale label names, or None when ``code`` is no scale label
    for this store (then it is an ordinary code). InputError for a misread or an item
    that cannot be sold this way; UnknownScaleItem for an item code no item has.

    ``priced``: sold at today's price (a refund against a receipt pays back its own)."""
    label = scale_barcode.read(code, store.scale_labels)
    if label is None:
        return None
    digits = label.item_code
    short = str(int(digits)) if digits.strip("0") else "0"
    # The item whose scale code it is, else the item whose SKU the digits are.
    row = db.one(
        item_sql("i.scale_code = ? OR i.sku IN (?, ?)")
        + " ORDER BY COALESCE(i.scale_code = ?, 0) DESC LIMIT 1",
        (store.id, short, digits, short, short),
    )
    if row is None or not row["active"]:
        raise scale_barcode.UnknownScaleItem(
            _("Scale label {code}: no item has scale code {item}.").format(code=code, item=short)
        )
    item = Item.from_row(row)
    if priced:
        prices.check_priced(db, item, store.id)
    qty = scale_barcode.line_quantity(label, item.unit, item.price if priced else None, item.name)
    return ScaleScan(item, qty, label)


def basket_line(
    db: Db, store: Store, code: str, qty_text: str | None, locale: str, *, priced: bool = True
):
    """A basket line from what was scanned or typed (K-8): a scale label (its item and
    quantity), ``code`` with a quantity typed in the item's unit ("0,512" kg), or
    ``code`` alone: one piece. A weighed item without a quantity is refused: the
    till asks for it, the command line names how to give it.

    Returns core.tills.basket.LineInput; codes no item has are left to the sale to refuse."""
    from core.catalog.items import UnknownCode, find_item
    from core.tills.basket import LineInput

    scan = read_scan(db, code, store, priced=priced)
    if scan is not None:
        if qty_text is not None:
            raise InputError(
                _("Scale label {code} carries its own quantity; give none.").format(code=code)
            )
        return LineInput(scan.item.sku, scan.qty)
    try:
        item = find_item(db, code, store.id)
    except UnknownCode:  # the sale refuses it, naming the code
        return LineInput(code, int(qty_text) if qty_text and qty_text.isdigit() else 1)
    if qty_text is None:
        if quantity.is_measured(item.unit):
            raise InputError(
                _("{item} is sold by {unit}: give the quantity, e.g. {code}@0,512.").format(
                    item=item.name, unit=item.unit, code=code
                )
            )
        return LineInput(code, 1)
    return LineInput(code, quantity.parse_quantity(qty_text, item.unit, locale))
