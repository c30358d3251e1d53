"""A chain's month at head office on PostgreSQL (SPEC X-6): 10,000,000 transactions of
200 stores, calculated and posted, one statement per store.

The data set is generated once by set-based SQL inside the server (generate_series;
triggers and foreign keys off while it loads), each store's sales in runs of 50 as
deliveries write them, into a PostgreSQL cluster kept under
/tmp/kassi-bench-cache/, named by a version key; each run works on a copy of that
database (CREATE DATABASE ... TEMPLATE), since posting changes it. The timed part runs
in a fresh interpreter so its peak memory is the statement code's own.

Figures: calculate + post of all 200 stores (goal: under 60 s), peak memory (goal:
under 500 MB), and that sum against the *floor*, the plain GROUP BYs over the same
rows on the same server (payments per store and tender, lines per store and SKU;
goal: within 3x).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import Result

CACHE = Path("/tmp/kassi-bench-cache")
# 2: sales arrive in deliveries of CHUNK, not interleaved one by one; 3: the head office's
# schema checks the statement links per statement (core.store.pg_links); 4: a statement
# holds ranges of sale ids (migration 21), made in the schema the data is loaded into;
# 5: vacuumed after loading
GEN_VERSION = 5
STORES = 200
DAYS = 30
PERIOD_START = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)  # 03:00 in Copenhagen (CEST)
SKUS = 1000
# A head office fed by sync writes each delivery's rows together: the sales of one store
# come in runs (a busy store delivering every few minutes), not one store per row.
CHUNK = 50
NOW = "2026-04-01T00:00:00.000000Z"


def _key(n: int) -> str:
    from core.store.db import SCHEMA_VERSION

    digest = hashlib.sha256(f"{GEN_VERSION}|{n}|{SCHEMA_VERSION}".encode()).hexdigest()[:10]
    return f"chain-post-{n}-{digest}"


def _iso_sql(expr: str) -> str:
    return f"""to_char(({expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def _generate(url: str, n: int) -> None:
    """Master data and n sales (one line, one payment each) spread over the stores."""
    import psycopg

    from core.store import pg_schema

    pg_schema.install(url)
    per_store = n // STORES
    start = PERIOD_START.isoformat()
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("SET session_replication_role = replica")  # no triggers, no FK checks
        c.execute("SET maintenance_work_mem = '512MB'")
        c.execute(
            "INSERT INTO staff (id, name, role, permissions, pin_hash, created_at) VALUES"
            " ('1', 'Bench Manager', 'manager', 'statements.manage reports.view', 'x', %s)",
            (NOW,),
        )
        c.execute(
            "INSERT INTO customers (id, name, created_at) VALUES ('WALKIN', 'Walk-in', %s)",
            (NOW,),
        )
        c.execute(
            "INSERT INTO stores (id, name, currency, timezone, locale, default_customer_id,"
            " end_of_business_day, post_as_business_day, statement_method,"
            " max_posting_difference, created_at)"
            " SELECT 'S' || lpad(g::text, 3, '0'), 'Store ' || g, 'DKK', 'Europe/Copenhagen',"
            " 'da', 'WALKIN', '03:00', 1, 'total', 100000000, %s"
            " FROM generate_series(1, %s) g",
            (NOW, STORES),
        )
        c.execute(
            "INSERT INTO terminals (id, store_id, name, created_at)"
            " SELECT 'S' || lpad(g::text, 3, '0') || '-1', 'S' || lpad(g::text, 3, '0'),"
            " 'Till', %s FROM generate_series(1, %s) g",
            (NOW, STORES),
        )
        c.execute(
            "INSERT INTO tenders (id, name, is_cash, counted_at_close, sort_order) VALUES"
            " ('cash', 'Cash', 1, 1, 1), ('card', 'Card', 0, 1, 2),"
            " ('mobile', 'MobilePay', 0, 0, 3)"
        )
        c.execute(
            "INSERT INTO items (sku, name, vat_rate) SELECT 'K' || lpad(g::text, 5, '0'),"
            " 'Item ' || g, 2500 FROM generate_series(0, %s) g",
            (SKUS - 1,),
        )
        # One session per store and day: id = (store - 1) * DAYS + day + 1.
        c.execute(
            "INSERT INTO sessions (id, terminal_id, store_id, status, opened_at, opened_by,"
            " opening_float, closed_at, closed_by, expected_cash, counted_cash, left_in_drawer,"
            " cash_removed)"
            " SELECT (st - 1) * %(days)s + d + 1, 'S' || lpad(st::text, 3, '0') || '-1',"
            " 'S' || lpad(st::text, 3, '0'), 'closed',"
            f" {_iso_sql('%(start)s::timestamptz + d * interval ' + repr('1 day') + ' + interval ' + repr('1 minute'))},"
            " '1', 100000,"
            f" {_iso_sql('%(start)s::timestamptz + (d + 1) * interval ' + repr('1 day') + ' - interval ' + repr('1 minute'))},"
            " '1', 0, 0, 0, 0"
            " FROM generate_series(1, %(stores)s) st, generate_series(0, %(days)s - 1) d",
            {"days": DAYS, "start": start, "stores": STORES},
        )
        # Sale g is in run (g-1) / CHUNK, of store run % STORES + 1; k: its number in its
        # store, spread evenly over the month.
        store = f"(mod((g - 1) / {CHUNK}, {STORES}) + 1)"
        k = f"(((g - 1) / {CHUNK * STORES}) * {CHUNK} + mod(g - 1, {CHUNK}))"
        spread = f"(%(start)s::timestamptz + interval '2 minutes' + {k}"
        spread += f" * ({DAYS * 86400 * 0.99 / per_store:.6f} * interval '1 second'))"
        c.execute(
            "INSERT INTO sales (id, uid, kind, store_id, terminal_id, receipt_no, session_id,"
            " staff_id, created_at, currency, total, rounding, vat_total)"
            f" SELECT g, md5(g::text), 'sale', 'S' || lpad({store}::text, 3, '0'),"
            f" 'S' || lpad({store}::text, 3, '0') || '-1', {k} + 1,"
            f" ({store} - 1) * %(days)s"
            f" + LEAST(floor(extract(epoch FROM {spread} - %(start)s::timestamptz) / 86400)::int,"
            " %(days)s - 1) + 1,"
            f" '1', {_iso_sql(spread)}, 'DKK', 500 + mod(g * 37, 20000), 0,"
            " (500 + mod(g * 37, 20000)) / 5"
            " FROM generate_series(1, %(n)s) g",
            {"days": DAYS, "start": start, "n": n},
        )
        c.execute(
            "INSERT INTO sale_lines (id, sale_id, line_no, sku, name, qty, unit_price,"
            " line_total, vat_rate, vat_amount)"
            " SELECT id, id, 1, 'K' || lpad(mod(id, %s)::text, 5, '0'), 'Item', 1, total, total,"
            " 2500, vat_total FROM sales",
            (SKUS,),
        )
        c.execute(
            "INSERT INTO payments (id, sale_id, session_id, tender_id, is_cash, amount, tendered)"
            " SELECT id, id, session_id, (ARRAY['cash', 'card', 'mobile'])[id % 3 + 1],"
            " CASE WHEN id % 3 = 0 THEN 1 ELSE 0 END, total, total FROM sales"
        )
        c.execute(
            "UPDATE sessions s SET cash_received = c.cash, expected_cash = 100000 + c.cash,"
            " counted_cash = 100000 + c.cash + (s.id % 7) * 100 - 300,"
            " cash_removed = 100000 + c.cash + (s.id % 7) * 100 - 300"
            " FROM (SELECT session_id, SUM(amount) AS cash FROM payments WHERE is_cash = 1"
            " GROUP BY session_id) c WHERE c.session_id = s.id"
        )
        c.execute(
            "INSERT INTO declarations (session_id, tender_id, amount)"
            " SELECT id, 'cash', counted_cash FROM sessions"
        )
        c.execute(
            "INSERT INTO declarations (session_id, tender_id, amount)"
            " SELECT session_id, 'card', SUM(amount) FROM payments WHERE tender_id = 'card'"
            " GROUP BY session_id"
        )
        for table in ("sales", "sale_lines", "payments", "sessions"):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT MAX(id) FROM {table}))"
            )
        c.execute(
            "INSERT INTO number_sequences (name, value) VALUES ('session', %s)"
            " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            (STORES * DAYS,),
        )
        # As a head office's month-old rows are: vacuumed (autovacuum would be at it during
        # the first timed run otherwise, and the visibility map unset for index-only scans).
        c.execute("VACUUM (ANALYZE)")


