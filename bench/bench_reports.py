"""Session report on years of history: overviews, first pages, the CSV export.

Data: one store with 10 tills, 5-6 sessions per till per day (shift changes),
about 100 sales per session: 5 years = ~100,000 sessions and ~10,000,000 sales
with their payments (``--quick``: 1 year, ~20,000 sessions, ~200,000 sales).
The generator writes rows with direct SQL in big transactions (sales and
payments as INSERT ... SELECT over a generated series; sessions, adjustments
and the closing figures with executemany), with the schema's own indexes and
the m002 per-session cash totals, and caches the database file under
/tmp/kassi-bench-cache keyed by a version string. Sale lines are not generated:
the report never reads them.

Goals (issue): overviews and the first page of the sorted list, for a month
and for a year, under 100 ms each; the CSV export of ~100,000 sessions under
5 s with the exporting process's peak memory (max RSS, interpreter included)
under 100 MB.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import Result, median_ms, timed

AREA = "reports"
GEN_VERSION = "1"
CACHE_DIR = Path("/tmp/kassi-bench-cache")
STORE, TZ = "BENCH", "Europe/Copenhagen"
TERMINALS = [f"T{n:02d}" for n in range(1, 11)]
CASHIERS = ["2", "3", "4", "5", "6"]
LEFT = 150000  # 1.500,00 kr. left in the drawer at a close


def _progress(message: str) -> None:
    print(f"  [{AREA}] {message}", file=sys.stderr, flush=True)


# -- generator -------------------------------------------------------------------------


def _plan_sessions(rng: random.Random, first: date, days: int) -> list[dict]:
    """Sessions per till per day, local shifts from 07:00, some running past midnight."""
    tz = ZoneInfo(TZ)
    plan = []
    for n in range(days):
        day = first + timedelta(days=n)
        for terminal in TERMINALS:
            k = rng.choice((5, 6))
            shift = timedelta(hours=16) / k
            for j in range(k):
                local = datetime.combine(day, datetime.min.time()) + timedelta(hours=7)
                local += j * shift + timedelta(minutes=rng.randint(0, 10))
                opened = local.replace(tzinfo=tz).astimezone(UTC)
                length = shift - timedelta(minutes=rng.randint(12, 25))
                if j == k - 1 and rng.random() < 0.25:
                    length += timedelta(minutes=rng.randint(30, 180))  # past midnight
                plan.append({"terminal": terminal, "opened": opened, "closed": opened + length})
    plan.sort(key=lambda s: (s["opened"], s["terminal"]))
    return plan


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(path: Path, years: int, sales_per_session: tuple[int, int]) -> dict[str, int]:
    from core.staff.permissions import PERMISSIONS
    from core.store.db import Db

    rng = random.Random(20260115)
    last_year = 2025
    first = date(last_year - years + 1, 1, 1)
    days = (date(last_year, 12, 31) - first).days + 1
    tmp = path.with_name(path.name + ".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    Db(tmp).close()  # the schema, every migration applied
    conn = sqlite3.connect(tmp, isolation_level=None)
    for pragma in (
        "journal_mode = OFF",
        "synchronous = OFF",
        "cache_size = -1000000",
        "temp_store = MEMORY",
    ):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("BEGIN")
    now = "2021-01-01T00:00:00.000000Z"
    conn.execute(
        "INSERT INTO stores (id, name, currency, timezone, locale, cash_rounding, created_at)"
        " VALUES (?, 'Bench Købmand', 'DKK', ?, 'da', 50, ?)",
        (STORE, TZ, now),
    )
    conn.executemany(
        "INSERT INTO terminals (id, store_id, name, created_at) VALUES (?, ?, ?, ?)",
        [(t, STORE, f"Kasse {t[1:]}", now) for t in TERMINALS],
    )
    staff = [("1", "Mette Manager", "manager", " ".join(PERMISSIONS))]
    staff += [(s, f"Kasserer {s}", "cashier", "sale sessions.view") for s in CASHIERS]
    conn.executemany(
        "INSERT INTO staff (id, name, role, permissions, pin_hash, created_at)"
        " VALUES (?, ?, ?, ?, 'x', ?)",
        [(*s, now) for s in staff],
    )
    conn.executemany(
        "INSERT INTO tenders (id, name, is_cash, counted_at_close, sort_order) VALUES (?,?,?,?,?)",
        [("cash", "Kontant", 1, 1, 1), ("card", "Kort", 0, 1, 2), ("mobile", "MobilePay", 0, 0, 3)],
    )

    t0 = time.perf_counter()
    plan = _plan_sessions(rng, first, days)
    last_of = {s["terminal"]: i for i, s in enumerate(plan)}
    open_ids = {i + 1 for i in last_of.values()}
    sessions, gen = [], []
    receipts = dict.fromkeys(TERMINALS, 0)
    for sid, s in enumerate(plan, start=1):
        n = rng.randint(*sales_per_session)
        who = rng.choice(CASHIERS)
        is_open = sid in open_ids
        note = ""
        if rng.random() < 0.05:
            note = rng.choice(('Float counted "twice", OK', "Mønter fra boksen,\nnye ruller"))
        sessions.append(
            (
                sid,
                s["terminal"],
                STORE,
                "open" if is_open else "closed",
                _iso(s["opened"]),
                who,
                note,
                None if is_open else _iso(s["closed"]),
                None if is_open else who,
                None if is_open else 0,
                None if is_open else 0,
                None if is_open else 0,
                None if is_open else 0,
            )
        )
        start = int(s["opened"].timestamp())
        gen.append(
            (
                sid,
                s["terminal"],
                who,
                n,
                receipts[s["terminal"]],
                start,
                int(s["closed"].timestamp()) - start,
            )
        )
        receipts[s["terminal"]] += n
    conn.executemany(
        "INSERT INTO sessions (id, terminal_id, store_id, status, opened_at, opened_by,"
        " opening_float, open_note, closed_at, closed_by, expected_cash, counted_cash,"
        " left_in_drawer, cash_removed) VALUES (?,?,?,?,?,?,0,?,?,?,?,?,?,?)",
        sessions,
    )
    _progress(f"{len(sessions):,} sessions planned and written ({time.perf_counter() - t0:.1f} s)")

    conn.execute(
        "CREATE TEMP TABLE gen (session_id INTEGER PRIMARY KEY, terminal_id TEXT,"
        " staff_id TEXT, n INTEGER, receipt0 INTEGER, t0 INTEGER, dur INTEGER)"
    )
    conn.executemany("INSERT INTO gen VALUES (?,?,?,?,?,?,?)", gen)
    conn.execute("CREATE TEMP TABLE seq (i INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO seq VALUES (?)", [(i,) for i in range(sales_per_session[1])])
    t1 = time.perf_counter()
    # h: a deterministic hash of (session, sale number) picking kind and amount.
    amount = "(CASE WHEN h % 50 = 0 THEN -(500 + h / 50 % 20000) ELSE 500 + h / 50 % 80000 END)"
    conn.execute(
        f"""INSERT INTO sales (uid, kind, store_id, terminal_id, receipt_no, session_id,
               staff_id, created_at, currency, total, rounding, vat_total, change_given)
           SELECT printf('b%07d%04d', session_id, i),
                  CASE WHEN h % 50 = 0 THEN 'refund' ELSE 'sale' END,
                  ?, terminal_id, receipt0 + i + 1, session_id, staff_id,
                  strftime('%Y-%m-%dT%H:%M:%S', t0 + (i + 1) * dur / (n + 1), 'unixepoch')
                    || '.000000Z',
                  'DKK', {amount}, 0, {amount} / 5, 0
             FROM (SELECT g.*, q.i,
                          (g.session_id * 2654435761 + q.i * 40503 + 12345) % 4294967291 AS h
                     FROM gen g JOIN seq q ON q.i < g.n
                    ORDER BY g.session_id, q.i)""",
        (STORE,),
    )
    n_sales = conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
    _progress(f"{n_sales:,} sales ({time.perf_counter() - t1:.1f} s)")

    t2 = time.perf_counter()
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'payments'"
    ).fetchall()
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    # 30 % cash, 60 % card, 10 % MobilePay; refunds go back the way they came.
    conn.execute(
        """INSERT INTO payments (sale_id, session_id, tender_id, is_cash, amount, tendered)
           SELECT id, session_id, CASE WHEN k < 3 THEN 'cash' WHEN k < 9 THEN 'card'
                  ELSE 'mobile' END, k < 3, total, total
             FROM (SELECT id, session_id, total, (id * 2654435761) % 4294967291 % 10 AS k
                     FROM sales ORDER BY id)"""
    )
    conn.execute(
        """UPDATE sessions SET cash_received = a.received, cash_paid_out = a.paid_out
             FROM (SELECT session_id, SUM(MAX(amount, 0)) AS received,
                          SUM(MAX(-amount, 0)) AS paid_out
                     FROM payments WHERE is_cash = 1 GROUP BY session_id) AS a
            WHERE sessions.id = a.session_id"""
    )
    for _name, sql in triggers:
        conn.execute(sql)
    _progress(f"payments and per-session cash totals ({time.perf_counter() - t2:.1f} s)")

    t3 = time.perf_counter()
    adjustments = []
    for sid, _terminal, _store, _status, opened, who, *_rest in sessions:
        roll = rng.random()
        if roll < 0.13:
            kind, amount, note = (
                ("remove", 100000, "Til boksen (drawer limit)")
                if roll < 0.10
                else ("add", 20000, 'Småpenge, "mønter"')
            )
            adjustments.append((sid, kind, amount, note, who, opened))
    conn.executemany(
        "INSERT INTO cash_adjustments (session_id, kind, amount, note, staff_id, created_at)"
        " VALUES (?,?,?,?,?,?)",
        adjustments,
    )
    figures = conn.execute(
        """SELECT s.id, s.terminal_id, s.status, s.cash_received, s.cash_paid_out,
                  COALESCE(a.net, 0)
             FROM sessions s LEFT JOIN
                  (SELECT session_id, SUM(CASE kind WHEN 'add' THEN amount ELSE -amount END)
                          AS net FROM cash_adjustments GROUP BY session_id) a
               ON a.session_id = s.id ORDER BY s.id"""
    ).fetchall()
    prev: dict[str, tuple[int, int | None]] = {}
    updates = []
    for sid, terminal, status, received, paid_out, adj in figures:
        previous_id, previous_left = prev.get(terminal, (None, None))
        opening = LEFT if previous_left is None else previous_left
        if rng.random() < 0.03:
            opening = max(0, opening + rng.choice((-1, 1)) * rng.randint(100, 5000))
        if status == "open":
            updates.append((opening, previous_id, previous_left, None, None, None, None, sid))
            continue
        expected = opening + received - paid_out + adj
        counted = expected + (rng.randint(-3000, 3000) if rng.random() < 0.25 else 0)
        counted = max(0, counted)
        left = min(LEFT, counted)
        updates.append(
            (opening, previous_id, previous_left, expected, counted, left, counted - left, sid)
        )
        prev[terminal] = (sid, left)
    conn.executemany(
        "UPDATE sessions SET opening_float = ?, previous_session_id = ?, previous_left = ?,"
        " expected_cash = COALESCE(?, expected_cash), counted_cash = COALESCE(?, counted_cash),"
        " left_in_drawer = COALESCE(?, left_in_drawer), cash_removed = COALESCE(?, cash_removed)"
        " WHERE id = ?",
        updates,
    )
    conn.executemany(
        "UPDATE terminals SET last_receipt_no = ? WHERE id = ?",
        [(n, t) for t, n in receipts.items()],
    )
    conn.executemany(
        "INSERT INTO number_sequences (name, value) VALUES (?, ?)",
        [("session", len(sessions))],
    )
    conn.execute("COMMIT")
    _progress(f"adjustments and closing figures ({time.perf_counter() - t3:.1f} s)")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    tmp.rename(path)
    if Path(f"{tmp}.key").exists():  # the journal's key goes with its database
        Path(f"{tmp}.key").replace(Path(f"{path}.key"))
    return {"sessions": len(sessions), "sales": n_sales}


def bench_db(quick: bool) -> tuple[Path, float | None, dict[str, int]]:
    """The cached database for the mode; (path, generation seconds or None if cached, sizes)."""
    mode = "quick" if quick else "full"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"reports-v{GEN_VERSION}-{mode}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, None, json.loads(meta.read_text())
    _progress(f"generating the {mode} data set into {path} (cached for later runs)")
    t0 = time.perf_counter()
    sizes = generate(path, 1 if quick else 5, (5, 15) if quick else (60, 140))
    seconds = time.perf_counter() - t0
    meta.write_text(json.dumps(sizes))
    return path, seconds, sizes


# -- benchmarks ------------------------------------------------------------------------

_EXPORT = r"""
import json, resource, sys, time
from datetime import date
from core.store.db import Db
from core.staff.permissions import PERMISSIONS
from core.store.records import Staff
from core.reports import export as report_export
from core.reports import session_report as reports
db = Db(sys.argv[1])
actor = Staff("1", "Mette Manager", "manager", frozenset(PERMISSIONS), True)
sel = reports.make_selection(db, "BENCH", date(2000, 1, 1), date(2099, 12, 31))
t0, c0 = time.perf_counter(), time.process_time()
rows = report_export.export_sessions_csv_file(db, actor, sel, sys.argv[2])
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
try:  # this process's own peak: ru_maxrss keeps the parent's across fork and exec
    status = open("/proc/self/status").read()
    rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "rss_mb": rss}))
