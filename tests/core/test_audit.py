"""The tamper-evident audit log (core/audit/journal.py): one hash-chained entry per operation,
written in the operation's own transaction; verify() finds changed, deleted and
inserted entries."""

from __future__ import annotations

import pytest

from core.audit import hashing, verification
from core.audit import journal as audit
from core.money.tendering import TenderInput
from core.staff import auth, pins
from core.store import customers, stores
from core.tills import drawer, refunds, sales, sessions
from core.tills.basket import LineInput


def entries(db):
    return db.all("SELECT * FROM audit_log ORDER BY seq")


def recompute(row):
    return hashing.entry_digest(
        row["prev_hash"], [row[c] for c in hashing.FIELDS], row["covers"], row["key_id"]
    )


def split_transactions(trace):
    """Statements of each BEGIN IMMEDIATE ... COMMIT in a trace, and those outside any."""
    transactions, current, outside = [], None, []
    for statement in trace:
        if statement.startswith("BEGIN IMMEDIATE"):
            current = []
        elif statement.startswith(("COMMIT", "ROLLBACK")):
            if current is not None:
                transactions.append((statement, current))
            current = None
        elif current is not None:
            current.append(statement)
        else:
            outside.append(statement)
    return transactions, outside


def busy(db, manager, cashier, supervisor, clock, rounds=15):
    """A day's worth of everything, on several terminals."""
    for terminal in ("T1", "T2"):
        sessions.open_session(db, cashier, terminal, 50000, note="float")
    for n in range(rounds):
        clock.advance(minutes=7)
        terminal = ("T1", "T2")[n % 2]
        sold = sales.record_sale(
            db,
            cashier,
            terminal,
            [LineInput("1008", 1 + n % 3), LineInput("1001")],
            [TenderInput(("cash", "card", "mobile")[n % 3])],
            customer_id="C1001" if n % 4 == 0 else None,
        )
        if n % 5 == 0:
            refunds.record_refund(
                db,
                supervisor,
                terminal,
                [LineInput("1001")],
                [TenderInput("card")],
                receipt=(terminal, sold.sale.receipt_no),
            )
        if n % 6 == 0:
            sessions.adjust_cash(db, supervisor, terminal, "add", 2000, "coins")
            sessions.adjust_cash(db, supervisor, terminal, "remove", 1000, "theft limit")
        if n % 7 == 0:
            drawer.no_sale(db, supervisor, terminal, "change")
    sales.record_sale(db, manager, "R1", [LineInput("1022")], [TenderInput("cash", 5000)])
    for terminal in ("T1", "T2", "R1"):
        expected = sessions.expected_cash(db, sessions.current_session(db, terminal).id)
        sessions.close_session(db, supervisor, terminal, counted=expected, leave=0)


# -- one entry per operation, in its transaction -----------------------------------------------


OPERATIONS = [
    ("session.open", lambda db, s: sessions.open_session(db, s, "T1", 10000, note="float")),
    (
        "sale",
        lambda db, s: sales.record_sale(db, s, "T1", [LineInput("1008", 2)], [TenderInput("cash")]),
    ),
    (
        "refund",
        lambda db, s: refunds.record_refund(
            db, s, "T1", [LineInput("1008")], [TenderInput("cash")], receipt=("T1", 1)
        ),
    ),
    ("cash.add", lambda db, s: sessions.adjust_cash(db, s, "T1", "add", 5000, "coins")),
    ("cash.remove", lambda db, s: sessions.adjust_cash(db, s, "T1", "remove", 3000, "limit")),
    ("drawer.no_sale", lambda db, s: drawer.no_sale(db, s, "T1", "change")),
    ("session.close", lambda db, s: sessions.close_session(db, s, "T1", counted=14200, leave=0)),
    ("store.update", lambda db, s: stores.update_store(db, s, "NORREBRO", drawer_limit="2000.00")),
    ("customer.add", lambda db, s: customers.add_customer(db, s, "C2000", "Bageriet")),
]


