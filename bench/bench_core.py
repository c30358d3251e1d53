"""Core engine benchmarks: a durable sale against the SQLite floor, and the cash summary.

(a) A 5-line cash sale through ``sales.record_sale`` on a file database as in
    production (WAL, synchronous=FULL: every commit is fsynced), against the
    floor: raw sqlite3 on the same schema and pragmas writing the same rows (the
    sale, 5 lines, the payment, 5 stock upserts, 5 movements, the receipt's print job,
    the signed audit row with its counter and the signed head) in
    one transaction each. Goal: core median <= 3 x the floor median.
(b) ``session_views.cash_summary`` of a session holding 10,000 sales.
    Goal: median < 50 ms.
(c) ``catalog.search_items`` (C-4: folded case and accents, from an index) on a
    100,000-item catalog with Danish and Icelandic names, for what staff type:
    a word part ("brød", "øl"), a capitalised word, two words, one letter, a SKU
    start. Goal: the slowest query's median < 10 ms.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from bench import Result, median_ms, p99_ms, timed
from core.catalog import items as catalog
from core.money.tendering import TenderInput
from core.staff import auth, pins
from core.store import demo
from core.store.db import BUSY_TIMEOUT_S, Db, utc_now
from core.tills import sales, session_views, sessions
from core.tills.basket import LineInput

AREA = "core"
SKUS = ("1001", "1002", "1003", "1004", "1005")
SUMMARY_SALES = 10_000


@contextmanager
def _cheap_pins():
    """The bench measures sales, not scrypt: staff get cheap PIN hashes."""
    saved = pins._SCRYPT_N
    pins._SCRYPT_N = 2**4
    try:
        yield
    finally:
        pins._SCRYPT_N = saved


def _store(path: Path) -> tuple[Db, object]:
    db = Db(path)
    with _cheap_pins():
        demo.load_demo(db, printer_dir=path.parent)
    cashier = auth.authenticate(db, "2", "2222")
    return db, cashier


def _sale(db: Db, actor, terminal: str = "T1", pay: str = "cash") -> sales.SaleResult:
    return sales.record_sale(
        db, actor, terminal, [LineInput(s, 1) for s in SKUS], [TenderInput(pay, None)]
    )


# -- (a) the durable sale ----------------------------------------------------------------


def core_sale(tmp: Path) -> tuple[Callable[[], object], Callable[[], None]]:
    """One durable sale through the core API; returns (sell, close)."""
    db, cashier = _store(tmp / "sale.db")
    return (lambda: _sale(db, cashier)), db.close


def floor_sale(tmp: Path) -> tuple[Callable[[], object], Callable[[], None]]:
    """The same rows by hand: raw sqlite3, same schema, same pragmas, nothing else."""
    path = tmp / "floor.db"
    db, cashier = _store(path)
    _sale(db, cashier)  # an open session and realistic rows to copy
    session_id = sessions.current_session(db, "T1").id
    lines = [
        tuple(r)[2:] for r in db.all("SELECT * FROM sale_lines WHERE sale_id = 1 ORDER BY line_no")
    ]
    sale = dict(db.one("SELECT * FROM sales WHERE id = 1"))
    pay = dict(db.one("SELECT * FROM payments WHERE sale_id = 1"))
    audit_row = dict(db.one("SELECT * FROM audit_log WHERE action = 'sale'"))
    job = dict(db.one("SELECT * FROM print_jobs WHERE kind = 'sale_receipt'"))
    db.close()

    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    state = {"receipt": 1000, "seq": 10_000}

    def one() -> None:
        state["receipt"] += 1
        state["seq"] += 1
        now = utc_now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        con.execute("BEGIN IMMEDIATE")
        sale_id = con.execute(
            "INSERT INTO sales (uid, kind, store_id, terminal_id, receipt_no, session_id,"
            " staff_id, customer_id, original_sale_id, created_at, currency, total, rounding,"
            " vat_total, change_given) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                uuid.uuid4().hex,
                "sale",
                sale["store_id"],
                "T1",
                state["receipt"],
                session_id,
                sale["staff_id"],
                None,
                None,
                now,
                sale["currency"],
                sale["total"],
                sale["rounding"],
                sale["vat_total"],
                0,
            ),
        ).lastrowid
        con.executemany(
            "INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price, discount,"
            " line_total, vat_rate, vat_amount, original_line_id, unit)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",  # SELECT * order: unit (K-8) is last
            [(sale_id, *ln) for ln in lines],
        )
        con.execute(
            "INSERT INTO payments (sale_id, session_id, tender_id, is_cash, amount, tendered)"
            " VALUES (?,?,?,?,?,?)",
            (sale_id, session_id, "cash", 1, pay["amount"], pay["tendered"]),
        )
        con.executemany(
            "INSERT INTO inventory (store_id, sku, on_hand) VALUES (?, ?, ?)"
            " ON CONFLICT(store_id, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
            [(sale["store_id"], sku, -1) for sku in SKUS],
        )
        con.executemany(
            "INSERT INTO inventory_movements (store_id, sku, qty, reason, sale_id, created_at)"
            " VALUES (?,?,?,?,?,?)",
            [(sale["store_id"], sku, -1, "sale", sale_id, now) for sku in SKUS],
        )
        # the receipt's print job is queued in the sale's transaction.
        con.execute(
            "INSERT INTO print_jobs (terminal_id, kind, ref, title, payload, text, open_drawer,"
            " copy, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                "T1",
                job["kind"],
                f"receipt:T1:{state['receipt']}",
                job["title"],
                b"",
                "",
                1,
                0,
                "pending",
                now,
            ),
        )
        # the signed entry with what it covers, its counter and the signed head.
        con.execute(
            "INSERT INTO audit_log (seq, at, staff_id, terminal_id, action, entity, entity_id,"
            " amount, details, prev_hash, hash, covers, key_id, signature)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                state["seq"],
                now,
                audit_row["staff_id"],
                "T1",
                "sale",
                "sale",
                str(sale_id),
                sale["total"],
                audit_row["details"],
                audit_row["prev_hash"],
                audit_row["hash"],
                audit_row["covers"],
                audit_row["key_id"],
                audit_row["signature"],
            ),
        )
        con.execute("UPDATE number_sequences SET value = ? WHERE name = 'audit'", (state["seq"],))
        con.execute(
            "UPDATE audit_head SET seq = ?, hash = ?, signature = ? WHERE id = 1",
            (state["seq"], audit_row["hash"], audit_row["signature"]),
        )
        con.execute("COMMIT")

    return one, con.close


def bench_sales(tmp: Path, n: int) -> tuple[list[float], list[float]]:
    """Core and floor timings, interleaved sale by sale so that a change in the
    machine's load (shared, noisy) hits both alike."""
    sell, close_core = core_sale(tmp)
    floor, close_floor = floor_sale(tmp)
    try:
        for _ in range(10):  # warm up: caches, the auto-opened session, WAL growth
            sell()
            floor()
        core_t: list[float] = []
        floor_t: list[float] = []
        for _ in range(n):
            core_t += timed(sell, 1)
            floor_t += timed(floor, 1)
        return core_t, floor_t
    finally:
        close_core()
        close_floor()


