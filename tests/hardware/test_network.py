"""A network printer on loopback (port 9100 style), healthy and in each fault (SPEC P-1, P-2).

"Printed" is what the printer confirmed after the data (GS r 1), never what
the local TCP buffer took.
"""

from __future__ import annotations

import socket

import pytest

from core.printing.documents import Document, Pair, Rule, Text
from core.printing.layout import layout
from core.printing.port import Delivery, PrinterFault
from hardware.device import connect_printer
from tests.hardware.escpos_decoder import decode, texts
from tests.hardware.fake_printers import FakeNetworkPrinter, refused_port

pytestmark = pytest.mark.hardware


def receipt() -> Document:
    return Document(
        "Kvittering",
        [
            Text("Café Ærøskøbing", align="center", bold=True, size=2),
            Rule(),
            Pair("Kaffe med flødeskum og ærtekage", "45,00"),
            Pair("I alt", "45,00", bold=True, size=2),
            Text("þð áéíóúý € ÆØÅ"),
        ],
        kind="sale_receipt",
        qr="https://kassi.example/r/7",
    )


def test_a_confirmed_receipt_is_printed_whole_and_the_drawer_reports_opened() -> None:
    """P-2: confirmed only after the printer's GS r reply; the drawer "opened" from DLE EOT 1."""
    with FakeNetworkPrinter() as fake:
        printer = connect_printer(fake.config(width=48))
        data = printer.render(receipt())
        delivery = printer.deliver(data, pulse=True)
        printer.close()
    assert delivery.confirmed and delivery.drawer == "opened"
    assert delivery.state is not None and delivery.state.online
    assert fake.receipts == [data]  # exactly once, complete, cut
    assert texts(decode(fake.receipts[0])) == [ln.text for ln in layout(receipt(), 48)]
    assert fake.model.pulses == 1 and fake.model.confirmations == 1
    assert fake.connections == 1


def test_a_pulse_the_drawer_does_not_answer_is_pulse_sent() -> None:
    """P-2: the drawer is "opened" only when its status says so."""
    with FakeNetworkPrinter(drawer_opens=False) as fake:
        printer = connect_printer(fake.config())
        delivery = printer.deliver(printer.render(receipt()), pulse=True)
        report = printer.pulse_drawer()
    assert delivery == Delivery(True, delivery.state, "pulse_sent")
    assert report == "pulse_sent" and fake.model.pulses == 2


def test_pulse_drawer_reports_opened_when_the_status_says_so() -> None:
    with FakeNetworkPrinter() as fake:
        assert connect_printer(fake.config()).pulse_drawer() == "opened"


@pytest.mark.parametrize("level,expect_open", [("high", True), ("low", False)])
def test_the_drawer_open_level_decides_what_open_means(level: str, expect_open: bool) -> None:
    with FakeNetworkPrinter() as fake:
        fake.model.drawer_open = True  # pin 3 high
        assert connect_printer(fake.config(drawer_open_level=level)).status().drawer_open is (
            expect_open
        )


def test_a_refused_connection_is_a_fault_and_status_says_so() -> None:
    printer = connect_printer(
        {"kind": "network", "host": "127.0.0.1", "port": refused_port(), "timeout": 0.5}
    )
    for call in (lambda: printer.deliver(b"\x1b@"), printer.pulse_drawer):
        with pytest.raises(PrinterFault) as fault:
            call()
        assert fault.value.reason == "connection_refused"
    assert printer.status().reason == "connection_refused"


def test_a_printer_that_accepts_and_hangs_leaves_the_job_unconfirmed() -> None:
    """P-2: the bytes fit the TCP buffer, so the write "succeeds"; nothing confirms it."""
    with FakeNetworkPrinter("hang") as fake:
        printer = connect_printer(fake.config())
        with pytest.raises(PrinterFault) as fault:
            printer.deliver(printer.render(receipt()), pulse=True)
        status = printer.status()
    assert fault.value.reason == "unconfirmed"
    assert fake.receipts == []
    assert status.reason == "no_answer" and not status.online


def test_a_printer_that_answers_status_then_stops_reading_is_unconfirmed() -> None:
    """The issue's case: status says ready, then the receipt goes nowhere."""
    with FakeNetworkPrinter("answer_then_stop") as fake:
        printer = connect_printer(fake.config())
        assert printer.status().online
        with pytest.raises(PrinterFault) as fault:
            printer.deliver(printer.render(receipt()))
    assert fault.value.reason == "unconfirmed"
    assert fake.receipts == []