def test_every_operation_appends_one_chained_entry_in_its_own_transaction(db, manager):
    """SPEC (beyond the sources) tamper-evident audit log; DESIGN: the audit entry is in the
    operation's own transaction. Each operation is one BEGIN IMMEDIATE ... COMMIT holding exactly
    one audit insert, and its entry links to the entry before it."""
    for action, operation in OPERATIONS:
        last = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
        trace: list[str] = []
        db.conn.set_trace_callback(trace.append)
        try:
            operation(db, manager)
        finally:
            db.conn.set_trace_callback(None)
        new = db.all("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq", (last["seq"],))
        assert [r["action"] for r in new] == [action]
        entry = new[0]
        assert entry["seq"] == last["seq"] + 1
        assert entry["prev_hash"] == last["hash"]
        assert entry["hash"] == recompute(entry)
        assert entry["staff_id"] == "1"
        transactions, outside = split_transactions(trace)
        assert [end for end, _ in transactions] == ["COMMIT"], action
        inside = transactions[0][1]
        assert sum(s.startswith("INSERT INTO audit_log") for s in inside) == 1, action
        assert not any("audit_log" in s for s in outside), action
    assert verification.verify(db).ok


def test_entries_carry_who_where_what_and_amount(db, cashier, supervisor):
    """Audit log (SPEC beyond the sources): who, on which terminal, what and how much."""
    sid = sessions.open_session(db, cashier, "T1", 10000).id
    sessions.adjust_cash(db, supervisor, "T1", "remove", 2500, "To the safe")
    entry = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert (entry["action"], entry["staff_id"], entry["terminal_id"]) == ("cash.remove", "3", "T1")
    assert (entry["entity"], entry["entity_id"], entry["amount"]) == ("session", str(sid), 2500)
    assert '"note":"To the safe"' in entry["details"]


def test_verify_passes_on_a_busy_database(db, manager, cashier, supervisor, clock):
    """Audit log (SPEC beyond the sources): an untouched chain verifies after a day of every kind of
    operation."""
    busy(db, manager, cashier, supervisor, clock, rounds=40)
    count = db.scalar("SELECT COUNT(*) FROM audit_log")
    assert count > 80
    result = verification.verify(db)
    assert result.ok, result.problem
    assert result.checked == count
    assert db.scalar("SELECT value FROM number_sequences WHERE name = 'audit'") == count


# -- tampering ---------------------------------------------------------------------------------


@pytest.fixture
def busy_db(db, manager, cashier, supervisor, clock):
    busy(db, manager, cashier, supervisor, clock, rounds=8)
    assert verification.verify(db).ok
    return db


def _a_sale_entry(db):
    return db.one("SELECT * FROM audit_log WHERE action = 'sale' ORDER BY seq LIMIT 1 OFFSET 2")


def test_changed_amount_is_reported(busy_db):
    """Audit log (SPEC beyond the sources): an UPDATE of an entry's amount is reported as that entry
    changed."""
    target = _a_sale_entry(busy_db)
    busy_db.execute("UPDATE audit_log SET amount = amount - 100 WHERE seq = ?", (target["seq"],))
    result = verification.verify(busy_db)
    assert not result.ok
    assert result.seq == target["seq"]
    assert result.problem == f"Audit entry {target['seq']} was changed."
    assert result.checked == target["seq"] - 1


def test_changed_details_are_reported(busy_db):
    """Audit log (SPEC beyond the sources): an UPDATE of the details is reported as changed."""
    target = busy_db.one("SELECT * FROM audit_log WHERE action = 'cash.remove' LIMIT 1")
    busy_db.execute(
        "UPDATE audit_log SET details = replace(details, 'theft limit', 'bank') WHERE seq = ?",
        (target["seq"],),
    )
    result = verification.verify(busy_db)
    assert (result.ok, result.seq) == (False, target["seq"])
    assert "was changed" in result.problem


def test_changed_row_with_recomputed_hash_fails_its_signature(busy_db):
    """SPEC R-1: re-hashing the changed entry with the project's own digest does not help: its
    signature (made with the key outside the database) no longer matches."""
    target = _a_sale_entry(busy_db)
    busy_db.execute("UPDATE audit_log SET amount = 1 WHERE seq = ?", (target["seq"],))
    row = busy_db.one("SELECT * FROM audit_log WHERE seq = ?", (target["seq"],))
    busy_db.execute("UPDATE audit_log SET hash = ? WHERE seq = ?", (recompute(row), row["seq"]))
    result = verification.verify(busy_db)
    assert (result.ok, result.seq) == (False, target["seq"])
    assert "wrong signature" in result.problem


def test_deleted_middle_row_is_reported(busy_db):
    """Audit log (SPEC beyond the sources): a deleted middle entry is reported as deleted."""
    target = _a_sale_entry(busy_db)
    busy_db.execute("DELETE FROM audit_log WHERE seq = ?", (target["seq"],))
    result = verification.verify(busy_db)
    assert not result.ok
    assert result.seq == target["seq"]
    assert result.problem == f"Audit entries {target['seq']} to {target['seq']} were deleted."


