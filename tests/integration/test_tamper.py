"""The journal proves itself (SPEC R-1, R-2), against real database files and the real CLI.

Each tampering case of issue 10 is done with sqlite3 (another program, with no key) on
a copy of a store that rang up sales, moved cash and closed a session; `kassi audit
verify` must exit 1 and name the table, the row and the entry. The private key is
never in the database file. A normal day through the CLI verifies intact.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.audit import hashing
from core.audit import journal as audit
from core.store import keyring
from tests.integration.kassi_command import CASHIER, MANAGER, Kassi, cli_kassi, copy_db

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tamper") / "kassi.db"
    cli = cli_kassi(path)
    cli.ok("init", "--demo")
    cli.ok("session", "open", "--terminal", "T1", "--float", "500", *CASHIER)
    cli.ok("sale", "--terminal", "T1", "--item", "1001x2", "--pay", "cash", *CASHIER)
    cli.ok("sale", "--terminal", "T1", "--item", "1002", "--pay", "card", *CASHIER)
    cli.ok("session", "adjust", "--terminal", "T1", "--add", "20", "--note", "coins", *CASHIER)
    cli.ok("session", "adjust", "--terminal", "T1", "--remove", "50", "--note", "safe", *MANAGER)
    cli.ok("sale", "--terminal", "T2", "--item", "1001", "--pay", "cash", *CASHIER)
    sqlite3.connect(path).close()  # checkpoint the WAL into the file
    return path


@pytest.fixture
def store(tmp_path: Path, template: Path) -> Kassi:
    cli = cli_kassi(copy_db(template, tmp_path / "store.db"))
    assert "intact" in cli.ok("--lang", "en", "audit", "verify")
    return cli


def tamper(cli: Kassi, *statements: str) -> None:
    """What anyone who can write the file can do: plain SQL, no key."""
    con = sqlite3.connect(cli.db)
    with con:
        for statement in statements:
            con.execute(statement)
    con.close()


def broken(cli: Kassi, *extra: str) -> list[str]:
    result = cli.run("--lang", "en", "audit", "verify", "--json", *extra)
    assert result.returncode == 1, (result.stdout, result.stderr)
    data = json.loads(result.stdout)
    assert data["ok"] is False
    text = cli.run("--lang", "en", "audit", "verify", *extra)
    assert text.returncode == 1 and text.stdout == ""
    assert text.stderr.startswith("Audit log BROKEN: " + data["problem"])
    return data["problems"]


def entry_of(cli: Kassi, action: str, n: int = 0) -> int:
    con = sqlite3.connect(cli.db)
    seq = con.execute(
        "SELECT seq FROM audit_log WHERE action = ? ORDER BY seq LIMIT 1 OFFSET ?", (action, n)
    ).fetchone()[0]
    con.close()
    return seq


def test_the_private_key_is_outside_the_database_and_only_its_public_half_inside(
    store: Kassi,
) -> None:
    """SPEC R-1: the key file is 0600 beside the database; the database file holds the public
    key and key id, never the seed nor the private signing key."""
    key_file = Path(f"{store.db}.key")
    assert key_file.stat().st_mode & 0o777 == 0o600
    ring = keyring.load(str(store.db))
    from cryptography.hazmat.primitives import serialization

    private = ring.signing_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    seed = bytes.fromhex(key_file.read_text("ascii").strip())
    blob = store.db.read_bytes()
    for secret in (private, seed, private.hex().encode(), seed.hex().encode()):
        assert secret not in blob
    con = sqlite3.connect(store.db)
    assert con.execute("SELECT key_id, public_key FROM audit_keys").fetchall() == [
        (ring.key_id, ring.public_key)
    ]
    unsigned = con.execute("SELECT COUNT(*) FROM audit_log WHERE signature IS NULL").fetchone()
    assert unsigned == (0,)
    con.close()


def test_a_sale_total_updated_in_sqlite_is_named(store: Kassi) -> None:
    """SPEC R-2: UPDATE sales SET total=100 is found: the sales row and its sale entry."""
    sale_entry = entry_of(store, "sale")
    tamper(store, "UPDATE sales SET total = 100 WHERE id = 1")
    problems = broken(store)
    assert problems == [f"sales row 1: changed since audit entry {sale_entry} recorded it."]


def test_a_payment_updated_in_sqlite_is_named(store: Kassi) -> None:
    """SPEC R-2: UPDATE payments is found; the session's cash total a trigger moved with it too."""
    sale_entry = entry_of(store, "sale")
    tamper(store, "UPDATE payments SET amount = amount - 1000 WHERE id = 1")
    problems = broken(store)
    assert f"payments row 1: changed since audit entry {sale_entry} recorded it." in problems
    assert any(p.startswith("sessions row 1: changed since audit entry") for p in problems)


