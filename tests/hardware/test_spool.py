"""The print queue and spool: a sale is stored before anything prints, a fault keeps
the job pending with a clear message within the timeout, and the job prints after
recovery exactly once (checked on the bytes the "printer" received)."""

from __future__ import annotations

import fcntl
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import auth, config, demo, print_jobs, sales, sessions
from core.db import Db
from core.documents import layout
from core.i18n import translate
from core.sales import LineInput
from core.tendering import TenderInput
from hardware import spool
from hardware.render import LOOKALIKES, drawer_pulse
from tests.conftest import FakeClock
from tests.hardware.escpos_decoder import decode, texts
from tests.hardware.test_serial_pty import ONLINE, FakePrinter


def da(text: str) -> str:
    """Documents print in the store's language: the demo store is Danish."""
    return translate(text, "da")


pytestmark = pytest.mark.hardware

ROOT = Path(__file__).resolve().parents[2]
PAPER_OUT = {1: 0x12 | 0x08, 2: 0x12 | 0x20, 4: 0x12 | 0x60 | 0x0C}
TIMEOUT = 0.5


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
def set_printer(db: Db, manager):
    def set_(cfg: dict, terminal: str = "T1") -> None:
        config.set_printer(db, manager, terminal, cfg)

    return set_


@pytest.fixture
def pty() -> Iterator[tuple[int, int, str]]:
    master, slave = os.openpty()
    try:
        yield master, slave, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def serial(port: str, **extra: object) -> dict:
    return {"kind": "serial", "device": port, "baud": 115200, "timeout": TIMEOUT, **extra}


def sell(db: Db, manager, pay: str = "cash", terminal: str = "T1"):
    payment = [TenderInput(pay, None)]
    return sales.record_sale(db, manager, terminal, [LineInput("1001", 2)], payment).sale


def stored(db: Db, sale_id: int) -> bool:
    return db.one("SELECT 1 FROM sales WHERE id = ?", (sale_id,)) is not None