def test_deleting_the_newest_rows_is_caught_by_the_sequence(busy_db):
    """Audit log (SPEC beyond the sources): no later link breaks when the newest entries go; the
    issued count catches it."""
    last = busy_db.scalar("SELECT MAX(seq) FROM audit_log")
    busy_db.execute("DELETE FROM audit_log WHERE seq > ?", (last - 3,))
    result = verification.verify(busy_db)
    assert not result.ok
    assert result.problem == f"Audit entries {last - 2} to {last} were deleted."
    assert result.checked == last - 3


def _forge(db, seq, prev_hash, action="sale", amount=1):
    row = {
        "seq": seq,
        "at": "2026-01-15T09:00:00.000000Z",
        "staff_id": "2",
        "terminal_id": "T1",
        "action": action,
        "entity": "sale",
        "entity_id": "999",
        "amount": amount,
        "details": "{}",
        "prev_hash": prev_hash,
        "covers": "[]",
        "key_id": db.keyring.key_id,
    }
    row["hash"] = recompute(row)
    db.execute(
        "INSERT INTO audit_log (seq, at, staff_id, terminal_id, action, entity, entity_id,"
        " amount, details, prev_hash, hash, covers, key_id) VALUES (:seq, :at, :staff_id,"
        " :terminal_id, :action, :entity, :entity_id, :amount, :details, :prev_hash, :hash,"
        " :covers, :key_id)",
        row,
    )
    return row["hash"]


def test_replaced_row_linked_to_its_predecessor_is_reported(busy_db):
    """Audit log (SPEC beyond the sources): a forged entry in place of a real one, correctly linked
    backwards, breaks the link of the entry after it."""
    target = _a_sale_entry(busy_db)
    busy_db.execute("DELETE FROM audit_log WHERE seq = ?", (target["seq"],))
    _forge(busy_db, target["seq"], target["prev_hash"])
    result = verification.verify(busy_db)
    assert (result.ok, result.seq) == (False, target["seq"])
    assert result.problem == f"Audit entry {target['seq']} is not signed."


