"""The database layer (core/store/db.py, core/store/schema.py): pragmas, migrations, the write
transaction, and the invariants the schema enforces by itself."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from core.money.tendering import TenderInput
from core.staff import auth
from core.store import demo
from core.store.db import BUSY_TIMEOUT_S, Db, iso, parse_iso
from core.store.schema import migrations
from core.tills import sales, sessions
from core.tills.basket import LineInput


@pytest.fixture
def db_file(tmp_path, clock):
    path = tmp_path / "store" / "kassi.db"  # the parent folder is created on open
    database = Db(path, clock=clock)
    yield database
    database.close()


def pragma(db, name):
    return db.scalar(f"PRAGMA {name}")


# -- pragmas -----------------------------------------------------------------------------


def test_file_database_pragmas(db_file):
    """S-10/DESIGN connection: WAL (readers never block the writer), foreign keys on,
    synchronous=FULL (a sale survives a power cut), and a busy timeout so tills queue instead of
    failing."""
    assert pragma(db_file, "journal_mode") == "wal"
    assert pragma(db_file, "foreign_keys") == 1
    assert pragma(db_file, "synchronous") == 2
    assert pragma(db_file, "busy_timeout") == int(BUSY_TIMEOUT_S * 1000) == 10000


def test_pragmas_are_set_on_every_connection(db_file, clock):
    """DESIGN connection: foreign_keys and synchronous are per connection: a second till's
    connection has them."""
    other = Db(db_file.path, clock=clock)
    try:
        assert (pragma(other, "foreign_keys"), pragma(other, "synchronous")) == (1, 2)
        assert pragma(other, "journal_mode") == "wal"
    finally:
        other.close()


def test_foreign_keys_are_enforced(db):
    """DESIGN schema invariants: foreign keys are on."""
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.execute(
            "INSERT INTO sessions (id, terminal_id, store_id, status, opened_at, opened_by,"
            " opening_float) VALUES (1, 'NOPE', 'NORREBRO', 'open', '2026-01-15T08:00:00.000000Z',"
            " '1', 0)"
        )


# -- migrations --------------------------------------------------------------------------


def _applied(db):
    return [
        tuple(r)
        for r in db.all(
            "SELECT name, applied_at FROM _sqlite_migrations WHERE migration_set = 'kassi'"
            " ORDER BY id"
        )
    ]


def test_migrations_applied_once_and_idempotent_on_reopen(db_file, clock):
    """Every migration is recorded once; reopening (a restart) applies nothing again and
    keeps the data (S-10)."""
    names = [m.name for m in migrations._migrations]
    assert names[0] == "m001_initial"
    applied = _applied(db_file)
    assert [name for name, _ in applied] == names
    assert migrations.pending(db_file.sql) == []
    demo.load_demo(db_file)
    manager = db_file.one("SELECT * FROM staff WHERE id = '1'")
    assert manager is not None
    db_file.migrate()  # a second call on the same connection is a no-op
    assert _applied(db_file) == applied
    path = db_file.path
    db_file.close()

    for _ in range(2):
        again = Db(path, clock=clock)
        try:
            assert _applied(again) == applied
            assert again.scalar("SELECT COUNT(*) FROM stores") == 2
            assert again.scalar("SELECT COUNT(*) FROM items") == 24
        finally:
            again.close()


def test_sales_survive_a_restart(tmp_path, clock):
    """S-10: what a till recorded is there after the program (the connection) restarts."""
    path = tmp_path / "kassi.db"
    first = Db(path, clock=clock)
    demo.load_demo(first)
    cashier = auth.authenticate(first, "2", "2222")
    sid = sessions.open_session(first, cashier, "T1", 10000).id
    sales.record_sale(first, cashier, "T1", [LineInput("1008", 2)], [TenderInput("cash")])
    first.close()

    second = Db(path, clock=clock)
    try:
        assert second.scalar("SELECT COUNT(*) FROM sales") == 1
        assert sessions.current_session(second, "T1").id == sid
        assert sessions.expected_cash(second, sid) == 10000 + 4400
    finally:
        second.close()


# -- write transactions ----------------------------------------------------------------------


def _customers(db):
    return db.scalar("SELECT COUNT(*) FROM customers")


def _add_customer(db, cid):
    db.insert("customers", {"id": cid, "name": cid, "created_at": db.now_iso()})


def test_write_commits(db):
    """DESIGN: one business operation is one BEGIN IMMEDIATE ... COMMIT."""
    before = _customers(db)
    with db.write():
        assert db.in_write and db.conn.in_transaction
        _add_customer(db, "X1")
    assert not db.in_write and not db.conn.in_transaction
    assert _customers(db) == before + 1


def test_write_rolls_back_on_exception(db):
    """DESIGN: write() rolls back everything, number sequences included, on any error."""
    before = _customers(db)
    with pytest.raises(ValueError, match="boom"), db.write():
        _add_customer(db, "X1")
        db.next_number("statement")
        raise ValueError("boom")
    assert _customers(db) == before
    assert db.scalar("SELECT value FROM number_sequences WHERE name = 'statement'") is None
    assert not db.in_write and not db.conn.in_transaction
    with db.write():  # the connection is usable again
        _add_customer(db, "X2")
    assert _customers(db) == before + 1


def test_nested_write_joins_the_outer_transaction(db):
    """DESIGN one write transaction: an inner write() is part of the outer one: one BEGIN, nothing
    committed until the outer block ends, and the outer failure rolls the inner work back too."""
    before = _customers(db)
    trace: list[str] = []
    db.conn.set_trace_callback(trace.append)
    with pytest.raises(RuntimeError), db.write():
        with db.write():
            _add_customer(db, "X1")
        assert db.in_write and db.conn.in_transaction  # the inner exit did not commit
        _add_customer(db, "X2")
        raise RuntimeError("outer fails after the inner block")
    db.conn.set_trace_callback(None)
    assert _customers(db) == before
    assert [s for s in trace if s.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK")] == [
        "BEGIN IMMEDIATE",
        "ROLLBACK",
    ]


def test_nested_write_failure_rolls_back_the_whole_operation(db):
    """DESIGN one write transaction: an inner failure rolls back the outer work too."""
    before = _customers(db)
    with pytest.raises(KeyError), db.write():
        _add_customer(db, "X1")
        with db.write():
            _add_customer(db, "X2")
            raise KeyError("inner")
    assert _customers(db) == before
    assert not db.in_write


def test_write_takes_the_write_lock_at_begin(db_file, clock):
    """DESIGN (measured 1053/1200 locked with deferred BEGIN): BEGIN IMMEDIATE: while one till is
    inside write(), another cannot start writing (it waits for the busy timeout; here the timeout
    is 0, so it is refused at once)."""
    other = Db(db_file.path, clock=clock)
    other.execute("PRAGMA busy_timeout = 0")
    try:
        with db_file.write():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.scalar("SELECT COUNT(*) FROM stores") == 0  # readers still read
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_number_sequences_only_inside_a_write(db):
    """T-7: global number sequences advance only inside a write transaction."""
    with pytest.raises(RuntimeError, match="write transaction"):
        db.next_number("session")
    with db.write():
        first, second = db.next_number("demo-seq"), db.next_number("demo-seq")
    assert (first, second) == (1, 2)


def test_instants_are_aware_utc_text(clock):
    """DESIGN time: UTC instants, ISO 8601, naive datetimes refused."""
    assert iso(clock.now) == "2026-01-15T08:00:00.000000Z"
    assert parse_iso(iso(clock.now)) == clock.now
    with pytest.raises(ValueError, match="naive"):
        iso(datetime(2026, 1, 15, 8, 0))


# -- schema invariants -----------------------------------------------------------------------

OPEN_SESSION = (
    "INSERT INTO sessions (id, terminal_id, store_id, status, opened_at, opened_by,"
    " opening_float) VALUES (?, 'T1', 'NORREBRO', 'open', '2026-01-15T08:00:00.000000Z', '1', ?)"
)


def test_schema_refuses_a_negative_float(db):
    """S-3 in the schema: CHECK (opening_float >= 0)."""
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(OPEN_SESSION, (1, -1))
    db.execute(OPEN_SESSION, (1, 0))
    assert db.scalar("SELECT COUNT(*) FROM sessions") == 1


def test_schema_refuses_a_closed_session_without_counted_cash(db):
    """S-8 in the schema: a closed session has counted cash and removed = counted - left."""
    db.execute(OPEN_SESSION, (1, 10000))
    close = (
        "UPDATE sessions SET status = 'closed', closed_at = '2026-01-15T18:00:00.000000Z',"
        " closed_by = '1', expected_cash = 10000, counted_cash = ?, left_in_drawer = ?,"
        " cash_removed = ? WHERE id = 1"
    )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(close, (None, 0, 0))
    # removed must be counted - left, and left at most counted
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(close, (10000, 2000, 7000))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(close, (10000, 12000, -2000))
    assert db.scalar("SELECT status FROM sessions WHERE id = 1") == "open"
    db.execute(close, (10000, 2000, 8000))
    assert db.scalar("SELECT status FROM sessions WHERE id = 1") == "closed"


def test_schema_refuses_a_sale_line_whose_total_does_not_add_up(db, manager):
    """M-1 in the schema: line_total = qty * unit_price - discount, signs agree."""
    sale = sales.record_sale(db, manager, "T1", [LineInput("1008", 2)], [TenderInput("card")])
    line = (
        "INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price, discount,"
        " line_total, vat_rate, vat_amount) VALUES (?, ?, '1008', 'Æbler', ?, 2200, ?, ?, 2500, 0)"
    )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(line, (sale.sale.id, 2, 2, 100, 4400))  # 2 x 22,00 - 1,00 is 43,00
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(line, (sale.sale.id, 2, 2, -100, 4500))  # a negative discount on a sale
    db.execute(line, (sale.sale.id, 2, 2, 100, 4300))
    assert db.scalar("SELECT COUNT(*) FROM sale_lines WHERE sale_id = ?", (sale.sale.id,)) == 2


def test_schema_refuses_a_duplicate_receipt_number(db, manager):
    """DESIGN numbering: UNIQUE (terminal_id, receipt_no)."""
    sale = sales.record_sale(db, manager, "T1", [LineInput("1008")], [TenderInput("card")])
    row = dict(db.one("SELECT * FROM sales WHERE id = ?", (sale.sale.id,)))
    row.update(id=None, uid="another")
    cols = ", ".join(row)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        db.execute(
            f"INSERT INTO sales ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )


def test_nested_write_failure_caught_by_the_outer_code_undoes_only_the_inner_work(db):
    """An inner operation that fails inside an outer transaction leaves nothing half-done."""
    with db.write():
        db.execute("INSERT INTO customers (id, name, created_at) VALUES ('A', 'a', 'x')")
        try:
            with db.write():
                db.execute("INSERT INTO customers (id, name, created_at) VALUES ('B', 'b', 'x')")
                raise RuntimeError("inner failure")
        except RuntimeError:
            pass
    ids = [r[0] for r in db.all("SELECT id FROM customers WHERE id IN ('A', 'B')")]
    assert ids == ["A"]


def test_schema_version_counts_every_migration():
    """Opening a current database trusts PRAGMA user_version; it must match the schema."""
    from core.store.db import SCHEMA_VERSION
    from core.store.schema import migrations

    assert len(migrations._migrations) == SCHEMA_VERSION


def test_current_database_opens_without_importing_sqlite_utils(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "v.db"
    Db(path).close()
    code = (
        "import sys; from core.store.db import Db; Db(sys.argv[1]).close(); "
        "print('sqlite_utils' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"
