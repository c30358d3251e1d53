"""A scripted in-memory printer implementing core's Printer protocol (core/printing/port.py),
for the print service's core tests: no device, no sockets, no timing.

Each delivery takes the next step of its script (default: "confirm" where the link
can read, "unconfirmed" where it cannot):

    confirm        the printer took the data and answered healthy after it
    unconfirmed    the data went; the link cannot answer (a file sink)
    refuse         nothing went: PrinterFault("connection_refused")
    fault_confirm  the data went, no healthy answer after it: PrinterFault("unconfirmed")
    blocked        the write is stuck inside the OS holding the data (write_timeout);
                   `release()` lets it go (or fail), as a device file does

`paper` is what reached the printer, one entry per write (a drawer pulse is b"P|").
With `sink` it is also appended to a file, so several processes share one printer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.printing.documents import Document
from core.printing.layout import to_text
from core.printing.port import Delivery, PrinterFault, PrinterState

PULSE = b"P|"
HEALTHY = PrinterState(online=True)


class FakePrinter:
    width = 42
    timeout = 0.2

    def __init__(
        self, *, can_confirm: bool = True, sink: Path | None = None, drawer_reads_open: bool = False
    ) -> None:
        self.can_confirm = can_confirm
        self.kind = "network" if can_confirm else "file"
        self.where = "fake:9100" if can_confirm else "fake.bin"
        self.sink = sink
        self.script: list[str] = []
        self.state = HEALTHY if can_confirm else PrinterState(online=True, readable=False)
        self.drawer_reads_open = drawer_reads_open
        self.paper: list[bytes] = []
        self.pulses = 0
        self.status_asked = 0
        self.pulse_fault: PrinterFault | None = None
        self._blocked: str | None = None  # "blocked", then "went" or "failed"
        self._stuck: bytes = b""

    # -- the protocol --------------------------------------------------------------------

    def render(self, doc: Document) -> bytes:
        return to_text(doc, self.width).encode("utf-8")

    def deliver(self, data: bytes, *, pulse: bool = False) -> Delivery:
        if self._blocked == "blocked":
            raise PrinterFault("write_timeout", self.where)
        step = self.script.pop(0) if self.script else self.default_step
        out = (PULSE if pulse else b"") + data
        if step == "refuse":
            raise PrinterFault("connection_refused", self.where)
        if step == "blocked":
            self._blocked, self._stuck = "blocked", out
            raise PrinterFault("write_timeout", self.where)
        self._put(out, pulse)
        if step == "fault_confirm":
            raise PrinterFault("unconfirmed", "no answer after the data")
        if step == "unconfirmed" or not self.can_confirm:
            return Delivery(False, None, "pulse_sent" if pulse else None)
        drawer = ("opened" if self.drawer_reads_open else "pulse_sent") if pulse else None
        return Delivery(True, self.state, drawer)

    def pulse_drawer(self) -> str:
        if self.pulse_fault is not None:
            raise self.pulse_fault
        self._put(PULSE, True)
        return "opened" if self.can_confirm and self.drawer_reads_open else "pulse_sent"

    def status(self) -> PrinterState:
        self.status_asked += 1
        return self.state

    def blocked_write(self) -> Any:
        told = self._blocked
        if told in ("went", "failed"):
            self._blocked = None  # told once
        return told

    def close(self) -> None:
        pass

    # -- the test's hand on the printer --------------------------------------------------

    @property
    def default_step(self) -> str:
        return "confirm" if self.can_confirm else "unconfirmed"

    def release(self, *, went: bool = True) -> None:
        """The stuck write ends: its bytes reach the paper (went) or are lost (failed)."""
        if went:
            self._put(self._stuck, self._stuck.startswith(PULSE))
        self._blocked, self._stuck = ("went" if went else "failed"), b""

    def printed(self) -> bytes:
        return self.sink.read_bytes() if self.sink else b"".join(self.paper)

    def _put(self, out: bytes, pulse: bool) -> None:
        self.pulses += pulse
        self.paper.append(out)
        if self.sink is not None:
            with self.sink.open("ab") as f:
                f.write(out)


def factory(printer: FakePrinter):
    """A PrinterFactory that hands out `printer` for any setting but a broken one."""
    from core.printing.port import PrinterConfigError

    def make(cfg: dict) -> FakePrinter:
        if cfg.get("kind") == "serial" and "device" not in cfg:
            raise PrinterConfigError("Printer configuration: a serial printer needs 'device'")
        return printer

    return make