def test_inserted_row_with_the_whole_chain_relinked_is_reported(busy_db):
    """Audit log (SPEC beyond the sources): insert an entry in the middle, renumber everything after
    it and recompute every hash: each link is valid again, but kassi never issued the last
    number."""
    target = _a_sale_entry(busy_db)
    tail = busy_db.all("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (target["seq"],))
    busy_db.execute("DELETE FROM audit_log WHERE seq >= ?", (target["seq"],))
    prev = _forge(busy_db, target["seq"], target["prev_hash"], action="refund", amount=-5000)
    for row in tail:
        moved = dict(row)
        moved["seq"] = row["seq"] + 1
        moved["prev_hash"] = prev
        moved["hash"] = recompute(moved)
        busy_db.execute(
            "INSERT INTO audit_log (seq, at, staff_id, terminal_id, action, entity, entity_id,"
            " amount, details, prev_hash, hash, covers, key_id, signature) VALUES (:seq, :at,"
            " :staff_id, :terminal_id, :action, :entity, :entity_id, :amount, :details,"
            " :prev_hash, :hash, :covers, :key_id, :signature)",
            moved,
        )
        prev = moved["hash"]
    result = verification.verify(busy_db)
    assert not result.ok
    # The forged entry is the first one the key never signed.
    assert result.seq == target["seq"]
    assert result.problem == f"Audit entry {target['seq']} is not signed."


def test_appended_well_linked_row_is_reported(busy_db):
    """Audit log (SPEC beyond the sources): an entry appended by hand, correctly linked, was never
    issued by kassi."""
    last = busy_db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    _forge(busy_db, last["seq"] + 1, last["hash"])
    result = verification.verify(busy_db)
    assert (result.ok, result.seq) == (False, last["seq"] + 1)
    assert "was inserted" in result.problem


# -- rollback ----------------------------------------------------------------------------------


def test_rolled_back_operation_leaves_no_audit_entry(db, cashier, monkeypatch):
    """Audit log / DESIGN one write transaction per operation: a sale that fails after its audit
    entry was written rolls the entry back with it, sequence number included: the chain stays
    whole and the next entry takes the number."""
    sessions.open_session(db, cashier, "T1", 10000)
    count = db.scalar("SELECT COUNT(*) FROM audit_log")
    issued = db.scalar("SELECT value FROM number_sequences WHERE name = 'audit'")

    def fail(*args, **kwargs):
        raise RuntimeError("crash after the audit entry")

    with monkeypatch.context() as patch:
        patch.setattr(sales, "load_sale", fail)
        with pytest.raises(RuntimeError):
            sales.record_sale(db, cashier, "T1", [LineInput("1008")], [TenderInput("cash")])
    assert db.scalar("SELECT COUNT(*) FROM audit_log") == count
    assert db.scalar("SELECT value FROM number_sequences WHERE name = 'audit'") == issued
    assert db.scalar("SELECT COUNT(*) FROM sales") == 0
    assert not db.conn.in_transaction
    assert verification.verify(db).ok

    sale = sales.record_sale(db, cashier, "T1", [LineInput("1008")], [TenderInput("cash")])
    entry = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert (entry["seq"], entry["action"], entry["entity_id"]) == (
        issued + 1,
        "sale",
        str(sale.sale.id),
    )
    assert verification.verify(db).ok


def test_refused_operation_leaves_no_audit_entry(db, cashier):
    """Audit log: a refused operation (permission, S-6 no open session) writes no entry."""
    count = db.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(Exception, match="not allowed"):
        drawer.no_sale(db, cashier, "T1")
    with pytest.raises(Exception, match="No session is open"):
        sessions.adjust_cash(db, cashier, "T1", "add", 100, "coins")
    assert db.scalar("SELECT COUNT(*) FROM audit_log") == count
    assert verification.verify(db).ok


# -- signing (R-1, R-2) ----------------------------------------------------------------------


def _legacy_database(tmp_path, clock):
    """A store database from before signing (m010), with unsigned entries and a sale."""
    from core.store import demo
    from core.store.db import Db
    from core.store.schema import migrations

    db = Db(tmp_path / "old.db", clock=clock, migrate=False)
    with db.write():
        migrations.apply(db.sql, stop_before="m012_audit_signing")
    demo.load_demo(db, printer_dir=tmp_path)
    cashier = auth.authenticate(db, "2", "2222")
    session = sessions.open_session(db, cashier, "T1", 10000)
    _legacy_sale(db, cashier, session.id)
    return db


def _legacy_sale(db, cashier, session_id: int) -> None:
    """A sale as the till wrote it then: today's sale code writes columns (K-8's units)
    this older schema does not have yet."""
    with db.write():
        db.execute("UPDATE terminals SET last_receipt_no = 1 WHERE id = 'T1'")
        sale_id = db.insert(
            "sales",
            {
                "uid": "legacy-sale-1",
                "kind": "sale",
                "store_id": "NORREBRO",
                "terminal_id": "T1",
                "receipt_no": 1,
                "session_id": session_id,
                "staff_id": cashier.id,
                "created_at": db.now_iso(),
                "currency": "DKK",
                "total": 1000,
                "rounding": 0,
                "vat_total": 200,
                "change_given": 0,
            },
        )
        db.execute(
            "INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price, discount,"
            " line_total, vat_rate, vat_amount) VALUES (?, 1, '1008', 'Item', 1, 1000, 0, 1000,"
            " 2500, 200)",
            (sale_id,),
        )
        db.execute(
            "INSERT INTO payments (sale_id, session_id, tender_id, is_cash, amount, tendered)"
            " VALUES (?, ?, 'cash', 1, 1000, 1000)",
            (sale_id, session_id),
        )
        audit.append(
            db,
            "sale",
            staff_id=cashier.id,
            terminal_id="T1",
            entity="sale",
            entity_id=sale_id,
            amount=1000,
        )


def test_an_old_database_is_signed_from_its_migration_and_its_legacy_range_named(tmp_path, clock):
    """SPEC R-1, R-2: entries from before signing stay as they were (their unkeyed chain still
    checked); the migration's first signed entry names their range, links to their end and
    covers every row then; verify reports the legacy range and catches a row edited later."""
    db = _legacy_database(tmp_path, clock)
    legacy = db.scalar("SELECT MAX(seq) FROM audit_log")
    assert db.scalar("SELECT COUNT(*) FROM audit_log") == legacy
    db.migrate()
    assert db.journal_ready
    start = db.one("SELECT * FROM audit_log WHERE seq = ?", (legacy + 1,))
    assert start["action"] == "journal.start" and start["signature"] is not None
    assert '"legacy":[1,' in start["details"]
    result = verification.verify(db)
    assert result.ok, result.problem
    assert result.legacy == (1, legacy)
    cashier = auth.authenticate(db, "2", "2222")
    sales.record_sale(db, cashier, "T1", [LineInput("1008")], [TenderInput("card")])
    assert verification.verify(db).ok
    db.execute("UPDATE sales SET total = 1 WHERE id = 1")
    db.execute("DELETE FROM temp.kassi_touched")
    result = verification.verify(db)
    assert result.problem == f"sales row 1: changed since audit entry {legacy + 1} recorded it."
    db.close()


def test_a_legacy_entry_edited_with_its_chain_recomputed_is_caught_by_the_signed_start(
    tmp_path, clock
):
    """SPEC R-1: the signed start entry carries the legacy chain's last hash: rewriting a legacy
    entry and every legacy hash after it breaks the link into the signed part."""
    db = _legacy_database(tmp_path, clock)
    db.migrate()
    legacy = db.scalar("SELECT MAX(seq) FROM audit_log WHERE signature IS NULL")
    db.execute("UPDATE audit_log SET amount = 1 WHERE seq = 2")
    prev = db.scalar("SELECT hash FROM audit_log WHERE seq = 1")
    for row in db.all("SELECT * FROM audit_log WHERE seq BETWEEN 2 AND ? ORDER BY seq", (legacy,)):
        digest = hashing.legacy_digest(prev, [row[c] for c in hashing.FIELDS])
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                   (prev, digest, row["seq"]))  # fmt: skip
        prev = digest
    result = verification.verify(db)
    assert (result.ok, result.seq) == (False, legacy + 1)
    assert "does not follow" in result.problem
    db.close()


