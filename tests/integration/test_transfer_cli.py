"""`kassi export transactions` / `kassi import transactions` between two real database
files: an older file never rolls the head office back (SPEC R-8), and a store journal
that was rewritten or shortened is refused with the store, the entry number, a one-line
message, exit code 5 and nothing changed (R-3)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.money.tendering import TenderInput
from core.staff import auth
from core.store.db import Db
from core.tills import sales, sessions
from core.tills.basket import LineInput
from tests.integration.kassi_command import Kassi, copy_db

pytestmark = pytest.mark.integration


class Office(Kassi):
    def __init__(self, db: Path) -> None:
        # The manager through the environment: no --pin warning on stderr.
        env = {"KASSI_LANG": "en", "KASSI_STAFF": "1", "KASSI_PIN": "1234"}
        super().__init__(db, env=env, timeout=120)

    def export(self, path: Path, since: int = 0) -> int:
        self.ok("export", "transactions", "--store", "NORREBRO", "--since", str(since), "-o", path)
        return json.loads(path.read_text("utf-8").splitlines()[0])["cursor"]


def ring(path: Path, hour: int, cash_note: str | None = None) -> None:
    """A cash sale on T1 (its session opens by itself), and a cash action if noted."""
    db = Db(path, clock=lambda: datetime(2026, 5, 31, hour, 0, tzinfo=UTC))
    try:
        sales.record_sale(
            db, auth.get_staff(db, "2"), "T1", [LineInput("1002", 1)], [TenderInput("cash", None)]
        )
        if cash_note:
            sessions.adjust_cash(db, auth.get_staff(db, "1"), "T1", "add", 1000, cash_note)
    finally:
        db.close()


def sql(path: Path, *statements: tuple[str, tuple]) -> None:
    con = sqlite3.connect(path)
    try:
        with con:
            for text, params in statements:
                con.execute(text, params)
    finally:
        con.close()


@pytest.fixture
def store(tmp_path: Path, demo_template: Path) -> Office:
    return Office(copy_db(demo_template, tmp_path / "store.db"))


@pytest.fixture
def office(tmp_path: Path, demo_template: Path) -> Office:
    return Office(copy_db(demo_template, tmp_path / "office.db"))


def refused(office: Office, transfer: Path) -> str:
    before = office.tables()
    result = office.run("import", "transactions", str(transfer))
    assert result.returncode == 5, (result.stdout, result.stderr)
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert office.tables() == before
    return result.stderr.strip().removeprefix("Error: ")


def test_reimporting_an_older_file_says_already_applied_and_changes_nothing(
    store: Office, office: Office, tmp_path: Path
) -> None:
    """R-8: F1, F2, F1 again: one line on stdout, exit 0, the head office as after F2."""
    f1, f2 = tmp_path / "f1.jsonl", tmp_path / "f2.jsonl"
    ring(store.db, 7, "first")
    store.export(f1)
    ring(store.db, 8, "second")
    c2 = store.export(f2)
    office.ok("import", "transactions", str(f1))
    office.ok("import", "transactions", str(f2))
    newest = office.tables()
    out = office.ok("import", "transactions", str(f1))
    assert out == (
        f"{f1}: already applied up to entry {c2} of the journal of NORREBRO; nothing changed.\n"
    )
    assert office.tables() == newest
    notes = [r for r in newest["cash_adjustments"] if "second" in r]
    assert len(notes) == 1  # the second cash action is still at the head office
    again = json.loads(office.ok("import", "transactions", str(f1), "--json"))
    assert again["already_applied"] == c2 and again["sales"] == 0


def test_a_rewritten_store_journal_is_refused_naming_the_store_and_the_entry(
    store: Office, office: Office, tmp_path: Path
) -> None:
    """R-3: an entry edited at the store and every later link recomputed (its own chain
    still hangs together); the next full export is refused at that entry."""
    f1, f2 = tmp_path / "f1.jsonl", tmp_path / "f2.jsonl"
    ring(store.db, 7)
    store.export(f1)
    office.ok("import", "transactions", str(f1))
    con = sqlite3.connect(store.db)
    rows = con.execute("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq").fetchall()
    target = con.execute("SELECT MIN(seq) FROM audit_log WHERE action = 'sale'").fetchone()[0]
    con.close()
    forged, prev = [], None
    for seq, prev_hash, digest in rows:
        if seq < target:
            continue
        prev = prev_hash if prev is None else prev
        new = hashlib.sha256(f"{prev}{digest}forged".encode()).hexdigest()
        forged.append(
            ("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, seq))
        )
        prev = new
    sql(store.db, ("UPDATE audit_log SET amount = 1 WHERE seq = ?", (target,)), *forged)
    ring(store.db, 8)
    store.export(f2, since=0)
    message = refused(office, f2)
    assert message == (
        f"{f2}: Journal of NORREBRO: rewritten at entry {target}: the head office holds"
        f" another entry {target}. Nothing was imported."
    )


def test_a_shortened_store_journal_is_refused_naming_the_store_and_the_entries(
    store: Office, office: Office, tmp_path: Path
) -> None:
    """R-3: the newest entries deleted at the store and the counter lowered; the export
    from the cursor the head office was given ends before the head it holds."""
    f1, f2, f3 = tmp_path / "f1.jsonl", tmp_path / "f2.jsonl", tmp_path / "f3.jsonl"
    ring(store.db, 7)
    c1 = store.export(f1)
    ring(store.db, 8, "more")
    c2 = store.export(f2, since=c1)
    office.ok("import", "transactions", str(f1))
    office.ok("import", "transactions", str(f2))
    sql(
        store.db,
        ("DELETE FROM audit_log WHERE seq > ?", (c1,)),
        ("UPDATE number_sequences SET value = ? WHERE name = 'audit'", (c1,)),
    )
    store.export(f3, since=c2)
    message = refused(office, f3)
    assert message.startswith(f"{f3}: Journal of NORREBRO: shortened: this file ends at entry")
    assert f"ends at entry {c1 + 1}, the head office holds entries up to {c2}" in message
