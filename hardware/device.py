"""A terminal's printer setting, and the Printer it opens (SPEC P-1, P-4).

`validate_config` checks a setting and fills its defaults; `connect_printer`
is the PrinterFactory core's print service is given (core.printer_port): it
returns a hardware.transport.EscposPrinter, which talks through
python-escpos' own transports with a deadline on every call, so a printer
that is unplugged, out of paper or holding flow control never freezes a till.
"""

from __future__ import annotations

import contextlib
from typing import Any

from core.i18n import _
from core.printer_port import Delivery, PrinterConfigError, PrinterFault, PrinterState
from core.printer_port import Printer as PrinterPort
from hardware import render as esc

__all__ = ["PrinterConfigError", "PrinterFault", "PrinterState", "PrinterStatus", "Delivery"]
PrinterStatus = PrinterState  # the old name, for callers not yet moved to core.printer_port

# -- configuration ---------------------------------------------------------------------

KINDS = ("serial", "usb", "devfile", "network", "file", "none")
FLOWS = ("none", "rtscts", "dsrdtr", "xonxoff")
BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_REQUIRED = {
    "serial": ("device",),
    "usb": ("vendor", "product"),
    "devfile": ("path",),
    "network": ("host",),
    "file": ("path",),
    "none": (),
}
_OPTIONAL: dict[str, dict[str, Any]] = {
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


def _bad(message: str, **kw: Any) -> PrinterConfigError:
    return PrinterConfigError(_("Printer configuration: ") + _(message).format(**kw))


def _int(cfg: dict[str, Any], key: str, lo: int, hi: int) -> int:
    value = cfg[key]
    if isinstance(value, str) and value.strip().lower().startswith("0x"):
        with contextlib.suppress(ValueError):
            value = int(value, 16)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(
            "{key} must be a whole number from {lo} to {hi}, not {value!r}",
            key=key,
            lo=lo,
            hi=hi,
            value=cfg[key],
        )
    return value


def validate_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """Check a terminal's "printer" config; returns a copy with every default filled in."""
    if not isinstance(cfg, dict):
        raise _bad("expected an object, not {value!r}", value=cfg)
    kind = cfg.get("kind")
    if kind not in KINDS:
        raise _bad("kind must be one of {kinds}, not {value!r}", kinds=", ".join(KINDS), value=kind)
    out = {"kind": kind, **COMMON, **_OPTIONAL[kind]}
    allowed = set(out) | set(_REQUIRED[kind])
    unknown = sorted(set(cfg) - allowed)
    if unknown:
        raise _bad("unknown setting {key!r} for a {kind} printer", key=unknown[0], kind=kind)
    for key in _REQUIRED[kind]:
        if key not in cfg:
            raise _bad("a {kind} printer needs {key!r}", kind=kind, key=key)
    out.update(cfg)
    for key in ("device", "path", "host"):
        if key in out and (not isinstance(out[key], str) or not out[key].strip()):
            raise _bad("{key} must be a non-empty text, not {value!r}", key=key, value=out[key])
    if kind == "serial":
        if out["baud"] not in BAUDS or isinstance(out["baud"], bool):
            raise _bad(
                "baud must be one of {values}, not {value!r}",
                values=", ".join(map(str, BAUDS)),
                value=out["baud"],
            )
        if out["flow"] not in FLOWS:
            raise _bad(
                "flow must be one of {values}, not {value!r}",
                values=", ".join(FLOWS),
                value=out["flow"],
            )
    for key in ("vendor", "product"):
        if key in out:
            out[key] = _int(out, key, 0, 0xFFFF)
    if "port" in out:
        out["port"] = _int(out, "port", 1, 65535)
    if "timeout" in out:
        t = out["timeout"]
        if isinstance(t, bool) or not isinstance(t, int | float) or not 0 < t <= 60:
            raise _bad(
                "timeout must be a number of seconds above 0 and at most 60, not {value!r}", value=t
            )
    out["width"] = _int(out, "width", 24, 80)
    try:
        out["codepage"] = esc.codepage_name(str(out["codepage"]))
    except ValueError:
        raise _bad(
            "unsupported code page {value!r}; use one of {values}",
            value=out["codepage"],
            values=", ".join(esc.CODEPAGES),
        ) from None
    if out["profile"] is not None:
        from hardware._escpos import profile_codepages

        try:
            slots = profile_codepages(str(out["profile"]))
        except KeyError:
            raise _bad("unknown printer profile {value!r}", value=out["profile"]) from None
        if out["codepage_slot"] is None and out["codepage"] not in slots:
            raise _bad(
                "printer profile {profile!r} has no code page {value}",
                profile=out["profile"],
                value=out["codepage"],
            )
    if out["codepage_slot"] is not None:
        out["codepage_slot"] = _int(out, "codepage_slot", 0, 255)
    if out["drawer_pin"] not in (2, 5) or isinstance(out["drawer_pin"], bool):
        raise _bad("drawer_pin must be 2 or 5, not {value!r}", value=out["drawer_pin"])
    out["pulse_on_ms"] = _int(out, "pulse_on_ms", 2, 510)
    out["pulse_off_ms"] = _int(out, "pulse_off_ms", 2, 510)
    if not isinstance(out["wait_drawer_closed"], bool):
        raise _bad("wait_drawer_closed must be true or false")
    if out["drawer_open_level"] not in ("high", "low"):
        raise _bad('drawer_open_level must be "high" or "low"')
    return out


def codepage_slot(cfg: dict[str, Any]) -> int:
    """The ESC t number for the config's code page on its printer model."""
    if cfg.get("codepage_slot") is not None:
        return int(cfg["codepage_slot"])
    if cfg.get("profile"):
        from hardware._escpos import profile_codepages

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