def test_a_login_that_upgrades_legacy_pin_hashes_keeps_the_journal_intact(db):
    """SPEC R-10 / R-2: the PIN hash is covered; the login that re-peppers a legacy hash
    appends its entry in the same transaction, so verify stays intact."""
    salt = bytes(range(16))
    digest = pins._scrypt("2222", salt, pins._SCRYPT_N, pins._SCRYPT_R, pins._SCRYPT_P)
    legacy = (
        f"scrypt${pins._SCRYPT_N}${pins._SCRYPT_R}${pins._SCRYPT_P}${salt.hex()}${digest.hex()}"
    )
    with db.write():
        db.execute("UPDATE staff SET pin_hash = ? WHERE id = '2'", (legacy,))
        audit.append(db, "test.legacy_hash", entity="staff", entity_id="2")
    assert verification.verify(db).ok
    auth.authenticate(db, "2", "2222")
    entry = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert entry["action"] == "staff.pin_upgrade"
    assert '"staff"' in entry["covers"]
    assert verification.verify(db).ok


def test_rows_written_after_the_last_entry_get_an_entry_before_the_commit(db, manager):
    """SPEC R-2: nothing kassi writes is left uncovered: a row written after the transaction's
    last entry gets a "journal.rows" entry of its own, and no earlier entry changes."""
    with db.write():
        audit.append(db, "test.first")
        first = db.one("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")["hash"]
        db.execute("UPDATE tenders SET sort_order = 9 WHERE id = 'card'")
    last = db.all("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 2")
    assert [r["action"] for r in last] == ["journal.rows", "test.first"]
    assert last[1]["hash"] == first
    assert '"tenders"' in last[0]["covers"]
    assert verification.verify(db).ok


def test_a_second_verify_checks_new_signatures_only_and_still_catches_an_old_rewrite(busy_db):
    """SPEC R-2: an intact verify leaves a signed checkpoint; the next checks every hash and link
    but only the signatures after it, and an old entry rewritten with every later hash
    recomputed still fails its signature (the checkpoint's hash no longer matches)."""
    count = busy_db.scalar("SELECT COUNT(*) FROM audit_log")
    assert verification.verify(busy_db, full=True).signatures == count
    with busy_db.write():
        audit.append(busy_db, "test.later")
    again = verification.verify(busy_db)
    assert again.ok and again.signatures == 1 and again.checked == count + 1
    target = _a_sale_entry(busy_db)["seq"]
    busy_db.execute("UPDATE audit_log SET amount = 1 WHERE seq = ?", (target,))
    prev = busy_db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (target - 1,))
    for row in busy_db.all("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (target,)):
        moved = {**dict(row), "prev_hash": prev}
        prev = recompute(moved)
        busy_db.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
            (moved["prev_hash"], prev, row["seq"]),
        )
    busy_db.execute("UPDATE audit_head SET hash = ?", (prev,))
    result = verification.verify(busy_db)
    assert (result.ok, result.seq) == (False, target)
    assert "wrong signature" in result.problem
