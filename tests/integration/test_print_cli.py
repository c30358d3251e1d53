"""`kassi print ...`, `kassi printer status` and `kassi drawer open` as subprocesses on a
demo database whose terminals print to file sinks ("sent, unconfirmed": a file cannot
answer, SPEC P-2) and to tests/hardware/fake_printers.py's network printer on loopback,
which confirms, or answers before the data and never after it. What reached a "printer" is decoded with
the test decoder; a missing printer is a clear error with a non-zero exit and a
pending job, which `kassi print pending --retry` prints once fixed."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.money.tendering import TenderInput
from core.printing import jobs as print_jobs
from core.printing import sources as print_sources
from core.printing.layout import layout
from core.printing.service import PrintService
from core.staff import auth
from core.text.i18n import translate
from core.tills.basket import LineInput
from core.tills.sales import record_sale
from hardware.device import connect_printer
from hardware.render import LOOKALIKES, drawer_pulse
from tests.hardware.escpos_decoder import decode, texts
from tests.hardware.fake_printers import FakeNetworkPrinter
from tests.integration.kassi_command import (
    CASHIER,
    MANAGER,
    SUPERVISOR,
    Till,
)


def da(text: str) -> str:
    """Documents print in the store's language: the demo store is Danish."""
    return translate(text, "da")


pytestmark = pytest.mark.integration

PRINT_FAILED = 5


def printed_lines(doc, width: int = 42) -> list[str]:
    return [ln.text.translate(str.maketrans(LOOKALIKES)) for ln in layout(doc, width)]


def test_receipts_reports_and_the_test_page_reach_the_printer(till: Till) -> None:
    till.ok("sale", "--terminal", "T1", "--item", "1001x2", "--pay", "cash=100", *CASHIER)
    # rung up from the CLI, never printed: the first print is the original
    out = till.ok("print", "receipt", "1", "--terminal", "T1")
    assert f"Sent, unconfirmed: {da('RECEIPT')} T1-1." in out
    first = till.printed()
    with till.open_db() as db:
        doc, _sale = print_sources.sale_document(db, 1)
    assert texts(decode(first)) == printed_lines(doc)
    assert "pulse" not in {e[0] for e in decode(first)}  # a reprint never opens the drawer

    out = till.ok("print", "receipt", "last", "--terminal", "T1")
    assert "(copy)" in out
    copy = decode(till.printed()[len(first) :])
    assert any(da("COPY") in t for t in texts(copy))

    before = till.printed()
    text = till.ok("print", "receipt", "1", "--terminal", "T1", "--text")
    assert "Rugbrød" in text and all(len(row) <= 42 for row in text.splitlines())
    assert till.printed() == before  # --text prints nothing

    till.ok("print", "x", "--terminal", "T1", *CASHIER)
    till.ok("session", "close", "--terminal", "T1", "--counted", "600", "--leave", "500", *MANAGER)
    till.ok("print", "session", "1", *MANAGER)
    till.ok("print", "session", "1", "--summary", *MANAGER)
    till.ok("print", "z", "1", *MANAGER)
    till.ok("print", "test", "--terminal", "R1")
    events = decode(till.printed())
    titles = [t.strip() for t in texts(events)]
    for heading in ("X REPORT", "SESSION", "CASH SUMMARY", "Z REPORT"):
        assert da(heading) in titles, heading
    assert titles.count(da("Payments by type")) == 3  # history page, X and Z; not the summary
    r1 = texts(decode(till.printed("R1")))
    assert "æøå ÆØÅ þð ÞÐ áéíóúý ÁÉÍÓÚÝ €" in r1 and any("Búð" in t for t in r1)
    with till.open_db() as db:
        refs = [j.ref for j in print_jobs.pending(db)]
        kinds = [r["kind"] for r in db.all("SELECT kind FROM print_jobs ORDER BY id")]
    assert refs == []
    assert kinds == [
        "sale_receipt",
        "sale_receipt",
        "x_report",
        "history_page",
        "session_summary",
        "z_report",
        "test_page",
    ]


def test_session_pages_need_the_view_permissions(till: Till) -> None:
    till.ok("session", "open", "--terminal", "T1", "--float", "500", *MANAGER)
    till.ok("session", "close", "--terminal", "T1", "--counted", "500", "--leave", "500", *MANAGER)
    err = till.fails(3, "print", "z", "1", *CASHIER)  # a cashier lacks "session history"
    assert "not allowed" in err
    till.fails(3, "print", "session", "1", *CASHIER)
    till.fails(3, "print", "z", "1", "--staff", "1", "--pin", "9999")
    err = till.fails(2, "print", "x", "--terminal", "T1", *MANAGER)
    assert "No session is open on terminal T1" in err
    till.ok("session", "open", "--terminal", "T1", "--float", "500", *MANAGER)
    err = till.fails(2, "print", "z", "2", *MANAGER)
    assert "still open" in err
    assert till.printed() == b""


