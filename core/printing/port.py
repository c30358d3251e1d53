"""What core's print service needs from a printer, and what a printer can tell it (SPEC P-3).

Core decides what prints, when the drawer opens, the queue and its retries
(core/printing/service.py). Hardware implements `Printer` for one terminal's printer
setting: it turns a document into bytes and bytes into a device, through
python-escpos' transports. Core never imports hardware: the tui hands the print
service a `PrinterFactory` (hardware.device.connect_printer).

"Printed" means confirmed (SPEC P-2): `deliver` returns confirmed=True only when
the printer answered, after the data, with a healthy status. A link that cannot
answer (a file sink, a device file) returns confirmed=False: "sent, unconfirmed".
Anything else that goes wrong is a PrinterFault, and the job stays pending.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from attrs import frozen

from core.errors import InputError, KassiError
from core.printing.documents import Document
from core.text.i18n import N_, _

REASONS = {
    "device_missing": N_("Printer not found: {detail}"),
    "permission_denied": N_("No permission to use the printer: {detail}"),
    "write_timeout": N_("The printer did not take the data in time (write timeout): {detail}"),
    "no_answer": N_("No answer from the printer: {detail}"),
    "unconfirmed": N_("The printer did not confirm the job: {detail}"),
    "connection_reset": N_("The printer closed the connection during the job: {detail}"),
    "connection_refused": N_("The printer refused the connection: {detail}"),
    "paper_out": N_("The printer is out of paper."),
    "cover_open": N_("The printer cover is open."),
    "offline": N_("The printer is offline."),
    "not_configured": N_("No printer is configured for this terminal."),
    "unsupported": N_("This printer connection is not available here: {detail}"),
    "io_error": N_("Printer error: {detail}"),
}


class PrinterFault(KassiError):
    """A printer or drawer problem; `reason` is a stable key (REASONS), the message translated."""

    def __init__(self, reason: str, detail: str = "", *, message: str | None = None) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(message or _(REASONS[reason]).format(detail=detail))


class PrinterConfigError(InputError, ValueError):
    """A terminal's printer setting is wrong; the message names the key."""


@frozen
class PrinterState:
    """What the printer said when asked (DLE EOT), or that this link cannot ask."""

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


DrawerReport = Literal["opened", "pulse_sent"]


@frozen
class Delivery:
    """How a send ended when it did not raise.

    confirmed: the printer answered after the data with a healthy status.
    state: that answer (None where the link cannot read).
    drawer: "opened" when the status after the pulse says the drawer is open,
    "pulse_sent" when the pulse went but no status said so, None without a pulse.
    """

    confirmed: bool
    state: PrinterState | None = None
    drawer: DrawerReport | None = None


class Printer(Protocol):
    """One terminal's printer and the drawer behind it. Every call is bounded by
    `timeout` (plus the line time of what it sends) and runs off the caller's
    thread where the OS could block, so a dead printer never freezes a till."""

    kind: str  # "serial", "usb", "network", "devfile", "file", "none"
    where: str  # "/dev/ttyS0", "10.0.0.5:9100", "USB 04b8:0202" ... for messages
    width: int  # columns of the paper
    timeout: float
    can_confirm: bool  # the link can read status: printed means confirmed

    def render(self, doc: Document) -> bytes:
        """The document's bytes for this printer (width, code page, logo)."""
        ...

    def deliver(self, data: bytes, *, pulse: bool = False) -> Delivery:
        """Send (drawer pulse first when asked) and, where the link can, confirm.

        Raises PrinterFault when the data did not go or was not confirmed.
        """
        ...

    def pulse_drawer(self) -> DrawerReport:
        """Kick the drawer; "opened" only if the status then says so. PrinterFault if not sent."""
        ...

    def status(self) -> PrinterState:
        """Ask the printer now; never raises (a fault comes back in the state)."""
        ...

    def blocked_write(self) -> Literal["blocked", "went", "failed"] | None:
        """A write to this device that outlived its timeout and is still inside the OS
        (a device file whose printer is stuck): "blocked" while it is, nothing else
        may be sent meanwhile (its bytes may yet go out); then "went" or "failed",
        told once, when it ended. None when no such write exists. Kept per device
        in the process, so a new Printer for the same setting sees it too."""
        ...

    def close(self) -> None: ...


PrinterFactory = Callable[[dict[str, Any]], Printer]
"""A terminal's printer setting -> its Printer; raises PrinterConfigError for a bad one."""
