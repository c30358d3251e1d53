"""The bad setup inputs and tracebacks of issue 10, each through the real CLI (R-4, R-5).

Each case: a one-line message on stderr, a non-zero exit, and the database as it
was. Run in-process (tests.integration.cli_fuzz_support) on a copy of a demo
database with a closed session, a sale and a statement.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.cli_fuzz_support import copy_db, dump, make_template, problems, run

pytestmark = pytest.mark.integration

HUGE = "99999999999999999999999"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("edge-template"))


@pytest.fixture
def db(template, tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return copy_db(template, tmp_path)


def refused(db: Path, args: list[str], message: str, stdin: str | None = None) -> str:
    """Run ``args``: it must fail with ``message`` in one line and change nothing."""
    before = dump(db)
    outcome = run(db, args, stdin)
    assert outcome.code in (2, 3), (outcome.code, outcome.stderr)
    assert not problems(outcome), problems(outcome)
    assert message in outcome.stderr, outcome.stderr
    assert dump(db) == before
    return outcome.stderr


def ok(db: Path, args: list[str]) -> str:
    outcome = run(db, args)
    assert outcome.code == 0, outcome.stderr
    return outcome.stdout


def _sold_sku(db: Path) -> str:
    out = json.loads(
        ok(db, ["sale", "--terminal", "T1", "--item", "1002", "--pay", "card", "--json"])
    )
    return out["lines"][0]["sku"]


# -- barcodes and SKUs ------------------------------------------------------------


def test_a_barcode_that_is_another_items_sku_is_refused(db):
    """R-5: `item add P7 --barcode 1002` (1002 is Franskbrød's SKU) is refused, and
    scanning 1002 still sells Franskbrød."""
    refused(
        db,
        [
            "item",
            "add",
            "P7",
            "--name",
            "P7",
            "--price",
            "1.00 DKK",
            "--vat",
            "25",
            "--barcode",
            "1002",
        ],
        "a barcode may not be another item's SKU or barcode",
    )
    assert _sold_sku(db) == "1002"


def test_a_barcode_that_is_another_items_barcode_is_refused(db):
    """R-5: a barcode already on another item is refused with a message, not a bare
    UNIQUE constraint."""
    refused(
        db,
        ["item", "add", "P7", "--name", "P7", "--price", "1 DKK", "--vat", "25"]
        + ["--barcode", "5701234000028"],
        "would name two items",
    )


def test_a_sku_that_is_another_items_barcode_is_refused(db):
    """R-5, the other direction: a new SKU equal to another item's barcode."""
    refused(
        db,
        ["item", "add", "5701234000028", "--name", "P7", "--price", "1 DKK", "--vat", "25"],
        "would name two items (1002 and 5701234000028)",
    )


def test_the_database_refuses_a_barcode_clash_written_directly(db):
    """R-5: the m013 triggers refuse a clash that bypasses core (a direct write)."""
    conn = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="R-5"):
            conn.execute("UPDATE items SET barcode = '1002' WHERE sku = '1001'")
        with pytest.raises(sqlite3.IntegrityError, match="R-5"):
            conn.execute("INSERT INTO items (sku, name, vat_rate) VALUES ('5701234000011', 'x', 0)")
        conn.execute("UPDATE items SET barcode = '1001' WHERE sku = '1001'")  # its own SKU
    finally:
        conn.close()


def test_a_duplicate_barcode_in_a_catalog_csv_is_named_by_its_line(db, tmp_path):
    """R-4/R-5: two rows with one barcode: both line numbers are named, nothing loaded."""
    csv = tmp_path / "dupes.csv"
    csv.write_text("sku,name,price_DKK,vat,barcode\n9001,A,1.00,25,77\n9002,B,1.00,25,77\n")
    refused(
        db, ["catalog", "import", str(csv)], "Catalog line 3: 77 is already a barcode on line 2"
    )


def test_a_catalog_barcode_equal_to_an_existing_sku_is_named_by_its_line(db, tmp_path):
    """R-5 in an import: the row's barcode is another item's SKU."""
    csv = tmp_path / "clash.csv"
    csv.write_text("sku,name,price_DKK,vat,barcode\n9001,A,1.00,25,\n9002,B,1.00,25,1003\n")
    refused(db, ["catalog", "import", str(csv)], "Catalog line 3: Code 1003 would name two items")


