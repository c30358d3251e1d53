"""A pseudo-terminal as the printer's serial port (escpos' Serial over pyserial; SPEC P-1, P-2).

The slave is the port, the test's PtyPrinter on the master is the printer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from core.printing.documents import Document, Pair, Rule, Text
from core.printing.layout import layout
from core.printing.port import PrinterFault
from hardware.device import connect_printer
from tests.hardware.escpos_decoder import decode, texts
from tests.hardware.fake_printers import ONLINE, PtyPrinter, serial_pty

FakePrinter = PtyPrinter  # the name tests/hardware/test_spool.py imports
__all__ = ["ONLINE", "FakePrinter"]

pytestmark = pytest.mark.hardware

OFFLINE = 0x08


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    with serial_pty() as ends:
        yield ends


def config(port: str, **extra: object) -> dict:
    return {"kind": "serial", "device": port, "baud": 115200, "timeout": 0.5, "width": 32, **extra}


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
def test_a_receipt_is_confirmed_after_its_data(pty: tuple[int, str], flow: str) -> None:
    """P-2: the stream is pulse + receipt + GS r 1, and the GS r reply confirms it."""
    master, port = pty
    printer = connect_printer(config(port, flow=flow, drawer_pin=5))
    data = printer.render(receipt())
    with PtyPrinter(master) as fake:
        delivery = printer.deliver(data, pulse=True)
        printer.close()
    assert delivery.confirmed and delivery.drawer == "opened"
    assert fake.receipts == [data]  # a raw port: no CR added, nothing eaten by flow control
    events = decode(fake.received.split(b"\x1dr\x01")[0])
    assert events[0] == ("pulse", 5, 100, 100)
    assert texts(events) == [ln.text for ln in layout(receipt(), 32)]
    assert fake.received.index(b"\x1dr\x01") > fake.received.index(data)  # asked after the data


def test_status_online(pty: tuple[int, str]) -> None:
    master, port = pty
    with PtyPrinter(master, dict(ONLINE)) as fake:
        status = connect_printer(config(port)).status()
        asked = decode(fake.wait_for(9))
    assert status.online and status.readable and status.error is None
    assert not (status.paper_out or status.paper_near_end or status.cover_open)
    assert asked == [("status_query", 1), ("status_query", 2), ("status_query", 4)]


def test_status_paper_out(pty: tuple[int, str]) -> None:
    master, port = pty
    replies = {1: 0x12 | OFFLINE, 2: 0x12 | 0x20, 4: 0x12 | 0x60 | 0x0C}
    with PtyPrinter(master, replies):
        status = connect_printer(config(port)).status()
    assert status.paper_out and status.paper_near_end and not status.online
    assert status.fault().reason == "paper_out"


def test_status_cover_open(pty: tuple[int, str]) -> None:
    master, port = pty
    with PtyPrinter(master, {1: 0x12 | OFFLINE, 2: 0x12 | 0x04, 4: 0x12}):
        status = connect_printer(config(port)).status()
    assert status.cover_open and not status.online
    assert status.fault().reason == "cover_open"


@pytest.mark.parametrize("fault_name", ["paper_out", "cover_open"])
def test_a_stalled_printer_faults_with_its_reason(pty: tuple[int, str], fault_name: str) -> None:
    master, port = pty
    printer = connect_printer(config(port))
    with PtyPrinter(master, **{fault_name: True}) as fake, pytest.raises(PrinterFault) as fault:
        printer.deliver(printer.render(receipt()), pulse=True)
    assert fault.value.reason == fault_name and fake.receipts == []


def test_a_silent_printer_leaves_the_job_unconfirmed(pty: tuple[int, str]) -> None:
    """It reads the port (the bytes go) but never answers: not printed."""
    master, port = pty
    printer = connect_printer(config(port))
    with PtyPrinter(master, {}) as fake:
        with pytest.raises(PrinterFault) as fault:
            printer.deliver(printer.render(receipt()), pulse=True)
        with pytest.raises(PrinterFault) as pulse_fault:
            printer.pulse_drawer()
        status = printer.status()
    assert fault.value.reason == "unconfirmed"
    assert pulse_fault.value.reason == "unconfirmed"  # sent, but never processed
    assert status.reason == "no_answer" and not status.online and status.readable
    assert "no answer" in status.error.lower()
    assert fake.receipts  # it did read them: only the printer knows whether it printed


def test_a_port_nobody_reads_is_a_write_timeout_and_the_port_is_let_go(
    pty: tuple[int, str],
) -> None:
    """The pty's buffer fills and stays full; the write ends at write_timeout (+ line time)."""
    master, port = pty
    printer = connect_printer(config(port))
    with PtyPrinter(master, read=False):
        with pytest.raises(PrinterFault) as fault:
            printer.deliver(b"x" * 20000)
        assert "write timeout" in fault.value.message
        assert fault.value.reason == "write_timeout"
        # closed without a blocking flush: the next call starts clean and ends too
        assert printer.status().reason == "no_answer"


@pytest.mark.parametrize("opens,report", [(True, "opened"), (False, "pulse_sent")])
def test_pulse_drawer_says_opened_only_when_the_status_does(
    pty: tuple[int, str], opens: bool, report: str
) -> None:
    """P-2: "opened" from DLE EOT 1 after the pulse, else "pulse sent"."""
    master, port = pty
    with PtyPrinter(master, drawer_opens=opens) as fake:
        assert connect_printer(config(port)).pulse_drawer() == report
    assert fake.model.pulses == 1


def test_garbage_on_the_line_is_not_an_answer(pty: tuple[int, str]) -> None:
    master, port = pty
    with PtyPrinter(master, {1: 0xFF}):
        status = connect_printer(config(port)).status()
    assert not status.online and status.reason == "io_error"


def test_a_stale_byte_on_the_line_is_not_taken_for_the_answer(pty: tuple[int, str]) -> None:
    """A late reply from before (here: "offline") is dropped before asking again."""
    master, port = pty
    printer = connect_printer(config(port))
    with PtyPrinter(master, dict(ONLINE)):
        printer.status()  # opens the port (raw mode from here on)
        os.write(master, bytes([0x12 | OFFLINE]))
        assert printer.status().online


def test_a_missing_port_is_device_missing() -> None:
    printer = connect_printer(config("/dev/ttyKASSI-NOPE"))
    with pytest.raises(PrinterFault) as fault:
        printer.deliver(b"x")
    assert fault.value.reason == "device_missing"
    assert printer.status().reason == "device_missing"
    with pytest.raises(PrinterFault):
        printer.pulse_drawer()


def test_a_file_that_is_no_tty_is_refused(tmp_path) -> None:
    path = tmp_path / "not-a-tty"
    path.write_bytes(b"")
    with pytest.raises(PrinterFault) as fault:
        connect_printer(config(str(path))).deliver(b"x")
    assert fault.value.reason == "io_error"
    assert "not a serial port" in fault.value.message
