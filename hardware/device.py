"""The printer (and the drawer behind it) as one device, opened from a terminal's config.

Everything has a deadline, because a printer that is unplugged, out of paper
or holding flow control must never freeze a till (SPEC H-4): the connections
in hardware/_links.py bound every open, write, drain and read. A Printer is
safe to share between threads; each call holds its lock, and a call that
fails closes the connection so the next one starts clean.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from attrs import frozen

from core import printer_settings
from core.documents import Document
from core.errors import KassiError
from core.i18n import N_, _
from core.printer_port import PrinterConfigError  # noqa: F401  (hardware's callers use it)
from hardware import render as esc
from hardware._escpos import profile_codepages

_REASONS = {
    "device_missing": N_("Printer not found: {detail}"),
    "permission_denied": N_("No permission to use the printer: {detail}"),
    "write_timeout": N_("The printer did not take the data in time (write timeout): {detail}"),
    "no_answer": N_("No answer from the printer: {detail}"),
    "connection_refused": N_("The printer refused the connection: {detail}"),
    "paper_out": N_("The printer is out of paper."),
    "cover_open": N_("The printer cover is open."),
    "offline": N_("The printer is offline."),
    "not_configured": N_("No printer is configured for this terminal."),
    "unsupported": N_("This printer connection is not available here: {detail}"),
    "io_error": N_("Printer error: {detail}"),
}


class PrinterFault(KassiError):
    """A printer or drawer problem; `reason` is a stable key, the message is translated."""

    def __init__(self, reason: str, detail: str = "", *, message: str | None = None) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(message or _(_REASONS[reason]).format(detail=detail))


@frozen
class PrinterStatus:
    online: bool
    paper_near_end: bool = False
    paper_out: bool = False
    cover_open: bool = False
    drawer_open: bool = False
    readable: bool = True
    error: str | None = None
    reason: str | None = None

    def fault(self) -> PrinterFault | None:
        """The fault that should stop printing, if the printer told us one."""
        if not self.readable:
            return None
        if self.reason:
            return PrinterFault(self.reason, message=self.error)
        for flag, reason in ((self.paper_out, "paper_out"), (self.cover_open, "cover_open")):
            if flag:
                return PrinterFault(reason)
        return None if self.online else PrinterFault("offline")


# -- configuration ---------------------------------------------------------------------
# What a valid printer setting is, is core's (core/printer_settings.py, SPEC P-4); these
# names stay for hardware's callers. Hardware hands core the printer models' code pages.

KINDS = printer_settings.KINDS
FLOWS = printer_settings.FLOWS
BAUDS = printer_settings.BAUDS
COMMON = printer_settings.COMMON
printer_settings.use_profiles(profile_codepages)


def validate_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """Check a terminal's printer setting; returns a copy with every default filled in."""
    return printer_settings.validate(cfg, profiles=profile_codepages)


def codepage_slot(cfg: dict[str, Any]) -> int:
    """The ESC t number for the config's code page on its printer model."""
    if cfg.get("codepage_slot") is not None:
        return int(cfg["codepage_slot"])
    if cfg.get("profile"):
        return profile_codepages(cfg["profile"])[cfg["codepage"]]
    return esc.CODEPAGES[cfg["codepage"]][1]


# -- the printer -----------------------------------------------------------------------


def _status_byte_ok(b: int) -> bool:
    # Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear; anything else
    # is not an answer (line noise, an automatic status block, a wrong baud rate).
    return b & 0x93 == 0x12


