"""Transfers with their journal (SPEC R-3, R-8): what carrying and checking the store's
audit entries costs.

Figures: export and import of a day of sales (real sales rung through the core API,
in memory); the head office's check of the journal per 100,000 entries (a file of
synthetic, correctly linked entries: the head office compares and links hashes, it
does not recompute them, so their content does not matter); and an older file
imported again, skipped whole (R-8). All informational.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from datetime import UTC, datetime, timedelta

from bench import Result

AREA = "transfer"


def _shops():
    from core.staff import auth
    from core.store import demo
    from core.store.db import Db

    clock_at = [datetime(2026, 5, 31, 6, 0, tzinfo=UTC)]
    store = Db(":memory:", clock=lambda: clock_at[0])
    demo.load_demo(store)
    office = Db(":memory:", clock=lambda: clock_at[0])
    demo.load_demo(office)
    return store, office, clock_at, auth


def _export(db, actor, since: int = 0) -> tuple[str, int]:
    from core.transfer.export import export_transactions

    out = io.StringIO()
    summary = export_transactions(db, actor, out, since=since)
    return out.getvalue(), summary.cursor


def _import(db, actor, text: str):
    from core.transfer.importing import import_transactions

    return import_transactions(db, actor, text.splitlines(keepends=True), source="bench")


def _synthetic(header: dict, n: int) -> str:
    prev, lines = "0" * 64, []
    for seq in range(1, n + 1):
        digest = hashlib.sha256(f"{prev}{seq}".encode()).hexdigest()
        entry = {
            "seq": seq,
            "at": "2026-05-31T06:00:00.000000Z",
            "staff_id": "2",
            "terminal_id": "T1",
            "action": "sale",
            "entity": "sale",
            "entity_id": str(seq),
            "amount": 4900,
            "details": '{"receipt":1}',
            "prev_hash": prev,
            "hash": digest,
        }
        lines.append(json.dumps({"type": "entry", "entry": entry}))
        prev = digest
    head = {**header, "origin": "bench-synthetic", "since": 0, "cursor": n}
    head["head"] = {"entry": n, "hash": prev}
    return "\n".join([json.dumps(head), *lines]) + "\n"


def run(quick: bool) -> list[Result]:
    from core.money.tendering import TenderInput
    from core.tills.basket import LineInput
    from core.tills.sales import record_sale

    n_sales = 200 if quick else 2000
    n_entries = 20_000 if quick else 100_000
    store, office, clock_at, auth = _shops()
    cashier, manager = auth.get_staff(store, "2"), auth.get_staff(store, "1")
    ho_manager = auth.get_staff(office, "1")
    for i in range(n_sales):
        clock_at[0] += timedelta(seconds=20)
        record_sale(
            store,
            cashier,
            "T1" if i % 2 else "T2",
            [LineInput("1002", 1), LineInput("1004", 1)],
            [TenderInput("card" if i % 3 else "cash", None)],
        )
    t0 = time.perf_counter()
    text, _cursor = _export(store, manager)
    t_export = time.perf_counter() - t0
    entries = sum(1 for line in text.splitlines() if line.startswith('{"type":"entry"'))
    t0 = time.perf_counter()
    _import(office, ho_manager, text)
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    skipped = _import(office, ho_manager, text)
    t_again = time.perf_counter() - t0
    assert skipped.already_applied is not None

    synthetic = _synthetic(json.loads(text.splitlines()[0]), n_entries)
    t0 = time.perf_counter()
    _import(office, ho_manager, synthetic)
    t_check = time.perf_counter() - t0
    store.close()
    office.close()
    per = f"{n_sales} sales, {entries} journal entries"
    return [
        Result(AREA, "export of a day", t_export, "s", note=per),
        Result(AREA, "import at the head office", t_import, "s", note=per),
        Result(AREA, "the same file again (skipped whole)", t_again, "s", note=per),
        Result(
            AREA,
            "journal check per 100,000 entries",
            t_check / n_entries * 100_000,
            "s",
            note=f"measured on {n_entries:,}",
        ),
        Result(AREA, "journal entries per second checked", n_entries / t_check, "/s"),
    ]