"""


def run(quick: bool) -> list[Result]:
    from core.reports import session_list as report_list
    from core.reports import session_report as reports
    from core.staff.permissions import PERMISSIONS
    from core.store.db import Db
    from core.store.records import Staff

    path, gen_seconds, sizes = bench_db(quick)
    scale = f"{sizes['sessions']:,} sessions, {sizes['sales']:,} sales"
    out: list[Result] = []
    if gen_seconds is not None:
        out.append(Result(AREA, "generate data set", gen_seconds, "s", note=scale))
    else:
        out.append(Result(AREA, "data set from cache", 0.0, "s", note=scale))

    db = Db(path)
    actor = Staff("1", "Mette Manager", "manager", frozenset(PERMISSIONS), True)
    repeat = 5 if quick else 9
    ranges = {
        "month": reports.make_selection(db, STORE, date(2025, 12, 1), date(2025, 12, 31)),
        "year": reports.make_selection(db, STORE, date(2025, 1, 1), date(2025, 12, 31)),
    }
    for label, sel in ranges.items():
        n = reports.count_sessions(db, actor, sel)

        def overview(sel=sel):
            return reports.report_overview(db, actor, sel)

        overview()  # warm the cache
        out.append(
            Result(
                AREA,
                f"overviews, {label}",
                median_ms(timed(overview, repeat)),
                "ms",
                100,
                f"{n:,} sessions",
            )
        )
        for sort, desc in (
            ("start", True),
            ("end", True),
            ("discrepancy", False),
            ("discrepancy", True),
        ):

            def page(sel=sel, sort=sort, desc=desc):
                return report_list.list_sessions_page(
                    db, actor, sel, sort=sort, desc=desc, limit=50
                )

            page()
            name = f"first page by {sort}{' desc' if desc else ''}, {label}"
            out.append(Result(AREA, name, median_ms(timed(page, repeat)), "ms", 100))

        def last_page(sel=sel, n=n):
            return report_list.list_sessions_page(db, actor, sel, limit=50, offset=max(0, n - 50))

        last_page()
        out.append(
            Result(
                AREA, f"last page by start, {label}", median_ms(timed(last_page, repeat)), "ms", 100
            )
        )

    # Why m002 keeps per-session cash totals: the same A-4 sum from the payments.
    year = ranges["year"]

    def from_payments():
        return db.one(
            "SELECT SUM(MAX(p.amount, 0)), SUM(MAX(-p.amount, 0)) FROM sessions s"
            " JOIN payments p ON p.session_id = s.id AND p.is_cash = 1"
            " WHERE s.store_id = ? AND s.opened_at >= ? AND s.opened_at < ?",
            (STORE, year.start_utc, year.end_utc),
        )

    from_payments()
    out.append(
        Result(
            AREA,
            "cash overview summed from payments, year",
            median_ms(timed(from_payments, 3)),
            "ms",
            note="without the m002 totals; informational",
        )
    )
    db.close()

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "sessions.csv"
        proc = subprocess.run(
            [sys.executable, "-c", _EXPORT, str(path), str(target)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        figures = json.loads(proc.stdout)
        size_mb = target.stat().st_size / 1e6
    rows = f"{figures['rows']:,} sessions, {size_mb:.0f} MB"
    out.append(Result(AREA, "CSV export, whole history", figures["seconds"], "s", 5, rows))
    out.append(
        Result(AREA, "CSV export CPU time", figures["cpu"], "s", note="informational: no waiting")
    )
    out.append(Result(AREA, "CSV export peak memory (max RSS)", figures["rss_mb"], "MB", 100, rows))
    return out
