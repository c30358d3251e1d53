"""Prices carry their currency (SPEC R-7, M-1; core/catalog/prices.py, migration m011).

Demo stores: NORREBRO sells in DKK (2 decimals), REYKJAVIK in ISK (no decimals).
"""

from __future__ import annotations

import pytest

from core.catalog import items as catalog
from core.catalog import prices
from core.catalog.prices import NoPrice
from core.errors import InputError, NotFound
from core.money.tendering import TenderInput
from core.store import stores, terminals
from core.store.db import Db
from core.store.schema import migrations
from core.tills import basket, sales
from core.tills.basket import LineInput

CARD = [TenderInput("card")]


def add_widget(db, manager, price=1250, currency="DKK"):
    return catalog.add_item(db, manager, "9001", "Widget", price, 2500, currency=currency)


def test_an_item_priced_only_in_dkk_is_refused_at_scan_in_the_isk_store(
    db, manager, cashier, snapshot
):
    """R-7 (the issue's case): 9001 priced 12,50 DKK is refused in Reykjavík when it is
    scanned, by a message naming the item and ISK; nothing is recorded. It was sold
    there for 1250 ISK before."""
    add_widget(db, manager)
    with pytest.raises(NoPrice) as scanned:
        catalog.find_item(db, "9001", "REYKJAVIK", priced=True)
    assert "Widget" in scanned.value.message and "ISK" in scanned.value.message
    with pytest.raises(NoPrice, match="ISK"):
        basket.price_basket(db, cashier, "REYKJAVIK", [LineInput("1001"), LineInput("9001")])
    before = snapshot()
    with pytest.raises(NoPrice, match="Widget"):
        sales.record_sale(db, cashier, "R1", [LineInput("9001")], CARD)
    assert snapshot() == before


def test_a_dkk_price_sells_at_12_50_dkk_in_norrebro(db, manager, cashier):
    """R-7, M-1: the same item sells at its DKK price in the DKK store, in DKK."""
    add_widget(db, manager)
    assert catalog.find_item(db, "9001", "NORREBRO", priced=True).price == 1250
    sale = sales.record_sale(db, cashier, "T1", [LineInput("9001")], CARD).sale
    assert (sale.total, sale.currency, sale.lines[0].unit_price) == (1250, "DKK", 1250)


def test_no_currency_is_assumed_for_a_price(db, manager):
    """R-7: a bare amount is refused, in core and as typed; nothing is added."""
    with pytest.raises(InputError, match="currency"):
        catalog.add_item(db, manager, "9001", "Widget", 1250, 2500)
    assert db.one("SELECT 1 FROM items WHERE sku = '9001'") is None
    with pytest.raises(InputError, match="--price 12.50 DKK"):
        prices.parse_price("12.50", "en")
    assert prices.parse_price("12.50 DKK", "en") == (1250, "DKK")
    assert prices.parse_price("12,50", "da", currency="dkk") == (1250, "DKK")
    store = stores.get_store(db, "REYKJAVIK")
    assert prices.parse_price("1.250", "is", store=store) == (1250, "ISK")
    with pytest.raises(InputError, match="two currencies"):
        prices.parse_price("12.50 EUR", "en", store=stores.get_store(db, "NORREBRO"))
    with pytest.raises(InputError, match="Unknown currency"):
        prices.parse_price("12.50 XYZ", "en")


def test_isk_prices_have_no_decimals(db, manager):
    """M-1: amounts are parsed with the currency's exponent: ISK has none."""
    with pytest.raises(InputError, match="ISK"):
        prices.parse_price("12.50 ISK", "en")
    assert prices.parse_price("1250 ISK", "en") == (1250, "ISK")
    add_widget(db, manager)
    with pytest.raises(InputError):
        catalog.import_catalog(db, manager, "sku,name,vat,price_ISK\n9001,Widget,25,12.50\n")
    assert prices.prices_of(db, ["9001"])["9001"] == [prices.ItemPrice("9001", "DKK", 1250)]


