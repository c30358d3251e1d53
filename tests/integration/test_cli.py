"""The real `kassi` command, run as a subprocess on a database file.

Read commands' --json must parse, with amounts as decimal strings ("1234.50"),
never JSON numbers. Errors go to stderr with a non-zero exit (3 for a missing
permission or a wrong PIN) and change nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.integration.kassi_command import CASHIER, MANAGER, Kassi, cli_kassi

pytestmark = pytest.mark.integration


SESSION_KEYS = {
    "id",
    "terminal",
    "status",
    "opened_at",
    "opened_by",
    "opening_float",
    "opening_discrepancy",
    "adjustments",
    "payments_by_tender",
    "sales_total",
    "expected_cash",
    "counted_cash",
    "closing_discrepancy",
    "left_in_drawer",
    "cash_removed",
    "closed_at",
    "closed_by",
}
DECIMAL_2 = re.compile(r"^-?\d+\.\d\d$")


def test_init_demo_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "store.db"
    k = cli_kassi(path)
    out = k.ok("--db", str(path), "init", "--demo")
    assert str(path) in out
    assert path.exists()
    stores = {s["id"]: s for s in json.loads(k.ok("store", "list", "--json"))}
    assert set(stores) == {"NORREBRO", "REYKJAVIK"}
    assert (stores["NORREBRO"]["currency"], stores["NORREBRO"]["locale"]) == ("DKK", "da")
    terminals = k.json("terminal", "list")
    assert {t["id"] for t in terminals} == {"T1", "T2", "R1"}
    assert {t["id"] for t in k.json("tender", "list")} >= {"cash", "card"}
    staff = k.json("staff", "list")
    assert {s["id"] for s in staff} == {"1", "2", "3"}
    assert "pin" not in json.dumps(staff).lower()
    assert {c["id"] for c in k.json("customer", "list")} >= {"WALKIN", "C1001"}
    items = k.json("item", "list", "--store", "NORREBRO")
    assert items and all(DECIMAL_2.match(i["price"]) for i in items)
    isk = k.json("item", "list", "--store", "REYKJAVIK")
    assert all(re.fullmatch(r"\d+", i["price"]) for i in isk)  # ISK has no decimals
    # Loading the demo twice is refused and changes nothing.
    before = k.snapshot()
    assert "already" in k.fails(2, "init", "--demo")
    assert k.snapshot() == before


def test_store_list_json_amounts_are_decimal_strings(cli: Kassi) -> None:
    stores = {s["id"]: s for s in cli.json("store", "list")}
    assert stores["NORREBRO"]["cash_rounding"] == "0.50"
    assert stores["NORREBRO"]["max_posting_difference"] == "50.00"
    assert stores["REYKJAVIK"]["max_posting_difference"] == "500"


def test_session_close_json_by_a_cashier(cli: Kassi) -> None:
    cli.ok("sale", "--terminal", "T1", "--item", "1001", "--pay", "card", *CASHIER)
    closed = cli.json(
        "session", "close", "--terminal", "T1", "--counted", "0", "--leave", "0", *CASHIER
    )
    assert closed["status"] == "closed"


def test_session_lifecycle_open_adjust_sell_close_show_list(cli: Kassi) -> None:
    assert "Session 1" in cli.ok(
        "session", "open", "--terminal", "T1", "--float", "1.500,00", "--note", "morning", *MANAGER
    )
    cli.ok("session", "adjust", "--terminal", "T1", "--add", "200,00", "--note", "change", *CASHIER)
    cli.ok("session", "adjust", "--terminal", "T1", "--remove", "50,50", "--note", "bank", *MANAGER)
    sale = cli.json(
        "sale",
        "--terminal",
        "T1",
        "--item",
        "1001x2",
        "--item",
        "1003",
        "--pay",
        "cash=100",
        *CASHIER,
    )
    # 2 x 32,95 + 12,25 = 78,15; cash rounds to 78,00 (M-3); 100 handed over: 22,00 back.
    assert (sale["total"], sale["rounding"], sale["change"]) == ("78.15", "-0.15", "22.00")
    assert sale["receipt"] == 1 and sale["session"] == 1
    assert sale["session_opened_automatically"] is False
    assert [(p["tender"], p["amount"], p["tendered"]) for p in sale["payments"]] == [
        ("cash", "78.00", "100.00")
    ]
    card = cli.json("sale", "--terminal", "T1", "--item", "1002", "--pay", "card", *CASHIER)
    assert (card["total"], card["rounding"], card["payments"][0]["amount"]) == (
        "24.50",
        "0.00",
        "24.50",
    )

    shown = cli.json("session", "show", "--terminal", "T1", *MANAGER)
    assert set(shown) >= SESSION_KEYS
    assert (shown["id"], shown["terminal"], shown["status"]) == (1, "T1", "open")
    assert (shown["opened_by"], shown["opening_float"]) == ("1", "1500.00")
    assert shown["opening_discrepancy"] is None  # the terminal's first session
    assert [(a["kind"], a["amount"], a["staff"], a["note"]) for a in shown["adjustments"]] == [
        ("add", "200.00", "2", "change"),
        ("remove", "50.50", "1", "bank"),
    ]
    by_tender = {t["tender"]: (t["count"], t["amount"]) for t in shown["payments_by_tender"]}
    assert by_tender == {"cash": (1, "78.00"), "card": (1, "24.50")}
    assert shown["sales_total"] == "102.65"
    assert shown["expected_cash"] == "1727.50"  # 1500 + 200 - 50,50 + 78
    for key in ("counted_cash", "closing_discrepancy", "left_in_drawer", "cash_removed"):
        assert shown[key] is None, key
    assert shown["closed_at"] is None and shown["closed_by"] is None
    text = cli.ok("session", "show", "1", *MANAGER)
    assert "1.727,50" in text and "1.500,00" in text  # the store's Danish format

    closed = cli.json(
        "session",
        "close",
        "--terminal",
        "T1",
        "--counted",
        "1.725,00",
        "--leave",
        "500,00",
        "--declare",
        "card=24,50",
        *MANAGER,
    )
    assert set(closed) >= SESSION_KEYS
    assert (closed["status"], closed["closed_by"]) == ("closed", "1")
    assert closed["closed_at"] and closed["closed_at"] >= closed["opened_at"]
    assert (closed["expected_cash"], closed["counted_cash"]) == ("1727.50", "1725.00")
    assert closed["closing_discrepancy"] == "-2.50"
    assert (closed["left_in_drawer"], closed["cash_removed"]) == ("500.00", "1225.00")
    declared = {t["tender"]: (t["declared"], t["difference"]) for t in closed["payments_by_tender"]}
    assert declared["card"] == ("24.50", "0.00")
    assert cli.json("session", "show", "1", *MANAGER) == closed

    # The next sale opens a session by itself with what was left in the drawer (S-4).
    auto = cli.json("sale", "--terminal", "T1", "--item", "1004", "--pay", "card", *CASHIER)
    assert auto["session_opened_automatically"] is True and auto["session"] == 2
    second = cli.json("session", "show", "2", *MANAGER)
    assert (second["opening_float"], second["opening_discrepancy"]) == ("500.00", "0.00")

    listed = cli.json("session", "list", *MANAGER)
    assert [(s["id"], s["status"]) for s in listed] == [(2, "open"), (1, "closed")]
    assert listed[1]["closing_discrepancy"] == "-2.50"
    assert [s["id"] for s in cli.json("session", "list", "--closed", *MANAGER)] == [1]
    assert [s["id"] for s in cli.json("session", "list", "--open", *CASHIER)] == [2]
    text = cli.ok("session", "list", "--terminal", "T1", *MANAGER)
    assert len(text.splitlines()) == 2 and "-2,50" in text


def test_refund_against_a_receipt(cli: Kassi) -> None:
    sale = cli.json(
        "sale", "--terminal", "T2", "--item", "1001x3", "--pay", "cash=200,00", *CASHIER
    )
    refund = cli.json(
        "refund", "--terminal", "T2", "--receipt", "1", "--item", "1001", "--pay", "cash", *CASHIER
    )
    assert refund["kind"] == "refund" and refund["receipt"] == 2
    assert (refund["total"], refund["lines"][0]["qty"]) == ("-32.95", -1)
    assert refund["payments"][0]["amount"] == "-33.00"  # cash paid out, rounded (M-3)
    assert refund["session"] == sale["session"]
    # TERMINAL:N names the receipt; more than is left on it is refused.
    before = cli.snapshot()
    err = cli.fails(
        2,
        "refund",
        "--terminal",
        "T2",
        "--receipt",
        "T2:1",
        "--item",
        "1001x3",
        "--pay",
        "card",
        *CASHIER,
    )
    assert "2 × Rugbrød" in err
    assert cli.snapshot() == before
    shown = cli.json("session", "show", "--terminal", "T2", *MANAGER)
    assert (shown["sales_count"], shown["refunds_count"]) == (1, 1)
    assert (shown["cash_payments"], shown["cash_refunds"]) == ("99.00", "33.00")
    assert shown["expected_cash"] == "66.00"


def test_audit_verify(cli: Kassi) -> None:
    cli.ok("sale", "--terminal", "T1", "--item", "1001", "--pay", "card", *CASHIER)
    assert "intact" in cli.ok("--lang", "en", "audit", "verify")
    data = json.loads(cli.ok("audit", "verify", "--json"))
    assert data["ok"] is True and data["checked"] > 0 and data["problem"] is None


def test_config_add_and_list(cli: Kassi) -> None:
    cli.ok(
        "store",
        "add",
        "BERLIN",
        "--name",
        "Kassi Berlin",
        "--currency",
        "eur",
        "--timezone",
        "Europe/Berlin",
        "--locale",
        "en",
        "--set",
        "cash_rounding=none",
        *MANAGER,
    )
    cli.ok("terminal", "add", "B1", "--store", "BERLIN", "--name", "Till 1", *MANAGER)
    cli.ok("tender", "add", "voucher", "--name", "Voucher", "--not-counted", *MANAGER)
    cli.ok("staff", "add", "7", "--name", "Nina New", "--new-pin", "7777", *MANAGER)
    cli.ok("customer", "add", "C7", "--name", "Café Øst", "--email", "a@b.dk", *MANAGER)
    cli.ok(
        "item", "add", "9001", "--name", "Widget", "--price", "12.50 EUR", "--vat", "19", *MANAGER
    )

    stores = {s["id"]: s for s in json.loads(cli.ok("store", "list", "--json"))}
    assert (stores["BERLIN"]["currency"], stores["BERLIN"]["locale"]) == ("EUR", "en")
    assert [t["id"] for t in cli.json("terminal", "list", "--store", "BERLIN")] == ["B1"]
    tenders = {t["id"]: t for t in cli.json("tender", "list")}
    assert tenders["voucher"]["is_cash"] is False
    staff = {s["id"]: s for s in cli.json("staff", "list")}
    assert (staff["7"]["role"], staff["7"]["name"]) == ("cashier", "Nina New")
    assert {c["id"]: c["name"] for c in cli.json("customer", "list")}["C7"] == "Café Øst"
    items = {i["sku"]: i for i in cli.json("item", "list")}
    assert items["9001"]["prices"] == [{"currency": "EUR", "price": "12.50", "store": None}]
    items = {i["sku"]: i for i in cli.json("item", "list", "--store", "BERLIN")}
    assert (items["9001"]["price"], items["9001"]["currency"]) == ("12.50", "EUR")
    assert items["9001"]["vat"] == "19.00"
    # The text lists show the same rows.
    assert "BERLIN" in cli.ok("store", "list") and "B1" in cli.ok("terminal", "list")
    assert "Widget" in cli.ok("item", "list") and "Nina New" in cli.ok("staff", "list")

    # The new cashier can sell in the new EUR store (no cash rounding there).
    sale = cli.json(
        "sale",
        "--terminal",
        "B1",
        "--item",
        "9001x2",
        "--pay",
        "cash",
        "--staff",
        "7",
        "--pin",
        "7777",
    )
    assert (sale["currency"], sale["total"], sale["rounding"]) == ("EUR", "25.00", "0.00")


def test_catalog_import_all_or_nothing(cli: Kassi, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "sku,name,price,vat,barcode,on_hand\n"
        "7001,Kanelsnegl,18.50,25,5709999000017,12\n"
        '7002,"Kaffe, stor",35.00,25,,\n',
        "utf-8",
    )
    out = cli.ok("catalog", "import", str(good), "--store", "NORREBRO", *MANAGER)
    assert "2" in out
    items = {i["sku"]: i for i in cli.json("item", "list", "--store", "NORREBRO")}
    assert (items["7001"]["name"], items["7001"]["price"]) == ("Kanelsnegl", "18.50")
    assert (items["7002"]["name"], items["7002"]["barcode"]) == ("Kaffe, stor", "")

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "sku,name,price,vat\n7003,Wienerbrød,22.00,25\n7004,Tebirkes,tyve,25\n7005,Boller,9.00,25\n",
        "utf-8",
    )
    before = cli.snapshot()
    err = cli.fails(2, "catalog", "import", str(bad), "--store", "NORREBRO", *MANAGER)
    assert "line 3" in err.lower() or "linje 3" in err.lower(), err
    assert cli.snapshot() == before  # not even line 2 was imported
    skus = {i["sku"] for i in cli.json("item", "list")}
    assert not skus & {"7003", "7004", "7005"}


def test_errors_go_to_stderr_and_change_nothing(cli: Kassi) -> None:
    cli.ok("session", "open", "--terminal", "T1", "--float", "100,00", *MANAGER)
    before = cli.snapshot()

    # An English amount in a Danish store: the message says to use a comma.
    err = cli.fails(
        2, "session", "adjust", "--terminal", "T1", "--add", "12.50", "--note", "x", *CASHIER
    )
    assert "comma" in err or "komma" in err, err
    assert "12,50" in err
    # Unknown SKU.
    err = cli.fails(2, "sale", "--terminal", "T1", "--item", "NOPE", "--pay", "card", *CASHIER)
    assert "NOPE" in err
    # Too little cash.
    cli.fails(2, "sale", "--terminal", "T1", "--item", "1001", "--pay", "cash=10,00", *CASHIER)
    # Unknown terminal, unknown session.
    assert "T9" in cli.fails(2, "sale", "--terminal", "T9", "--item", "1001", *CASHIER)
    assert "99" in cli.fails(2, "session", "show", "99", *MANAGER)
    # Opening a second session on the same terminal.
    cli.fails(2, "session", "open", "--terminal", "T1", "--float", "0", *MANAGER)
    # Missing permissions: exit 3.
    cli.fails(3, "session", "list", *CASHIER)  # history needs "view session history"
    cli.fails(3, "refund", "--terminal", "T1", "--item", "1001", "--pay", "card", *CASHIER)
    cli.fails(3, "customer", "add", "C8", "--name", "Nope", *CASHIER)
    cli.fails(3, "store", "set", "NORREBRO", "track_cash=off", *CASHIER)
    # No PIN and no terminal to ask on.
    assert "PIN" in cli.fails(2, "sale", "--terminal", "T1", "--item", "1001", "--staff", "2")
    assert cli.snapshot() == before

    # A wrong PIN: exit 3; only the failed-attempt count and its audit entry are kept.
    err = cli.fails(
        3,
        "sale",
        "--terminal",
        "T1",
        "--item",
        "1001",
        "--pay",
        "card",
        "--staff",
        "2",
        "--pin",
        "9999",
    )
    assert "PIN" in err
    assert cli.snapshot(ignore_login=True) == {
        k: v
        for k, v in before.items()
        if k not in ("audit_log", "audit_head", "number_sequences", "staff")
    }
    con = sqlite3.connect(cli.db)
    try:
        assert con.execute("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone() == (
            "login.failed",
        )
    finally:
        con.close()
    assert "intact" in cli.ok("--lang", "en", "audit", "verify")


def test_environment_staff_pin_and_terminal(cli: Kassi) -> None:
    env = {"KASSI_STAFF": "2", "KASSI_PIN": "2222", "KASSI_TERMINAL": "T2"}
    sale = cli.json("sale", "--item", "1002", "--pay", "card", env=env)
    assert (sale["staff"], sale["terminal"]) == ("2", "T2")
    # Flags win over the environment.
    sale = cli.json("sale", "--item", "1002", "--pay", "card", *MANAGER, env=env)
    assert sale["staff"] == "1"
    err = cli.fails(3, "sale", "--item", "1002", "--pay", "card", env={**env, "KASSI_PIN": "0000"})
    assert "PIN" in err
    # --db wins over KASSI_DB.
    other = cli.db.parent / "other.db"
    shutil.copy(cli.db, other)
    shutil.copy(f"{cli.db}.key", f"{other}.key")  # its key file too
    cli.ok("--db", str(other), "sale", "--item", "1003", "--pay", "card", env=env)
    con = sqlite3.connect(other)
    try:
        assert con.execute("SELECT COUNT(*) FROM sales").fetchone() == (3,)
    finally:
        con.close()
    con = sqlite3.connect(cli.db)
    try:
        assert con.execute("SELECT COUNT(*) FROM sales").fetchone() == (2,)
    finally:
        con.close()


def test_lang_en_overrides_the_store_amount_format(cli: Kassi) -> None:
    # Danish store, English language: "1,234.50" is the way to type it.
    cli.ok("--lang", "en", "session", "open", "--terminal", "T1", "--float", "1,234.50", *MANAGER)
    before = cli.snapshot()
    err = cli.fails(
        2,
        "--lang",
        "en",
        "session",
        "adjust",
        "--terminal",
        "T1",
        "--add",
        "12,50",
        "--note",
        "x",
        *CASHIER,
    )
    assert "Use a point for decimals in English: 12.50" in err
    assert cli.snapshot() == before
    cli.ok(
        "--lang",
        "en",
        "session",
        "adjust",
        "--terminal",
        "T1",
        "--add",
        "12.50",
        "--note",
        "x",
        *CASHIER,
    )
    out = cli.ok(
        "--lang", "en", "sale", "--terminal", "T1", "--item", "1001", "--pay", "cash=100", *CASHIER
    )
    assert "33.00" in out and "67.00" in out  # total 32,95 rounds to 33,00; change 67,00
    # KASSI_LANG does the same.
    out = cli.ok(
        "sale",
        "--terminal",
        "T1",
        "--item",
        "1001",
        "--pay",
        "cash=100.00",
        *CASHIER,
        env={"KASSI_LANG": "en"},
    )
    assert "67.00" in out
    # Without it, the store's Danish format.
    out = cli.ok("sale", "--terminal", "T1", "--item", "1001", "--pay", "cash=100", *CASHIER)
    assert "67,00" in out
    shown = cli.json("session", "show", "--terminal", "T1", *MANAGER)
    assert shown["opening_float"] == "1234.50"
    assert shown["expected_cash"] == "1346.00"  # 1.234,50 + 12,50 + 3 x 33,00


def test_session_show_reads_like_the_printouts(cli: Kassi) -> None:
    """C-5, C-6, S-3: `session show` names the opening note, writes times as the store's
    language writes them (not the stored UTC ISO), gives the payment types their Danish
    names and shows the discounts given, net of what refunds took back."""
    cli.ok("session", "open", "--terminal", "T1", "--float", "0", "--note", "morgen", *MANAGER)
    cli.ok("session", "adjust", "--terminal", "T1", "--add", "10", "--note", "veksel", *MANAGER)
    cli.ok(
        "sale", "--terminal", "T1", "--item", "1008x2", "--discount", "1008=10%:1",
        "--pay", "card", *MANAGER,
    )  # fmt: skip
    cli.ok("refund", "--terminal", "T1", "--receipt", "T1-1", "--item", "1008", "--pay", "card",
           *MANAGER)  # fmt: skip
    text = cli.ok("session", "show", "1", *MANAGER)
    assert re.search(r"Bemærkning ved start\s+morgen", text)
    assert re.search(r"Startet\s+\d\d\.\d\d\.\d{4} \d\d:\d\d  Mette Manager", text)
    assert re.search(r"  \d\d\.\d\d\.\d{4} \d\d:\d\d  \+10,00  Mette Manager  veksel", text)
    assert not re.search(r"\d{4}-\d\d-\d\d", text)
    assert re.search(r"  Kort\s+2\s+19,80", text)  # 39,60 paid, 19,80 paid back
    assert re.search(r"Rabatter givet\s+2,20  \(1\)", text)  # 4,40 given, 2,20 taken back
    shown = cli.json("session", "show", "1", *MANAGER)
    assert (shown["discounts_total"], shown["discounts_count"]) == ("2.20", 1)
