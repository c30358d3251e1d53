"""Stores syncing with head office at once (SPEC X-6): 200 stores deliver their sales to
one head office on PostgreSQL while `kassi hq receive --watch` applies them.

Each store is a SQLite database set up by its first sync, as a real store is. One
store's sales are rung up through the till's own code (core.tills.sales); the other
stores are copies of it, renamed to their own store, terminal, sale uids and database
identity (the copies' own journals are not re-signed: head office checks that a
delivery's journal extends what it holds, and these do). The sale count per store is
KASSI_BENCH_SYNC_SALES (default 500: the issue's 5,000 takes about ten times as long,
most of it applying).

Figures, with the sync processes (8 at a time) and the one receiver running:
* catch-up: every store delivers its whole backlog; sales applied per second, and the
  worst time from the start to a store's last sale applied at head office;
* steady state: each store rings up one more sale and syncs; the worst and the median
  time from that sale's commit at the store to its being applied at head office.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import Result

WORKERS = 8
PASSWORD = "bench store password"
ITEMS = ("1001", "1002", "1003", "1004", "1005")

# One sync process: syncs the stores given (role URL, database path) in turn.
SYNC_CHILD = r"""
import json, sys
from core.store.db import Db
from core.sync import service
for url, path in json.loads(sys.argv[1]):
    db = Db(path)
    service.sync_once(db, url)
    db.close()
