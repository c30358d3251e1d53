"""`audit verify` over a long journal (SPEC R-2): seconds per 100,000 entries.

The journal is built the way a till's grows: each entry a sale with two lines and a
payment (so it covers the sale, its lines, its payment and the session row the
payment trigger moves), signed as kassi signs every entry. Verify then checks every
signature, every link, the signed head and recomputes every covered row. Goal:
well under 30 s per 100,000 entries. Then the usual case: a verify after an intact
one, which checks only the signatures after its signed checkpoint.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from bench import Result
from core.audit import journal as audit
from core.audit import verification
from core.staff.auth import get_staff
from core.store import demo
from core.store.db import Db
from core.tills import sessions

AREA = "journal"
GOAL_S_PER_100K = 30.0
BATCH = 1000
DAY = 1000  # entries since the last intact verify


def _build(path: Path, entries: int) -> None:
    with Db(path) as db:
        demo.load_demo(db, printer_dir=path.parent)
        session = sessions.open_session(db, get_staff(db, "2"), "T1", 10000).id
        now = db.now_iso()
        receipt = 0
        while receipt < entries:
            with db.write():
                for _ in range(min(BATCH, entries - receipt)):
                    receipt += 1
                    sale = db.insert(
                        "sales",
                        {
                            "uid": uuid.uuid4().hex, "kind": "sale", "store_id": "NORREBRO",
                            "terminal_id": "T1", "receipt_no": receipt, "session_id": session,
                            "staff_id": "2", "created_at": now, "currency": "DKK",
                            "total": 3300, "vat_total": 660,
                        },
                    )  # fmt: skip
                    db.executemany(
                        "INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price,"
                        " line_total, vat_rate, vat_amount) VALUES (?,?,?,?,?,?,?,?,?)",
                        [(sale, n, "1001", "Kaffe", 1, 1650, 1650, 2500, 330) for n in (1, 2)],
                    )
                    db.execute(
                        "INSERT INTO payments (sale_id, session_id, tender_id, is_cash, amount,"
                        " tendered) VALUES (?, ?, 'cash', 1, 3300, 3300)",
                        (sale, session),
                    )
                    audit.append(db, "sale", staff_id="2", terminal_id="T1", entity="sale",
                                 entity_id=sale, amount=3300)  # fmt: skip
            db.execute("UPDATE terminals SET last_receipt_no = ? WHERE id = 'T1'", (receipt,))
        with db.write():
            audit.append(db, "bench.done")


def run(quick: bool) -> list[Result]:
    entries = 10_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal.db"
        t0 = time.perf_counter()
        _build(path, entries)
        build = time.perf_counter() - t0
        with Db(path) as db:
            total = db.scalar("SELECT COUNT(*) FROM audit_log")
            t0, c0 = time.perf_counter(), time.process_time()
            result = verification.verify(db, full=True)
            took, cpu = time.perf_counter() - t0, time.process_time() - c0
            assert result.ok, result.problem
            with db.write():  # a day's further entries, then the nightly verify
                for n in range(DAY):
                    audit.append(db, "bench.day", entity_id=n)
            verification.verify(db)  # the first one leaves its signed checkpoint
            with db.write():
                for n in range(DAY):
                    audit.append(db, "bench.day", entity_id=n)
            t0, c0 = time.perf_counter(), time.process_time()
            again = verification.verify(db)
            took_again, cpu_again = time.perf_counter() - t0, time.process_time() - c0
            assert again.ok and again.signatures == DAY, again
        per_100k = took * 100_000 / total
        return [
            Result(
                AREA,
                "audit verify, seconds per 100,000 entries",
                per_100k,
                "s",
                GOAL_S_PER_100K,
                note=f"{total:,} entries, {result.rows:,} rows recomputed in {took:.1f} s",
            ),
            Result(
                AREA,
                "audit verify, CPU seconds per 100,000 entries (a shared machine's wall time moves)",
                cpu * 100_000 / total,
                "s",
                GOAL_S_PER_100K,
            ),
            Result(
                AREA,
                f"audit verify again, {DAY:,} new entries (signatures after the checkpoint)",
                took_again * 100_000 / again.checked,
                "s",
                GOAL_S_PER_100K,
                note=f"per 100,000 entries; CPU {cpu_again * 100_000 / again.checked:.1f} s",
            ),
            Result(
                AREA,
                "signed appends per second (building the journal)",
                total / build,
                "entries/s",
                note="each a sale: 4 rows inserted, 5 covered",
            ),
        ]