def test_a_stores_own_price_wins_over_its_currencys_price(db, manager, cashier):
    """R-7: a store's own price (in its currency) beats the currency's price there; another
    store of the same currency keeps the currency's; clearing it falls back."""
    add_widget(db, manager)
    stores.add_store(
        db, manager, "AARHUS", "Aarhus", currency="DKK", timezone="Europe/Copenhagen", locale="da"
    )
    terminals.add_terminal(db, manager, "A1", "AARHUS", "Kasse A1", {"kind": "none"})
    prices.set_price(db, manager, "9001", 1100, "DKK", "NORREBRO")
    assert catalog.find_item(db, "9001", "NORREBRO").price == 1100
    assert catalog.find_item(db, "9001", "AARHUS").price == 1250
    assert sales.record_sale(db, cashier, "T1", [LineInput("9001")], CARD).sale.total == 1100
    assert sales.record_sale(db, cashier, "A1", [LineInput("9001")], CARD).sale.total == 1250
    with pytest.raises(InputError, match="ISK"):
        prices.set_price(db, manager, "9001", 900, "ISK", "NORREBRO")
    prices.clear_price(db, manager, "9001", store_id="NORREBRO")
    assert catalog.find_item(db, "9001", "NORREBRO").price == 1250
    prices.set_price(db, manager, "9001", 1000, "ISK", "REYKJAVIK")  # own price, no ISK one
    assert catalog.find_item(db, "9001", "REYKJAVIK", priced=True).price == 1000
    kinds = [r[0] for r in db.all("SELECT action FROM audit_log WHERE entity_id = '9001'")]
    assert kinds.count("item.price") == 3 and "item.price_clear" in kinds  # K-7: audited


def test_a_price_that_is_cleared_is_refused_at_the_next_scan(db, manager):
    """R-7: removing the last price in a currency makes the store refuse the item."""
    add_widget(db, manager)
    prices.clear_price(db, manager, "9001", "DKK")
    with pytest.raises(NoPrice, match="DKK"):
        catalog.find_item(db, "9001", "NORREBRO", priced=True)
    with pytest.raises(NotFound, match="no price in DKK"):
        prices.clear_price(db, manager, "9001", "DKK")


def _old_database(path, clock, with_stores: bool) -> Db:
    """A database at the schema before m011 (items.price and store_items.price bare)."""
    db = Db(path, clock=clock, migrate=False)
    with db.write():
        migrations.apply(db.sql, stop_before="m011_price_currency")
        if with_stores:
            db.executemany(
                "INSERT INTO stores (id, name, currency, timezone, locale, created_at)"
                " VALUES (?, ?, ?, 'UTC', 'en', '2026-01-01T00:00:00.000000Z')",
                [("NORREBRO", "N", "DKK"), ("AARHUS", "A", "DKK"), ("REYKJAVIK", "R", "ISK")],
            )
        db.executemany(
            "INSERT INTO items (sku, name, price, vat_rate) VALUES (?, ?, ?, 2500)",
            [("9001", "Widget", 1250), ("1001", "Rugbrød", 3295), ("1002", "Franskbrød", 100)],
        )
        if with_stores:
            db.executemany(
                "INSERT INTO store_items (store_id, sku, price, vat_rate) VALUES (?, ?, ?, 2500)",
                [
                    ("NORREBRO", "1001", 3000),
                    ("REYKJAVIK", "1001", 690),
                    ("NORREBRO", "1002", 2450),
                    ("AARHUS", "1002", 2400),
                    ("REYKJAVIK", "1002", 520),
                ],
            )
    return db


def test_the_migration_gives_every_old_price_the_currency_of_the_stores_that_used_it(
    tmp_path, clock
):
    """R-7, M-1 (m011): a store's own price keeps its store's currency; the shared
    items.price becomes a price in the currency of each store that sold at it, so no
    store's price changes; the bare columns are gone."""
    db = _old_database(tmp_path / "old.db", clock, with_stores=True)
    before = {
        (r["store_id"], r["sku"]): r["price"]
        for r in db.all(
            "SELECT st.id AS store_id, i.sku, COALESCE(si.price, i.price) AS price"
            " FROM items i, stores st"
            " LEFT JOIN store_items si ON si.sku = i.sku AND si.store_id = st.id"
        )
    }
    db.migrate()
    assert {r["name"] for r in db.all("PRAGMA table_info(items)")} >= {"sku", "vat_rate"}
    assert "price" not in {r["name"] for r in db.all("PRAGMA table_info(items)")}
    assert "price" not in {r["name"] for r in db.all("PRAGMA table_info(store_items)")}
    got = prices.prices_of(db)
    assert got["9001"] == [
        prices.ItemPrice("9001", "DKK", 1250),
        prices.ItemPrice("9001", "ISK", 1250),
    ]
    assert got["1001"] == [
        prices.ItemPrice("1001", "DKK", 3295),  # AARHUS sold at the shared price
        prices.ItemPrice("1001", "DKK", 3000, "NORREBRO"),
        prices.ItemPrice("1001", "ISK", 690, "REYKJAVIK"),
    ]
    assert [p.store_id for p in got["1002"]] == ["AARHUS", "NORREBRO", "REYKJAVIK"]
    after = {(store, sku): catalog.get_item(db, sku, store).price for store, sku in before}
    assert after == before
    db.close()


