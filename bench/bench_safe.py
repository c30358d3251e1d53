"""The safe's statement over a year of drops and deposits for one store (K-1).

Data: one store, 4 tills, each with ~8 safe drops and its close's return a day,
and one bank deposit and one count of the safe a day: 38 movements a day,
~13,900 in a year (``--quick``: a quarter). Rows are written with direct SQL in
one transaction, with their running balances, as core.cash.safe writes them.

Figures: the year's statement as `kassi safe show --since` and the safe screen
give it (the balance, the deposits, the year's totals per kind with its opening and
closing balance, and the first page of movements) — goal under 50 ms (issue 12);
for comparison, every movement of the year read into records at once, and the
balance alone.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import Result, median_ms, timed

AREA = "safe"
STORE = "NORREBRO"
TERMINALS = ("T1", "T2")


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(db, days: int) -> int:
    """A year (or ``days``) of safe movements for STORE; returns how many."""
    rng = random.Random(20260115)
    rows, balance = [], 0
    start = datetime(2025, 1, 1, 7, 0, tzinfo=UTC)
    terminals = [*TERMINALS, "T1", "T2"]  # 4 tills' worth of drops on the demo's two
    for day in range(days):
        morning = start + timedelta(days=day)
        events = []
        for t in terminals:
            for _ in range(8):
                minute = rng.randint(60, 600)
                events.append((minute, "drop", rng.choice((20000, 50000, 100000)), t, "B"))
            events.append((660, "return", rng.randint(100000, 400000), t, ""))
        events.sort()
        for minute, kind, amount, terminal, ref in events:
            balance += amount
            rows.append(
                (
                    kind,
                    amount,
                    amount,
                    balance,
                    None,
                    terminal,
                    f"{ref}{minute}",
                    morning + timedelta(minutes=minute),
                )
            )
        deposit = balance - rng.randint(50000, 150000)
        balance -= deposit
        rows.append(
            (
                "deposit",
                deposit,
                -deposit,
                balance,
                None,
                None,
                f"S{day}",
                morning + timedelta(hours=12),
            )
        )
        rows.append(
            (
                "count",
                balance,
                0,
                balance,
                balance,
                None,
                "",
                morning + timedelta(hours=12, minutes=5),
            )
        )
    with db.write():
        db.executemany(
            "INSERT INTO safe_movements (uid, store_id, kind, amount, delta, balance, expected,"
            " terminal_id, reference, staff_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,'1',?)",
            [
                (uuid.uuid4().hex, STORE, k, a, d, b, e, t, ref, _iso(at))
                for k, a, d, b, e, t, ref, at in rows
            ],
        )
    return len(rows)


def run(quick: bool) -> list[Result]:
    from core.cash import safe, safe_views
    from core.staff import auth
    from core.store import demo
    from core.store.db import Db

    days = 91 if quick else 365
    with tempfile.TemporaryDirectory() as tmp:
        db = Db(Path(tmp) / "safe.db")
        try:
            demo.load_demo(db)
            n = generate(db, days)
            manager = auth.get_staff(db, "1")
            since = date(2025, 1, 1)
            year = lambda: safe_views.statement(db, manager, STORE, since=since)  # noqa: E731
            every = lambda: safe_views.statement(  # noqa: E731
                db, manager, STORE, since=since, limit=n
            )
            assert year().total == n == len(every().movements)
            assert year().closing == safe.balance(db, STORE)
            repeat = 5 if quick else 11
            span = "a quarter" if quick else "a year"
            return [
                Result(
                    AREA,
                    f"safe statement, {span} ({n:,} movements)",
                    median_ms(timed(year, repeat)),
                    "ms",
                    goal=50.0,
                ),
                Result(
                    AREA,
                    "every movement of the statement read at once",
                    median_ms(timed(every, repeat)),
                    "ms",
                ),
                Result(
                    AREA,
                    "safe balance",
                    median_ms(timed(lambda: safe.balance(db, STORE), repeat)),
                    "ms",
                ),
            ]
        finally:
            db.close()
