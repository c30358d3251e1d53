"""A terminal's printer setting, and the Printer it opens (SPEC P-1, P-4).

`validate_config` checks a setting and fills its defaults; `connect_printer`
is the PrinterFactory core's print service is given (core.printing.port): it
returns a hardware.transport.EscposPrinter, which talks through
python-escpos' own transports with a deadline on every call, so a printer
that is unplugged, out of paper or holding flow control never freezes a till.
"""

from __future__ import annotations

from typing import Any

from core.printing import setting_keys
from core.printing import settings as printer_settings
from core.printing.port import Delivery, PrinterConfigError, PrinterFault, PrinterState
from core.printing.port import Printer as PrinterPort
from hardware import render as esc
from hardware._escpos import profile_codepages

__all__ = ["PrinterConfigError", "PrinterFault", "PrinterState", "PrinterStatus", "Delivery"]
PrinterStatus = PrinterState  # the old name, for callers not yet moved to core.printing.port

# -- configuration ---------------------------------------------------------------------
# What a valid printer setting is, is core's (core/printing/setting_keys.py and
# settings.py, SPEC P-4); these
# names stay for hardware's callers. Hardware hands core the printer models' code pages.

KINDS = setting_keys.KINDS
FLOWS = setting_keys.FLOWS
BAUDS = setting_keys.BAUDS
COMMON = setting_keys.COMMON
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
    """The PrinterFactory (core.printing.port): a terminal's printer setting -> its Printer.

    Nothing is opened yet; the first call opens the link (bounded). Raises
    PrinterConfigError for a bad setting.
    """
    from hardware.transport import EscposPrinter

    checked = validate_config(cfg)
    return EscposPrinter(checked, _where(checked), codepage_slot(checked))