class Printer:
    """The printer and drawer of one terminal.

    >>> with Printer({"kind": "file", "path": "var/printer.bin"}) as p:
    ...     p.print_document(doc, open_drawer=True)
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = validate_config(config)
        self.kind: str = self.config["kind"]
        self.width: int = self.config["width"]
        self.timeout: float = float(self.config.get("timeout", 3))
        c = self.config
        self.where: str = c.get("device") or c.get("path") or c.get("host") or self.kind
        if self.kind == "network":
            self.where = f"{c['host']}:{c['port']}"
        self._lock = threading.RLock()
        self._link: Any = None

    @property
    def readable(self) -> bool:
        """Whether status() can ask this connection anything."""
        return self.kind in ("serial", "network", "usb")

    def open(self) -> Printer:
        with self._lock:
            if self._link is None:
                from hardware._links import connect

                link = connect(self.config)
                link.open(time.monotonic() + self.timeout)
                self._link = link
        return self

    def close(self) -> None:
        with self._lock:
            link, self._link = self._link, None
            if link is not None:
                link.close()

    def __enter__(self) -> Printer:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, op: str, *args: Any) -> Any:
        with self._lock:
            self.open()
            try:
                return getattr(self._link, op)(*args, time.monotonic() + self.timeout)
            except BaseException:
                self.close()
                raise

    def send(self, data: bytes) -> None:
        """Send raw ESC/POS in one write; PrinterFault if it cannot go within the timeout."""
        self._call("write", bytes(data))

    def render(self, doc: Document, *, cut: bool = True) -> bytes:
        """The ESC/POS bytes of `doc` for this printer's width and code page."""
        return esc.render(
            doc, self.width, self.config["codepage"], cut=cut, slot=codepage_slot(self.config)
        )

    def drawer_pulse(self) -> bytes:
        c = self.config
        return esc.drawer_pulse(c["drawer_pin"], c["pulse_on_ms"], c["pulse_off_ms"])

    def print_document(self, doc: Document, *, cut: bool = True, open_drawer: bool = False) -> None:
        """Print `doc`, kicking the drawer first in the same write (a cash sale)."""
        self.send((self.drawer_pulse() if open_drawer else b"") + self.render(doc, cut=cut))

    def open_drawer(self) -> None:
        self.send(self.drawer_pulse())

    def status(self) -> PrinterStatus:
        """Ask the printer (DLE EOT 1, 2, 4); never raises, never takes longer than the timeout.

        Connections that cannot read (file, devfile, none) report readable=False.
        """
        if not self.readable:
            return PrinterStatus(online=self.kind != "none", readable=False)
        replies: list[int] = []
        try:
            with self._lock:
                self.open()
                deadline = time.monotonic() + self.timeout
                for n in (1, 2, 4):
                    b = self._link.query(esc.status_query(n), deadline)
                    if b is None:
                        raise PrinterFault("no_answer", self.where)
                    if not _status_byte_ok(b):
                        raise PrinterFault(
                            "io_error",
                            _("unexpected answer {byte:#04x} from {where}").format(
                                byte=b, where=self.where
                            ),
                        )
                    replies.append(b)
        except PrinterFault as fault:
            self.close()  # a late or stray answer must not pass for the next reply
            return PrinterStatus(False, error=fault.message, reason=fault.reason)
        b1, b2, b4 = replies
        drawer_high = bool(b1 & 0x04)  # connector pin 3; which level means "open" is wiring
        return PrinterStatus(
            online=not b1 & 0x08,
            paper_near_end=bool(b4 & 0x0C),
            paper_out=bool(b4 & 0x60),
            cover_open=bool(b2 & 0x04),
            drawer_open=drawer_high == (self.config["drawer_open_level"] == "high"),
        )

    def ensure_ready(self) -> None:
        """Raise the PrinterFault the printer reports (paper out, cover open, no answer...)."""
        fault = self.status().fault()
        if fault is not None:
            raise fault

    def wait_drawer_closed(self, timeout: float = 60.0, poll: float = 0.5) -> bool:
        """Poll until the drawer reports closed; False on timeout or if it cannot be read."""
        if not self.readable:
            return False
        end = time.monotonic() + timeout
        while True:
            st = self.status()
            if st.error is None and not st.drawer_open:
                return True
            if time.monotonic() + poll > end:
                return False
            time.sleep(poll)
