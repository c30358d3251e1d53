"""A head office on PostgreSQL through the command line, as on SQLite (SPEC X-1, X-5).

The store's day (tests/integration/test_statement_cli.py's ``record_day``) is exported
from its SQLite file and imported at a head office that is either another SQLite file
or a PostgreSQL database of the suite's own server; then the back office works only
through `kassi --db FILE|URL ...`. Every test runs on both back ends and checks the same
figures, so the two give the same results for the same transactions.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BACK_ENDS
from tests.integration.kassi_command import Kassi, copy_db, kassi_command
from tests.integration.test_statement_cli import (
    LOGIN_TABLES,
    MANAGER,
    PERIOD,
    check_amounts,
    record_day,
    statement_kassi,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def store(tmp_path: Path, demo_template: Path) -> Kassi:
    path = copy_db(demo_template, tmp_path / "store.db")
    record_day(path)
    return statement_kassi(path)


@pytest.fixture(params=BACK_ENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path, demo_template: Path) -> Kassi:
    """The head office, with the store's day imported from a transfer file."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        return Kassi(url, env={"KASSI_LANG": "en"}, timeout=120, check_json=check_amounts)
    return statement_kassi(copy_db(demo_template, tmp_path / "office.db"))


def imported(store: Kassi, office: Kassi, tmp_path: Path) -> Kassi:
    transfer = tmp_path / "transfer.jsonl"
    store.ok("export", "transactions", "--store", "NORREBRO", "-o", str(transfer), *MANAGER)
    first = office.json("import", "transactions", str(transfer), *MANAGER)
    assert (first["sales"], first["sessions"]) == (3, 2)
    return office


def test_the_statement_life_at_the_head_office(store: Kassi, office: Kassi, tmp_path) -> None:
    """X-1/T-2..T-7: create -> calculate -> post refused -> count -> post -> show, with the
    figures the store itself gets (tests/integration/test_statement_cli.py)."""
    imported(store, office, tmp_path)
    made = office.json("statement", "create", "--store", "NORREBRO", *PERIOD, *MANAGER)
    assert made == [{"id": 1, "store": "NORREBRO", "split_key": ""}]
    details = office.json("statement", "calculate", "1", *MANAGER)
    lines = {ln["tender"]: ln for ln in details["lines"]}
    assert (lines["cash"]["transaction_amount"], lines["cash"]["counted"]) == ("98.00", "38.00")
    assert lines["card"]["transaction_amount"] == "49.45"
    assert details["over_limit"] == [{"group": "", "tender": "cash"}]
    before = office.tables(LOGIN_TABLES)
    refused = office.fails(2, "statement", "post", "1", *MANAGER)
    assert "maximum posting difference of 50,00" in refused
    assert office.tables(LOGIN_TABLES) == before
    office.json(
        "statement", "count", "1", "--tender", "cash", "--amount", "98.00", "--note", "safe",
        *MANAGER,
    )  # fmt: skip
    out = office.ok("statement", "post", "1", *MANAGER)
    assert "Statement 1 posted: 2 sales orders and invoices" in out
    shown = office.json("statement", "show", "1", *MANAGER)
    assert [(o["kind"], o["customer"], o["invoice_amount"]) for o in shown["sales_orders"]] == [
        ("cash_and_carry", "WALKIN", "122.95"),
        ("customer", "C1001", "24.50"),
    ]
    assert {j["tender"]: j["amount"] for j in shown["payment_journals"]} == {
        "cash": "98.00",
        "card": "49.45",
    }
    office.fails(2, "statement", "post", "1", *MANAGER)
    verified = office.json("audit", "verify")
    assert verified["ok"] is True, verified


def test_the_session_report_at_the_head_office(store: Kassi, office: Kassi, tmp_path) -> None:
    """X-1/A-1..A-5: the session report of the imported sessions, as the store has it."""
    imported(store, office, tmp_path)
    args = (
        "report",
        "sessions",
        "--store",
        "NORREBRO",
        "--from",
        "2026-05-31",
        "--to",
        "2026-05-31",
        *MANAGER,
    )
    at_office = json.loads(office.ok(*args, "--json"))  # its "total" is a count, not money
    at_store = json.loads(store.ok(*args, "--json"))
    keep = ("terminal", "status", "expected_cash", "counted_cash", "closing_discrepancy")

    def figures(report):
        rows = report["sessions"] if isinstance(report, dict) else report
        return sorted(tuple(r.get(k) for k in keep) for r in rows)

    assert figures(at_office) == figures(at_store)
    assert ("T1", "closed", "98.00", "38.00", "-60.00") in figures(at_office)


def test_two_people_posting_at_once_post_once(store: Kassi, office: Kassi, tmp_path) -> None:
    """X-1: two head-office users post the same statement at the same moment: one posts,
    the other is told it is posted; one set of documents."""
    imported(store, office, tmp_path)
    office.json("statement", "create", "--store", "NORREBRO", *PERIOD, *MANAGER)
    office.json("statement", "calculate", "1", *MANAGER)
    office.json(
        "statement", "count", "1", "--tender", "cash", "--amount", "98.00", "--note", "safe",
        *MANAGER,
    )  # fmt: skip
    runs = [
        subprocess.Popen(
            [*kassi_command(), "statement", "post", "1", *MANAGER],
            env=office.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in runs]
    codes = sorted(code for code, _out, _err in results)
    assert codes == [0, 2], results
    shown = office.json("statement", "show", "1", *MANAGER)
    assert len(shown["sales_orders"]) == 2 and len(shown["payment_journals"]) == 2


def test_hq_init_makes_then_keeps_the_schema(pg_server, tmp_path, monkeypatch) -> None:
    """X-1: `kassi hq init --dsn URL` makes the schema and starts the journal; again, it
    changes nothing; a database without it is refused in one line that says what to run."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    url = pg_server.url(pg_server.new_database())
    hq = Kassi(url, env={"KASSI_LANG": "en"}, timeout=120)
    line = hq.refused("statement", "list", *MANAGER)
    assert "not a kassi head office" in line and "kassi hq init" in line
    out = hq.ok("hq", "init", "--dsn", url)
    assert "Head office ready" in out and "key file" in out
    key = next((tmp_path / "config" / "kassi").glob("hq-*.key"))
    assert key.stat().st_mode & 0o077 == 0
    before = hq.tables()
    assert "already at schema" in hq.ok("hq", "init", "--dsn", url)
    assert hq.tables() == before
    assert json.loads(hq.ok("audit", "verify", "--json"))["ok"] is True
    assert "has no terminals" in hq.refused("--terminal", "T1")  # its TUI is a back office
    assert hq.refused("hq", "init", "--dsn", "/tmp/not-a-server.db").startswith("Error: ")
