"""Several tills on one store database, as real OS processes.

Four seller processes ring up 500 sales each on their own terminal (sessions
open automatically) while a fifth process closes, adjusts and reopens sessions
on those terminals. Afterwards the database must hold exactly the sales the
sellers were told about, numbered without gaps, each inside one session of its
own terminal that was open when the sale was made, with every closed session's
frozen figures matching its rows, and an intact audit chain.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from core.audit import verification
from core.catalog import items as catalog
from core.staff import auth
from core.store import demo, stores, terminals
from core.store.db import Db

pytestmark = pytest.mark.integration

SALES_PER_TERMINAL = 500
TERMINALS = ("W1", "W2", "W3", "W4")
STORE = "NORREBRO"

# Runs in a fresh interpreter (python -c): the sellers and the session closer.
# Each reports what it did and every exception it met as JSON in its out file.
WORKER = r'''
import json, random, sys, time, traceback
from pathlib import Path

from core.staff import auth
from core.tills import sales
from core.tills import sessions
from core.store.db import Db
from core.tills.basket import LineInput
from core.money.tendering import TenderInput

args = json.loads(sys.argv[1])
rng = random.Random(args["seed"])
out = {"errors": [], "sales": [], "closes": [], "opens": [], "adjustments": []}


def error(where):
    out["errors"].append({"where": where, "traceback": traceback.format_exc()})


def wait_for_go(db):
    Path(args["ready"]).write_text("ready")
    while not Path(args["go"]).exists():
        time.sleep(0.005)


def seller(db, actor):
    terminal = args["terminal"]
    for i in range(args["n"]):
        lines = [
            LineInput(sku, rng.randint(1, 3))
            for sku in rng.sample(args["skus"], rng.randint(1, 5))
        ]
        mode = rng.randrange(5)
        if mode == 0:
            pays = [TenderInput("cash", None)]
        elif mode == 1:
            pays = [TenderInput("cash", 500000)]  # 5000,00 handed over: change given
        elif mode == 2:
            pays = [TenderInput("card", None)]
        elif mode == 3:
            pays = [TenderInput("card", 100), TenderInput("cash", None)]
        else:
            pays = [TenderInput("mobile", None)]
        t0 = time.perf_counter()
        try:
            r = sales.record_sale(db, actor, terminal, lines, pays)
        except Exception:
            error(f"sale {i}")
            continue
        out["slowest"] = max(out.get("slowest", 0), time.perf_counter() - t0)
        out["sales"].append(
            {
                "id": r.sale.id,
                "uid": r.sale.uid,
                "receipt": r.sale.receipt_no,
                "session": r.session_id,
                "auto": r.session_auto_opened,
                "total": r.sale.total,
            }
        )
        # A moment between customers. Flat out (about 1 ms a sale), four sellers
        # hold the write lock nearly all the time, and SQLite's busy handler,
        # which backs off to 100 ms sleeps, lets the closer in only now and then:
        # no error, but few closes to test.
        time.sleep(rng.uniform(0, 0.003))


def closer(db, actor):
    terminals = args["terminals"]
    n = 0
    while not Path(args["stop"]).exists() or n < 20:
        n += 1
        terminal = rng.choice(terminals)
        action = rng.random()
        t0 = time.perf_counter()
        try:
            if action < 0.55:
                close(db, actor, terminal, atomic=rng.random() < 0.5)
            elif action < 0.75:
                adjust(db, actor, terminal)
            else:
                reopen(db, actor, terminal)
        except Exception:
            error(f"{terminal} action {action:.2f}")
        out["slowest"] = max(out.get("slowest", 0), time.perf_counter() - t0)
        time.sleep(rng.uniform(0, 0.02))
    out["iters"] = n


def close(db, actor, terminal, atomic):
    """Count the drawer (= the expected cash, read through the API) and close."""
    if atomic:
        # Read and close in one transaction: no sale can slip in between.
        with db.write():
            current = sessions.current_session(db, terminal)
            if current is None:
                return
            expected = sessions.expected_cash(db, current.id)
            summary = sessions.cash_summary(db, current.id)
            if summary.expected != expected:
                raise AssertionError(f"cash_summary {summary.expected} != {expected}")
            leave = min(expected, rng.choice([0, 50000, 100000, 150050]))
            closed = sessions.close_session(db, actor, terminal, expected, leave)
    else:
        # Read, then close: a sale may land between, showing as a discrepancy.
        current = sessions.current_session(db, terminal)
        if current is None:
            return
        expected = sessions.cash_summary(db, current.id).expected
        leave = min(expected, rng.choice([0, 25000, 100000]))
        closed = sessions.close_session(db, actor, terminal, expected, leave)
    out["closes"].append(
        {
            "session": closed.id,
            "terminal": terminal,
            "counted": expected,
            "left": leave,
            "atomic": atomic,
        }
    )
    if rng.random() < 0.5:
        reopen(db, actor, terminal)  # else: the next sale opens one by itself


def reopen(db, actor, terminal):
    with db.write():
        if sessions.current_session(db, terminal) is not None:
            return
        previous = sessions.last_closed_session(db, terminal)
        left = previous.left_in_drawer if previous else 0
        opening = left + rng.choice([0, 0, 0, 100, -100])  # sometimes a counting slip
        opening = max(opening, 0)
        s = sessions.open_session(db, actor, terminal, opening, "shift change")
    out["opens"].append({"session": s.id, "terminal": terminal, "float": opening})


def adjust(db, actor, terminal):
    with db.write():
        current = sessions.current_session(db, terminal)
        if current is None:
            return
        if rng.random() < 0.5:
            a = sessions.adjust_cash(db, actor, terminal, "add", rng.randint(1, 20000), "change")
        else:
            expected = sessions.expected_cash(db, current.id)
            if expected <= 0:
                return
            amount = rng.randint(1, expected)
            a = sessions.adjust_cash(db, actor, terminal, "remove", amount, "drawer limit")
    out["adjustments"].append({"id": a.id, "session": a.session_id})


try:
    db = Db(args["db"])
    actor = auth.authenticate(db, args["staff"], args["pin"], terminal_id=args.get("terminal"))
    wait_for_go(db)
    started = time.perf_counter()
    if args["role"] == "seller":
        seller(db, actor)
    else:
        closer(db, actor)
    out["seconds"] = time.perf_counter() - started
    db.close()
except Exception:
    error("setup")
Path(args["out"]).write_text(json.dumps(out))
'''


def _start(tmp_path: Path, name: str, **args) -> tuple[subprocess.Popen, Path, Path]:
    out = tmp_path / f"{name}.json"
    ready = tmp_path / f"{name}.ready"
    args.update(out=str(out), ready=str(ready))
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(args)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, out, ready


@pytest.fixture
def store_db(tmp_path: Path) -> Path:
    """A file database: the demo (cheap PIN hashes, see conftest) plus four tills."""
    path = tmp_path / "store.db"
    db = Db(path)
    demo.load_demo(db)
    manager = auth.authenticate(db, "1", "1234")
    for t in TERMINALS:
        terminals.add_terminal(db, manager, t, STORE, f"Till {t}")
    stores.update_store(db, manager, STORE, max_change="5000")  # 5000,00 handed (C-7)
    db.close()
    return path


def test_four_tills_and_a_closer_on_one_database(tmp_path: Path, store_db: Path) -> None:
    db = Db(store_db)
    skus = [i.sku for i in catalog.list_items(db, STORE) if i.price > 0 and i.unit == "pcs"]
    stock_before = {
        r["sku"]: r["on_hand"]
        for r in db.all("SELECT sku, on_hand FROM inventory WHERE store_id = ?", (STORE,))
    }
    audit_before = db.scalar("SELECT COUNT(*) FROM audit_log")
    db.close()

    go, stop = tmp_path / "go", tmp_path / "stop"
    common = {"db": str(store_db), "go": str(go), "stop": str(stop)}
    sellers = {
        t: _start(
            tmp_path,
            t,
            role="seller",
            terminal=t,
            n=SALES_PER_TERMINAL,
            skus=skus,
            staff="2",
            pin="2222",
            seed=n,
            **common,
        )
        for n, t in enumerate(TERMINALS)
    }
    closer = _start(
        tmp_path,
        "closer",
        role="closer",
        terminals=list(TERMINALS),
        staff="1",
        pin="1234",
        seed=99,
        **common,
    )
    procs = [*sellers.values(), closer]
    try:
        deadline = time.monotonic() + 60
        while not all(ready.exists() for _p, _o, ready in procs):
            dead = [p for p, *_ in procs if p.poll() is not None]
            assert not dead, [p.stdout.read() for p in dead]
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.01)
        go.write_text("go")
        for proc, _out, _ready in sellers.values():
            proc.wait(timeout=120)
        stop.write_text("stop")
        closer[0].wait(timeout=60)
    finally:
        for proc, *_ in procs:
            if proc.poll() is None:
                proc.kill()
    outputs = {}
    for name, (proc, out, _ready) in {**sellers, "closer": closer}.items():
        assert proc.returncode == 0, proc.stdout.read()
        outputs[name] = json.loads(out.read_text())
        # No "database is locked", nor any other exception, reached a caller.
        assert outputs[name]["errors"] == [], (name, outputs[name]["errors"][:3])
        print(
            f"{name}: {outputs[name]['seconds']:.2f} s, slowest operation"
            f" {outputs[name].get('slowest', 0) * 1000:.0f} ms"
        )

    db = Db(store_db)
    try:
        _check_sales(db, outputs)
        _check_sessions(db, outputs)
        _check_stock(db, stock_before)
        result = verification.verify(db)
        assert result.ok, result.problem
        counts = Counter(r["action"] for r in db.all("SELECT action FROM audit_log"))
        assert counts["sale"] == SALES_PER_TERMINAL * len(TERMINALS)
        assert counts["session.close"] == len(outputs["closer"]["closes"])
        assert counts["session.open"] == len(outputs["closer"]["opens"])
        assert counts["cash.add"] + counts["cash.remove"] == len(outputs["closer"]["adjustments"])
        assert result.checked == db.scalar("SELECT COUNT(*) FROM audit_log") > audit_before
        assert db.scalar("PRAGMA integrity_check") == "ok"
        assert db.all("PRAGMA foreign_key_check") == []
    finally:
        db.close()
    # The closer really interleaved with the sellers.
    assert len(outputs["closer"]["closes"]) >= 20
    assert any(s["auto"] for t in TERMINALS for s in outputs[t]["sales"][1:])


def _check_sales(db: Db, outputs: dict) -> None:
    for t in TERMINALS:
        reported = outputs[t]["sales"]
        assert len(reported) == SALES_PER_TERMINAL
        rows = db.all(
            "SELECT id, uid, receipt_no, session_id, total FROM sales WHERE terminal_id = ?"
            " ORDER BY receipt_no",
            (t,),
        )
        # Nothing lost, nothing duplicated: the db holds exactly what callers were told.
        assert [(r["id"], r["uid"], r["receipt_no"]) for r in rows] == [
            (s["id"], s["uid"], s["receipt"]) for s in reported
        ]
        assert {r["uid"]: r["session_id"] for r in rows} == {
            s["uid"]: s["session"] for s in reported
        }
        # Gapless receipt numbers per terminal, and the counter agrees.
        assert [r["receipt_no"] for r in rows] == list(range(1, SALES_PER_TERMINAL + 1))
        assert db.scalar("SELECT last_receipt_no FROM terminals WHERE id = ?", (t,)) == len(rows)
    assert db.scalar("SELECT COUNT(*) FROM sales") == SALES_PER_TERMINAL * len(TERMINALS)
    # Every sale belongs to one session of its own terminal, open when the sale was made.
    bad = db.all(
        "SELECT s.id, s.terminal_id, s.created_at, x.terminal_id AS st, x.opened_at,"
        "       x.closed_at FROM sales s LEFT JOIN sessions x ON x.id = s.session_id"
        " WHERE x.id IS NULL OR x.terminal_id <> s.terminal_id"
        "    OR s.created_at < x.opened_at"
        "    OR (x.closed_at IS NOT NULL AND s.created_at > x.closed_at)"
    )
    assert [dict(r) for r in bad] == []
    # Payments carry their sale's session, and settle the sale exactly.
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM payments p JOIN sales s ON s.id = p.sale_id"
            " WHERE p.session_id IS NOT s.session_id"
        )
        == 0
    )
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM sales s WHERE s.total + s.rounding <>"
            " (SELECT SUM(amount) FROM payments WHERE sale_id = s.id)"
        )
        == 0
    )


def _check_sessions(db: Db, outputs: dict) -> None:
    sessions = [dict(r) for r in db.all("SELECT * FROM sessions ORDER BY id")]
    cash_in: dict[int, int] = defaultdict(int)
    for r in db.all("SELECT session_id, amount FROM payments WHERE is_cash = 1"):
        cash_in[r["session_id"]] += r["amount"]
    adjusted: dict[int, int] = defaultdict(int)
    for r in db.all("SELECT session_id, kind, amount FROM cash_adjustments"):
        adjusted[r["session_id"]] += r["amount"] if r["kind"] == "add" else -r["amount"]
    closes = {c["session"]: c for c in outputs["closer"]["closes"]}
    by_terminal: dict[str, list[dict]] = defaultdict(list)
    for s in sessions:
        by_terminal[s["terminal_id"]].append(s)
    assert set(by_terminal) == set(TERMINALS)
    n_auto = 0
    for t, rows in by_terminal.items():
        assert sum(1 for s in rows if s["status"] == "open") <= 1
        previous = None
        for s in rows:
            if previous is not None:
                # One session at a time per terminal: each opens after the last closed.
                assert previous["status"] == "closed", (t, previous["id"], s["id"])
                assert s["opened_at"] >= previous["closed_at"]
                assert s["previous_session_id"] == previous["id"]
                assert s["previous_left"] == previous["left_in_drawer"]
            if s["opened_auto"]:
                n_auto += 1
                # S-4: the automatic float is this terminal's own last left-in-drawer.
                expected_float = previous["left_in_drawer"] if previous else 0
                assert s["opening_float"] == expected_float, (t, s["id"])
            if s["status"] == "closed":
                recomputed = s["opening_float"] + cash_in[s["id"]] + adjusted[s["id"]]
                assert s["expected_cash"] == recomputed, (t, s["id"])
                assert s["cash_removed"] == s["counted_cash"] - s["left_in_drawer"]
                close = closes[s["id"]]
                assert (s["counted_cash"], s["left_in_drawer"]) == (close["counted"], close["left"])
                if close["atomic"]:
                    assert s["counted_cash"] == s["expected_cash"], (t, s["id"])
            previous = s
    assert len(closes) == sum(1 for s in sessions if s["status"] == "closed")
    assert n_auto >= len(TERMINALS)


def _check_stock(db: Db, before: dict[str, int]) -> None:
    moved: dict[str, int] = defaultdict(int)
    for r in db.all(
        "SELECT sku, SUM(qty) AS q FROM inventory_movements WHERE store_id = ? GROUP BY sku",
        (STORE,),
    ):
        moved[r["sku"]] = r["q"]
    sold: dict[str, int] = defaultdict(int)
    for r in db.all("SELECT sku, SUM(qty) AS q FROM sale_lines GROUP BY sku"):
        sold[r["sku"]] = r["q"]
    assert {k: v for k, v in moved.items() if v} == {k: -v for k, v in sold.items() if v}
    after = {
        r["sku"]: r["on_hand"]
        for r in db.all("SELECT sku, on_hand FROM inventory WHERE store_id = ?", (STORE,))
    }
    for sku in set(before) | set(after):
        assert after.get(sku, 0) == before.get(sku, 0) + moved.get(sku, 0), sku
