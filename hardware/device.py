"""A terminal's printer setting, and the Printer it opens (SPEC P-1, P-4).

`validate_config` checks a setting and fills its defaults; `connect_printer`
is the PrinterFactory core's print service is given (core.printer_port): it
returns a hardware.transport.EscposPrinter, which talks through
python-escpos' own transports with a deadline on every call, so a printer
that is unplugged, out of paper or holding flow control never freezes a till.
`Printer` is the older API of hardware/spool.py, kept as a thin layer over it.
"""

from __future__ import annotations

import time
from typing import Any

from core import printer_settings
from core.documents import Document
from core.printer_port import Delivery, PrinterConfigError, PrinterFault, PrinterState
from core.printer_port import Printer as PrinterPort
from hardware import render as esc
from hardware._escpos import profile_codepages

__all__ = ["PrinterConfigError", "PrinterFault", "PrinterState", "PrinterStatus", "Delivery"]
PrinterStatus = PrinterState  # the old name, for callers not yet moved to core.printer_port

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


def _where(cfg: dict[str, Any]) -> str:
    if cfg["kind"] == "network":
        return f"{cfg['host']}:{cfg['port']}"
    if cfg["kind"] == "usb":
        return f"USB {cfg['vendor']:04x}:{cfg['product']:04x}"
    return cfg.get("device") or cfg.get("path") or cfg["kind"]


def connect_printer(cfg: dict[str, Any]) -> PrinterPort:
    """The PrinterFactory (core.printer_port): a terminal's printer setting -> its Printer.

    Nothing is opened yet; the first call opens the link (bounded). Raises
    PrinterConfigError for a bad setting.
    """
    from hardware.transport import EscposPrinter

    checked = validate_config(cfg)
    return EscposPrinter(checked, _where(checked), codepage_slot(checked))


class Printer:
    """The old API that hardware/spool.py uses (send, status, open_drawer ...), kept as a
    thin layer over connect_printer() until the print service in core replaces spool.py.

    >>> with Printer({"kind": "file", "path": "var/printer.bin"}) as p:
    ...     p.print_document(doc, open_drawer=True)
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = validate_config(config)
        self._port: Any = connect_printer(self.config)
        self.kind: str = self.config["kind"]
        self.width: int = self.config["width"]
        self.timeout: float = float(self.config.get("timeout", 3))
        self.where: str = self._port.where

    @property
    def readable(self) -> bool:
        """Whether status() can ask this connection anything."""
        return self.kind in ("serial", "network", "usb")

    def open(self) -> Printer:
        return self  # the link opens on first use, inside a bounded worker

    def close(self) -> None:
        self._port.close()

    def __enter__(self) -> Printer:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        """Send raw ESC/POS in one write (no confirmation); PrinterFault if it cannot go."""
        self._port.send(bytes(data))

    def deliver(self, data: bytes, *, pulse: bool = False) -> Delivery:
        return self._port.deliver(data, pulse=pulse)

    def render(self, doc: Document, *, cut: bool = True) -> bytes:
        """The ESC/POS bytes of `doc` for this printer's width and code page."""
        return self._port.render(doc, cut=cut)

    def drawer_pulse(self) -> bytes:
        return self._port.drawer_pulse()

    def print_document(self, doc: Document, *, cut: bool = True, open_drawer: bool = False) -> None:
        """Print `doc`, kicking the drawer first in the same write (a cash sale)."""
        self.send((self.drawer_pulse() if open_drawer else b"") + self.render(doc, cut=cut))

    def open_drawer(self) -> None:
        self.send(self.drawer_pulse())

    def status(self) -> PrinterState:
        """Ask the printer (DLE EOT 1, 2, 4); never raises, bounded by the timeout."""
        if not self.readable:
            return PrinterState(online=self.kind != "none", readable=False)
        return self._port.status()

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