# -- booleans ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected", [("TRUE", True), ("On", True), ("YES", True), ("1", True), ("Off", False)]
)
def test_a_store_boolean_is_read_in_any_case(db, text, expected):
    """R-5: track_cash=TRUE turns cash tracking on (it was silently off)."""
    ok(db, ["session", "close", "--terminal", "T1", "--counted", "500.00", "--leave", "500.00"])
    ok(db, ["store", "set", "NORREBRO", "track_cash=off"])
    ok(db, ["store", "set", "NORREBRO", f"track_cash={text}"])
    stores = {s["id"]: s for s in json.loads(ok(db, ["store", "list", "--json"]))}
    assert stores["NORREBRO"]["track_cash"] is expected


@pytest.mark.parametrize("text", ["maybe", "", "2", "enabled", "tru"])
def test_a_store_boolean_that_is_not_on_or_off_is_refused(db, text):
    """R-5: anything but on/off/true/false/yes/no/1/0 is refused, not read as off."""
    refused(db, ["store", "set", "NORREBRO", f"track_cash={text}"], "track_cash is on or off")


# -- names and notes --------------------------------------------------------------


def test_a_100000_character_item_name_is_refused(db):
    """R-4: names have a length limit (80 for an item)."""
    refused(
        db,
        ["item", "add", "P8", "--name", "a" * 100_000, "--price", "1 DKK", "--vat", "25"],
        "at most 80 characters",
    )


def test_an_empty_store_name_is_refused(db):
    """R-4: a store needs a name; blanks are not one."""
    args = ["store", "add", "S9", "--currency", "DKK", "--timezone", "Europe/Copenhagen"]
    refused(db, [*args, "--locale", "da", "--name", "  "], "A name is required")


@pytest.mark.parametrize("bad", ["\x1b[2J\x1b[H", "A\x07", "A\u202eB", "A\x00B", "A\x9bB", "A\nB"])
def test_a_name_with_a_control_character_is_refused(db, bad):
    """R-4 (R-6 at entry): control, escape and bidi-override characters in a name."""
    refused(db, ["customer", "add", "C9", "--name", bad], "control character")


def test_a_note_may_hold_tabs_and_newlines_but_no_escape(db):
    """R-4: a note keeps tab and newline; ESC and other controls are refused."""
    refused(
        db,
        ["session", "adjust", "--terminal", "T1", "--add", "10.00", "--note", "\x1b]0;owned\a"],
        "control character",
    )
    ok(db, ["session", "adjust", "--terminal", "T1", "--add", "10.00", "--note", "a\tb\nc"])


# -- numbers ----------------------------------------------------------------------


def test_unicode_digits_in_a_quantity_are_refused(db):
    """R-4: `--item 1001x٣` was sold as 3; only ASCII digits are numbers."""
    refused(db, ["sale", "--terminal", "T1", "--item", "1001x٣", "--pay", "card"], "SKUxQTY")


def test_unicode_digits_in_an_amount_are_refused(db):
    """R-4: an amount in Arabic-Indic or full-width digits is not an amount."""
    refused(
        db, ["session", "adjust", "--terminal", "T1", "--add", "١٠", "--note", "x"], "not an amount"
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["session", "show", HUGE], "The session number must be from 1 to"),
        (["print", "session", HUGE], "The session number must be from 1 to"),
        (["statement", "show", HUGE], "The statement number must be from 1 to"),
        (["print", "receipt", HUGE, "--terminal", "T1", "--text"], "The receipt number"),
        (["refund", "--terminal", "T1", "--receipt", HUGE, "--item", "1001"], "is not a receipt"),
        (["session", "list", "--limit", HUGE], "The limit must be from 1 to"),
        (["statement", "list", "--limit", HUGE], "The limit must be from 1 to"),
        (["export", "transactions", "--since", HUGE], "The cursor must be from 0 to"),
        (["print", "pending", "--terminal", "T1", "--cancel", HUGE], "The print job number"),
        (
            ["session", "open", "--terminal", "T2", "--count", f"200={HUGE}"],
            "A count must be from 0 to",
        ),
        (["discount", "limit", "cashier", HUGE], "A discount limit in percent must be from 0"),
        (["store", "set", "NORREBRO", "min_pin_length=" + "9" * 5000], "minimum PIN length"),
    ],
)
def test_a_huge_number_is_refused_without_a_traceback(db, args, message):
    """R-4: integers beyond SQLite's 64 bits were an OverflowError traceback."""
    refused(db, args, message)