CHILD = r"""
import json, sys, time
from datetime import date, datetime
from core.staff import auth
from core.statements.batch import default_workers, run_batch
from core.store.pg import PgDb

url, start, end, first, last = sys.argv[1:6]
db = PgDb(url, clock=lambda: datetime.fromisoformat("2026-06-02T12:00:00+00:00"))
actor = auth.get_staff(db, "1")
p = (start, end)
out = {}
t0 = time.perf_counter()
db.all("SELECT s.store_id, p.tender_id, SUM(p.amount), COUNT(*) FROM sales s JOIN payments p"
       " ON p.sale_id = s.id WHERE s.created_at >= ? AND s.created_at < ?"
       " GROUP BY s.store_id, p.tender_id", p)
db.all("SELECT s.store_id, l.sku, SUM(l.qty), SUM(l.line_total) FROM sales s JOIN sale_lines l"
       " ON l.sale_id = s.id WHERE s.created_at >= ? AND s.created_at < ?"
       " GROUP BY s.store_id, l.sku", p)
out["floor"] = time.perf_counter() - t0
days = dict(day=date.fromisoformat(first), until=date.fromisoformat(last))
# What head office runs: the month's batch for every store, calculated, then posted
# (kassi statement run --all-stores --date ... --until ... [--post]).
t0, c0 = time.perf_counter(), time.process_time()
done = run_batch(db, actor, **days)
out["calculate"] = time.perf_counter() - t0
out["calculate_cpu"] = time.process_time() - c0
t0, c0 = time.perf_counter(), time.process_time()
posted = run_batch(db, actor, **days, post=True)
out["post"] = time.perf_counter() - t0
out["post_cpu"] = time.process_time() - c0
bad = [o.errors for o in done + posted if not o.ok]
if bad:
    raise SystemExit(f"batch errors: {bad[:3]}")
out["statements"] = sum(len(o.posted) for o in posted)
out["transactions"] = db.scalar("SELECT COALESCE(SUM(transactions), 0) FROM statements")
out["orders"] = db.scalar("SELECT COUNT(*) FROM sales_orders")
out["workers"] = default_workers(db)
status = open("/proc/self/status").read()
out["rss_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps(out))
"""