"""


def _store_id(k: int) -> str:
    return f"C{k:03d}"


def _setup_head_office(server, stores: int) -> tuple[str, list[str]]:
    from core.staff import auth
    from core.store import demo, pg_schema, terminals
    from core.store import stores as store_records
    from core.store.pg import PgDb
    from core.sync import store_roles

    url = server.url(server.new_database())
    pg_schema.install(url)
    roles = []
    with PgDb(url) as hq:
        demo.load_demo(hq)
        manager = auth.get_staff(hq, "1")
        for k in range(1, stores + 1):
            sid = _store_id(k)
            store_records.add_store(
                hq, manager, sid, f"Chain store {k}", currency="DKK",
                timezone="Europe/Copenhagen", locale="da", default_customer_id="WALKIN",
            )  # fmt: skip
            terminals.add_terminal(hq, manager, f"{sid}-T1", sid, "Kasse 1")
            role = f"bench_store_{k:03d}"
            store_roles.grant_store_role(hq, manager, sid, role, PASSWORD)
            roles.append(role)
        from core.catalog import prices

        for sku in ITEMS:  # a chain-wide price in the stores' currency
            prices.set_price(hq, manager, sku, 1995, "DKK")
    return url, roles


def _first_store(server, url: str, role: str, path: Path, n: int) -> None:
    from core.money.tendering import TenderInput
    from core.staff import admin as staff_admin
    from core.staff import auth
    from core.store.db import Db
    from core.sync import service
    from core.tills import sales
    from core.tills.basket import LineInput

    db = Db(path)
    service.sync_once(db, server.url(url.rsplit("/", 1)[1], user=role))
    staff_admin.set_first_pin(db, "1", "4321")
    manager = auth.get_staff(db, "1")
    for i in range(n):
        lines = [LineInput(ITEMS[i % 5], 1 + i % 3), LineInput(ITEMS[(i + 2) % 5], 1)]
        sales.record_sale(db, manager, "C001-T1", lines, [TenderInput("card", None)])
    db.close()


def _clone(template: Path, path: Path, k: int) -> None:
    """The template store's database as store k's: ids, uids and identity its own."""
    shutil.copyfile(template, path)
    sid, terminal = _store_id(k), f"{_store_id(k)}-T1"
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("BEGIN")
    c.execute("UPDATE stores SET id = ? WHERE id = 'C001'", (sid,))
    c.execute("UPDATE terminals SET id = ?, store_id = ? WHERE id = 'C001-T1'", (terminal, sid))
    for table in ("sales", "sessions"):
        c.execute(f"UPDATE {table} SET store_id = ?, terminal_id = ?", (sid, terminal))
    # 'x' is no hex digit: no clone's uid can be another store's (the template's are hex).
    c.execute("UPDATE sales SET uid = ? || substr(uid, 5)", (f"x{k:03d}",))
    for table in ("inventory", "inventory_movements", "item_prices", "store_items"):
        c.execute(f"UPDATE {table} SET store_id = ? WHERE store_id = 'C001'", (sid,))
    c.execute("UPDATE audit_log SET terminal_id = ? WHERE terminal_id = 'C001-T1'", (terminal,))
    c.execute("UPDATE database_identity SET id = lower(hex(randomblob(16)))")
    c.execute("COMMIT")
    c.close()
    key = Path(f"{template}.key")
    if key.exists():
        shutil.copy2(key, Path(f"{path}.key"))


def _sync_all(jobs: list[tuple[str, str]], env: dict) -> None:
    """All stores, WORKERS processes at once, each taking its share in turn."""
    shares = [jobs[i::WORKERS] for i in range(WORKERS)]
    root = Path(__file__).resolve().parent.parent

    def one(share):
        if share:
            subprocess.run(
                [sys.executable, "-c", SYNC_CHILD, json.dumps(share)],
                cwd=root, env=env, check=True, capture_output=True,
            )  # fmt: skip

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(one, shares))


def _wait_applied(url: str, total: int, timeout_s: float = 7200) -> None:
    import psycopg

    end = time.monotonic() + timeout_s
    with psycopg.connect(url, autocommit=True) as c:
        while time.monotonic() < end:
            if c.execute("SELECT COUNT(*) FROM sales").fetchone()[0] >= total:
                return
            refused = c.execute(
                "SELECT problem FROM sync_deliveries WHERE state = 'refused' LIMIT 1"
            ).fetchone()
            if refused:
                raise RuntimeError(f"head office refused a delivery: {refused[0]}")
            time.sleep(0.5)
    raise RuntimeError("head office did not apply every sale in time")


def _measure(stores: int, per_store: int) -> dict:
    from tests.pg_server import PgServer

    work = Path(tempfile.mkdtemp(prefix="kassi-bench-sync-"))
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ.pop("KASSI_KEY_FILE", None)
    server = PgServer(options="-c shared_buffers=512MB")
    receiver = None
    try:
        url, roles = _setup_head_office(server, stores)
        database = url.rsplit("/", 1)[1]
        template = work / "c001.db"
        t0 = time.perf_counter()
        _first_store(server, url, roles[0], template, per_store)
        out = {"ring_up_s": time.perf_counter() - t0}
        paths = [template] + [work / f"c{k:03d}.db" for k in range(2, stores + 1)]
        for k, path in enumerate(paths[1:], start=2):
            _clone(template, path, k)
        jobs = [(server.url(database, user=r), str(p)) for r, p in zip(roles, paths, strict=True)]
        env = dict(os.environ)
        log = (work / "receive.log").open("w")
        receiver = subprocess.Popen(
            [str(Path(sys.executable).parent / "kassi"), "--db", url, "hq", "receive", "--watch"],
            cwd=Path(__file__).resolve().parent.parent, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        total = stores * per_store
        start = time.perf_counter()
        wall_start = time.time()
        _sync_all(jobs, env)
        _wait_applied(url, total)
        out["catch_up_s"] = time.perf_counter() - start
        out["sales"] = total
        import psycopg

        with psycopg.connect(url, autocommit=True) as c:
            worst = c.execute(
                "SELECT MAX(EXTRACT(EPOCH FROM applied_at)) FROM sync_deliveries"
                " WHERE state = 'applied'"
            ).fetchone()[0]
        out["catch_up_worst_s"] = float(worst) - wall_start
        # Steady state: one new sale per store, then every store syncs.
        from core.money.tendering import TenderInput
        from core.staff import auth
        from core.store.db import Db
        from core.tills import sales
        from core.tills.basket import LineInput

        for k, path in enumerate(paths, start=1):
            db = Db(path)
            sales.record_sale(
                db, auth.get_staff(db, "1"), f"{_store_id(k)}-T1", [LineInput("1001", 1)],
                [TenderInput("card", None)],
            )  # fmt: skip
            db.close()
        _sync_all(jobs, env)
        _wait_applied(url, total + stores)
        with psycopg.connect(url, autocommit=True) as c:
            lags = [
                float(r[0])
                for r in c.execute(
                    "SELECT EXTRACT(EPOCH FROM d.applied_at - s.created_at::timestamptz)"
                    " FROM sales s JOIN (SELECT store_id, MAX(applied_at) AS applied_at"
                    " FROM sync_deliveries WHERE state = 'applied' GROUP BY store_id) d"
                    " ON d.store_id = s.store_id"
                    " WHERE s.id IN (SELECT MAX(id) FROM sales GROUP BY store_id)"
                )
            ]
        out["lag_worst_s"] = max(lags)
        out["lag_median_s"] = statistics.median(lags)
        return out
    finally:
        if receiver is not None:
            receiver.terminate()
            receiver.wait(timeout=30)
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(quick: bool) -> list[Result]:
    stores = 20 if quick else 200
    per_store = 50 if quick else int(os.environ.get("KASSI_BENCH_SYNC_SALES", "500"))
    m = _measure(stores, per_store)
    size = f"{stores} stores x {per_store:,} sales, {WORKERS} sync processes"
    return [
        Result("chain_sync", "catch-up: sales applied per second", m["sales"] / m["catch_up_s"],
               "sales/s", note=size),
        Result("chain_sync", "catch-up: all stores delivered and applied", m["catch_up_s"], "s"),
        Result("chain_sync", "catch-up: worst store, start to applied", m["catch_up_worst_s"], "s"),
        Result("chain_sync", "steady: worst lag, store commit to head office", m["lag_worst_s"],
               "s"),
        Result("chain_sync", "steady: median lag", m["lag_median_s"], "s"),
    ]  # fmt: skip
