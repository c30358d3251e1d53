"""A loopback TCP server as a network printer (port 9100 style)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from core.documents import Document, Pair, Rule, Text, layout
from hardware.device import Printer, PrinterFault
from tests.hardware.escpos_decoder import decode, texts

pytestmark = pytest.mark.hardware

LIFETIME = 10.0  # the server stops by itself after this, whatever the test does


class LoopbackPrinter:
    """Accepts connections on 127.0.0.1, records what arrives, answers DLE EOT if told to."""

    def __init__(self, replies: dict[int, int] | None = None, read: bool = True) -> None:
        self.replies = replies or {}
        self.read = read
        self.received = bytearray()
        self.connections = 0
        self.stop = threading.Event()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # a small window, so a server that does not read pushes back quickly
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.clients: list[socket.socket] = []

    def _run(self) -> None:
        end = time.monotonic() + LIFETIME
        while not self.stop.is_set() and time.monotonic() < end:
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self.clients.append(conn)
            if self.read:
                threading.Thread(target=self._serve, args=(conn, end), daemon=True).start()

    def _serve(self, conn: socket.socket, end: float) -> None:
        conn.settimeout(0.05)
        while not self.stop.is_set() and time.monotonic() < end:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            self.received += chunk
            for i in range(len(chunk) - 2):
                if chunk[i : i + 2] == b"\x10\x04" and chunk[i + 2] in self.replies:
                    conn.sendall(bytes([self.replies[chunk[i + 2]]]))

    def wait_for(self, size: int, timeout: float = 5) -> bytes:
        end = time.monotonic() + timeout
        while len(self.received) < size and time.monotonic() < end:
            time.sleep(0.01)
        return bytes(self.received)

    def config(self, **extra: object) -> dict:
        return {"kind": "network", "host": "127.0.0.1", "port": self.port, "timeout": 1, **extra}


@pytest.fixture
def make_server() -> Iterator:
    servers: list[LoopbackPrinter] = []

    def make(**kw: object) -> LoopbackPrinter:
        server = LoopbackPrinter(**kw)
        server.thread.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop.set()
        server.thread.join(2)
        for conn in server.clients:
            conn.close()
        server.server.close()


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


def test_a_receipt_arrives_and_decodes(make_server) -> None:
    server = make_server()
    doc = receipt()
    with Printer(server.config(width=48)) as printer:
        expected = printer.render(doc)
        printer.print_document(doc)
    got = server.wait_for(len(expected))
    assert got == expected
    assert texts(decode(got)) == [ln.text for ln in layout(doc, 48)]
    assert server.connections == 1  # one connection, one write


def test_status_over_the_network(make_server) -> None:
    server = make_server(replies={1: 0x12 | 0x04, 2: 0x12, 4: 0x12 | 0x0C})
    status = Printer(server.config()).status()
    assert status.online and status.drawer_open and status.paper_near_end
    assert status.error is None


def test_a_silent_network_printer_is_no_answer_within_the_timeout(make_server) -> None:
    server = make_server()
    start = time.monotonic()
    status = Printer(server.config(timeout=0.5)).status()
    assert time.monotonic() - start < 1.0
    assert status.reason == "no_answer" and not status.online


def test_connection_refused_within_the_timeout() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # bound once, never listened on: nothing is there now
    printer = Printer({"kind": "network", "host": "127.0.0.1", "port": port, "timeout": 1})
    start = time.monotonic()
    with pytest.raises(PrinterFault) as fault:
        printer.send(b"\x1b@")
    assert time.monotonic() - start < 1.5
    assert fault.value.reason == "connection_refused"
    assert printer.status().reason == "connection_refused"


def test_a_printer_that_stops_reading_is_a_write_timeout(make_server) -> None:
    server = make_server(read=False)
    printer = Printer(server.config(timeout=0.5))
    start = time.monotonic()
    with pytest.raises(PrinterFault) as fault:
        printer.send(b"x" * (64 << 20))  # more than any loopback buffer holds
    assert fault.value.reason == "write_timeout"
    assert time.monotonic() - start < 2.0