def fill(slave: int) -> None:
    """Fill the pty's buffer from the slave side: nobody reads the master, so the
    next write to the port cannot go anywhere (a printer that never drains)."""
    flags = fcntl.fcntl(slave, fcntl.F_GETFL)
    fcntl.fcntl(slave, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    full_in_a_row = 0
    try:
        # The tty moves bytes on to the master side in the background, so room
        # can reappear after the first EAGAIN: full means full twice in a row.
        while full_in_a_row < 2:
            wrote = 0
            for chunk in (1024, 64, 1):
                try:
                    while True:
                        wrote += os.write(slave, b"J" * chunk)
                except BlockingIOError:
                    pass
            full_in_a_row = 0 if wrote else full_in_a_row + 1
            time.sleep(0.05)
    finally:
        fcntl.fcntl(slave, fcntl.F_SETFL, flags)


class FifoReader:
    """The reading end of a FIFO used as a device file: a printer that takes data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.received = bytearray()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        end = time.monotonic() + 20
        try:
            while not self.stop.is_set() and time.monotonic() < end:
                select.select([fd], [], [], 0.02)
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if chunk:
                    self.received += chunk
                else:
                    time.sleep(0.01)  # no writer right now
        finally:
            os.close(fd)

    def wait_for(self, size: int, timeout: float = 5) -> bytes:
        end = time.monotonic() + timeout
        while len(self.received) < size and time.monotonic() < end:
            time.sleep(0.01)
        return bytes(self.received)

    def __enter__(self) -> FifoReader:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(2)


def receipt_lines(db: Db, sale_id: int, width: int = 42, reprint: bool = False) -> list[str]:
    """The receipt's laid-out lines as the printer shows them (CP858 has no "—")."""
    doc, _sale = spool.sale_document(db, sale_id, reprint=reprint)
    return [ln.text.translate(str.maketrans(LOOKALIKES)) for ln in layout(doc, width)]


# -- the file sink: the normal path -------------------------------------------------


def test_a_cash_sale_prints_its_receipt_with_the_drawer_pulse_first(
    db: Db, manager, tmp_path: Path
) -> None:
    sale = sell(db, manager)
    outcome = spool.print_sale(db, sale.id)
    assert outcome.ok and outcome.drawer_opened and outcome.reason is None
    assert "T1-1" in outcome.message
    data = (tmp_path / "printer-T1.bin").read_bytes()
    events = decode(data)
    assert events[0] == ("pulse", 2, 100, 100)
    assert texts(events) == receipt_lines(db, sale.id)
    job = print_jobs.get(db, outcome.job_id)
    assert job.status == "printed" and job.attempts == 1 and job.open_drawer
    assert job.ref == "receipt:T1:1" and job.kind == "sale_receipt"
    assert data == drawer_pulse() + job.payload  # one write: pulse, then the receipt
    assert job.text.splitlines() == [t.rstrip() for t in job.text.splitlines()]
    assert print_jobs.pending(db, "T1") == []


# -- the job commits with its operation ------------------------------------------


def _jobs_for(db: Db, ref: str) -> list:
    return print_jobs.for_ref(db, ref)


def test_a_sale_commits_together_with_its_receipt_job_to_render(db: Db, manager) -> None:
    """SPEC R-9: the receipt's job is written in the sale's own transaction, "to render"."""
    sale = sell(db, manager)
    (job,) = _jobs_for(db, "receipt:T1:1")
    assert (job.status, job.kind, job.open_drawer, job.copy) == (
        "pending",
        "sale_receipt",
        True,
        False,
    )
    assert job.to_render and job.payload == b"" and job.title == f"{da('RECEIPT')} T1-1"
    assert sale.receipt_no == 1
    # A sale that rolls back takes its job with it: neither exists alone.
    with pytest.raises(RuntimeError), db.write():
        sell(db, manager, pay="card")
        assert _jobs_for(db, "receipt:T1:2")  # inside: queued with it
        raise RuntimeError("power cut before COMMIT")
    assert db.scalar("SELECT COUNT(*) FROM sales") == 1
    assert _jobs_for(db, "receipt:T1:2") == []
    # A card sale's job does not open the drawer; a refund is queued the same way.
    card = sell(db, manager, pay="card")
    assert not _jobs_for(db, f"receipt:T1:{card.receipt_no}")[0].open_drawer
    refund = sales.record_refund(
        db, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")], receipt=("T1", 1)
    ).sale
    (refund_job,) = _jobs_for(db, f"receipt:T1:{refund.receipt_no}")
    assert refund_job.kind == "refund_receipt" and refund_job.to_render


def test_a_queued_receipt_is_named_as_its_document(db: Db, manager) -> None:
    """SPEC R-9: the title queued inside the sale's lock (no document built there) is the
    one the printed document carries, for a sale and a refund, in the store's language."""
    sold = sell(db, manager)
    refund = sales.record_refund(
        db, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")], receipt=("T1", 1)
    ).sale
    for sale in (sold, refund):
        doc, _sale = spool.sale_document(db, sale.id)
        (job,) = _jobs_for(db, f"receipt:T1:{sale.receipt_no}")
        assert (job.kind, job.title) == (doc.kind, doc.title)


def test_printing_a_sale_prints_the_job_queued_with_it_never_a_second(
    db: Db, manager, tmp_path: Path
) -> None:
    """SPEC R-9 (and the till's after_sale): the queued job is rendered and printed, once."""
    sale = sell(db, manager)
    first = spool.print_sale(db, sale.id)
    again = spool.print_sale(db, sale.id)  # a second after_sale for the same sale
    (job,) = _jobs_for(db, "receipt:T1:1")
    assert first.ok and again.ok and first.job_id == again.job_id == job.id
    assert job.status == "printed" and not job.to_render
    data = (tmp_path / "printer-T1.bin").read_bytes()
    assert data == drawer_pulse() + job.payload  # rendered at the claim, sent once
    assert texts(decode(job.payload)) == receipt_lines(db, sale.id)


def test_a_cash_action_commits_with_its_slip_job(db: Db, manager, tmp_path: Path) -> None:
    """SPEC R-9: a cash action's slip is queued in the cash action's transaction."""
    sell(db, manager)  # opens the session
    adj = sessions.adjust_cash(db, manager, "T1", "add", 5000, "Change from the bank")
    (job,) = _jobs_for(db, f"adjustment:{adj.id}")
    assert job.kind == "adjustment_slip" and job.open_drawer and job.to_render
    outcome = spool.print_adjustment(db, adj.id)
    (job,) = _jobs_for(db, f"adjustment:{adj.id}")
    assert outcome.ok and outcome.job_id == job.id and job.status == "printed"
    assert job.payload in (tmp_path / "printer-T1.bin").read_bytes()


def test_a_terminal_without_a_printer_queues_nothing(db: Db, manager, set_printer) -> None:
    """SPEC R-9: no printer is a choice; nothing waits for one that does not exist."""
    set_printer({"kind": "none"})
    sell(db, manager)
    assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 0


def test_a_card_sale_leaves_the_drawer_shut_and_a_cash_refund_opens_it(
    db: Db, manager, tmp_path: Path
) -> None:
    sessions.open_session(db, manager, "T1", 50000)
    sale = sell(db, manager, pay="card")
    assert not spool.print_sale(db, sale.id).drawer_opened
    cash = [TenderInput("cash", None)]
    receipt = ("T1", sale.receipt_no)
    refund = sales.record_refund(db, manager, "T1", [LineInput("1001", 1)], cash, receipt=receipt)
    refund = refund.sale
    outcome = spool.print_sale(db, refund.id)
    assert outcome.ok and outcome.drawer_opened
    events = decode((tmp_path / "printer-T1.bin").read_bytes())
    assert [e for e in events if e[0] == "pulse"] == [("pulse", 2, 100, 100)]
    assert print_jobs.get(db, outcome.job_id).kind == "refund_receipt"


def test_an_adjustment_slip_opens_the_drawer(db: Db, manager, tmp_path: Path) -> None:
    sessions.open_session(db, manager, "T1", 50000)
    adj = sessions.adjust_cash(db, manager, "T1", "add", 10000, "Change from the bank")
    outcome = spool.print_adjustment(db, adj.id)
    assert outcome.ok and outcome.drawer_opened
    events = decode((tmp_path / "printer-T1.bin").read_bytes())
    assert events[0][0] == "pulse"
    assert any("Change from the bank" in t for t in texts(events))
    assert print_jobs.get(db, outcome.job_id).ref == f"adjustment:{adj.id}"


def test_open_drawer_sends_only_the_pulse_and_queues_nothing(
    db: Db, tmp_path: Path, set_printer
) -> None:
    outcome = spool.open_drawer(db, "T1")
    assert outcome.ok and outcome.job_id is None
    assert (tmp_path / "printer-T1.bin").read_bytes() == drawer_pulse()
    set_printer({"kind": "devfile", "path": str(tmp_path / "lp0"), "timeout": TIMEOUT})
    failed = spool.open_drawer(db, "T1")
    assert not failed.ok and failed.reason == "device_missing"
    assert "did not open" in failed.message
    assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 0  # a pulse is never queued


def test_no_printer_configured_is_said_and_nothing_is_queued(db: Db, manager, set_printer) -> None:
    set_printer({"kind": "none"})
    sale = sell(db, manager)
    outcome = spool.print_sale(db, sale.id)
    assert not outcome.ok and outcome.job_id is None and outcome.reason == "not_configured"
    assert "No printer is configured for terminal T1" in outcome.message
    assert stored(db, sale.id)
    assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 0
    assert spool.printer_status(db, "T1").reason == "not_configured"


def test_a_broken_printer_config_is_a_clear_outcome(db: Db, manager) -> None:
    # Stored before settings were checked (P-4): config.set_printer refuses it now.
    with db.write():
        db.execute("UPDATE terminals SET printer = ? WHERE id = 'T1'", ('{"kind": "serial"}',))
    outcome = spool.print_sale(db, sell(db, manager).id)
    assert not outcome.ok and outcome.reason == "config"
    assert outcome.message.startswith("Printer setting:")


def test_printing_inside_the_operations_transaction_is_refused(db: Db, manager) -> None:
    sale = sell(db, manager)
    with pytest.raises(RuntimeError), db.write():
        spool.print_sale(db, sale.id)


# -- reprints ------------------------------------------------------------------------


def test_reprint_is_a_copy_without_the_drawer_and_is_audited(
    db: Db, manager, tmp_path: Path
) -> None:
    sale = sell(db, manager)
    spool.print_sale(db, sale.id)
    sink = tmp_path / "printer-T1.bin"
    first = len(sink.read_bytes())
    outcome = spool.reprint_last(db, "T1")
    assert outcome.ok and not outcome.drawer_opened and "(copy)" in outcome.message
    events = decode(sink.read_bytes()[first:])
    assert not [e for e in events if e[0] == "pulse"]
    assert texts(events) == receipt_lines(db, sale.id, reprint=True)
    assert any(da("COPY") in t for t in texts(events))
    job = print_jobs.get(db, outcome.job_id)
    assert job.copy and print_jobs.last_for(db, "T1", "sale_receipt").id == job.id
    audit = db.one("SELECT * FROM audit_log WHERE action = 'print.copy'")
    assert audit["terminal_id"] == "T1" and json.loads(audit["details"])["ref"] == job.ref


def test_reprint_of_a_receipt_that_never_printed_is_the_original(
    db: Db, manager, tmp_path: Path
) -> None:
    sale = sell(db, manager)  # rung up, nothing printed (the CLI, or no printer then)
    outcome = spool.print_sale(db, sale.id, reprint=True)
    assert outcome.ok and not outcome.drawer_opened
    events = decode((tmp_path / "printer-T1.bin").read_bytes())
    assert not any(da("COPY") in t for t in texts(events))
    assert not print_jobs.get(db, outcome.job_id).copy


def test_reprint_while_the_original_waits_prints_the_original_once(
    db: Db, manager, tmp_path: Path, set_printer
) -> None:
    device = tmp_path / "lp0"
    set_printer({"kind": "devfile", "path": str(device), "timeout": TIMEOUT})
    sale = sell(db, manager)
    kept = spool.print_sale(db, sale.id)
    assert not kept.ok
    device.write_bytes(b"")  # the printer is back
    again = spool.print_sale(db, sale.id, reprint=True)
    assert again.ok and again.job_id == kept.job_id  # the original, not a copy on top
    assert device.read_bytes() == print_jobs.get(db, kept.job_id).payload
    assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 1


def test_reprint_last_with_no_sale_says_so(db: Db) -> None:
    outcome = spool.reprint_last(db, "T2")
    assert not outcome.ok and outcome.job_id is None and "No receipt" in outcome.message


# -- faults: missing device, never drains, paper out ----------------------------------


def test_missing_device_path_keeps_the_job_and_prints_it_once_when_back(
    db: Db, manager, tmp_path: Path, set_printer
) -> None:
    device = tmp_path / "usb-lp0"
    set_printer({"kind": "devfile", "path": str(device), "timeout": TIMEOUT})
    sale = sell(db, manager)
    start = time.monotonic()
    outcome = spool.print_sale(db, sale.id)
    assert time.monotonic() - start < TIMEOUT
    assert stored(db, sale.id)
    assert not outcome.ok and outcome.reason == "device_missing"
    assert str(device) in outcome.message and "not found" in outcome.message
    assert (
        f"{da('RECEIPT')} T1-1 kept" in outcome.message
        and "prints when the printer is back" in (outcome.message)
    )
    assert "drawer did not open" in outcome.message
    job = print_jobs.get(db, outcome.job_id)
    assert job.status == "pending" and job.attempts == 1 and job.last_reason == "device_missing"
    status = spool.printer_status(db, "T1")
    assert not status.ok and status.reason == "device_missing" and status.pending == 1

    device.write_bytes(b"")  # plugged back in
    outcomes = spool.retry_pending(db, "T1")
    assert [(o.job_id, o.ok) for o in outcomes] == [(job.id, True)]
    data = device.read_bytes()
    assert data == job.payload  # the drawer pulse is not replayed later
    assert texts(decode(data)) == receipt_lines(db, sale.id)
    assert print_jobs.get(db, job.id).status == "printed"
    assert spool.retry_pending(db, "T1") == []
    assert device.read_bytes() == data  # exactly once


def test_missing_serial_port_is_a_clear_fault(db: Db, manager, set_printer) -> None:
    set_printer(serial("/dev/ttyKASSI-NOPE"))
    sale = sell(db, manager)
    outcome = spool.print_sale(db, sale.id)
    assert stored(db, sale.id)
    assert outcome.reason == "device_missing" and "/dev/ttyKASSI-NOPE" in outcome.message
    assert print_jobs.get(db, outcome.job_id).status == "pending"


def test_a_port_that_never_drains_times_out_then_prints_once_in_order(
    db: Db, manager, pty: tuple[int, int, str], set_printer
) -> None:
    master, slave, port = pty
    set_printer(serial(port))
    spool.open_drawer(db, "T1")  # opens the port once: raw mode from here on
    while select.select([master], [], [], 0.05)[0]:
        os.read(master, 4096)
    fill(slave)
    first, second = sell(db, manager), sell(db, manager, pay="card")
    start = time.monotonic()
    out1 = spool.print_sale(db, first.id)
    elapsed = time.monotonic() - start
    fill(slave)  # closing the port after the fault flushed what it had queued
    out2 = spool.print_sale(db, second.id)
    assert elapsed < 2 * TIMEOUT + 0.5
    assert stored(db, first.id) and stored(db, second.id)
    for out in (out1, out2):
        assert not out.ok and out.reason == "write_timeout"
        assert "write timeout" in out.message and "kept" in out.message
    assert [j.id for j in print_jobs.pending(db, "T1")] == [out1.job_id, out2.job_id]

    with FakePrinter(master, dict(ONLINE)) as fake:  # someone reads the port again
        outcomes = spool.retry_pending(db, "T1")
        jobs = [print_jobs.get(db, o.job_id) for o in outcomes]
        got = fake.wait_for(sum(len(j.payload) for j in jobs))
    assert [o.ok for o in outcomes] == [True, True]
    for job in jobs:
        assert got.count(job.payload) == 1
    assert got.index(jobs[0].payload) < got.index(jobs[1].payload)
    assert texts(decode(jobs[0].payload)) == receipt_lines(db, first.id)


def test_paper_out_keeps_the_job_and_the_next_sale_prints_both_once(
    db: Db, manager, pty: tuple[int, int, str], set_printer
) -> None:
    master, _slave, port = pty
    set_printer(serial(port))
    replies = dict(PAPER_OUT)
    with FakePrinter(master, replies) as fake:
        first = sell(db, manager)
        start = time.monotonic()
        out1 = spool.print_sale(db, first.id)
        assert time.monotonic() - start < TIMEOUT
        assert stored(db, first.id)
        assert not out1.ok and out1.reason == "paper_out"
        assert "out of paper" in out1.message and f"{da('RECEIPT')} T1-1 kept" in out1.message
        job1 = print_jobs.get(db, out1.job_id)
        assert job1.status == "pending" and job1.last_reason == "paper_out"
        asked = decode(fake.wait_for(9))
        assert {e[0] for e in asked} == {"status_query"}  # nothing pushed into it
        status = spool.printer_status(db, "T1")
        assert status.paper_out and not status.ok and status.pending == 1

        replies.update(ONLINE)  # paper loaded
        second = sell(db, manager)
        out2 = spool.print_sale(db, second.id)
        job2 = print_jobs.get(db, out2.job_id)
        got = fake.wait_for(len(job1.payload) + len(job2.payload) + 30)
    assert out2.ok and out2.drawer_opened
    assert print_jobs.get(db, job1.id).status == "printed"
    assert got.count(job1.payload) == 1 and got.count(job2.payload) == 1
    events = decode(got)
    # the kept receipt first; the drawer opens for the cash sale as printing starts
    assert texts(events) == receipt_lines(db, first.id) + receipt_lines(db, second.id)
    assert [e for e in events if e[0] == "pulse"] == [("pulse", 2, 100, 100)]
    pulse_at = events.index(("pulse", 2, 100, 100))
    assert all(e[0] == "status_query" for e in events[:pulse_at])


def test_a_silent_printer_is_a_fault_not_a_lost_receipt(
    db: Db, manager, pty: tuple[int, int, str], set_printer
) -> None:
    """Powered off on a serial line without flow control, the bytes would drain into
    nothing: no answer to DLE EOT keeps the job instead."""
    master, _slave, port = pty
    set_printer(serial(port))
    with FakePrinter(master, {}):
        outcome = spool.print_sale(db, sell(db, manager).id)
    assert outcome.reason == "no_answer" and "No answer from the printer" in outcome.message
    assert print_jobs.get(db, outcome.job_id).status == "pending"


def test_a_blocked_device_write_is_settled_not_sent_twice(
    db: Db, manager, tmp_path: Path, set_printer
) -> None:
    """A device file whose write blocks (a USB printer out of paper): the write that
    timed out still holds the receipt and delivers it when the device wakes up."""
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    set_printer({"kind": "devfile", "path": str(fifo), "timeout": TIMEOUT})
    first, second = sell(db, manager), sell(db, manager)
    out1 = spool.print_sale(db, first.id)
    assert out1.reason == "write_timeout" and not out1.ok
    start = time.monotonic()
    out2 = spool.print_sale(db, second.id)  # still stuck: fails at once, stays in order
    assert time.monotonic() - start < TIMEOUT and out2.reason == "write_timeout"
    assert spool.printer_status(db, "T1").reason == "write_timeout"
    job1, job2 = print_jobs.get(db, out1.job_id), print_jobs.get(db, out2.job_id)
    with FifoReader(fifo) as reader:
        reader.wait_for(len(drawer_pulse() + job1.payload))  # the stuck write goes out
        time.sleep(0.1)
        outcomes = spool.retry_pending(db, "T1")
        job2 = print_jobs.get(db, job2.id)  # never claimed while stuck: rendered just now
        got = reader.wait_for(len(drawer_pulse() + job1.payload + job2.payload))
    assert [(o.job_id, o.ok) for o in outcomes] == [(job1.id, True), (job2.id, True)]
    assert got == drawer_pulse() + job1.payload + job2.payload


# -- exactly once: claims --------------------------------------------------------------


def _queue_while_missing(db: Db, manager, tmp_path: Path, set_printer, n: int) -> list:
    set_printer({"kind": "devfile", "path": str(tmp_path / "missing"), "timeout": TIMEOUT})
    jobs = []
    for _ in range(n):
        outcome = spool.print_sale(db, sell(db, manager, pay="card").id)
        jobs.append(print_jobs.get(db, outcome.job_id))
    set_printer({"kind": "file", "path": str(tmp_path / "back.bin"), "timeout": TIMEOUT})
    return jobs


def test_two_threads_retrying_at_once_print_each_job_once(
    db: Db, db_path: Path, manager, tmp_path: Path, set_printer
) -> None:
    jobs = _queue_while_missing(db, manager, tmp_path, set_printer, 4)
    attempts = [print_jobs.get(db, j.id).attempts for j in jobs]
    barrier = threading.Barrier(2)
    results: list[list] = []

    def retry() -> None:
        with Db(db_path) as own:
            barrier.wait()
            results.append(spool.retry_pending(own, "T1"))

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 2
    assert (
        b"".join(print_jobs.get(db, j.id).payload for j in jobs)
        == (tmp_path / "back.bin").read_bytes()
    )
    assert all(print_jobs.get(db, j.id).status == "printed" for j in jobs)
    # each job was claimed (attempted) once more, by one of the two
    assert [print_jobs.get(db, j.id).attempts for j in jobs] == [a + 1 for a in attempts]
    assert sorted(o.ok for rows in results for o in rows) == [True] * 8


RETRY_CHILD = r"""
import json, os, sys, time
from core.db import Db
from hardware import spool
db = Db(sys.argv[1])
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
print(json.dumps([[o.job_id, o.ok, o.reason] for o in spool.retry_pending(db)]))
"""


def test_two_processes_retrying_at_once_print_each_job_once(
    db: Db, db_path: Path, manager, tmp_path: Path, set_printer
) -> None:
    jobs = _queue_while_missing(db, manager, tmp_path, set_printer, 6)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RETRY_CHILD, str(db_path), str(go)],
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
    assert (
        b"".join(print_jobs.get(db, j.id).payload for j in jobs)
        == (tmp_path / "back.bin").read_bytes()
    )
    printed_by = [json.loads(out) for out, _err in outputs]
    for job in jobs:
        assert any([job.id, True, None] in rows for rows in printed_by)