# -- (b) the cash summary of a big session -----------------------------------------------


def bench_summary(tmp: Path, n_sales: int, runs: int, neighbours: bool) -> tuple[list[float], int]:
    """A session with ``n_sales`` real sales (record_sale in one outer transaction),
    with ``neighbours`` next to another terminal's session of the same size (so the
    queries must pick the session's rows out of twice as many), then cash_summary timed."""
    db, cashier = _store(tmp / "summary.db")
    try:
        pays = ("cash", "cash", "card", "mobile")
        with db.write():  # one fsync for the lot: building, not measuring
            for i in range(n_sales):
                _sale(db, cashier, "T1", pays[i % len(pays)])
                if neighbours:
                    _sale(db, cashier, "T2", pays[i % len(pays)])
            session_id = sessions.current_session(db, "T1").id
            for k in range(20):
                sessions.adjust_cash(db, cashier, "T1", "add" if k % 2 else "remove", 100, "bench")
        summary = session_views.cash_summary(db, session_id)
        assert summary.sales_count == n_sales, summary.sales_count
        assert summary.expected == sessions.expected_cash(db, session_id)
        return timed(lambda: session_views.cash_summary(db, session_id), runs), summary.sales_count
    finally:
        db.close()


# -- (c) item search on a big catalog ---------------------------------------------------

