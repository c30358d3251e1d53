"""`kassi report overview` and `kassi report sessions` as a script runs them: the
installed command in a subprocess, against a database file holding the scenario
of tests/core/test_reports.py (known answers for 15-16 January 2026, local)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.reports.export import KEYS
from core.store import demo
from core.store.db import Db
from tests.core.test_reports import (
    BY_DISCREPANCY,
    BY_START,
    build_scenario,
    csv_form,
    expected_record,
)
from tests.integration.kassi_command import clean_env, kassi_command

pytestmark = pytest.mark.integration

RANGE = ("--store", "NORREBRO", "--from", "2026-01-15", "--to", "2026-01-16")
MANAGER = ("--staff", "1", "--pin", "1234")
CASHIER = ("--staff", "2", "--pin", "2222")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 14, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("report") / "store.db"
    clock = Clock()
    db = Db(path, clock=clock)
    demo.load_demo(db, printer_dir=path.parent)
    ids = build_scenario(db, clock.set)
    db.close()
    return path, ids


def kassi(db: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = clean_env()
    return subprocess.run(
        [*kassi_command(), "--db", str(db), "--lang", "en", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        cwd=cwd,
    )


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, proc.stderr
    return proc


def test_overview_json(scenario):
    path, _ids = scenario
    data = json.loads(ok(kassi(path, "report", "overview", *RANGE, *MANAGER, "--json")).stdout)
    assert data["store"] == "NORREBRO"
    assert (data["from"], data["to"], data["terminal"], data["currency"]) == (
        "2026-01-15",
        "2026-01-16",
        None,
        "DKK",
    )
    assert data["discrepancy"] == {
        "sessions": 5,
        "open_sessions": 1,
        "closed_sessions": 4,
        "opening_discrepancy": "-10.00",
        "closing_discrepancy": "-12.00",
        "total_discrepancy": "-22.00",
        "expected_cash": "1699.00",
        "counted_cash": "1687.00",
        "sessions_over": 1,
        "sessions_short": 2,
        "sessions_even": 2,
        "opening_over": 1,
        "opening_short": 1,
        "closing_over": 1,
        "closing_short": 2,
    }
    assert data["cash_payments"] == {"gross": "182.00", "refunds": "25.00", "net": "157.00"}


def test_overview_text_for_one_terminal(scenario):
    path, _ids = scenario
    out = ok(kassi(path, "report", "overview", *RANGE, "--terminal", "T1", *MANAGER)).stdout
    assert "terminal T1" in out
    pairs = (re.match(r"^  (\S.*?)\s{2,}(\S.*)$", line) for line in out.splitlines())
    lines = {m[1]: m[2] for m in pairs if m}
    assert lines["Sessions"] == "3 (1 open, 2 closed)"
    assert lines["Opening discrepancy"] == "-10.00"
    assert lines["Closing discrepancy"] == "-15.00"
    assert lines["Gross cash payments"] == "88.00"
    assert lines["Refunds"] == "25.00"
    assert lines["Net cash payments"] == "63.00"


def test_sessions_json_every_row(scenario):
    path, ids = scenario
    data = json.loads(ok(kassi(path, "report", "sessions", *RANGE, *MANAGER, "--json")).stdout)
    assert (data["sort"], data["desc"], data["total"], data["timezone"]) == (
        "start",
        False,
        5,
        "Europe/Copenhagen",
    )
    assert data["sessions"] == [expected_record(n, ids) for n in BY_START]


def test_sessions_json_sorted_and_paged(scenario):
    path, ids = scenario
    args = ("report", "sessions", *RANGE, *MANAGER, "--json", "--sort", "discrepancy")
    data = json.loads(ok(kassi(path, *args, "--desc", "--offset", "1", "--limit", "3")).stdout)
    assert data["total"] == 5
    assert [s["session"] for s in data["sessions"]] == [ids[n] for n in BY_DISCREPANCY[::-1][1:4]]


def test_sessions_csv_file_reads_back(scenario, tmp_path):
    path, ids = scenario
    target = tmp_path / "sessions.csv"
    proc = ok(kassi(path, "report", "sessions", *RANGE, *MANAGER, "--csv", str(target)))
    assert "5 sessions exported" in proc.stdout
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(KEYS)
    assert rows[1:] == [csv_form(expected_record(n, ids)) for n in BY_START]
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_sessions_csv_to_stdout_sorted_by_discrepancy(scenario):
    path, ids = scenario
    args = ("report", "sessions", *RANGE, *MANAGER, "--sort", "discrepancy", "--csv", "-")
    proc = ok(kassi(path, *args, "--no-bom"))
    rows = list(csv.reader(proc.stdout.splitlines(keepends=True)))
    assert rows[0] == list(KEYS)
    assert rows[1:] == [csv_form(expected_record(n, ids)) for n in BY_DISCREPANCY]
    assert "5 sessions exported" in proc.stderr


def test_sessions_table(scenario):
    path, ids = scenario
    out = ok(kassi(path, "report", "sessions", *RANGE, *MANAGER, "--sort", "end")).stdout
    lines = out.splitlines()
    assert "5 sessions" in lines[0]
    assert lines[1].split()[:5] == ["Session", "Terminal", "Status", "Start", "End"]
    body = [line.split() for line in lines[2:]]
    assert [int(cells[0]) for cells in body] == [ids[n] for n in ("S3", "S5", "S4", "S6", "S7")]
    s7 = body[-1]
    assert s7[1:5] == ["T1", "Open", "2026-01-16", "23:59"]
    assert "-20.00" in s7


def test_refused_without_permission_exit_3(scenario, tmp_path):
    path, _ids = scenario
    target = tmp_path / "refused.csv"
    for args in (
        ("report", "overview", *RANGE, *CASHIER),
        ("report", "sessions", *RANGE, *CASHIER, "--json"),
        ("report", "sessions", *RANGE, *CASHIER, "--csv", str(target)),
    ):
        proc = kassi(path, *args)
        assert proc.returncode == 3, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.strip().splitlines()[-1] == (  # after the --pin warning
            "Error: Kasper Kasserer is not allowed to see the session report: it needs "
            "permission to view cash tracking session history, view reports."
        )
    assert list(tmp_path.iterdir()) == []


def test_unwritable_csv_path_is_a_clear_error(scenario, tmp_path):
    path, _ids = scenario
    target = tmp_path / "no-such-dir" / "sessions.csv"
    proc = kassi(path, "report", "sessions", *RANGE, *MANAGER, "--csv", str(target))
    assert proc.returncode == 2
    last = proc.stderr.splitlines()[-1]  # after the --pin warning
    assert last.startswith(f"Error: Cannot write {target}: No such file or directory")


def test_wrong_pin_exit_3(scenario):
    path, _ids = scenario
    proc = kassi(path, "report", "overview", *RANGE, "--staff", "1", "--pin", "9999")
    assert proc.returncode == 3
    assert "Wrong staff id or PIN" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--store", "NORREBRO", "--from", "2026-01-16", "--to", "2026-01-15"),
            "The range starts after it ends",
        ),
        ((*RANGE, "--terminal", "R1"), "Terminal R1 belongs to store REYKJAVIK, not NORREBRO"),
        (("--store", "NOPE", "--from", "2026-01-15", "--to", "2026-01-16"), "No store with id"),
        ((*RANGE, "--json", "--csv", "x.csv"), "Choose --csv or --json, not both."),
        ((*RANGE, "--csv", "x.csv", "--limit", "2"), "The CSV export is the whole selection"),
    ],
)
def test_bad_input_exit_2(scenario, tmp_path, args, message):
    path, _ids = scenario
    proc = kassi(path, "report", "sessions", *args, *MANAGER, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_date_is_a_usage_error(scenario):
    path, _ids = scenario
    proc = kassi(
        path,
        "report",
        "overview",
        "--store",
        "NORREBRO",
        "--from",
        "15.01.2026",
        "--to",
        "2026-01-16",
        *MANAGER,
    )
    assert proc.returncode == 2
    assert "A date is YYYY-MM-DD; got '15.01.2026'" in proc.stderr