def test_a_claim_is_exclusive_per_terminal_and_a_stale_one_is_recovered(
    db: Db, db_path: Path, manager, tmp_path: Path, set_printer, clock: FakeClock
) -> None:
    jobs = _queue_while_missing(db, manager, tmp_path, set_printer, 2)
    attempts = print_jobs.get(db, jobs[0].id).attempts
    first = print_jobs.claim_next(db, "T1", "otherhost:1:a", 60)
    assert first.job.id == jobs[0].id and first.job.status == "printing"
    with Db(db_path, clock=clock) as other:
        busy = print_jobs.claim_next(other, "T1", "otherhost:2:b", 60)
        assert busy.job is None and busy.busy_with.id == jobs[0].id  # order and device kept
        assert print_jobs.claim_next(other, "T2", "otherhost:2:b", 60).job is None
        clock.advance(seconds=61)  # the claimant died on another machine: the lease ran out
        again = print_jobs.claim_next(other, "T1", "otherhost:2:b", 60)
    assert again.recovered == (jobs[0].id,)
    assert again.job.id == jobs[0].id and again.job.attempts == attempts + 2
    assert again.job.last_reason == "interrupted" and "may have printed" in again.job.last_error
    assert not print_jobs.mark_printed(db, jobs[0].id, "otherhost:1:a")  # lost its claim
    assert print_jobs.get(db, jobs[0].id).status == "printed"