def test_a_missing_printer_keeps_the_job_until_print_pending_retry(till: Till) -> None:
    device = till.root / "usb" / "lp0"
    till.set_printer({"kind": "devfile", "path": str(device), "timeout": 1})
    till.ok("sale", "--terminal", "T1", "--item", "1002", "--pay", "card", *CASHIER)
    start = time.monotonic()
    err = till.fails(PRINT_FAILED, "print", "receipt", "1", "--terminal", "T1")
    assert time.monotonic() - start < 10
    assert "Printer not found" in err and str(device) in err
    assert f"{da('RECEIPT')} T1-1 kept" in err and "prints when the printer is back" in err
    with till.open_db() as db:
        assert db.scalar("SELECT COUNT(*) FROM sales") == 1  # the sale is stored
        (job,) = print_jobs.pending(db, "T1")
    assert job.status == "pending" and job.last_reason == "device_missing"

    listed = till.ok("print", "pending")
    assert f"{da('RECEIPT')} T1-1" in listed and "Printer not found" in listed
    (row,) = json.loads(till.ok("print", "pending", "--json"))
    assert row["id"] == job.id and row["status"] == "pending" and row["reason"] == "device_missing"
    status = till.run("printer", "status", "--terminal", "T1")
    assert status.returncode == 1 and "Printer not found" in status.stdout
    assert re.search(r"^Waiting to print +1$", status.stdout, re.M)
    err = till.fails(PRINT_FAILED, "print", "pending", "--retry")
    assert "kept" in err

    device.parent.mkdir()
    device.write_bytes(b"")  # plugged in
    out = till.ok("print", "pending", "--retry")
    assert f"Sent, unconfirmed: {da('RECEIPT')} T1-1." in out
    data = device.read_bytes()
    assert data == job.payload
    with till.open_db() as db:
        doc, _sale = print_sources.sale_document(db, 1)
    assert texts(decode(data)) == printed_lines(doc)
    assert "Nothing is waiting to print." in till.ok("print", "pending")
    till.ok("print", "pending", "--retry")
    assert device.read_bytes() == data  # printed exactly once
    assert till.ok("printer", "status", "--terminal", "T1", "--json")


def test_jobs_kept_during_an_outage_print_in_order_after_fixing_the_config(till: Till) -> None:
    till.set_printer({"kind": "devfile", "path": str(till.root / "nowhere"), "timeout": 1})
    for sku in ("1001", "1002", "1003"):
        till.ok("sale", "--terminal", "T1", "--item", sku, "--pay", "card", *CASHIER)
    for n in (1, 2, 3):
        till.fails(PRINT_FAILED, "print", "receipt", str(n), "--terminal", "T1")
    with till.open_db() as db:
        jobs = print_jobs.pending(db, "T1")
    assert [j.ref for j in jobs] == ["receipt:T1:1", "receipt:T1:2", "receipt:T1:3"]
    till.set_printer({"kind": "file", "path": str(till.sink()), "width": 42})
    outcomes = json.loads(till.ok("print", "pending", "--retry", "--json"))
    assert [(o["job"], o["printed"]) for o in outcomes] == [(j.id, True) for j in jobs]
    with till.open_db() as db:  # rendered when first claimed
        assert till.printed() == b"".join(print_jobs.get(db, j.id).payload for j in jobs)


def test_drawer_open_is_no_sale_permissioned_and_audited(till: Till) -> None:
    err = till.fails(3, "drawer", "open", "--terminal", "T1", *CASHIER)
    assert "not allowed" in err
    assert till.printed() == b""
    out = till.ok("drawer", "open", "--terminal", "T1", "--reason", "Change", *SUPERVISOR)
    assert out.strip() == "Drawer pulse sent, not confirmed."
    assert till.printed() == drawer_pulse()
    till.set_printer({"kind": "devfile", "path": str(till.root / "gone"), "timeout": 1})
    err = till.fails(PRINT_FAILED, "drawer", "open", "--terminal", "T1", *SUPERVISOR)
    assert "did not open" in err and "recorded in the audit log" in err
    with till.open_db() as db:
        rows = db.all("SELECT * FROM audit_log WHERE action = 'drawer.no_sale' ORDER BY seq")
        assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 0  # never queued
    assert [(r["staff_id"], r["terminal_id"]) for r in rows] == [("3", "T1"), ("3", "T1")]
    assert json.loads(rows[0]["details"]) == {"reason": "Change"}
    assert "intact" in till.ok("audit", "verify")


