"""The back office's view of one item and its edit form, saved whole (K-7).

`save_item` is what the TUI's Items screen saves: the form's name, VAT rate, active,
barcode and the two prices a store has (its own, and the item's price in the
store's currency, which every store selling in that currency uses), in one write
transaction. Only what differs from the stored item changes, each change through
core.catalog.items / core.catalog.prices with its audit entry (old and new); any refusal undoes
the whole form. `item_detail` is what `kassi item show` prints.
"""

from __future__ import annotations

import json
from typing import Any

from attrs import frozen

from core.catalog import items as catalog
from core.catalog import prices
from core.store.db import Db
from core.store.record_changes import authorize
from core.store.records import Item, Staff
from core.store.stores import get_store
from core.text.i18n import _

HISTORY = 10  # the last changes `kassi item show` lists


def save_item(
    db: Db,
    actor: Staff | None,
    sku: str,
    store_id: str,
    *,
    new: bool,
    name: str,
    vat_rate: int,
    active: bool,
    barcode: str | None,
    store_price: int | None,
    base_price: int | None,
) -> list[str]:
    """Save the item form (``new``: add the item); the fields that changed, in form
    order. Prices are in the store's currency; None: no such price (removed)."""
    with db.write():
        authorize(db, actor)
        currency = get_store(db, store_id).currency
        if new:
            catalog.add_item(db, actor, sku, name, None, vat_rate, barcode)
        changed = list(
            catalog.update_item(
                db, actor, sku, name=name, vat_rate=vat_rate, active=active, store_id=store_id
            )
        )
        if catalog.set_barcode(db, actor, sku, barcode):
            changed.append("barcode")
        for field, where in (("store_price", store_id), ("base_price", None)):
            price = store_price if field == "store_price" else base_price
            old = prices.current(db, sku, currency, where)
            if price == old:
                continue
            if price is None:
                prices.clear_price(db, actor, sku, currency, where)
            else:
                prices.set_price(db, actor, sku, price, currency, where)
            changed.append(field)
    return ["added"] + changed if new else changed


@frozen
class Change:
    """One audit entry about the item: when, who, what (action and its details)."""

    seq: int
    at: str
    staff_id: str | None
    action: str
    details: dict[str, Any]


@frozen
class ItemDetail:
    item: Item  # the shared entry
    own: list[tuple[str, str | None, int]]  # a store's own entry: (store, name, VAT rate)
    prices: list[prices.ItemPrice]
    stock: dict[str, int]  # store -> on hand
    history: list[Change]  # the latest first


def item_detail(db: Db, sku: str, limit: int = HISTORY) -> ItemDetail:
    item = catalog.get_item(db, sku)
    own = [
        (r["store_id"], r["name"], r["vat_rate"])
        for r in db.all(
            "SELECT store_id, name, vat_rate FROM store_items WHERE sku = ? ORDER BY store_id",
            (sku,),
        )
    ]
    stock = {
        r["store_id"]: r["on_hand"]
        for r in db.all(
            "SELECT store_id, on_hand FROM inventory WHERE sku = ? ORDER BY store_id", (sku,)
        )
    }
    return ItemDetail(
        item, own, prices.prices_of(db, [sku]).get(sku, []), stock, _history(db, sku, limit)
    )


def _history(db: Db, sku: str, limit: int) -> list[Change]:
    """The item's own entries, and the catalog imports that added or changed it (their
    details cut to this item: {"added": bool, "changed": [[field, old, new], ...]})."""
    quoted = json.dumps(sku, ensure_ascii=False)
    rows = db.all(
        "SELECT seq, at, staff_id, action, details FROM audit_log"
        " WHERE (entity = 'item' AND entity_id = ?)"
        " OR (action = 'catalog.import' AND instr(details, ?) > 0)"
        " ORDER BY seq DESC",
        (sku, quoted),
    )
    out: list[Change] = []
    for r in rows:
        details = json.loads(r["details"] or "{}")
        if r["action"] == "catalog.import":
            details = {
                "store": details.get("store"),
                "added": sku in details.get("added", []),
                "changed": [c[1:] for c in details.get("changed", []) if c[0] == sku],
            }
            if not details["added"] and not details["changed"]:
                continue  # the SKU was only a name or a value in another row
        out.append(Change(r["seq"], r["at"], r["staff_id"], r["action"], details))
        if len(out) == limit:
            break
    return out


def _fields(pairs: list[tuple[str, Any, Any]], locale: str) -> str:
    from core.catalog.csv_import import shown_value

    return "; ".join(
        f"{name}: {shown_value(name, old, locale)} \u2192 {shown_value(name, new, locale)}"
        for name, old, new in pairs
    )


def describe(change: Change, locale: str) -> str:
    """One audit entry about the item as one line: each field, old → new (K-7)."""
    d = change.details
    store = d.get("store")
    if change.action == "item.update":
        pairs = [
            ("vat" if name == "vat_rate" else name, c.get("old"), c.get("new"))
            for name, c in d.get("changes", {}).items()
        ]
        stores = {c.get("store") for c in d.get("changes", {}).values()} - {None}
        store = ", ".join(sorted(stores)) or None
        text = _fields(pairs, locale)
    elif change.action in ("item.price", "item.price_clear"):
        field = "price_" + str(d.get("currency"))
        text = _fields([(field, d.get("old"), d.get("price"))], locale)
    elif change.action == "item.barcode":
        text = _fields([("barcode", d.get("old"), d.get("new"))], locale)
    elif change.action == "item.add":
        text = _("added: {name}").format(name=d.get("name", ""))
    elif change.action == "catalog.import":
        parts = [_("added")] if d.get("added") else []
        if d.get("changed"):
            parts.append(_fields([tuple(c) for c in d["changed"]], locale))
        text = _("catalog import: {what}").format(what="; ".join(parts))
    else:
        text = change.action
    return f"{text} ({store})" if store else text
