"""`kassi statement ...`, `kassi export transactions` and `kassi import transactions`,
run as real processes on database files.

The tills' day is recorded through the core API with a fixed clock (31 May 2026 at
Nørrebro); the back office then works only through the command line. JSON amounts
are decimal strings; errors go to stderr with a non-zero exit and change nothing.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.money.tendering import TenderInput
from core.staff import auth
from core.store.db import Db
from core.tills import sales, sessions
from core.tills.basket import LineInput
from tests.integration.kassi_command import Kassi, copy_db, kassi_command

pytestmark = pytest.mark.integration

MANAGER = ("--staff", "1", "--pin", "1234")
CASHIER = ("--staff", "2", "--pin", "2222")
PERIOD = ("--from", "2026-05-31T03:00", "--to", "2026-06-01T03:00")
MONEY = {
    "amount",
    "counted",
    "declared",
    "difference",
    "discrepancy",
    "transaction_amount",
    "transaction_total",
    "counted_total",
    "difference_total",
    "total",
    "rounding",
    "vat",
    "invoice_amount",
    "max_posting_difference",
}


# A statement changes these by logging in and numbering; the rest must stay put.
LOGIN_TABLES = ("staff", "audit_log", "number_sequences")


def statement_kassi(path: Path) -> Kassi:
    """Messages and typed amounts in English; money in --json as decimal strings."""
    return Kassi(path, env={"KASSI_LANG": "en"}, timeout=120, check_json=check_amounts)


def check_amounts(data: Any, key: str = "") -> None:
    """Money is a decimal string in JSON, never a number."""
    if isinstance(data, dict):
        for k, v in data.items():
            check_amounts(v, k)
    elif isinstance(data, list):
        for v in data:
            check_amounts(v, key)
    elif key in MONEY and data is not None:
        assert isinstance(data, str), (key, data)
        float(data)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 31, 6, 0, tzinfo=UTC)  # 08:00 in Copenhagen

    def __call__(self) -> datetime:
        return self.now


def record_day(path: Path) -> None:
    """31 May at Nørrebro: T1 and T2, cash, card, a customer; T1's cash counted 60,00 short."""
    clock = Clock()
    db = Db(path, clock=clock)
    staff = auth.get_staff(db, "2")
    sell = lambda t, sku, qty, tender, customer=None: sales.record_sale(  # noqa: E731
        db, staff, t, [LineInput(sku, qty)], [TenderInput(tender, None)], customer_id=customer
    )
    sell("T1", "1002", 4, "cash")  # 98,00
    sell("T1", "1004", 1, "card")  # 24,95
    sell("T2", "1002", 1, "card", "C1001")  # 24,50
    clock.now = datetime(2026, 5, 31, 20, 0, tzinfo=UTC)
    manager = auth.get_staff(db, "1")
    t1 = sessions.current_session(db, "T1")
    sessions.close_session(
        db, manager, "T1", sessions.expected_cash(db, t1.id) - 6000, 0, {"card": 2495}
    )
    t2 = sessions.current_session(db, "T2")
    sessions.close_session(db, manager, "T2", sessions.expected_cash(db, t2.id), 0, {"card": 2450})
    db.close()


@pytest.fixture
def store(tmp_path: Path, demo_template: Path) -> Kassi:
    path = copy_db(demo_template, tmp_path / "store.db")
    record_day(path)
    return statement_kassi(path)