def test_no_printer_configured_is_a_clear_error(till: Till) -> None:
    till.set_printer({"kind": "none"})
    till.ok("sale", "--terminal", "T1", "--item", "1001", "--pay", "card", *CASHIER)
    err = till.fails(PRINT_FAILED, "print", "receipt", "1", "--terminal", "T1")
    assert "No printer is configured for terminal T1" in err
    status = till.run("printer", "status", "--terminal", "T1", "--json")
    assert status.returncode == 1 and json.loads(status.stdout)["reason"] == "not_configured"
    text = till.ok("print", "test", "--terminal", "T1", "--text")
    assert da("PRINTER TEST") in text
    err = till.fails(2, "print", "receipt", "7", "--terminal", "T1")
    assert "No receipt 7 on terminal T1" in err


def test_a_manager_can_cancel_a_pending_job(till: Till) -> None:
    till.set_printer({"kind": "devfile", "path": str(till.root / "nowhere"), "timeout": 1})
    till.ok("sale", "--terminal", "T1", "--item", "1001", "--pay", "card", *CASHIER)
    till.fails(PRINT_FAILED, "print", "receipt", "1", "--terminal", "T1")
    (row,) = json.loads(till.ok("print", "pending", "--json"))
    till.fails(2, "print", "pending", "--cancel", str(row["id"]))  # who?
    till.fails(3, "print", "pending", "--cancel", str(row["id"]), *CASHIER)
    out = till.ok("print", "pending", "--cancel", str(row["id"]), *MANAGER)
    assert "cancelled" in out
    assert "Nothing is waiting to print." in till.ok("print", "pending", "--retry")


# -- P-2: printed means confirmed, on a network printer on loopback -------------------------


@pytest.fixture
def network() -> Iterator[FakeNetworkPrinter]:
    """tests/hardware/fake_printers.py's network printer on loopback, kept alive for the
    several `kassi` processes of one test."""
    with FakeNetworkPrinter() as printer:
        printer.end = time.monotonic() + 60
        yield printer


def test_a_file_sink_says_sent_unconfirmed_and_the_queue_shows_it(till: Till) -> None:
    """SPEC P-2, P-6: a file cannot answer: "sent, unconfirmed", listed with --all."""
    till.ok("sale", "--terminal", "T1", "--item", "1001", "--pay", "card", *CASHIER)
    out = till.ok("print", "receipt", "1", "--terminal", "T1")
    assert f"Sent, unconfirmed: {da('RECEIPT')} T1-1." in out
    listed = till.ok("print", "pending")
    assert "Nothing is waiting to print." in listed and "1 job was sent unconfirmed" in listed
    every = till.ok("print", "pending", "--all")
    assert "sent, unconfirmed" in every and f"{da('RECEIPT')} T1-1" in every
    (row,) = json.loads(till.ok("print", "pending", "--all", "--json"))
    assert row["status"] == "sent" and row["sent_at"]
    status = json.loads(till.ok("printer", "status", "--terminal", "T1", "--json"))
    assert status["sent_unconfirmed"] == 1 and status["pending"] == 0
    assert status["last_printed_at"] is None and not status["readable"]