def test_deleted_cash_adjustments_are_named(store: Kassi) -> None:
    """SPEC R-2: DELETE FROM cash_adjustments: each deleted row is named with its entry."""
    add, remove = entry_of(store, "cash.add"), entry_of(store, "cash.remove")
    tamper(store, "DELETE FROM cash_adjustments")
    problems = broken(store)
    assert problems == [
        f"cash_adjustments row 1: deleted; audit entry {add} recorded it.",
        f"cash_adjustments row 2: deleted; audit entry {remove} recorded it.",
    ]


def test_the_issue_reproduction_all_three_edits_are_named(store: Kassi) -> None:
    """SPEC R-2: the issue's own case (sales, payments, cash adjustments at once): exit 1,
    every row named, the earliest entry first."""
    tamper(
        store,
        "UPDATE sales SET total = 100",
        "UPDATE payments SET amount = 100",
        "DELETE FROM cash_adjustments",
    )
    problems = broken(store)
    tables = {p.split(" row ")[0] for p in problems}
    assert {"sales", "payments", "cash_adjustments", "sessions"} <= tables
    assert problems[0].startswith("payments row 1:") or problems[0].startswith("sales row 1:")


def test_a_fake_row_inserted_without_an_entry_is_named(store: Kassi) -> None:
    """SPEC R-2: a row no entry covers (written by another program) is named."""
    tamper(
        store,
        "INSERT INTO cash_adjustments (id, session_id, kind, amount, note, staff_id, created_at)"
        " VALUES (99, 1, 'add', 100000, 'fake', '2', '2026-01-01T00:00:00.000000Z')",
    )
    assert broken(store) == [
        "cash_adjustments row 99: no audit entry records it (written outside kassi)."
    ]


def test_a_cashier_made_manager_in_sqlite_is_named(store: Kassi) -> None:
    """SPEC R-2: a staff role edited from cashier to manager is found (the role is hashed)."""
    added = entry_of(store, "staff.add", 1)  # staff 2, the cashier
    tamper(store, "UPDATE staff SET role = 'manager', permissions = 'sale refund' WHERE id = '2'")
    assert broken(store) == [f"staff row 2: changed since audit entry {added} recorded it."]


def test_a_store_limit_edited_in_sqlite_is_named(store: Kassi) -> None:
    """SPEC R-2: store settings are covered (here max_change)."""
    tamper(store, "UPDATE stores SET max_change = 99999999 WHERE id = 'NORREBRO'")
    problems = broken(store)
    assert len(problems) == 1 and problems[0].startswith("stores row NORREBRO: changed since")


def test_an_entry_edited_and_every_later_hash_recomputed_fails_its_signature(
    store: Kassi,
) -> None:
    """SPEC R-1: with the project's own digest function every hash can be recomputed, but not
    the signatures: the first rewritten entry is named."""
    target = entry_of(store, "sale", 1)
    con = sqlite3.connect(store.db)
    con.row_factory = sqlite3.Row
    with con:
        con.execute("UPDATE audit_log SET amount = 1 WHERE seq = ?", (target,))
        rows = con.execute("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (target,))
        prev = con.execute("SELECT hash FROM audit_log WHERE seq = ?", (target - 1,)).fetchone()[0]
        for row in rows.fetchall():
            digest = hashing.entry_digest(
                prev, [row[c] for c in hashing.FIELDS], row["covers"], row["key_id"]
            )
            con.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                (prev, digest, row["seq"]),
            )
            prev = digest
        con.execute("UPDATE audit_head SET hash = ?", (prev,))
    con.close()
    problems = broken(store)
    assert problems == [
        f"Audit entry {target} has a wrong signature: it was rewritten without the store's key."
    ]


def test_the_newest_entries_deleted_and_the_counter_lowered_are_caught_by_the_signed_head(
    store: Kassi,
) -> None:
    """SPEC R-2: cutting the newest entries off and lowering the counter leaves a valid chain;
    the signed head still names the last entry (and the rows they covered are uncovered)."""
    last = audit.head(_db(store)).seq
    tamper(
        store,
        f"DELETE FROM audit_log WHERE seq > {last - 2}",
        f"UPDATE number_sequences SET value = {last - 2} WHERE name = 'audit'",
    )
    problems = broken(store)
    assert problems == [f"Audit entries {last - 1} to {last} were deleted."]


def test_every_entry_deleted_is_not_intact(store: Kassi) -> None:
    """SPEC R-2: an emptied journal never verifies as "intact (0 entries)" while the key was
    used (nor, with its keys and head gone too, while business rows remain)."""
    last = audit.head(_db(store)).seq
    tamper(store, "DELETE FROM audit_log", "DELETE FROM number_sequences WHERE name = 'audit'")
    assert broken(store)[0] == f"Audit entries 1 to {last} were deleted."  # the signed head
    tamper(store, "DELETE FROM audit_head")
    assert broken(store)[0].startswith("Every audit entry was deleted")  # the key's record
    tamper(store, "DELETE FROM audit_keys")
    problems = broken(store)
    assert problems[0] == (
        "The audit log is empty, but the database holds business rows: its entries were deleted."
    )
    assert "sales row 1: no audit entry records it (written outside kassi)." in problems


