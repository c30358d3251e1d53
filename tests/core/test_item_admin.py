"""Items managed in the back office (SPEC K-7, R-5, R-7, C-4): every edit one
transaction with an audit entry holding the old and new values; inactive items are
not sold but stay in history. Demo: NORREBRO (DKK) and REYKJAVIK (ISK) each have
their own entry (name, VAT) for every demo item; 9001 here has only the shared one."""

from __future__ import annotations

import json

import pytest

from core.catalog import item_form as item_admin
from core.catalog import items as catalog
from core.catalog import prices
from core.catalog.csv_import import CatalogRefused, import_catalog
from core.errors import InputError, NotFound, PermissionDenied
from core.money.tendering import TenderInput
from core.tills import receipts, sales
from core.tills.basket import LineInput

CARD = [TenderInput("card")]


def widget(db, manager):
    return catalog.add_item(db, manager, "9001", "Widget", 1250, 2500, "5700001", currency="DKK")


def last(db, action):
    row = db.one("SELECT * FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1", (action,))
    return row, json.loads(row["details"])


def rows(db, *tables):
    return [db.all(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables]


def test_renaming_an_item_is_audited_with_old_and_new_and_search_follows(db, manager):
    """K-7, C-4: the new name is found by its folded form, the old one no longer; the
    audit entry holds both names."""
    widget(db, manager)
    changes = catalog.update_item(db, manager, "9001", name="Pærejuice", vat_rate=1250)
    assert changes["name"] == {"old": "Widget", "new": "Pærejuice", "store": None}
    assert [i.sku for i in catalog.search_items(db, "paere", "NORREBRO")] == ["9001"]
    assert catalog.search_items(db, "widget", "NORREBRO") == []
    entry, details = last(db, "item.update")
    assert entry["entity_id"] == "9001" and entry["staff_id"] == manager.id
    assert details["changes"]["vat_rate"] == {"old": 2500, "new": 1250, "store": None}
    assert catalog.update_item(db, manager, "9001", name="Pærejuice") == {}  # already so


def test_a_stores_own_name_is_edited_where_that_store_reads_it(db, manager):
    """K-7: with a store, the name and VAT rate change in its own entry (a store's
    catalog), the shared name stays; the store's till finds the new name."""
    changes = catalog.update_item(db, manager, "1001", name="Rugbrød grov", store_id="NORREBRO")
    assert changes["name"]["store"] == "NORREBRO"
    assert catalog.get_item(db, "1001", "NORREBRO").name == "Rugbrød grov"
    assert catalog.get_item(db, "1001").name == "Rugbrød"
    assert [i.sku for i in catalog.search_items(db, "grov", "NORREBRO")] == ["1001"]


def test_an_inactive_item_is_refused_by_name_at_the_till_and_stays_in_history(db, manager, cashier):
    """K-7: made inactive, the item is refused when scanned and in a sale, naming it;
    the sale made before still reports it; made active again, it sells."""
    sold = sales.record_sale(db, cashier, "T1", [LineInput("1001")], CARD).sale
    catalog.update_item(db, manager, "1001", active=False)
    with pytest.raises(catalog.InactiveItem, match=r"Rugbrød \(1001\) is no longer sold"):
        catalog.find_item(db, "1001", "NORREBRO")
    with pytest.raises(catalog.InactiveItem, match="no longer sold"):
        catalog.find_item(db, "5701234000011", "NORREBRO")  # by its barcode too
    with pytest.raises(NotFound, match="no longer sold"):
        sales.record_sale(db, cashier, "T1", [LineInput("1001")], CARD)
    assert catalog.search_items(db, "rugbr", "NORREBRO") == []
    assert [i.sku for i in catalog.search_items(db, "rugbr", "NORREBRO", inactive_too=True)] == [
        "1001"
    ]
    assert receipts.load_sale(db, sold.id).lines[0].sku == "1001"
    _entry, details = last(db, "item.update")
    assert details["changes"]["active"] == {"old": True, "new": False, "store": None}
    catalog.update_item(db, manager, "1001", active=True)
    assert sales.record_sale(db, cashier, "T1", [LineInput("1001")], CARD).sale.total > 0


def test_a_barcode_that_would_name_two_items_is_refused_and_nothing_changes(db, manager):
    """R-5, K-7: a barcode equal to another item's SKU or barcode is refused; an item
    has one barcode (remove it first); removing one it does not have is refused."""
    widget(db, manager)
    before = rows(db, "items", "audit_log")
    for code in ("1002", "5701234000011"):
        with pytest.raises(InputError, match="would name two items"):
            catalog.set_barcode(db, manager, "9001", code)
    with pytest.raises(InputError, match="already has the barcode 5700001"):
        catalog.add_barcode(db, manager, "9001", "5700002")
    with pytest.raises(NotFound, match="has no barcode 5700002"):
        catalog.remove_barcode(db, manager, "9001", "5700002")
    assert rows(db, "items", "audit_log") == before
    catalog.remove_barcode(db, manager, "9001", "5700001")
    catalog.add_barcode(db, manager, "9001", "5700002")
    assert catalog.find_item(db, "5700002", "NORREBRO").sku == "9001"
    _entry, details = last(db, "item.barcode")
    assert details == {"old": None, "new": "5700002"}


def test_price_changes_are_audited_with_the_old_price(db, manager):
    """K-7, R-7: set and cleared, each price entry records the price it replaced."""
    widget(db, manager)
    prices.set_price(db, manager, "9001", 1395, "DKK")
    _entry, details = last(db, "item.price")
    assert (details["old"], details["price"], details["currency"]) == (1250, 1395, "DKK")
    prices.set_price(db, manager, "9001", 1100, "DKK", "NORREBRO")
    assert last(db, "item.price")[1]["old"] is None
    prices.clear_price(db, manager, "9001", store_id="NORREBRO")
    assert last(db, "item.price_clear")[1]["old"] == 1100


def test_only_a_manager_edits_items(db, manager, cashier):
    """K-7: config.manage is needed for every edit; refused, nothing changes."""
    widget(db, manager)
    before = rows(db, "items", "item_prices", "audit_log")
    with pytest.raises(PermissionDenied):
        catalog.update_item(db, cashier, "9001", name="Gadget")
    with pytest.raises(PermissionDenied):
        catalog.set_barcode(db, cashier, "9001", None)
    with pytest.raises(PermissionDenied):
        item_admin.save_item(
            db, cashier, "9001", "NORREBRO", new=False, name="Gadget", vat_rate=2500,
            active=True, barcode=None, store_price=None, base_price=1250,
        )  # fmt: skip
    assert rows(db, "items", "item_prices", "audit_log") == before


def test_the_item_form_saves_whole_or_not_at_all(db, manager):
    """K-7: the back office's form: a barcode clash refuses the whole save (the new
    name and price are not kept); put right, every changed field is saved and audited."""
    widget(db, manager)
    form = dict(name="Gadget", vat_rate=2500, active=True, store_price=1100, base_price=1300)
    before = rows(db, "items", "item_prices", "audit_log")
    with pytest.raises(InputError, match="would name two items"):
        item_admin.save_item(db, manager, "9001", "NORREBRO", new=False, barcode="1001", **form)
    assert rows(db, "items", "item_prices", "audit_log") == before
    changed = item_admin.save_item(db, manager, "9001", "NORREBRO", new=False, barcode=None, **form)
    assert changed == ["name", "barcode", "store_price", "base_price"]
    item = catalog.find_item(db, "9001", "NORREBRO", priced=True)
    assert (item.name, item.price, item.barcode) == ("Gadget", 1100, None)
    assert prices.current(db, "9001", "DKK") == 1300
    history = item_admin.item_detail(db, "9001").history
    assert [c.action for c in history][:4] == [
        "item.price", "item.price", "item.barcode", "item.update"
    ]  # fmt: skip
    assert item_admin.describe(history[0], "en") == "price_DKK: DKK 12.50 \u2192 DKK 13.00"


def test_a_new_item_from_the_form_is_added_with_its_prices(db, manager):
    """K-7: the form adds an item with the store's own price; an existing SKU is refused."""
    changed = item_admin.save_item(
        db, manager, "9002", "NORREBRO", new=True, name="Te", vat_rate=2500, active=True,
        barcode=None, store_price=995, base_price=None,
    )  # fmt: skip
    assert changed == ["added", "store_price"]
    assert catalog.find_item(db, "9002", "NORREBRO", priced=True).price == 995
    with pytest.raises(InputError):
        item_admin.save_item(
            db, manager, "9002", "NORREBRO", new=True, name="Te", vat_rate=2500, active=True,
            barcode=None, store_price=995, base_price=None,
        )  # fmt: skip


CSV = "sku,name,vat,barcode,price_DKK\n"


def test_the_catalog_import_reports_added_changed_unchanged_and_refused(db, manager):
    """K-7: the report counts each kind of row and names every change (old, new); the
    audit entry carries the changes; a dry run reports the same and writes nothing."""
    widget(db, manager)
    catalog.add_item(db, manager, "9002", "Te", 995, 2500, currency="DKK")
    text = CSV + "9001,Widget,25,5700001,13.50\n9002,Te,25,,9.95\n9003,Kaffe,25,,45.00\n"
    before = rows(db, "items", "item_prices", "audit_log")
    dry = import_catalog(db, manager, text, dry_run=True)
    assert rows(db, "items", "item_prices", "audit_log") == before
    report = import_catalog(db, manager, text)
    for r in (dry, report):
        assert (r.added, r.unchanged, r.refused) == (["9003"], ["9002"], [])
        assert [(c.field, c.old, c.new) for c in r.changed["9001"]] == [("price_DKK", 1250, 1350)]
    _entry, details = last(db, "catalog.import")
    assert details["added"] == ["9003"] and details["changed"] == [
        ["9001", "price_DKK", 1250, 1350]
    ]
    catalog.update_item(db, manager, "9002", active=False)
    again = import_catalog(db, manager, text, dry_run=True)
    assert [(c.field, c.old, c.new) for c in again.changed["9002"]] == [("active", False, True)]


def test_a_catalog_with_refused_rows_loads_nothing_and_names_each_row(db, manager):
    """K-7, R-4, R-5: two bad rows: the import refuses naming the first and counting
    the other, nothing changes; the dry run lists both by line and the good row."""
    text = CSV + "9001,Widget,25,,12.50\n9002,Te,abc,,9.95\n9003,Kaffe,25,1001,45.00\n"
    before = rows(db, "items", "item_prices", "audit_log")
    with pytest.raises(CatalogRefused) as refused:
        import_catalog(db, manager, text)
    assert refused.value.message.startswith("Catalog line 3: ")
    assert "1 more row refused" in refused.value.message
    assert rows(db, "items", "item_prices", "audit_log") == before
    dry = import_catalog(db, manager, text, dry_run=True)
    assert [line for line, _why in dry.refused] == [3, 4] and dry.added == ["9001"]
    assert "would name two items" in dry.refused[1][1]


def test_a_stores_import_reports_its_own_prices_and_stock(db, manager):
    """K-7: with a store, what that store sells is compared: its price and stock."""
    report = import_catalog(
        db, manager, "sku,name,vat,price_DKK,on_hand\n1001,Rugbrød,25,33.95,41\n",
        store_id="NORREBRO", dry_run=True,
    )  # fmt: skip
    fields = {c.field: (c.old, c.new) for c in report.changed["1001"]}
    assert fields["price_DKK"] == (3295, 3395) and fields["on_hand"][1] == 41


def test_the_back_office_search_finds_inactive_items_and_barcodes(db, manager):
    """K-7, C-4: the back office finds an item by its scanned barcode and an inactive
    one by name; the till's search finds neither the inactive item nor a barcode."""
    catalog.update_item(db, manager, "1002", active=False)
    found = catalog.search_items(db, "5701234000011", "NORREBRO", inactive_too=True)
    assert [i.sku for i in found][:1] == ["1001"]
    assert catalog.search_items(db, "5701234000011", "NORREBRO") == []
    found = catalog.search_items(db, "fransk", "NORREBRO", inactive_too=True)
    assert [(i.sku, i.active) for i in found] == [("1002", False)]


def test_item_detail_lists_the_imports_that_changed_the_item(db, manager):
    """K-7: `item show`'s last changes include a catalog import's change of this item,
    old → new, and not an import that only touched other items."""
    widget(db, manager)
    import_catalog(db, manager, CSV + "9001,Widget,25,5700001,13.50\n")
    import_catalog(db, manager, CSV + "9002,Te,25,,9.95\n")
    history = item_admin.item_detail(db, "9001").history
    assert [c.action for c in history] == ["catalog.import", "item.price", "item.add"]
    assert item_admin.describe(history[0], "en") == (
        "catalog import: price_DKK: DKK 12.50 \u2192 DKK 13.50"
    )
