"""R-7 on the command line: no price without its currency, an unpriced item refused
when the sale is entered, prices set and cleared, the catalog exported and read back."""

from __future__ import annotations

from pathlib import Path

from tests.integration.kassi_command import CASHIER, MANAGER, Kassi

WIDGET = ("item", "add", "9001", "--name", "Widget", "--vat", "25")


def test_item_add_without_a_currency_is_refused_and_adds_nothing(cli: Kassi) -> None:
    """R-7: `item add 9001 --price 12.50` names no currency: a one-line message that says
    how to give one, exit 2, nothing changed. ISK with decimals is refused too (M-1)."""
    before = cli.snapshot()
    err = cli.fails(2, *WIDGET, "--price", "12.50", *MANAGER)
    assert "--price 12.50 DKK" in err and "--currency" in err and len(err.splitlines()) == 1
    err = cli.fails(2, *WIDGET, "--price", "12.50 ISK", *MANAGER)
    assert "ISK" in err
    assert cli.snapshot() == before


def test_a_dkk_price_sells_in_norrebro_and_is_refused_in_reykjavik(cli: Kassi) -> None:
    """R-7 (the issue's case): 12.50 DKK sells 12,50 DKK in Nørrebro; in Reykjavík the
    sale is refused naming the item and ISK, and nothing is recorded."""
    cli.ok(*WIDGET, "--price", "12.50 DKK", *MANAGER)
    before = cli.snapshot()
    err = cli.fails(2, "sale", "--terminal", "R1", "--item", "9001", "--pay", "card", *CASHIER)
    assert "Widget" in err and "ISK" in err, err
    assert cli.snapshot() == before
    sale = cli.json("sale", "--terminal", "T1", "--item", "9001", "--pay", "card", *CASHIER)
    assert (sale["total"], sale["currency"]) == ("12.50", "DKK")


def test_item_price_sets_and_clears_prices_per_currency_and_store(cli: Kassi) -> None:
    """R-7: `item price SKU AMOUNT CURRENCY`, `--store S` for the store's own price (its
    currency), `item clear-price`; the lists show each price in its currency's format."""
    cli.ok(*WIDGET, "--currency", "DKK", "--price", "12.50", *MANAGER)
    cli.ok("item", "price", "9001", "1250", "ISK", *MANAGER)
    cli.ok("--lang", "da", "item", "price", "9001", "11,00", "--store", "NORREBRO", *MANAGER)
    err = cli.fails(2, "item", "price", "9001", "5.00", "EUR", "--store", "NORREBRO", *MANAGER)
    assert "EUR" in err
    assert "ISK 1,250" in cli.ok("--lang", "en", "item", "list")
    isk = {i["sku"]: i for i in cli.json("item", "list", "--store", "REYKJAVIK")}
    assert (isk["9001"]["price"], isk["9001"]["currency"]) == ("1250", "ISK")
    assert "11,00 kr." in cli.ok("--lang", "da", "item", "list", "--store", "NORREBRO")
    cli.ok("item", "clear-price", "9001", "--store", "NORREBRO", *MANAGER)
    dkk = {i["sku"]: i for i in cli.json("item", "list", "--store", "NORREBRO")}
    assert dkk["9001"]["price"] == "12.50"
    cli.ok("item", "clear-price", "9001", "ISK", *MANAGER)
    isk = {i["sku"]: i for i in cli.json("item", "list", "--store", "REYKJAVIK")}
    assert isk["9001"]["price"] is None
    assert "no price" in cli.ok("--lang", "en", "item", "list", "--store", "REYKJAVIK")


def test_catalog_export_then_import_keeps_every_price_and_its_currency(
    cli: Kassi, tmp_path: Path
) -> None:
    """R-7: `catalog export` writes price_<CURRENCY> columns; importing the file back
    changes no price; a file whose prices have no currency is refused."""
    cli.ok(*WIDGET, "--price", "12.50 DKK", *MANAGER)
    cli.ok("item", "price", "9001", "1250", "ISK", *MANAGER)
    out = tmp_path / "catalog.csv"
    cli.ok("--lang", "en", "catalog", "export", "-o", str(out))
    assert out.read_text("utf-8").splitlines()[0] == "sku,name,vat,barcode,price_DKK,price_ISK"
    listed = cli.json("item", "list")
    cli.ok("--lang", "en", "catalog", "import", str(out), *MANAGER)
    assert cli.json("item", "list") == listed
    # A store's file: what it sells, read back as its own prices; it sells the same.
    shop = tmp_path / "shop.csv"
    sold = cli.json("item", "list", "--store", "REYKJAVIK")
    cli.ok("--lang", "en", "catalog", "export", "--store", "REYKJAVIK", "-o", str(shop))
    cli.ok("--lang", "en", "catalog", "import", str(shop), "--store", "REYKJAVIK", *MANAGER)
    assert cli.json("item", "list", "--store", "REYKJAVIK") == sold
    bare = tmp_path / "bare.csv"
    bare.write_text("sku,name,price,vat\n9002,Gadget,3.00,25\n", "utf-8")
    before = cli.snapshot()
    assert "currency" in cli.fails(2, "--lang", "en", "catalog", "import", str(bare), *MANAGER)
    assert cli.snapshot() == before
