"""K-7 on the command line: `kassi item set / barcode / show` and the catalog import's
report (counts; --verbose and --dry-run list each change; --dry-run changes nothing)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.kassi_command import CASHIER, MANAGER, Kassi

EN = ("--lang", "en")


def test_item_set_changes_name_vat_and_active_and_show_lists_the_changes(cli: Kassi) -> None:
    """K-7: each change is echoed old → new; `item show` has the fields, prices per
    currency and store, and the last changes from the audit log; inactive is not sold."""
    out = cli.ok(*EN, "item", "set", "1002", "--name", "Franskbrød stor", "--vat", "12.5", *MANAGER)
    assert "1002 name: Franskbrød → Franskbrød stor" in out
    assert "1002 vat: 25.00 % → 12.50 %" in out
    out = cli.ok(*EN, "item", "set", "1002", "--inactive", *MANAGER)
    assert "1002 active: yes → no" in out
    err = cli.fails(2, *EN, "sale", "--terminal", "T1", "--item", "1002", "--pay", "card", *CASHIER)
    assert "(1002) is no longer sold" in err and len(err.splitlines()) == 1
    cli.ok(*EN, "item", "price", "1002", "26.00", "--store", "NORREBRO", *MANAGER)
    show = cli.ok(*EN, "item", "show", "1002")
    assert "Franskbrød stor" in show and "12.50 %" in show and "no, not sold" in show
    assert "NORREBRO: DKK 26.00" in show and "REYKJAVIK: ISK" in show
    assert "price_DKK: DKK 24.50 → DKK 26.00 (NORREBRO)" in show
    assert "active: yes → no" in show and "name: Franskbrød → Franskbrød stor" in show
    data = cli.json(*EN, "item", "show", "1002")
    assert data["active"] is False and data["changes"][0]["action"] == "item.price"
    listed = {i["sku"]: i for i in cli.json(*EN, "item", "list")}
    assert listed["1002"]["active"] is False and listed["1001"]["active"] is True
    assert "already was so" in cli.ok(*EN, "item", "set", "1002", "--inactive", *MANAGER)


def test_item_set_refuses_bad_input_and_a_cashier_in_one_line(cli: Kassi) -> None:
    """R-4, K-7: nothing to change, a bad VAT rate, an unknown SKU, a cashier: one line
    each, nothing changed."""
    before = cli.snapshot()
    for code, args in (
        (2, ("item", "set", "1001", *MANAGER)),
        (2, ("item", "set", "1001", "--vat", "101", *MANAGER)),
        (2, ("item", "set", "NOPE", "--name", "X", *MANAGER)),
        (3, ("item", "set", "1001", "--name", "X", *CASHIER)),
        (2, ("item", "barcode", "1001", *MANAGER)),
    ):
        err = cli.fails(code, *EN, *args)
        assert len(err.splitlines()) == 1, err
    assert cli.snapshot() == before


def test_item_barcode_adds_and_removes_with_the_clash_rule(cli: Kassi) -> None:
    """R-5, K-7: a barcode that is another item's SKU is refused; one barcode per item."""
    before = cli.snapshot()
    err = cli.fails(2, *EN, "item", "barcode", "1001", "--add", "5709", *MANAGER)
    assert "already has the barcode 5701234000011" in err
    assert cli.snapshot() == before
    cli.ok(*EN, "item", "barcode", "1001", "--remove", "5701234000011", *MANAGER)
    before = cli.snapshot()
    err = cli.fails(2, *EN, "item", "barcode", "1001", "--add", "1002", *MANAGER)
    assert "would name two items" in err
    assert cli.snapshot() == before
    assert "1001 has the barcode 5709." in cli.ok(
        *EN, "item", "barcode", "1001", "--add", "5709", *MANAGER
    )
    sale = cli.json(*EN, "sale", "--terminal", "T1", "--item", "5709", "--pay", "card", *CASHIER)
    assert sale["lines"][0]["sku"] == "1001"
    assert "barcode: 5701234000011 → —" in cli.ok(*EN, "item", "show", "1001")


def test_catalog_import_reports_what_it_changed_and_dry_run_changes_nothing(
    cli: Kassi, tmp_path: Path
) -> None:
    """K-7: counts of added / changed / unchanged / refused; --dry-run and --verbose list
    each change old → new; --dry-run leaves the database as it was."""
    cli.ok(*EN, "item", "add", "9001", "--name", "Widget", "--vat", "25", "--price", "12.50 DKK",
           *MANAGER)  # fmt: skip
    cli.ok(*EN, "item", "add", "9002", "--name", "Te", "--vat", "25", "--price", "9.95 DKK",
           *MANAGER)  # fmt: skip
    csv = tmp_path / "items.csv"
    csv.write_text(
        "sku,name,vat,price_DKK\n9001,Widget,25,13.50\n9002,Te,25,9.95\n9003,Kaffe,25,45.00\n",
        "utf-8",
    )
    before = cli.snapshot()
    dry = cli.ok(*EN, "catalog", "import", str(csv), "--dry-run", *MANAGER)
    assert cli.snapshot() == before
    assert "Dry run, nothing changed: 3 items would be imported" in dry
    assert "1 added, 1 changed, 1 unchanged, 0 refused" in dry
    assert "9001 price_DKK: DKK 12.50 → DKK 13.50" in dry and "9003: added" in dry
    quiet = cli.ok(*EN, "catalog", "import", str(csv), *MANAGER)
    assert quiet.splitlines() == ["3 items imported (1 added, 1 changed, 1 unchanged, 0 refused)."]
    again = cli.ok(*EN, "catalog", "import", str(csv), "--verbose", *MANAGER)
    assert "0 added, 0 changed, 3 unchanged" in again
    assert "price_DKK: DKK 12.50 → DKK 13.50" in cli.ok(*EN, "item", "show", "9001")


def test_a_catalog_with_bad_rows_is_refused_in_one_line_and_the_dry_run_lists_them(
    cli: Kassi, tmp_path: Path
) -> None:
    """K-7, R-4: two bad rows: one line naming the first and counting the rest,
    nothing imported; the dry run lists each refused line."""
    csv = tmp_path / "bad.csv"
    csv.write_text("sku,name,vat,price_DKK\n9001,Widget,25,1.00\n9002,Te,x,1\n9003,,25,1\n")
    before = cli.snapshot()
    err = cli.fails(2, *EN, "catalog", "import", str(csv), *MANAGER)
    assert err.startswith("Error: Catalog line 3: ") and "1 more row refused" in err
    assert cli.snapshot() == before
    dry = cli.ok(*EN, "catalog", "import", str(csv), "--dry-run", *MANAGER)
    assert "1 added, 0 changed, 0 unchanged, 2 refused" in dry
    assert "line 3: refused:" in dry and "line 4: refused:" in dry