def _measure(n: int) -> dict:
    from tests.pg_server import PgServer

    root = CACHE / _key(n)
    server = PgServer(root, options="-c shared_buffers=1GB -c work_mem=64MB")
    try:
        source = "bench_source"
        # One key file for the cached database and its copies (its URL's port changes).
        os.environ["KASSI_KEY_FILE"] = str(root / "hq.key")
        env = dict(os.environ)
        import psycopg

        with psycopg.connect(server.url("postgres"), autocommit=True) as c:
            have = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (source,)).fetchone()
            if have is None:
                print(
                    f"  generating {n:,} transactions in PostgreSQL (cached) ...", file=sys.stderr
                )
                c.execute(f'DROP DATABASE IF EXISTS "{source}_tmp"')
                c.execute(f'CREATE DATABASE "{source}_tmp"')
                _generate(server.url(f"{source}_tmp"), n)
                c.execute(f'ALTER DATABASE "{source}_tmp" RENAME TO "{source}"')
            c.execute('DROP DATABASE IF EXISTS "bench_run"')
            c.execute(f'CREATE DATABASE "bench_run" TEMPLATE "{source}"')
        # As `kassi hq init` upgrades a head office: the copy gets this kassi's triggers
        # and functions (the cached data may have been made by an older one).
        from core.store import pg_schema

        pg_schema.install(server.url("bench_run"))
        from core.store.db import iso

        start, end = iso(PERIOD_START), iso(PERIOD_START + timedelta(days=DAYS))
        first = PERIOD_START.date()  # the business day that starts at 03:00 on it
        last = first + timedelta(days=DAYS - 1)
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                server.url("bench_run"),
                start,
                end,
                str(first),
                str(last),
            ],  # fmt: skip
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            check=False,
        )
        if proc.returncode:
            raise RuntimeError(proc.stderr)
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        server.stop()


def run(quick: bool) -> list[Result]:
    n = 200_000 if quick else 10_000_000
    m = _measure(n)
    total = m["calculate"] + m["post"]
    goal_s = None if quick else 60.0
    size = f"{m['transactions']:,} tx of {STORES} stores"
    workers = f"{m['workers']} workers"
    return [
        Result("chain_post", "floor: GROUP BY payments + lines", m["floor"], "s", note=size),
        Result(
            "chain_post",
            f"create + calculate ({m['statements']} statements)",
            m["calculate"],
            "s",
            note=workers,
        ),
        Result("chain_post", f"post ({m['orders']} orders)", m["post"], "s"),
        Result(
            "chain_post",
            "kassi's own CPU (calculate / post), beside the server's",
            m["calculate_cpu"] + m["post_cpu"],
            "s",
            note=f"{m['calculate_cpu']:.1f} s / {m['post_cpu']:.1f} s",
        ),
        Result("chain_post", "calculate + post", total, "s", goal_s),
        Result("chain_post", "calculate + post vs floor", total / m["floor"], "x", 3.0),
        Result("chain_post", "peak memory (calculate + post)", m["rss_mb"], "MB", 500.0),
    ]