def test_the_migration_reads_a_storeless_price_as_the_old_default_dkk(tmp_path, clock):
    """m011: with no store, the amount was parsed the only way the old command line could
    (its --currency default): it becomes a DKK price, not a bare number."""
    db = _old_database(tmp_path / "old.db", clock, with_stores=False)
    db.migrate()
    assert {p.currency for ps in prices.prices_of(db).values() for p in ps} == {"DKK"}
    assert prices.prices_of(db)["9001"] == [prices.ItemPrice("9001", "DKK", 1250)]
    db.close()


def test_catalog_export_and_import_carry_each_price_with_its_currency(db, manager, clock):
    """R-7: the export names every price's currency (price_DKK, price_ISK columns) and
    importing it into an empty database gives the same prices; a store's export,
    imported into that store, gives what the store sells."""
    add_widget(db, manager)
    prices.set_price(db, manager, "9001", 1300, "ISK")
    catalog.import_catalog(db, manager, "sku,name,vat,price_DKK,price_ISK\n7001,Te,25,9.95,\n")
    text = catalog.export_catalog(db)
    assert text.splitlines()[0] == "sku,name,vat,barcode,price_DKK,price_ISK"
    assert "9001,Widget,25.00,,12.50,1300" in text.splitlines()
    fresh = Db(":memory:", clock=clock)
    assert catalog.import_catalog(fresh, None, text).total == len(catalog.list_items(db))
    shared = {
        sku: [p for p in ps if p.store_id is None] for sku, ps in prices.prices_of(db).items()
    }
    assert prices.prices_of(fresh) == {sku: ps for sku, ps in shared.items() if ps}
    fresh.close()

    shop = catalog.export_catalog(db, "REYKJAVIK", "is")
    assert shop.splitlines()[0] == "sku,name,vat,barcode,price_ISK,on_hand"
    catalog.import_catalog(db, manager, shop, None, "is", "REYKJAVIK")
    assert catalog.export_catalog(db, "REYKJAVIK", "is") == shop


def test_a_catalog_whose_prices_have_no_currency_is_refused(db, manager, snapshot):
    """R-7: a bare price column needs a currency named by the caller (or the store's);
    a store's file holds prices in its own currency only; nothing is loaded otherwise."""
    before = snapshot()
    items = catalog.export_catalog(db)
    for text, store in (
        ("sku,name,price,vat\n9001,Widget,12.50,25\n", None),
        ("sku,name,vat\n9001,Widget,25\n", None),
        ("sku,name,vat,price_ISK\n9001,Widget,25,1250\n", "NORREBRO"),
        ("sku,name,vat,price_DKK,price_dkk\n9001,Widget,25,1.00,2.00\n", None),
    ):
        with pytest.raises(InputError):
            catalog.import_catalog(db, manager, text, None, "en", store)
    assert snapshot() == before and catalog.export_catalog(db) == items
    catalog.import_catalog(db, manager, "sku,name,price,vat\n9001,Widget,12.50,25\n", "EUR")
    assert prices.prices_of(db, ["9001"])["9001"] == [prices.ItemPrice("9001", "EUR", 1250)]
    catalog.import_catalog(
        db, manager, "sku,name,price,vat\n9001,Widget,12.00,25\n", None, "en", "NORREBRO"
    )
    assert catalog.find_item(db, "9001", "NORREBRO").price == 1200
