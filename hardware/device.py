"""The printer (and the drawer behind it) as one device, opened from a terminal's config.

Everything has a deadline, because a printer that is unplugged, out of paper
or holding flow control must never freeze a till (SPEC H-4): the connections
in hardware/_links.py bound every open, write, drain and read. A Printer is
safe to share between threads; each call holds its lock, and a call that
fails closes the connection so the next one starts clean.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from attrs import frozen

from core.documents import Document
from core.errors import InputError, KassiError
from core.i18n import N_, _
from hardware import render as esc

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


class PrinterConfigError(InputError, ValueError):
    """A terminal's printer config is wrong; a ValueError too, for callers that validate."""


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


# -- the Printer protocol (core/printer_port.py), until the transports branch ----------
# A temporary adapter of the Printer above to core's protocol: the lead replaces it
# with the python-escpos transports (P-1). Confirmed only where the link can read and
# a healthy status came back AFTER the data; file and device files are unconfirmed.


@contextlib.contextmanager
def _as_core_fault():
    from core.printer_port import PrinterFault as CoreFault

    try:
        yield
    except PrinterFault as fault:
        raise CoreFault(fault.reason, fault.detail, message=fault.message) from None


class _PortPrinter:
    def __init__(self, cfg: dict[str, Any]) -> None:
        from core.printer_port import PrinterConfigError as CoreConfigError

        try:
            self._p = Printer(cfg)
        except PrinterConfigError as exc:
            raise CoreConfigError(exc.message) from None
        self.kind, self.where, self.width = self._p.kind, self._p.where, self._p.width
        self.timeout, self.can_confirm = self._p.timeout, self._p.readable

    def render(self, doc: Document) -> bytes:
        return self._p.render(doc)

    def status(self) -> Any:
        import os

        import attrs

        from core.printer_port import PrinterState

        if self.kind == "devfile" and not os.path.exists(self.where):
            fault = PrinterFault("device_missing", self.where)
            return PrinterState(False, readable=False, error=fault.message, reason=fault.reason)
        return PrinterState(**attrs.asdict(self._p.status()))

    def _confirm(self) -> Any:
        from core.printer_port import PrinterFault as CoreFault

        st = self.status()
        if st.error is not None:
            raise CoreFault("unconfirmed", st.error)
        if (fault := st.fault()) is not None:
            raise fault
        return st

    def deliver(self, data: bytes, *, pulse: bool = False) -> Any:
        from core.printer_port import Delivery

        with _as_core_fault():
            self._p.send((self._p.drawer_pulse() if pulse else b"") + data)
        if not self.can_confirm:
            return Delivery(False, None, "pulse_sent" if pulse else None)
        st = self._confirm()
        return Delivery(True, st, ("opened" if st.drawer_open else "pulse_sent") if pulse else None)

    def pulse_drawer(self) -> str:
        with _as_core_fault():
            self._p.open_drawer()
        if self.can_confirm:
            st = self.status()
            if st.error is None and st.drawer_open:
                return "opened"
        return "pulse_sent"

    def blocked_write(self) -> str | None:
        from hardware import _links

        if self.kind not in ("file", "devfile"):
            return None
        thread = _links._pending.get(self.where)
        if thread is None:
            return None
        if thread.is_alive():
            return "blocked"
        del _links._pending[self.where]
        return "failed" if "error" in getattr(thread, "result", {}) else "went"

    def close(self) -> None:
        self._p.close()


def connect_printer(cfg: dict[str, Any]) -> Any:
    """A terminal's printer setting -> core's Printer (core.printer_port.PrinterFactory)."""
    return _PortPrinter(cfg)
