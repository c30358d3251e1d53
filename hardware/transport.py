"""core.printing.port.Printer on python-escpos' transports: printed means confirmed (SPEC P-1, P-2).

`deliver` sends [drawer pulse] + data + GS r 1 ("transmit paper sensor status")
in one stream. The printer handles GS r in order, after everything before it,
so its reply says the data went through the printer, not merely into a socket
buffer or a UART. DLE EOT, by contrast, is answered in real time, the moment
it arrives, even while earlier data waits: good for asking how the printer is
(online, cover, paper, drawer), worthless as a receipt confirmation.

The replies are told apart by their fixed bits: GS r 1 has bits 4 and 7 clear;
DLE EOT replies have bits 1 and 4 set and bits 0 and 7 clear; XON (0x11) and
XOFF (0x13) have bit 4 set and match neither.

Every call that could block (open, write, read, close) runs in a worker
thread joined with a deadline (hardware._links.bounded); a call that overruns
abandons its link, which is dropped without a flush, and the next call opens a
new one.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Literal

from core.printing.documents import Document
from core.printing.port import Delivery, DrawerReport, PrinterFault, PrinterState
from core.text.i18n import _
from hardware import _links
from hardware import render as esc

CONFIRM = b"\x1dr\x01"  # GS r 1: paper sensor status, processed in order after the data
GRACE = 0.25  # the worker's join outlives the transport's own timeout by this much
DRAWER_POLL = (0.05, 0.1, 0.2, 0.3)  # seconds between DLE EOT 1 reads after a pulse


def _realtime_reply(b: int) -> bool:
    return b & 0x93 == 0x12  # DLE EOT: bits 1 and 4 set, bits 0 and 7 clear


def _in_order_reply(b: int) -> bool:
    return b & 0x90 == 0  # GS r 1: bits 4 and 7 clear (XON/XOFF have bit 4 set)


class EscposPrinter:
    """One terminal's printer and drawer; safe to share between threads (one call at a time)."""

    def __init__(self, cfg: dict[str, Any], where: str, slot: int) -> None:
        self.config = cfg
        self.kind: str = cfg["kind"]
        self.where = where
        self.width: int = cfg["width"]
        self.timeout: float = float(cfg.get("timeout", 3))
        self._slot = slot
        self._lock = threading.RLock()
        self._link: _links.Link | None = None
        self._usb_can_read = True

    # -- what the protocol asks ------------------------------------------------------------

    @property
    def can_confirm(self) -> bool:
        if self.kind == "usb":
            return self._usb_can_read  # known once opened: no IN endpoint, no status
        return self.kind in ("serial", "network")

    def render(self, doc: Document, *, cut: bool = True) -> bytes:
        """Our own renderer (hardware/render.py), not escpos' text path: 3.1's "magic
        encode" picks wrong code pages for Danish and forgets the page after ESC @."""
        return esc.render(doc, self.width, self.config["codepage"], cut=cut, slot=self._slot)

    def drawer_pulse(self) -> bytes:
        c = self.config
        return esc.drawer_pulse(c["drawer_pin"], c["pulse_on_ms"], c["pulse_off_ms"])

    def deliver(self, data: bytes, *, pulse: bool = False) -> Delivery:
        stream = (self.drawer_pulse() if pulse else b"") + bytes(data)
        if not self.can_confirm:
            self.send(stream)
            return Delivery(confirmed=False, drawer="pulse_sent" if pulse else None)
        with self._lock:
            budget = self.timeout + self._line_time(len(stream) + len(CONFIRM))
            # written, then read for the GS r reply: one worker, one deadline
            reply = self._run(lambda link: self._send_and_confirm(link, stream, budget), budget)
            if reply[0] == "unreadable":  # a USB printer without an IN endpoint
                return Delivery(confirmed=False, drawer="pulse_sent" if pulse else None)
            if reply[0] != "ok":
                self._raise_unconfirmed(reply)
            try:
                state = self._status_locked()
            except PrinterFault as fault:  # printed and confirmed; only the status after it failed
                state = PrinterState(False, error=fault.message, reason=fault.reason)
        paper = reply[1]
        if paper & 0x0C:
            # GS r 1 bits 2-3: the paper ran out by the end of the data, so the receipt
            # may be cut short: keep the job pending (a copy too many beats a lost one).
            raise PrinterFault("paper_out")
        drawer: DrawerReport | None = None
        if pulse:
            drawer = "opened" if state.error is None and state.drawer_open else "pulse_sent"
        return Delivery(True, state, drawer)

    def pulse_drawer(self) -> DrawerReport:
        if not self.can_confirm:
            self.send(self.drawer_pulse())
            return "pulse_sent"
        # The pulse rides with GS r 1 like a receipt: a printer that takes the bytes into
        # its socket but never processes them (hung, or stopped reading) raises here,
        # instead of a "pulse sent" that never reached the drawer.
        if self.deliver(b"", pulse=True).drawer == "opened":
            return "opened"
        for pause in DRAWER_POLL:  # the drawer takes a moment to spring open
            time.sleep(pause)
            state = self.status()
            if state.error is not None:
                return "pulse_sent"
            if state.drawer_open:
                return "opened"
        return "pulse_sent"

    def status(self) -> PrinterState:
        if self.kind == "none":
            return PrinterState(online=False, readable=False)
        if not self.can_confirm:
            return self._sink_state()
        try:
            with self._lock:
                return self._status_locked()
        except PrinterFault as fault:
            return PrinterState(False, error=fault.message, reason=fault.reason)

    def blocked_write(self) -> Literal["blocked", "went", "failed"] | None:
        worker = _links.pending_writes.get(self.where)
        if worker is None:
            return None
        if worker.is_alive():
            return "blocked"
        del _links.pending_writes[self.where]  # told once
        return "failed" if "error" in getattr(worker, "result", {}) else "went"

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- sending without a confirmation (old callers, pulses, sinks) ------------------------

    def send(self, data: bytes) -> None:
        """Write `data`; PrinterFault if it did not go within the timeout."""
        if self.kind == "none":
            raise PrinterFault("not_configured")
        if self.kind in ("file", "devfile"):
            self._sink_write(bytes(data))
            return
        with self._lock:
            budget = self.timeout + self._line_time(len(data))
            self._run(lambda link: link.write(bytes(data)), budget)

    # -- internals -----------------------------------------------------------------------

    def _line_time(self, size: int) -> float:
        rate = self.config.get("baud")
        return size * 10 / rate if rate else 0.0

    def _new_link(self) -> _links.Link:
        return _links.LINKS[self.kind](self.config, self.where)

    def _drop(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            # abandoned if it overruns; its worker ends when the OS lets it
            with contextlib.suppress(_links.Overrun):
                _links.bounded(link.drop, GRACE, f"close {self.where}")

    def _run(self, op: Any, budget: float) -> Any:
        """op(link) on an open link, in a worker joined at `budget`; drops the link on failure."""
        abandoned = threading.Event()
        held: list[_links.Link] = []

        def call() -> Any:
            link = self._link
            if link is not None and link.can_read:
                try:  # a printer may close an idle connection: notice it before sending
                    link.discard_input()
                except PrinterFault:
                    link.drop()
                    link = None
            if link is None:
                link = self._new_link()
                link.open()
            held.append(link)
            if abandoned.is_set():  # the caller gave up while we were opening
                link.drop()
                raise PrinterFault("write_timeout", self.where)
            self._link = link
            if self.kind == "usb":
                self._usb_can_read = link.can_read
            return op(link)

        try:
            return _links.bounded(call, budget + GRACE, self.where)
        except _links.Overrun:
            # Poisoned: never reuse it. Closing it (without a flush: QuietSerial) from
            # a thread of its own also ends the stuck call (EBADF) where the OS allows.
            abandoned.set()
            self._link = None
            for link in held:
                threading.Thread(target=link.drop, daemon=True, name="kassi-printer drop").start()
            raise PrinterFault("write_timeout", self.where) from None
        except PrinterFault:
            self._drop()
            raise
        except Exception as exc:  # never let a transport bug pass for success
            self._drop()
            raise _links.fault_from(exc, self.where) from exc

    def _send_and_confirm(self, link: _links.Link, stream: bytes, budget: float) -> tuple:
        """("ok", reply), ("silent", None), ("fault", fault) or ("unreadable", None)."""
        end = time.monotonic() + budget
        if not link.can_read:
            link.write(stream)
            return ("unreadable", None)
        link.discard_input()
        link.write(stream + CONFIRM)
        try:
            while (left := end - time.monotonic()) > 0:
                for b in link.read(left):
                    if _in_order_reply(b):
                        return ("ok", b)
                    # DLE EOT replies or XON/XOFF: not the confirmation; keep reading
        except PrinterFault as fault:
            return ("fault", fault)
        return ("silent", None)

    def _raise_unconfirmed(self, reply: tuple) -> None:
        """The better reason first: ask in real time (paper, cover, offline), then say why."""
        kind, fault = reply
        if kind == "fault":
            self._drop()
            raise fault
        try:
            probe = self._status_locked(self.timeout / 2)
        except PrinterFault:
            probe = None
        self._drop()  # a late GS r reply must not pass for the next job's
        if probe is not None and probe.fault() is not None:
            raise probe.fault()
        raise PrinterFault(
            "unconfirmed",
            _("{where} took the data but did not answer after it").format(where=self.where),
        )

    def _status_locked(self, budget: float | None = None) -> PrinterState:
        """DLE EOT 1, 2, 4 within `budget` (the timeout); PrinterFault when unanswered."""
        budget = self.timeout if budget is None else budget
        b1, b2, b4 = self._run(lambda link: self._ask(link, budget), budget)
        drawer_high = bool(b1 & 0x04)  # connector pin 3; which level means open is wiring
        return PrinterState(
            online=not b1 & 0x08,
            paper_near_end=bool(b4 & 0x0C),
            paper_out=bool(b4 & 0x60),
            cover_open=bool(b2 & 0x04),
            drawer_open=drawer_high == (self.config["drawer_open_level"] == "high"),
        )

    def _ask(self, link: _links.Link, budget: float) -> tuple[int, int, int]:
        end = time.monotonic() + budget
        link.discard_input()
        replies: list[int] = []
        for n in (1, 2, 4):
            link.write(esc.status_query(n))
            got = None
            while got is None and (left := end - time.monotonic()) > 0:
                for b in link.read(left):
                    if _realtime_reply(b):
                        got = b
                        break
                    # XON/XOFF are flow control; a GS r reply is a late confirmation
                    if b not in (0x11, 0x13) and not _in_order_reply(b):
                        raise PrinterFault(
                            "io_error",
                            _("unexpected answer {byte:#04x} from {where}").format(
                                byte=b, where=self.where
                            ),
                        )
            if got is None:
                raise PrinterFault("no_answer", self.where)
            replies.append(got)
        return replies[0], replies[1], replies[2]

    def _sink_write(self, data: bytes) -> None:
        """A file or device file: one bounded worker per write; a stuck one is remembered."""
        if self.blocked_write() == "blocked":
            raise PrinterFault("write_timeout", self.where)  # its bytes may yet go out
        link = self._new_link()
        try:
            _links.bounded(lambda: link.write(data), self.timeout, self.where)
        except _links.Overrun as stuck:
            _links.pending_writes[self.where] = stuck.worker
            raise PrinterFault("write_timeout", self.where) from None

    def _sink_state(self) -> PrinterState:
        """A link that cannot answer: what we know without asking (missing, stuck)."""
        import os

        if self.kind not in ("file", "devfile"):
            return PrinterState(online=True, readable=False)  # USB without an IN endpoint
        fault = None
        parent = os.path.dirname(os.path.abspath(self.where))
        if self.kind == "devfile" and not os.path.exists(self.where):
            fault = PrinterFault("device_missing", self.where)
        elif not os.access(self.where if os.path.exists(self.where) else parent, os.W_OK) and (
            os.path.exists(self.where) or os.path.isdir(parent)
        ):
            fault = PrinterFault("permission_denied", self.where)
        elif (w := _links.pending_writes.get(self.where)) is not None and w.is_alive():
            fault = PrinterFault("write_timeout", self.where)
        if fault is not None:
            return PrinterState(False, readable=False, error=fault.message, reason=fault.reason)
        return PrinterState(online=True, readable=False)