_FIRST = ("Rug", "Fransk", "Fuldkorns", "Øko", "Let", "Sød", "Rúg", "Hafra", "Mjólkur", "Skyr")
_SECOND = (
    "brød",
    "mælk",
    "smør",
    "æbler",
    "øl",
    "ost",
    "kaffe",
    "brauð",
    "súkkulaði",
    "harðfiskur",
    "pølser",
    "gulerødder",
    "þorskur",
    "blåbær",
    "ýsa",
    "kjötsúpa",
    "rødgrød",
    "æblemost",
)
# "1012": a SKU prefix present in the quick catalog (20,000 items from 100000) too
SEARCH_QUERIES = ("brød", "øl", "ÆBLER", "rug brød", "súkk", "þor", "a", "1012")


def _catalog_csv(n: int) -> str:
    rows = ["sku,name,price,vat"]
    for i in range(n):
        first, second = _FIRST[i % len(_FIRST)], _SECOND[(i // len(_FIRST)) % len(_SECOND)]
        rows.append(f"{100000 + i},{first}{second} {i % 997} g,{10 + i % 90}.95,25")
    return "\n".join(rows) + "\n"


def bench_search(tmp: Path, n_items: int, runs: int) -> tuple[dict[str, list[float]], float]:
    """Import ``n_items`` items (timed: the folding and indexing cost), then time each query."""
    db, _cashier = _store(tmp / "search.db")
    manager = auth.authenticate(db, "1", "1234")
    try:
        t0 = time.perf_counter()
        catalog.import_catalog(db, manager, _catalog_csv(n_items), "DKK")
        import_s = time.perf_counter() - t0
        timings = {}
        for query in SEARCH_QUERIES:
            found = catalog.search_items(db, query, "NORREBRO", limit=50)
            assert found, query
            timings[query] = timed(
                lambda q=query: catalog.search_items(db, q, "NORREBRO", 50), runs
            )
        return timings, import_s
    finally:
        db.close()


def run(quick: bool) -> list[Result]:
    n = 50 if quick else 300
    with tempfile.TemporaryDirectory(prefix="kassi-bench-") as tmp_name:
        tmp = Path(tmp_name)
        core, floor = bench_sales(tmp, n)
        t0 = time.perf_counter()
        summary, n_sales = bench_summary(tmp, SUMMARY_SALES, 20, neighbours=not quick)
        build_s = time.perf_counter() - t0
        n_items = 20_000 if quick else 100_000
        searches, import_s = bench_search(tmp, n_items, 10 if quick else 50)
    slowest = max(searches, key=lambda q: median_ms(searches[q]))
    all_search = [t for ts in searches.values() for t in ts]
    core_med, floor_med = median_ms(core), median_ms(floor)
    ratio = core_med / floor_med
    return [
        Result(
            AREA,
            "sale: record_sale, 5 lines, cash, durable (median)",
            core_med,
            "ms",
            note=f"N={n}",
        ),
        Result(AREA, "sale: record_sale (p99)", p99_ms(core), "ms", note=f"N={n}"),
        Result(AREA, "sale floor: raw sqlite3, same rows (median)", floor_med, "ms", note=f"N={n}"),
        Result(AREA, "sale floor: raw sqlite3 (p99)", p99_ms(floor), "ms", note=f"N={n}"),
        Result(AREA, "sale: core / floor (median)", ratio, "x", goal=3.0),
        Result(
            AREA,
            "cash_summary, 10,000-sale session (median of 20)",
            median_ms(summary),
            "ms",
            goal=50.0,
            note=f"{n_sales} sales, built in {build_s:.1f} s",
        ),
        Result(
            AREA,
            "cash_summary (max of 20)",
            max(summary) * 1000,
            "ms",
            note=f"stdev {statistics.pstdev(summary) * 1000:.2f} ms",
        ),
        Result(
            AREA,
            f"search_items, {n_items:,}-item catalog, slowest query (median)",
            median_ms(searches[slowest]),
            "ms",
            goal=10.0,
            note=f"{slowest!r} of {len(searches)} queries",
        ),
        Result(
            AREA,
            "search_items, every query (median / p99)",
            median_ms(all_search),
            "ms",
            note=f"p99 {p99_ms(all_search):.2f} ms",
        ),
        Result(
            AREA,
            f"catalog import of {n_items:,} items, folded and indexed",
            import_s,
            "s",
        ),
    ]