def test_a_printer_that_never_confirms_after_the_data_keeps_the_job_until_it_does(
    till: Till, network: FakeNetworkPrinter
) -> None:
    """SPEC P-2 (issue 11: "Printed" when the printer answered the status and then
    stopped reading): the job stays pending with the reason; `print pending --retry`
    prints it exactly once when the printer confirms again."""
    till.set_printer(network.config(timeout=1))
    till.ok("sale", "--terminal", "T1", "--item", "1002", "--pay", "card", *CASHIER)
    network.mode, network.answers = "answer_then_stop", 3  # the status before the data only
    err = till.fails(PRINT_FAILED, "print", "receipt", "1", "--terminal", "T1")
    assert "The printer did not confirm the job" in err
    assert f"{da('RECEIPT')} T1-1 kept; it prints when the printer is back" in err
    with till.open_db() as db:
        (job,) = print_jobs.pending(db, "T1")
    assert job.last_reason == "unconfirmed" and "did not answer after it" in job.last_error
    assert network.receipts == []
    status = json.loads(till.run("printer", "status", "--terminal", "T1", "--json").stdout)
    assert status["pending"] == 1 and status["last_error"] == job.last_error
    assert status["last_error_at"] and status["last_printed_at"] is None

    network.mode = "ok"  # the printer is back
    out = till.ok("print", "pending", "--retry")
    assert f"Printed (confirmed by the printer): {da('RECEIPT')} T1-1." in out
    with till.open_db() as db:
        job = print_jobs.get(db, job.id)
    assert job.status == "printed" and network.receipts == [job.payload]
    assert "Nothing is waiting to print." in till.ok("print", "pending", "--retry")
    assert network.receipts == [job.payload]  # exactly once
    status = json.loads(till.ok("printer", "status", "--terminal", "T1", "--json"))
    assert status["ok"] and status["last_printed_title"] == f"{da('RECEIPT')} T1-1"


def test_the_drawer_is_opened_only_when_the_printer_reads_it_open(
    till: Till, network: FakeNetworkPrinter
) -> None:
    """SPEC P-2: `kassi drawer open` says "opened" only when the status said so."""
    till.set_printer(network.config(timeout=1))
    network.model.drawer_opens = False  # a drawer whose sensor never reads open
    out = till.ok("drawer", "open", "--terminal", "T1", *SUPERVISOR)
    assert out.strip() == "Drawer pulse sent, not confirmed."
    network.model.drawer_opens = True
    assert till.ok("drawer", "open", "--terminal", "T1", *SUPERVISOR).strip() == "Drawer opened."
    assert network.model.pulses == 2


def test_a_hung_printer_never_reports_the_drawer_opened(
    till: Till, network: FakeNetworkPrinter
) -> None:
    """SPEC P-2: a printer that takes the connection but never reads: the pulse sits in a
    socket buffer, so `kassi drawer open` fails (exit 5) instead of saying "opened"."""
    till.set_printer(network.config(timeout=1))
    network.mode = "hang"
    err = till.fails(PRINT_FAILED, "drawer", "open", "--terminal", "T1", *SUPERVISOR)
    # which fault is timing (the pulse waits unanswered, or the write waits), never "opened"
    assert "the drawer did not open" in err and ("did not confirm" in err or "in time" in err)
    assert network.model.pulses == 0


# -- a long-lived process (the till) on a device file whose write blocks --------------------


class FifoReader:
    """The reading end of a FIFO used as a device file: a printer that takes data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.received = bytearray()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            while not self.stop.is_set():
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    chunk = b""
                self.received += chunk
                if not chunk:
                    time.sleep(0.01)
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


def test_a_blocked_device_write_is_settled_by_the_print_service_not_sent_twice(
    till: Till,
) -> None:
    """SPEC H-4, P-3: hardware's Printer tells core of a write stuck in the OS
    (blocked_write); core sends nothing else meanwhile and, when the stuck write goes
    out, marks its job sent instead of sending it again."""
    fifo = till.root / "lp0"
    os.mkfifo(fifo)
    till.set_printer({"kind": "devfile", "path": str(fifo), "timeout": 0.5})
    service = PrintService(connect_printer)
    with till.open_db() as db:
        cashier = auth.authenticate(db, "2", "2222")
        sold = [
            record_sale(db, cashier, "T1", [LineInput("1001", 1)], [TenderInput("card")]).sale
            for _ in range(2)
        ]
        out1 = service.print_sale(db, sold[0].id)  # nobody reads the FIFO: open() blocks
        out2 = service.print_sale(db, sold[1].id)  # still stuck: kept, in order
        assert (out1.reason, out2.reason) == ("write_timeout", "write_timeout")
        assert service.printer_status(db, "T1").reason == "write_timeout"
        with FifoReader(fifo) as reader:
            job1 = print_jobs.get(db, out1.job_id)
            reader.wait_for(len(job1.payload))  # the stuck write goes out
            time.sleep(0.1)
            outcomes = service.retry_pending(db, "T1")
            job2 = print_jobs.get(db, out2.job_id)
            got = reader.wait_for(len(job1.payload) + len(job2.payload))
        assert [(o.job_id, o.ok, o.confirmed) for o in outcomes] == [
            (job1.id, True, False),
            (job2.id, True, False),
        ]
        assert got == job1.payload + job2.payload
        assert [print_jobs.get(db, j).status for j in (job1.id, job2.id)] == ["sent", "sent"]
