"""Exactly once across threads and processes (SPEC H-4): a claim per terminal, leases,
stale claims recovered, one run at a time, a busy other process waited for (bounded);
against the scripted FakePrinter, several processes sharing its sink file."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.money.tendering import TenderInput
from core.printing import claims as print_claims
from core.printing import history as printing_history
from core.printing import jobs as print_jobs
from core.printing.service import PrintService
from core.staff import auth
from core.store import demo
from core.store.db import Db
from core.tills import sales
from core.tills.basket import LineInput
from tests.conftest import FakeClock
from tests.core.test_printing_support import FakePrinter, factory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "till.db"
    with Db(path) as db:
        demo.load_demo(db, printer_dir=tmp_path)
    return path


@pytest.fixture
def db(db_path: Path, clock: FakeClock) -> Iterator[Db]:
    with Db(db_path, clock=clock) as database:
        yield database


@pytest.fixture
def manager(db: Db):
    return auth.authenticate(db, "1", "1234")


@pytest.fixture
def sink(tmp_path: Path) -> Path:
    return tmp_path / "paper.bin"


def kept_jobs(db: Db, manager, n: int) -> list:
    """`n` card sales whose receipts were kept (the printer refused), oldest first."""
    down = FakePrinter()
    down.script = ["refuse"] * n
    service = PrintService(factory(down))
    jobs = []
    for _ in range(n):
        sale = sales.record_sale(db, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")])
        jobs.append(print_jobs.get(db, service.print_sale(db, sale.sale.id).job_id))
    jobs = [print_jobs.get(db, j.id) for j in jobs]
    assert all(j.status == "pending" for j in jobs)
    return jobs


def test_two_threads_retrying_at_once_print_each_job_once(
    db: Db, db_path: Path, manager, sink: Path
) -> None:
    jobs = kept_jobs(db, manager, 4)
    attempts = [j.attempts for j in jobs]
    barrier = threading.Barrier(2)
    results: list[list] = []

    def retry() -> None:
        service = PrintService(factory(FakePrinter(sink=sink)))
        with Db(db_path) as own:
            barrier.wait()
            results.append(service.retry_pending(own, "T1"))

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 2
    assert sink.read_bytes() == b"".join(print_jobs.get(db, j.id).payload for j in jobs)
    assert all(print_jobs.get(db, j.id).status == "printed" for j in jobs)
    # each job was claimed (attempted) once more, by one of the two
    assert [print_jobs.get(db, j.id).attempts for j in jobs] == [a + 1 for a in attempts]
    assert sorted(o.ok for rows in results for o in rows) == [True] * 8


RETRY_CHILD = r"""
import json, os, sys, time
from pathlib import Path
from core.store.db import Db
from core.printing.service import PrintService
from tests.core.test_printing_support import FakePrinter, factory
db = Db(sys.argv[1])
service = PrintService(factory(FakePrinter(sink=Path(sys.argv[3]))))
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
print(json.dumps([[o.job_id, o.ok, o.reason] for o in service.retry_pending(db)]))
"""


def test_two_processes_retrying_at_once_print_each_job_once(
    db: Db, db_path: Path, manager, tmp_path: Path, sink: Path
) -> None:
    jobs = kept_jobs(db, manager, 6)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RETRY_CHILD, str(db_path), str(go), str(sink)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.5)  # both started and waiting
    go.write_text("go")
    outputs = [p.communicate(timeout=30) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert sink.read_bytes() == b"".join(print_jobs.get(db, j.id).payload for j in jobs)
    printed_by = [json.loads(out) for out, _err in outputs]
    for job in jobs:
        assert any([job.id, True, None] in rows for rows in printed_by)


def test_a_claim_is_exclusive_per_terminal_and_a_stale_one_is_recovered(
    db: Db, db_path: Path, manager, clock: FakeClock
) -> None:
    jobs = kept_jobs(db, manager, 2)
    attempts = print_jobs.get(db, jobs[0].id).attempts
    first = print_claims.claim_next(db, "T1", "otherhost:1:a", 60)
    assert first.job.id == jobs[0].id and first.job.status == "printing"
    with Db(db_path, clock=clock) as other:
        busy = print_claims.claim_next(other, "T1", "otherhost:2:b", 60)
        assert busy.job is None and busy.busy_with.id == jobs[0].id  # order and device kept
        assert print_claims.claim_next(other, "T2", "otherhost:2:b", 60).job is None
        clock.advance(seconds=61)  # the claimant died on another machine: the lease ran out
        again = print_claims.claim_next(other, "T1", "otherhost:2:b", 60)
    assert again.recovered == (jobs[0].id,)
    assert again.job.id == jobs[0].id and again.job.attempts == attempts + 2
    assert again.job.last_reason == "interrupted" and "may have printed" in again.job.last_error
    assert not print_claims.mark_printed(db, jobs[0].id, "otherhost:1:a")  # lost its claim
    assert print_jobs.get(db, jobs[0].id).status == "printed"


def test_a_claim_of_a_dead_local_process_is_recovered_at_once(db: Db, manager) -> None:
    jobs = kept_jobs(db, manager, 1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    claimant = f"{socket.gethostname()}:{dead.pid}:x"
    assert print_claims.claim_next(db, "T1", claimant, 3600).job.id == jobs[0].id
    back = FakePrinter()
    outcomes = PrintService(factory(back)).retry_pending(db, "T1")  # the till restarted
    assert [o.ok for o in outcomes] == [True]
    assert back.printed() == print_jobs.get(db, jobs[0].id).payload


def test_waiting_for_another_process_that_is_printing(db: Db, db_path: Path, manager) -> None:
    jobs = kept_jobs(db, manager, 2)
    claimant = "otherhost:9:z"
    assert print_claims.claim_next(db, "T1", claimant, 3600).job.id == jobs[0].id
    back = FakePrinter()
    service = PrintService(factory(back))
    busy = service.retry_pending(db, "T1")  # bounded by the printer's timeout
    assert [o.reason for o in busy] == ["busy", "busy"]
    assert "Another till process is printing on T1" in busy[0].message

    def other_finishes() -> None:
        with Db(db_path) as own:
            print_claims.mark_printed(own, jobs[0].id, claimant)

    threading.Timer(0.05, other_finishes).start()
    outcomes = service.retry_pending(db, "T1")
    assert [o.ok for o in outcomes] == [True, True]
    assert back.printed() == print_jobs.get(db, jobs[1].id).payload  # ours


def test_mark_failed_keeps_the_job_pending_with_the_error_and_when(
    db: Db, manager, clock: FakeClock
) -> None:
    jobs = kept_jobs(db, manager, 2)
    clock.advance(minutes=5)
    claim = print_claims.claim_next(db, "T1", "me:1:a", 60)
    failed = print_claims.mark_failed(
        db, claim.job.id, "me:1:a", "The printer is offline.", "offline"
    )
    assert failed.status == "pending" and failed.last_reason == "offline"
    waiting = print_jobs.pending(db, "T1")
    assert [j.last_error for j in waiting] == ["The printer is offline."] * 2
    assert {j.last_error_at for j in waiting} == {"2026-01-15T08:05:00.000000Z"}
    assert [j.id for j in print_jobs.pending(db)] == [j.id for j in jobs]
    assert printing_history.last_error(db, "T1").last_error == "The printer is offline."


def test_cancel_needs_a_manager_and_is_audited(db: Db, manager) -> None:
    from core.errors import PermissionDenied, StateError

    jobs = kept_jobs(db, manager, 1)
    cashier = auth.authenticate(db, "2", "2222")
    with pytest.raises(PermissionDenied):
        print_jobs.cancel(db, cashier, jobs[0].id)
    assert print_jobs.cancel(db, manager, jobs[0].id).status == "cancelled"
    assert PrintService(factory(FakePrinter())).retry_pending(db, "T1") == []
    with pytest.raises(StateError):
        print_jobs.cancel(db, manager, jobs[0].id)
    assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'print.cancel'") == 1
