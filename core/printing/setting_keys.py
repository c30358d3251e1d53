"""The kinds and keys of a printer setting (SPEC P-4): which keys each kind of printer
takes, their defaults, what each means, and the code pages kassi can print.

This is the table; core.printing.settings checks a setting's values against it.
Pure data (no I/O): hardware reads it too (hardware/device.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from core.text.i18n import N_, _

KINDS = ("serial", "usb", "devfile", "network", "file", "none")
FLOWS = ("none", "rtscts", "dsrdtr", "xonxoff")
BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
# The code pages kassi's renderer can encode (hardware/render.py CODEPAGES has the
# codec and default slot of each; tests/hardware checks the two lists agree).
CODEPAGES = (
    "CP437",
    "CP850",
    "CP860",
    "CP863",
    "CP865",
    "CP1252",
    "CP866",
    "CP852",
    "CP858",
    "CP861",
    "ISO_8859-15",
)
CODEPAGE_ALIASES = {"WPC1252": "CP1252", "ISO8859-15": "ISO_8859-15", "LATIN-9": "ISO_8859-15"}

REQUIRED: dict[str, tuple[str, ...]] = {
    "serial": ("device",),
    "usb": ("vendor", "product"),
    "devfile": ("path",),
    "network": ("host",),
    "file": ("path",),
    "none": (),
}
OPTIONAL: dict[str, dict[str, Any]] = {
    "serial": {"baud": 9600, "flow": "none", "timeout": 3},
    "usb": {"timeout": 3},
    "devfile": {"timeout": 3},
    "network": {"port": 9100, "timeout": 3},
    "file": {"timeout": 3},
    "none": {},
}
COMMON: dict[str, Any] = {
    "width": 42,
    "codepage": "CP858",
    "profile": None,
    "codepage_slot": None,
    "drawer_pin": 2,
    "pulse_on_ms": 100,
    "pulse_off_ms": 100,
    "wait_drawer_closed": False,
    "drawer_open_level": "high",
}

# What each key means, for `kassi terminal show` and the back office (translated).
MEANINGS: dict[str, str] = {
    "kind": N_("How the printer is connected: serial, usb, devfile, network, file or none."),
    "device": N_("The serial port, e.g. /dev/ttyUSB0."),
    "baud": N_("Serial speed in baud (the printer's DIP switches say which)."),
    "flow": N_("Serial flow control: none, rtscts, dsrdtr or xonxoff."),
    "vendor": N_("USB vendor id, e.g. 0x04b8 (lsusb shows it)."),
    "product": N_("USB product id, e.g. 0x0202."),
    "path": N_("The device file (e.g. /dev/usb/lp0) or the file receipts are written to."),
    "host": N_("The network printer's address, e.g. 10.0.0.5."),
    "port": N_("The network printer's TCP port (usually 9100)."),
    "timeout": N_("Seconds to wait for the printer before giving up (above 0, at most 60)."),
    "width": N_("Characters per line: 42 or 48 on 80 mm paper, 32 on 58 mm (24 to 80)."),
    "codepage": N_("Character table for letters such as æøå þð; CP858 has them and €."),
    "profile": N_("The printer model in python-escpos' list, for its code page numbers."),
    "codepage_slot": N_("The code page's number on this printer, where the model is unlisted."),
    "drawer_pin": N_("The drawer connector pin: 2 or 5."),
    "pulse_on_ms": N_("Drawer kick pulse on time in milliseconds (2 to 510)."),
    "pulse_off_ms": N_("Drawer kick pulse off time in milliseconds (2 to 510)."),
    "wait_drawer_closed": N_("Hold the next sale until the drawer is closed: true or false."),
    "drawer_open_level": N_("Which drawer sensor level means open: high or low."),
}

TEXT_KEYS = ("device", "path", "host")


def keys_for(kind: str) -> tuple[str, ...]:
    """The keys a printer of this kind takes, in the order they are shown."""
    return ("kind", *REQUIRED[kind], *OPTIONAL[kind], *COMMON)


def defaults_for(kind: str) -> dict[str, Any]:
    return {**OPTIONAL[kind], **COMMON}


@frozen
class KeyLine:
    """One key of a terminal's printer setting, for a person: what it means, its value."""

    key: str
    meaning: str
    value: Any
    is_default: bool
    required: bool


def describe(cfg: Mapping[str, Any]) -> list[KeyLine]:
    """Every key a valid setting's kind takes, given or default. (Check it first.)"""
    kind = cfg["kind"]
    defaults = defaults_for(kind)
    return [
        KeyLine(
            key,
            _(MEANINGS[key]),
            cfg.get(key, defaults.get(key)),
            key not in cfg and key in defaults,
            key in REQUIRED[kind] or key == "kind",
        )
        for key in keys_for(kind)
    ]