def test_the_statement_life_on_the_command_line(store: Kassi) -> None:
    """create -> transactions -> calculate -> post refused -> count -> post -> show / list."""
    made = store.json("statement", "create", "--store", "NORREBRO", *PERIOD, *MANAGER)
    assert made == [{"id": 1, "store": "NORREBRO", "split_key": ""}]
    page = store.json("statement", "transactions", "1", *MANAGER)
    assert (page["taken"], page["count"], page["amount"]) == (False, 3, "147.45")
    details = store.json("statement", "calculate", "1", *MANAGER)
    assert details["status"] == "calculated"
    lines = {ln["tender"]: ln for ln in details["lines"]}
    assert (lines["cash"]["transaction_amount"], lines["cash"]["counted"]) == ("98.00", "38.00")
    assert lines["cash"]["difference"] == "-60.00"
    assert details["over_limit"] == [{"group": "", "tender": "cash"}]
    before = store.tables(LOGIN_TABLES)
    refused = store.fails(2, "statement", "post", "1", *MANAGER)
    # Core messages write amounts the store's way (da), as the session messages do.
    assert "maximum posting difference of 50,00" in refused and "-60,00" in refused
    assert store.tables(LOGIN_TABLES) == before
    counted = store.json(
        "statement",
        "count",
        "1",
        "--tender",
        "cash",
        "--amount",
        "98.00",
        "--note",
        "safe",
        *MANAGER,
    )
    assert {ln["tender"]: ln["counted_by_hand"] for ln in counted["lines"]}["cash"] is True
    out = store.ok("statement", "post", "1", *MANAGER)
    assert "Statement 1 posted: 2 sales orders and invoices" in out
    shown = store.json("statement", "show", "1", *MANAGER)
    assert shown["status"] == "posted" and shown["posted_by"] == "1"
    assert [(o["kind"], o["customer"], o["invoice_amount"]) for o in shown["sales_orders"]] == [
        ("cash_and_carry", "WALKIN", "122.95"),
        ("customer", "C1001", "24.50"),
    ]
    assert {j["tender"]: j["amount"] for j in shown["payment_journals"]} == {
        "cash": "98.00",
        "card": "49.45",
    }
    text = store.ok("statement", "show", "1", *MANAGER)
    assert "Sales orders and invoices" in text and "WALKIN" in text
    listed = store.json("statement", "list", "--store", "NORREBRO", *MANAGER)
    assert [(s["id"], s["status"]) for s in listed] == [(1, "posted")]
    store.fails(2, "statement", "post", "1", *MANAGER)
    store.fails(2, "statement", "delete", "1", *MANAGER)


def test_refusals_on_the_command_line(store: Kassi) -> None:
    store.fails(3, "statement", "create", "--store", "NORREBRO", *PERIOD, *CASHIER)
    store.fails(
        2,
        "statement",
        "create",
        "--store",
        "NORREBRO",
        "--from",
        "yesterday",
        "--to",
        "x",
        *MANAGER,
    )
    store.fails(2, "statement", "show", "42", *MANAGER)
    store.ok("statement", "create", "--store", "NORREBRO", "--date", "2026-05-31", *MANAGER)
    err = store.fails(
        2, "statement", "create", "--store", "NORREBRO", "--date", "2026-05-31", *MANAGER
    )
    assert "already covers" in err
    out = store.ok("statement", "delete", "1", *MANAGER)
    assert "Statement 1 deleted" in out


def test_create_names_the_open_sessions(store: Kassi) -> None:
    store.ok("session", "open", "--terminal", "T2", "--float", "500", *MANAGER)
    err = store.fails(
        2,
        "statement",
        "create",
        "--store",
        "NORREBRO",
        "--from",
        "2026-05-31",
        "--to",
        "2030-01-01",
        *MANAGER,
    )
    assert "Close the sessions in the period first: session 3 on T2" in err


