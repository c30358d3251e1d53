"""A pseudo-terminal as the printer's serial port: the slave is the port, the test is the printer."""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Iterator

import pytest

from core.documents import Document, Pair, Rule, Text, layout
from hardware.device import Printer, PrinterFault
from tests.hardware.escpos_decoder import decode, texts

pytestmark = pytest.mark.hardware

ONLINE = {1: 0x12, 2: 0x12, 4: 0x12}
OFFLINE = 0x08


class FakePrinter:
    """Reads the master side; answers DLE EOT n from `replies` (None: stays silent)."""

    def __init__(self, master: int, replies: dict[int, int | None] | None = None) -> None:
        self.master = master
        self.replies = replies if replies is not None else dict(ONLINE)
        self.received = bytearray()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        scanned = 0
        end = time.monotonic() + 20  # never outlives a test, whatever happens
        while not self.stop.is_set() and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            self.received += chunk
            while True:
                at = self.received.find(b"\x10\x04", scanned)
                if at < 0 or at + 2 >= len(self.received):
                    break
                scanned = at + 3
                reply = self.replies.get(self.received[at + 2])
                if reply is not None:
                    os.write(self.master, bytes([reply]))

    def wait_for(self, size: int, timeout: float = 5) -> bytes:
        end = time.monotonic() + timeout
        while len(self.received) < size and time.monotonic() < end:
            time.sleep(0.01)
        return bytes(self.received)

    def __enter__(self) -> FakePrinter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(2)


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    # The test keeps its own slave fd open, so the master never sees a hang-up
    # when the Printer closes the port between calls.
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def config(port: str, **extra: object) -> dict:
    return {"kind": "serial", "device": port, "baud": 115200, "timeout": 1, "width": 32, **extra}


def receipt() -> Document:
    return Document(
        "Kvittun",
        [
            Text("Bakarí Þórs", align="center", bold=True, size=2),
            Rule(),
            Pair("Kleinur með ást (3 stk.)", "1.290 kr."),
            Pair("Smørrebrød, æg og rejer", "€ 12,50"),
            Pair("Samtals", "1.290 kr.", bold=True),
            Text("áéíóúý ðþ æøå ÆØÅ"),
        ],
        kind="sale_receipt",
    )


@pytest.mark.parametrize("flow", ["none", "rtscts", "xonxoff", "dsrdtr"])
def test_receipt_and_drawer_pulse_arrive_over_the_port(pty: tuple[int, str], flow: str) -> None:
    master, port = pty
    doc = receipt()
    with FakePrinter(master) as fake, Printer(config(port, flow=flow, drawer_pin=5)) as printer:
        expected = printer.drawer_pulse() + printer.render(doc)
        printer.print_document(doc, open_drawer=True)
        got = fake.wait_for(len(expected))
    assert got == expected  # a raw port: no CR inserted, no bytes eaten by flow control
    events = decode(got)
    assert events[0] == ("pulse", 5, 100, 100)
    assert texts(events) == [ln.text for ln in layout(doc, 32)]


def test_status_online(pty: tuple[int, str]) -> None:
    master, port = pty
    with FakePrinter(master) as fake, Printer(config(port)) as printer:
        status = printer.status()
        printer.ensure_ready()
        asked = decode(fake.wait_for(9))
    assert status.online and status.readable and status.error is None
    assert not (
        status.paper_out or status.paper_near_end or status.cover_open or status.drawer_open
    )
    assert asked == [("status_query", 1), ("status_query", 2), ("status_query", 4)] * 2


def test_status_paper_out(pty: tuple[int, str]) -> None:
    master, port = pty
    replies = {1: 0x12 | OFFLINE, 2: 0x12 | 0x20, 4: 0x12 | 0x60 | 0x0C}
    with FakePrinter(master, replies), Printer(config(port)) as printer:
        status = printer.status()
        with pytest.raises(PrinterFault) as fault:
            printer.ensure_ready()
    assert status.paper_out and status.paper_near_end and not status.online
    assert fault.value.reason == "paper_out"
    assert "paper" in fault.value.message


