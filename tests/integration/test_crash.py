"""A till killed with SIGKILL in the middle of ringing up sales loses nothing it
reported and leaves nothing half-written; the audit log still verifies, and a
changed audit entry is caught by `kassi audit verify`. Every sale that committed
has its receipt's print job (SPEC R-9), also when `kassi sale` itself is killed."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from core.staff import auth
from core.store import demo, stores, terminals
from core.store.db import Db
from tests.depth import examples
from tests.integration.kassi_command import clean_env, kassi_command

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]

TERMINAL = "K1"
# Each round, batch or commit-kill is one more random moment to die at: fewer in `ci`.
ROUNDS = examples(ci=5, deep=8)
BATCHES = examples(ci=6, deep=12)
COMMIT_KILLS = examples(ci=6, deep=12)

# The till: sales (cash, card, split), now and then a refund or a session close.
# Each line it prints is an operation that returned, i.e. committed.
CHILD = r"""
import json, random, sys
from core.staff import auth
from core.tills import refunds, sales
from core.tills import sessions
from core.store.db import Db
from core.tills.basket import LineInput
from core.money.tendering import TenderInput

args = json.loads(sys.argv[1])
rng = random.Random(args["seed"])
db = Db(args["db"])
actor = auth.authenticate(db, "3", "3333", terminal_id=args["terminal"])
terminal = args["terminal"]
last = None
print("ready", flush=True)
while True:
    roll = rng.random()
    if roll < 0.03:
        with db.write():
            current = sessions.current_session(db, terminal)
            if current is None:
                continue
            expected = sessions.expected_cash(db, current.id)
            closed = sessions.close_session(db, actor, terminal, expected, expected // 2)
        print("close", closed.id, flush=True)
    elif roll < 0.08 and last is not None:
        r = refunds.record_refund(
            db, actor, terminal, [LineInput(last.lines[0].sku, 1)],
            [TenderInput("card", None)], receipt=(terminal, last.receipt_no),
        )
        last = None
        print("refund", r.sale.receipt_no, r.sale.uid, flush=True)
    else:
        lines = [LineInput(s, rng.randint(1, 4)) for s in rng.sample(args["skus"], rng.randint(1, 6))]
        pays = rng.choice([
            [TenderInput("cash", None)],
            [TenderInput("cash", 300000)],
            [TenderInput("card", None)],
            [TenderInput("card", 100), TenderInput("cash", None)],
        ])
        r = sales.record_sale(db, actor, terminal, lines, pays)
        last = r.sale
        print("sale", r.sale.receipt_no, r.sale.uid, flush=True)
"""


def kassi(*args: str) -> subprocess.CompletedProcess:
    env = clean_env()
    return subprocess.run(
        [*kassi_command(), "--lang", "en", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture
def till_db(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "till.db"
    db = Db(path)
    demo.load_demo(db)
    manager = auth.authenticate(db, "1", "1234")
    sink = {"kind": "file", "path": str(tmp_path / "crash-printer.bin")}
    terminals.add_terminal(db, manager, TERMINAL, "NORREBRO", "Crash till", sink)
    stores.update_store(db, manager, "NORREBRO", max_change="10000")  # up to 10.000,00 handed (C-7)
    skus = [
        r["sku"]
        for r in db.all(
            "SELECT p.sku FROM item_prices p JOIN items i ON i.sku = p.sku"
            " WHERE p.store_id = 'NORREBRO' AND p.price > 0 AND i.unit = 'pcs'"  # pieces (K-8)
            " ORDER BY p.sku"
        )
    ]
    db.close()
    return path, skus


def run_and_kill(path: Path, skus: list[str], seed: int, stop_after: int) -> list[tuple]:
    """Run the till until it has reported ``stop_after`` sales, then SIGKILL it."""
    args = {"db": str(path), "terminal": TERMINAL, "skus": skus, "seed": seed}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    done: list[tuple] = []
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        sales = 0
        for line in proc.stdout:
            done.append(tuple(line.split()))
            sales += done[-1][0] == "sale"
            if sales >= stop_after:
                os.kill(proc.pid, signal.SIGKILL)
                break
        # Whatever it printed before dying had committed as well (whole lines only).
        done.extend(tuple(line.split()) for line in proc.stdout.read().split("\n")[:-1])
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    return done


def test_sigkill_mid_stream_loses_nothing_and_leaves_nothing_half_done(till_db) -> None:
    path, skus = till_db
    rng = random.Random(7)
    reported: list[tuple] = []
    for n in range(ROUNDS):
        before = _count(path, "sales")
        stop_after = rng.randint(40, 200)
        done = run_and_kill(path, skus, seed=n, stop_after=stop_after)
        reported.extend(done)
        after = _count(path, "sales")
        ops = [d for d in done if d[0] in ("sale", "refund")]
        # Committed and reported, plus at most the one that committed as it died.
        assert len(ops) <= after - before <= len(ops) + 1

    db = Db(path)
    try:
        _check_reported_are_stored(db, reported)
        _check_every_sale_whole(db)
        _check_no_orphans(db)
        _check_receipts_gapless(db)
        _check_every_receipt_queued(db)
        assert db.scalar("PRAGMA integrity_check") == "ok"
        assert db.all("PRAGMA foreign_key_check") == []
        assert db.scalar("SELECT COUNT(*) FROM sessions WHERE status = 'open'") <= 1
    finally:
        db.close()

    ok = kassi("--db", str(path), "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout

    # Tamper with one sale's audit entry: the CLI must fail and name that entry.
    con = sqlite3.connect(path)
    with con:
        seq = con.execute(
            "SELECT seq FROM audit_log WHERE action = 'sale' ORDER BY seq LIMIT 1 OFFSET 10"
        ).fetchone()[0]
        con.execute(
            "UPDATE audit_log SET details = replace(details, '\"lines\":', '\"lines\":1') "
            "WHERE seq = ?",
            (seq,),
        )
        assert con.total_changes == 1
    con.close()
    broken = kassi("--db", str(path), "audit", "verify")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"Audit entry {seq} was changed" in broken.stderr
    as_json = kassi("--db", str(path), "audit", "verify", "--json")
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert (data["ok"], data["seq"]) == (False, seq)


def _count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def _check_reported_are_stored(db: Db, reported: list[tuple]) -> None:
    stored = {
        r["uid"]: (r["kind"], r["receipt_no"])
        for r in db.all(
            "SELECT uid, kind, receipt_no FROM sales WHERE terminal_id = ?", (TERMINAL,)
        )
    }
    for op in reported:
        if op[0] in ("sale", "refund"):
            kind, receipt, uid = op
            assert stored.get(uid) == (kind, int(receipt)), op
        else:
            assert op[0] == "close"
            status = db.scalar("SELECT status FROM sessions WHERE id = ?", (int(op[1]),))
            assert status == "closed", op
    assert len(stored) <= len([op for op in reported if op[0] != "close"]) + ROUNDS


def _check_every_sale_whole(db: Db) -> None:
    lines: dict[int, list] = defaultdict(list)
    for r in db.all("SELECT sale_id, sku, qty, line_total FROM sale_lines"):
        lines[r["sale_id"]].append(r)
    paid: dict[int, int] = defaultdict(int)
    for r in db.all("SELECT sale_id, amount FROM payments"):
        paid[r["sale_id"]] += r["amount"]
    moves: dict[int, dict[str, int]] = defaultdict(dict)
    for r in db.all("SELECT sale_id, sku, qty, reason FROM inventory_movements"):
        assert r["sku"] not in moves[r["sale_id"]], "two movements for one SKU of one sale"
        moves[r["sale_id"]][r["sku"]] = r["qty"]
    audits: dict[str, list] = defaultdict(list)
    for r in db.all("SELECT action, entity_id, amount FROM audit_log WHERE entity = 'sale'"):
        audits[r["entity_id"]].append(r)
    sales = db.all("SELECT * FROM sales")
    assert sales
    for s in sales:
        sid = s["id"]
        assert lines[sid], f"sale {sid} has no lines"
        assert sum(ln["line_total"] for ln in lines[sid]) == s["total"]
        assert paid[sid] == s["total"] + s["rounding"], f"sale {sid} payments"
        delta: dict[str, int] = defaultdict(int)
        for ln in lines[sid]:
            delta[ln["sku"]] -= ln["qty"]
        assert moves[sid] == {k: v for k, v in delta.items() if v}, f"sale {sid} stock"
        entries = audits[str(sid)]
        assert len(entries) == 1, f"sale {sid} has {len(entries)} audit entries"
        assert (entries[0]["action"], entries[0]["amount"]) == (s["kind"], s["total"])
    assert set(audits) == {str(s["id"]) for s in sales}


def _check_no_orphans(db: Db) -> None:
    for table in ("sale_lines", "payments", "inventory_movements"):
        orphans = db.scalar(
            f"SELECT COUNT(*) FROM {table} t LEFT JOIN sales s ON s.id = t.sale_id"
            " WHERE t.sale_id IS NOT NULL AND s.id IS NULL"
        )
        assert orphans == 0, table
    assert db.scalar("SELECT COUNT(*) FROM inventory_movements WHERE sale_id IS NULL") == 0
    # Every session the till opened is recorded whole: its audit entry is there.
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM sessions WHERE CAST(id AS TEXT) NOT IN"
            " (SELECT entity_id FROM audit_log WHERE action IN ('session.open', 'session.auto_open'))"
        )
        == 0
    )
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM sessions WHERE status = 'closed' AND CAST(id AS TEXT) NOT IN"
            " (SELECT entity_id FROM audit_log WHERE action = 'session.close')"
        )
        == 0
    )


def _check_receipts_gapless(db: Db) -> None:
    numbers = [
        r[0]
        for r in db.all(
            "SELECT receipt_no FROM sales WHERE terminal_id = ? ORDER BY receipt_no", (TERMINAL,)
        )
    ]
    assert numbers == list(range(1, len(numbers) + 1))
    assert db.scalar("SELECT last_receipt_no FROM terminals WHERE id = ?", (TERMINAL,)) == len(
        numbers
    )


def _check_every_receipt_queued(db: Db) -> None:
    """SPEC R-9: each committed sale and refund has exactly one receipt job (pending or
    printed), and no job exists for a sale that did not commit."""
    jobs: dict[str, list[str]] = defaultdict(list)
    for r in db.all("SELECT ref, status FROM print_jobs WHERE kind LIKE '%_receipt'"):
        jobs[r["ref"]].append(r["status"])
    refs = {
        f"receipt:{r['terminal_id']}:{r['receipt_no']}"
        for r in db.all("SELECT terminal_id, receipt_no FROM sales")
    }
    lost = sorted(refs - set(jobs))
    assert lost == [], f"{len(lost)} of {len(refs)} committed sales have no print job: {lost[:5]}"
    assert set(jobs) == refs, "a print job for a sale that never committed"
    assert all(statuses in (["pending"], ["printed"]) for statuses in jobs.values())


def test_a_kassi_sale_killed_at_any_moment_never_leaves_a_sale_without_its_print_job(
    till_db, tmp_path: Path
) -> None:
    """SPEC R-9: `kassi sale` processes SIGKILLed at random moments (starting up, logging
    in, inside the sale's transaction, after it): 0 of the committed sales lost their
    print job, and `kassi print pending` lists every one that waits."""
    path, skus = till_db
    env = clean_env(KASSI_DB=str(path), KASSI_STAFF="3", KASSI_PIN="3333")
    rng = random.Random(9)

    def start_sale() -> subprocess.Popen:
        args = ["sale", "--terminal", TERMINAL, "--item", f"{rng.choice(skus)}x2"]
        args += ["--pay", rng.choice(["card", "cash=5000"])]
        return subprocess.Popen(
            [*kassi_command(), "--lang", "en", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    # How long two sales at once take on this machine now: kills land across that span.
    t0 = time.monotonic()
    for proc in [start_sale(), start_sale()]:
        assert proc.wait(timeout=120) == 0, proc.communicate()[1]
    span = time.monotonic() - t0
    outcomes = {"killed": 0, "finished": 0}
    for _batch in range(BATCHES):
        procs = [(rng.uniform(0.02, 2 * span), start_sale()) for _ in range(2)]
        start = time.monotonic()
        for delay, proc in sorted(procs, key=lambda p: p[0]):
            try:
                proc.wait(timeout=max(0.0, start + delay - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                outcomes["killed"] += 1
            else:
                assert proc.returncode == 0, proc.communicate()[1]
                outcomes["finished"] += 1
            if proc.stderr:
                proc.stderr.close()
    assert outcomes["killed"] and outcomes["finished"], outcomes  # both kinds happened
    # And the worst moment: the instant the sale is visible as committed.
    for _ in range(COMMIT_KILLS):
        _kill_as_the_sale_commits(path, env, rng.choice(skus))

    db = Db(path)
    try:
        assert db.scalar("SELECT COUNT(*) FROM sales") >= outcomes["finished"]
        _check_every_sale_whole(db)
        _check_receipts_gapless(db)
        _check_every_receipt_queued(db)
        waiting = {j["ref"] for j in db.all("SELECT ref FROM print_jobs WHERE status = 'pending'")}
    finally:
        db.close()
    listed = kassi("--db", str(path), "print", "pending", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {row["ref"] for row in json.loads(listed.stdout)} == waiting


def _kill_as_the_sale_commits(path: Path, env: dict[str, str], sku: str) -> None:
    """SIGKILL one `kassi sale` the moment its sale row can be read (its COMMIT is done):
    anything it would write in a later transaction is never written."""
    watch = sqlite3.connect(path, timeout=10)
    try:
        before = watch.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
        proc = subprocess.Popen(
            [*kassi_command(), "--lang", "en", "sale", "--terminal", TERMINAL, "--item", sku],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if watch.execute("SELECT COUNT(*) FROM sales").fetchone()[0] > before:
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=30)
    finally:
        watch.close()