# -- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        [
            "statement",
            "create",
            "--store",
            "NORREBRO",
            "--from",
            "0001-01-01",
            "--to",
            "9999-12-31",
        ],
        ["statement", "create", "--store", "NORREBRO", "--date", "9999-12-31"],
        ["report", "overview", "--store", "NORREBRO", "--from", "0001-01-01", "--to", "2026-01-01"],
        ["statement", "run", "--store", "NORREBRO", "--date", "1999-12-31"],
    ],
)
def test_a_date_outside_2000_to_2099_is_refused(db, args):
    """R-4: extreme dates were an OverflowError traceback."""
    refused(db, args, "A date must be from 2000-01-01 to 2099-12-31")


# -- JSON and files ---------------------------------------------------------------


def test_deeply_nested_printer_json_is_refused(db):
    """R-4: `--printer` with deep nesting was a RecursionError traceback."""
    refused(
        db,
        ["terminal", "add", "T9", "--store", "NORREBRO", "--printer", "[" * 10_000],
        "nested too deeply",
    )


def _transfer_file(db: Path, tmp_path: Path) -> list[dict]:
    out = tmp_path / "export.jsonl"
    ok(db, ["export", "transactions", "-o", str(out)])
    return [json.loads(line) for line in out.read_text().splitlines()]


def _write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_huge_quantity_in_a_transfer_file_is_refused(db, template, tmp_path):
    """R-4: a JSON Lines qty beyond 64 bits was an OverflowError traceback."""
    records = _transfer_file(db, tmp_path)
    sale = next(r for r in records if r["type"] == "sale")
    sale["lines"][0]["qty"] = 10**30
    path = _write_jsonl(tmp_path / "huge.jsonl", records)
    head_office = tmp_path / "head-office.db"
    ok(head_office, ["init", "--demo"])
    refused(head_office, ["import", "transactions", str(path)], "'qty' is too large")


def test_deeply_nested_json_in_a_transfer_file_is_refused(db, tmp_path):
    """R-4: a deeply nested JSON Lines record was a RecursionError traceback."""
    records = _transfer_file(db, tmp_path)
    path = tmp_path / "nested.jsonl"
    path.write_text(json.dumps(records[0]) + "\n" + "[" * 10_000 + "\n")
    refused(db, ["import", "transactions", str(path)], "line 2: the record is nested too deeply")


def test_a_latin1_catalog_csv_is_refused_naming_the_encoding(db, tmp_path):
    """R-4: a Latin-1 CSV was a UnicodeDecodeError traceback; now a message that says UTF-8."""
    csv = tmp_path / "latin1.csv"
    csv.write_bytes("sku,name,price_DKK,vat\n9001,Pærejuice,12.50,25\n".encode("latin-1"))
    refused(db, ["catalog", "import", str(csv)], "is not UTF-8")


def test_a_catalog_csv_with_a_utf8_bom_is_imported(db, tmp_path):
    """R-4: a spreadsheet's "CSV UTF-8" starts with a BOM: it was "needs the columns"."""
    csv = tmp_path / "bom.csv"
    csv.write_bytes("\ufeffsku,name,price_DKK,vat\n9001,Pærejuice,12.50,25\n".encode())
    assert "1 item imported" in ok(db, ["catalog", "import", str(csv)])
    items = {i["sku"]: i for i in json.loads(ok(db, ["item", "list", "--json"]))}
    assert items["9001"]["name"] == "Pærejuice"


def test_negative_stock_in_a_catalog_import_is_refused(db, tmp_path):
    """R-4: a negative on_hand was imported."""
    csv = tmp_path / "stock.csv"
    csv.write_text("sku,name,price_DKK,vat,on_hand\n9001,A,1.00,25,3\n9002,B,1.00,25,-5\n")
    refused(
        db,
        ["catalog", "import", str(csv), "--store", "NORREBRO"],
        "Catalog line 3: Stock on hand must be from 0",
    )


def test_an_unexpected_error_is_one_internal_error_line_with_exit_70(db, monkeypatch):
    """R-4: a bug is not hidden: one "internal error" line and exit 70, no traceback."""
    from core.store import stores

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(stores, "list_stores", broken)
    outcome = run(db, ["store", "list"])
    assert outcome.code == 70
    assert outcome.stderr == "internal error: ZeroDivisionError: boom\n"