def test_status_paper_near_end_is_no_fault(pty: tuple[int, str]) -> None:
    master, port = pty
    with FakePrinter(master, {1: 0x12, 2: 0x12, 4: 0x12 | 0x0C}), Printer(config(port)) as printer:
        status = printer.status()
    assert status.paper_near_end and not status.paper_out and status.online
    assert status.fault() is None


def test_status_cover_open(pty: tuple[int, str]) -> None:
    master, port = pty
    with (
        FakePrinter(master, {1: 0x12 | OFFLINE, 2: 0x12 | 0x04, 4: 0x12}),
        Printer(config(port)) as p,
    ):
        status = p.status()
    assert status.cover_open and not status.online
    assert status.fault().reason == "cover_open"


@pytest.mark.parametrize("level,expect_open", [("high", True), ("low", False)])
def test_status_drawer(pty: tuple[int, str], level: str, expect_open: bool) -> None:
    master, port = pty
    replies = {1: 0x12 | 0x04, 2: 0x12, 4: 0x12}
    with FakePrinter(master, replies), Printer(config(port, drawer_open_level=level)) as printer:
        assert printer.status().drawer_open is expect_open
        assert printer.status().online


def test_wait_drawer_closed(pty: tuple[int, str]) -> None:
    master, port = pty
    replies: dict[int, int | None] = {1: 0x12 | 0x04, 2: 0x12, 4: 0x12}
    with FakePrinter(master, replies), Printer(config(port)) as printer:
        assert printer.wait_drawer_closed(timeout=0.3, poll=0.05) is False
        threading.Timer(0.2, replies.__setitem__, (1, 0x12)).start()  # someone shuts it
        assert printer.wait_drawer_closed(timeout=3, poll=0.05) is True


def test_status_silence_returns_within_the_timeout(pty: tuple[int, str]) -> None:
    master, port = pty
    with FakePrinter(master, {}), Printer(config(port, timeout=0.5)) as printer:
        start = time.monotonic()
        status = printer.status()
        elapsed = time.monotonic() - start
        with pytest.raises(PrinterFault) as fault:
            printer.ensure_ready()
    assert elapsed < 1.0
    assert not status.online and status.readable
    assert status.reason == "no_answer" and "no answer" in status.error.lower()
    assert fault.value.reason == "no_answer"


def test_status_garbage_is_not_an_answer(pty: tuple[int, str]) -> None:
    master, port = pty
    with FakePrinter(master, {1: 0xFF}), Printer(config(port)) as printer:
        status = printer.status()
    assert not status.online and status.reason == "io_error"


def test_a_port_that_never_drains_times_out(pty: tuple[int, str]) -> None:
    _master, port = pty  # nobody reads the master: the pty buffer fills and stays full
    printer = Printer(config(port, timeout=0.5))
    start = time.monotonic()
    with pytest.raises(PrinterFault) as fault:
        printer.send(b"x" * (4 << 20))
    elapsed = time.monotonic() - start
    assert fault.value.reason == "write_timeout"
    assert "write timeout" in fault.value.message
    assert 0.4 < elapsed < 1.5
    # the failed call closed the port without hanging on the undelivered bytes
    assert printer._link is None


def test_a_missing_port_is_device_missing() -> None:
    with pytest.raises(PrinterFault) as fault:
        Printer(config("/dev/ttyKASSI-NOPE")).send(b"x")
    assert fault.value.reason == "device_missing"
    status = Printer(config("/dev/ttyKASSI-NOPE")).status()
    assert status.reason == "device_missing" and not status.online


def test_a_file_that_is_no_tty_is_refused(tmp_path) -> None:
    path = tmp_path / "not-a-tty"
    path.write_bytes(b"")
    with pytest.raises(PrinterFault) as fault:
        Printer(config(str(path))).send(b"x")
    assert fault.value.reason == "io_error"
    assert "not a serial port" in fault.value.message