def test_the_batch_from_cron_is_idempotent_even_twice_at_once(store: Kassi) -> None:
    """Two `statement run --all-stores` processes at the same moment, then a third:
    each store's statement exists once, calculated once."""
    args = [
        *kassi_command(),
        "statement",
        "run",
        "--all-stores",
        "--date",
        "2026-05-31",
        "--json",
        *MANAGER,
    ]
    procs = [
        subprocess.Popen(
            args, env=store.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    runs = [json.loads(out) for out, _err in outputs]
    created = sorted(i for run in runs for o in run for i in o["created"])
    calculated = sorted(i for run in runs for o in run for i in o["calculated"])
    assert created == [1] and calculated == [1]  # REYKJAVIK had nothing on 31 May
    third = store.json("statement", "run", "--all-stores", "--date", "2026-05-31", *MANAGER)
    assert [(o["store"], o["statements"], o["created"], o["calculated"]) for o in third] == [
        ("NORREBRO", [1], [], []),
        ("REYKJAVIK", [], [], []),
    ]
    # Posting through the batch: refused over the limit, reported, exit 1.
    result = store.run(
        "statement", "run", "--store", "NORREBRO", "--date", "2026-05-31", "--post", *MANAGER
    )
    assert result.returncode == 1 and "not posted" in result.stderr


def test_the_batch_closes_a_period_of_business_days_as_one_statement(store: Kassi) -> None:
    """T-2, X-6: `statement run --date D --until E` makes one statement per store for the
    business days D to E (a month's close), with --workers for a head office; a period
    given wrong is one line and changes nothing."""
    before = store.tables(("statements",))
    err = store.fails(2, "statement", "run", "--all-stores", "--until", "2026-05-31", *MANAGER)
    assert "Give --date, the first business day, with --until." in err
    err = store.fails(
        2, "statement", "run", "--all-stores", "--date", "2026-06-01", "--until", "2026-05-31",
        *MANAGER,
    )  # fmt: skip
    assert "A batch period needs its first day, on or before its last." in err
    assert [line for line in err.splitlines() if line.startswith("Error")] == [
        "Error: A batch period needs its first day, on or before its last."
    ]
    assert store.tables(("statements",)) == before
    runs = store.json(
        "statement", "run", "--all-stores", "--date", "2026-05-30", "--until", "2026-05-31",
        "--workers", "2", *MANAGER,
    )  # fmt: skip
    norrebro = runs[0]
    assert (norrebro["store"], norrebro["created"], norrebro["calculated"]) == (
        "NORREBRO",
        [1],
        [1],
    )
    assert (norrebro["business_date"], norrebro["last_business_date"]) == (
        "2026-05-30",
        "2026-05-31",
    )
    assert (norrebro["period_start"], norrebro["period_end"]) == (
        "2026-05-30T01:00:00.000000Z",
        "2026-06-01T01:00:00.000000Z",
    )
    again = store.run("statement", "run", "--store", "NORREBRO", "--date", "2026-05-30",
                      "--until", "2026-05-31", *MANAGER)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "NORREBRO 2026-05-30..2026-05-31: statements 1; created 0, calculated 0" in again.stdout


def test_export_and_import_between_two_databases(
    store: Kassi, tmp_path: Path, demo_template: Path
) -> None:
    office_path = tmp_path / "office.db"
    office = statement_kassi(copy_db(demo_template, office_path))
    transfer = tmp_path / "transfer.jsonl"
    result = store.run(
        "export", "transactions", "--store", "NORREBRO", "-o", str(transfer), *MANAGER
    )
    assert result.returncode == 0, result.stderr
    assert "Exported 3 transactions and 2 sessions; next cursor" in result.stderr
    header = json.loads(transfer.read_text("utf-8").splitlines()[0])
    first = office.json("import", "transactions", str(transfer), *MANAGER)
    assert (first["sales"], first["sessions"]) == (3, 2)
    before = office.tables(LOGIN_TABLES)
    again = office.json("import", "transactions", str(transfer), *MANAGER)
    assert (again["sales"], again["skipped_sales"]) == (0, 3)
    assert office.tables(LOGIN_TABLES) == before
    # Nothing new since the cursor: a file with its header and journal entries only.
    store.ok(
        "export", "transactions", "--since", str(header["cursor"]), "-o", str(transfer), *MANAGER
    )
    kinds = {json.loads(x)["type"] for x in transfer.read_text("utf-8").splitlines()[1:]}
    assert kinds == {"entry"}
    # The same statement at both.
    at_store = store.json("statement", "create", "--store", "NORREBRO", *PERIOD, *MANAGER)
    at_office = office.json("statement", "create", "--store", "NORREBRO", *PERIOD, *MANAGER)
    a = store.json("statement", "calculate", str(at_store[0]["id"]), *MANAGER)
    b = office.json("statement", "calculate", str(at_office[0]["id"]), *MANAGER)
    assert a["lines"] == b["lines"]


def test_a_malformed_transfer_is_refused_whole(
    store: Kassi, tmp_path: Path, demo_template: Path
) -> None:
    office_path = tmp_path / "office.db"
    office = statement_kassi(copy_db(demo_template, office_path))
    transfer = tmp_path / "transfer.jsonl"
    store.ok("export", "transactions", "-o", str(transfer), *MANAGER)
    lines = transfer.read_text("utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace('"receipt":', '"receipt":"x","was":')
    transfer.write_text("".join(lines), "utf-8")
    before = office.tables(LOGIN_TABLES)
    err = office.fails(2, "import", "transactions", str(transfer), *MANAGER)
    assert f"line {len(lines)}:" in err and "Nothing was imported" in err
    assert office.tables(LOGIN_TABLES) == before