def test_a_claim_of_a_dead_local_process_is_recovered_at_once(
    db: Db, manager, tmp_path: Path, set_printer
) -> None:
    jobs = _queue_while_missing(db, manager, tmp_path, set_printer, 1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    claimant = f"{socket.gethostname()}:{dead.pid}:x"
    assert print_jobs.claim_next(db, "T1", claimant, 3600).job.id == jobs[0].id
    outcomes = spool.retry_pending(db, "T1")  # the till restarted
    assert [o.ok for o in outcomes] == [True]
    assert (tmp_path / "back.bin").read_bytes() == jobs[0].payload


def test_waiting_for_another_process_that_is_printing(
    db: Db, db_path: Path, manager, tmp_path: Path, set_printer
) -> None:
    jobs = _queue_while_missing(db, manager, tmp_path, set_printer, 2)
    claimant = "otherhost:9:z"
    assert print_jobs.claim_next(db, "T1", claimant, 3600).job.id == jobs[0].id
    start = time.monotonic()
    busy = spool.retry_pending(db, "T1")
    assert time.monotonic() - start < 2 * TIMEOUT
    assert [o.reason for o in busy] == ["busy", "busy"]
    assert "Another till process is printing on T1" in busy[0].message

    def other_finishes() -> None:
        with Db(db_path) as own:
            print_jobs.mark_printed(own, jobs[0].id, claimant)

    threading.Timer(0.1, other_finishes).start()
    outcomes = spool.retry_pending(db, "T1")
    assert [o.ok for o in outcomes] == [True, True]
    assert (tmp_path / "back.bin").read_bytes() == print_jobs.get(db, jobs[1].id).payload  # ours


def test_mark_failed_keeps_the_job_pending_with_the_error(
    db: Db, manager, tmp_path: Path, set_printer
) -> None:
    jobs = _queue_while_missing(db, manager, tmp_path, set_printer, 2)
    claim = print_jobs.claim_next(db, "T1", "me:1:a", 60)
    failed = print_jobs.mark_failed(
        db, claim.job.id, "me:1:a", "The printer is offline.", "offline"
    )
    assert failed.status == "pending" and failed.last_reason == "offline"
    assert [j.last_error for j in print_jobs.pending(db, "T1")] == ["The printer is offline."] * 2
    assert [j.id for j in print_jobs.pending(db)] == [j.id for j in jobs]


def test_cancel_needs_a_manager_and_is_audited(
    db: Db, manager, tmp_path: Path, set_printer
) -> None:
    from core.errors import PermissionDenied, StateError

    jobs = _queue_while_missing(db, manager, tmp_path, set_printer, 1)
    cashier = auth.authenticate(db, "2", "2222")
    with pytest.raises(PermissionDenied):
        print_jobs.cancel(db, cashier, jobs[0].id)
    assert print_jobs.cancel(db, manager, jobs[0].id).status == "cancelled"
    assert spool.retry_pending(db, "T1") == []
    with pytest.raises(StateError):
        print_jobs.cancel(db, manager, jobs[0].id)
    assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'print.cancel'") == 1


# -- status and the drawer -------------------------------------------------------------


def test_printer_status_over_the_port(db: Db, pty: tuple[int, int, str], set_printer) -> None:
    master, _slave, port = pty
    set_printer(serial(port))
    replies = {1: 0x12 | 0x04, 2: 0x12, 4: 0x12 | 0x0C}
    with FakePrinter(master, replies):
        st = spool.printer_status(db, "T1")
    assert st.ok and st.readable and st.drawer_open and st.paper_near_end
    assert "paper is running low" in st.message and st.pending == 0


def test_printer_status_of_a_file_sink(db: Db) -> None:
    st = spool.printer_status(db, "T1")
    assert st.ok and not st.readable and st.drawer_open is None and st.kind == "file"


def test_wait_for_drawer_closed(db: Db, pty: tuple[int, int, str], set_printer) -> None:
    master, _slave, port = pty
    set_printer(serial(port))
    assert spool.wait_for_drawer_closed(db, "T1", 5) is True  # not asked for: at once
    set_printer(serial(port, wait_drawer_closed=True))
    replies: dict[int, int | None] = {1: 0x12 | 0x04, 2: 0x12, 4: 0x12}
    with FakePrinter(master, replies):
        start = time.monotonic()
        assert spool.wait_for_drawer_closed(db, "T1", 0.4) is False
        assert time.monotonic() - start < 1.5
        threading.Timer(0.2, replies.__setitem__, (1, 0x12)).start()  # shut
        assert spool.wait_for_drawer_closed(db, "T1", 3) is True
    with FakePrinter(master, {}):  # no answer: never blocks the next sale
        assert spool.wait_for_drawer_closed(db, "T1", 3) is True


def test_core_print_jobs_stays_free_of_escpos_and_textual() -> None:
    code = (
        "import sys, core.print_jobs; "
        "bad = [m for m in ('escpos', 'textual', 'hardware') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_done_jobs_keep_their_bytes_only_for_the_newest_few(
    db: Db, manager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(print_jobs, "KEEP_PAYLOADS", 2)
    sold = [sell(db, manager, pay="card") for _ in range(4)]
    jobs = [print_jobs.get(db, spool.print_sale(db, sale.id).job_id) for sale in sold]
    jobs = [print_jobs.get(db, j.id) for j in jobs]
    assert [len(j.payload) > 0 for j in jobs] == [False, False, True, True]
    assert [j.status for j in jobs] == ["printed"] * 4 and jobs[0].text == ""
    copy = spool.print_sale(db, sold[0].id, reprint=True)  # rebuilt from the sale
    assert copy.ok and "(copy)" in copy.message and "T1-1" in copy.message
    lines = receipt_lines(db, sold[0].id, reprint=True)
    assert texts(decode((tmp_path / "printer-T1.bin").read_bytes()))[-len(lines) :] == lines