def test_a_journal_put_back_to_an_older_copy_fails_against_a_head_from_paper(
    store: Kassi, tmp_path: Path
) -> None:
    """SPEC R-2: an older copy of the whole file verifies on its own (its head was signed
    then); the head taken from paper (`audit head`) shows it was shortened."""
    older = tmp_path / "older.db"
    shutil.copy(store.db, older)
    store.ok("sale", "--terminal", "T1", "--item", "1003", "--pay", "card", *CASHIER)
    paper = store.ok("audit", "head").strip()
    assert "intact" in store.ok("--lang", "en", "audit", "verify", "--since-anchor", paper)
    shutil.copy(older, store.db)
    assert "intact" in store.ok("--lang", "en", "audit", "verify")
    problems = broken(store, "--since-anchor", paper)
    seq = int(paper.split(":")[0])
    assert problems == [
        f"The journal ends at entry {seq - 1}, before the anchor's entry {seq}: it was shortened."
    ]


def test_an_anchor_whose_hash_differs_is_refused(store: Kassi) -> None:
    """SPEC R-2: entry N must exist with exactly the paper hash; a bad anchor is a clear error."""
    seq = audit.head(_db(store)).seq
    problems = broken(store, "--since-anchor", f"{seq}:{'0' * 64}")
    assert problems == [f"Audit entry {seq} does not match the anchor: the journal was rewritten."]
    bad = store.run("--lang", "en", "audit", "verify", "--since-anchor", "seven")
    assert bad.returncode == 2 and "An anchor is an entry number and its hash" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_verify_without_the_key_file_says_so(store: Kassi) -> None:
    """SPEC R-1: the signatures are checked against the key outside the database."""
    Path(f"{store.db}.key").unlink()
    result = store.run("--lang", "en", "audit", "verify")
    assert result.returncode == 4 and "key file" in result.stderr
    assert "Traceback" not in result.stderr


def _db(cli: Kassi):
    from core.store.db import Db

    return Db(cli.db)


def test_a_full_day_through_the_cli_verifies_intact(store: Kassi) -> None:
    """SPEC R-2: everything normal the till does keeps the journal intact: sales, refunds,
    discounts, sessions, cash, staff, store settings, lockouts and unlock, printing, a
    statement calculated and posted."""
    day = store
    day.ok("staff", "add", "7", "--name", "Sif", "--role", "cashier", "--new-pin", "7777", *MANAGER)
    for _ in range(5):  # wrong PINs until locked out: counters move, no entry is needed for them
        day.run("sale", "--terminal", "T2", "--item", "1001", "--pay", "card", "--staff", "7",
                "--pin", "0000")  # fmt: skip
    day.ok("staff", "unlock", "7", *MANAGER)
    day.ok("store", "set", "NORREBRO", "max_change=5000.00", "min_pin_length=4", *MANAGER)
    day.ok("discount", "limit", "cashier", "15%", *MANAGER)
    day.ok(
        "sale", "--terminal", "T1", "--item", "1001x3", "--item", "1002",
        "--discount", "1001=10%:2", "--pay", "card", *CASHIER,
    )  # fmt: skip
    day.ok(
        "refund", "--terminal", "T1", "--receipt", "1", "--item", "1001", "--pay", "cash",
        *CASHIER,
    )  # fmt: skip
    day.ok("print", "receipt", "last", "--terminal", "T1")
    day.ok("print", "x", "--terminal", "T1", *CASHIER)
    day.ok("print", "pending", "--retry")
    for terminal in ("T1", "T2"):
        shown = json.loads(day.ok("session", "show", "--terminal", terminal, "--json", *MANAGER))
        expected = shown["expected_cash"]
        day.ok(
            "--lang", "en", "session", "close", "--terminal", terminal, "--counted", expected,
            "--leave", "0", *MANAGER,
        )  # fmt: skip
    day.ok("print", "z", str(shown["id"]), *MANAGER)
    now = datetime.now(UTC)
    period = (
        "--from", (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "--to", (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    made = json.loads(day.ok("statement", "create", "--store", "NORREBRO", *period, "--json",
                             *MANAGER))  # fmt: skip
    sid = str(made[0]["id"])
    day.ok("statement", "calculate", sid, *MANAGER)
    day.ok("statement", "post", sid, *MANAGER)
    out = day.ok("--lang", "en", "audit", "verify")
    assert out.startswith("Audit log intact:"), out
    con = sqlite3.connect(day.db)
    actions = {r[0] for r in con.execute("SELECT action FROM audit_log")}
    con.close()
    assert {
        "sale",
        "refund",
        "cash.add",
        "session.close",
        "login.locked",
        "staff.unlock",
    } <= actions
    assert any(a.startswith("statement.post") for a in actions), actions