def test_a_reset_mid_job_is_connection_reset_and_nothing_printed() -> None:
    with FakeNetworkPrinter("reset", reset_after=200) as fake:
        printer = connect_printer(fake.config())
        with pytest.raises(PrinterFault) as fault:
            printer.deliver(printer.render(receipt()), pulse=True)
    assert fault.value.reason == "connection_reset"
    assert len(fake.received) == 200 and fake.receipts == []


def test_a_slow_reader_still_confirms() -> None:
    with FakeNetworkPrinter("slow") as fake:
        printer = connect_printer(fake.config(timeout=5))
        data = printer.render(receipt())
        assert printer.deliver(data).confirmed
    assert fake.receipts == [data]


@pytest.mark.parametrize("fault_name", ["paper_out", "cover_open"])
def test_a_stalled_printer_gives_its_reason_from_the_real_time_status(fault_name: str) -> None:
    """No GS r reply (the printer holds the data); DLE EOT, answered at once, says why."""
    with FakeNetworkPrinter(**{fault_name: True}) as fake:
        printer = connect_printer(fake.config())
        with pytest.raises(PrinterFault) as fault:
            printer.deliver(printer.render(receipt()), pulse=True)
        status = printer.status()
    assert fault.value.reason == fault_name
    assert fake.receipts == []
    assert getattr(status, fault_name) and not status.online
    assert status.fault().reason == fault_name


def test_paper_near_end_is_no_fault() -> None:
    with FakeNetworkPrinter(near_end=True) as fake:
        printer = connect_printer(fake.config())
        delivery = printer.deliver(printer.render(receipt()))
    assert delivery.confirmed and delivery.state.paper_near_end
    assert delivery.state.fault() is None


def test_the_printer_prints_each_job_once_when_it_recovers() -> None:
    """A job that faulted is sent again by the queue; the printer prints it once."""
    with FakeNetworkPrinter(paper_out=True) as fake:
        printer = connect_printer(fake.config())
        data = printer.render(receipt())
        with pytest.raises(PrinterFault):
            printer.deliver(data)
        fake.model.recover()
        assert printer.deliver(data).confirmed
    assert fake.receipts == [data]


def test_a_printer_that_stops_reading_a_big_job_is_a_write_timeout() -> None:
    with FakeNetworkPrinter("hang") as fake:
        printer = connect_printer(fake.config())
        with pytest.raises(PrinterFault) as fault:
            printer.deliver(b"x" * (64 << 20))  # more than any loopback buffer holds
    assert fault.value.reason == "write_timeout"


def test_a_connection_the_printer_closed_while_idle_is_reopened() -> None:
    """Printers drop idle connections; the next job must not fail (or be lost) for it."""
    with FakeNetworkPrinter() as fake:
        printer = connect_printer(fake.config())
        data = printer.render(receipt())
        assert printer.deliver(data).confirmed
        fake.clients[0].shutdown(socket.SHUT_RDWR)  # the printer hangs up between two sales
        assert printer.deliver(data).confirmed
    assert fake.receipts == [data, data] and fake.connections == 2


@pytest.mark.parametrize(
    "mode,model,delivered,pulsed,status_reason",
    [
        ("ok", {}, "confirmed", "opened", None),
        ("ok", {"drawer_opens": False}, "confirmed", "pulse_sent", None),
        # a pulse the printer never processed (hung, or stalled holding its buffer) is
        # not reported as sent: it did not reach the drawer
        ("hang", {}, "unconfirmed", "unconfirmed", "no_answer"),
        ("ok", {"paper_out": True}, "paper_out", "paper_out", "paper_out"),
        ("ok", {"cover_open": True}, "cover_open", "cover_open", "cover_open"),
        ("reset", {"reset_after": 20}, "connection_reset", "opened", "connection_reset"),
    ],
)
def test_each_fault_what_deliver_pulse_drawer_and_status_say(
    mode: str, model: dict, delivered: str, pulsed: str, status_reason: str | None
) -> None:
    """P-2, one row per printer behaviour: deliver, then a pulse, then status.
    (The resetting printer resets each connection after 20 bytes: the pulse and
    one status (14 bytes) fit, so the drawer reads open; the next status does not.)"""
    with FakeNetworkPrinter(mode, **model) as fake:
        printer = connect_printer(fake.config())
        try:
            got = "confirmed" if printer.deliver(printer.render(receipt())).confirmed else "sent"
        except PrinterFault as fault:
            got = fault.reason
        try:
            report = printer.pulse_drawer()
        except PrinterFault as fault:
            report = fault.reason
        status = printer.status()
    assert (got, report) == (delivered, pulsed)
    assert (status.fault().reason if status.fault() else None) == status_reason
