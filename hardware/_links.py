"""The byte pipes behind a printer: python-escpos' own transports, bounded (SPEC P-1).

Serial, Usb, Network and File from escpos.printer do the opening and the
writing (escpos' `_raw`); this module adds what kassi needs around them:

- our timeouts on every transport: pyserial's `write_timeout` (escpos leaves it
  unset: a port held by flow control blocks forever), an explicit USB timeout
  (escpos' default 0 means "wait forever"), the socket timeout;
- replies read through the transport's device with our deadline, rather than
  escpos' `query_status`, which writes and reads once with the transport's own
  timeout and cannot tell a late or stray byte from the answer;
- a link that failed or overran is dropped without a blocking flush (escpos'
  Serial.close() drains the port first, which never ends on a stuck printer);
- errors mapped to PrinterFault reasons, so a message says what is wrong.

Every call here may block; hardware/transport.py runs them in worker threads
joined with a deadline (`bounded`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from core.printing.port import PrinterFault
from hardware._escpos import import_escpos

T = TypeVar("T")

# -- errors ----------------------------------------------------------------------------

_MISSING = (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EHOSTUNREACH, errno.ENETUNREACH)
_RESET = (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED, errno.ESHUTDOWN)


def _cause(exc: BaseException) -> BaseException:
    """The OS error behind escpos' DeviceNotFoundError (raised inside an except block)."""
    seen = exc
    while seen.__cause__ or seen.__context__:
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
        if isinstance(seen, OSError) or getattr(seen, "errno", None):
            return seen
    return exc


def fault_from(exc: BaseException, where: str) -> PrinterFault:
    """The PrinterFault for an exception raised by a transport."""
    if isinstance(exc, PrinterFault):
        return exc
    name = type(exc).__name__
    if name == "NoBackendError":  # pyusb found no libusb
        return PrinterFault(
            "unsupported", f"USB needs libusb (install libusb-1.0) for {where}; jobs stay queued"
        )
    if name in ("SerialTimeoutException", "USBTimeoutError"):
        return PrinterFault("write_timeout", where)
    exc = _cause(exc)
    code = getattr(exc, "errno", None)
    text = str(getattr(exc, "strerror", None) or exc)
    detail = f"{where} ({text})"
    if isinstance(exc, socket.timeout) or code == errno.ETIMEDOUT:
        return PrinterFault("write_timeout", where)
    if "Could not configure port" in text:
        return PrinterFault("io_error", f"{where} is not a serial port ({text})")
    if "returned no data" in text:  # pyserial: the other side of the port went away
        return PrinterFault("connection_reset", where)
    if code in _MISSING or isinstance(exc, socket.gaierror):
        return PrinterFault("device_missing", detail)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PrinterFault("permission_denied", detail)
    if code == errno.ECONNREFUSED:
        return PrinterFault("connection_refused", where)
    if code in _RESET:
        return PrinterFault("connection_reset", where)
    if "not found" in text.lower():  # escpos' own "device not found" without an OS error
        return PrinterFault("device_missing", detail)
    return PrinterFault("io_error", detail)


# -- running a blocking call with a deadline ---------------------------------------------


class Overrun(Exception):
    """A blocking call outlived its deadline; `worker` is still inside it."""

    def __init__(self, worker: threading.Thread) -> None:
        super().__init__(worker.name)
        self.worker = worker


def bounded(fn: Callable[[], T], seconds: float, name: str) -> T:
    """fn() in a daemon thread joined for `seconds`: Overrun if it is still running.

    The caller's thread never waits longer than that, whatever the OS does with
    the call (a write to a stuck device file stays in the kernel).
    """
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            result["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name=f"kassi-printer {name}")
    worker.result = result  # type: ignore[attr-defined]  # read later for a stuck write
    worker.start()
    worker.join(max(0.0, seconds))
    if worker.is_alive():
        raise Overrun(worker)
    if "error" in result:
        raise result["error"]
    return result.get("value")  # type: ignore[return-value]


# A write to a file or device file that outlived its timeout: device path -> its
# worker, whose `.result` says how it ended. Per process, so a new Printer for the
# same setting sees it (core.printing.port.Printer.blocked_write).
pending_writes: dict[str, threading.Thread] = {}
_pending = pending_writes  # the name the old spool (hardware/spool.py) reads


# -- the links -----------------------------------------------------------------------


class Link:
    """One printer connection over an escpos transport (`self.tp`)."""

    can_read = True
    line_rate: float | None = None  # bytes per second where the line limits it (serial)

    def __init__(self, cfg: dict[str, Any], where: str) -> None:
        self.cfg, self.where = cfg, where
        self.timeout = float(cfg.get("timeout", 3))
        self.tp: Any = None
        self.is_open = False

    def open(self) -> None:
        try:
            self.tp.open()
        except Exception as exc:
            self.tp._device = False
            raise fault_from(exc, self.where) from exc
        self.is_open = True

    def dev(self) -> Any:
        """The open device. Not escpos' `device` property: that opens the transport
        again when it is closed, and a worker abandoned mid-call must not reopen it."""
        dev = self.tp._device
        if not dev:
            raise PrinterFault("io_error", f"{self.where}: the connection was closed")
        return dev

    def write(self, data: bytes) -> None:
        self.dev()
        try:
            self.tp._raw(data)  # escpos' own write path, with our timeout set at open
        except Exception as exc:
            raise fault_from(exc, self.where) from exc

    def read(self, timeout: float) -> bytes:
        """What arrived within `timeout` (b"" if nothing); connection_reset if closed."""
        return b""

    def discard_input(self) -> None:
        """Drop stale bytes, so an old reply never passes for the next answer."""
        while self.read(0.0):
            pass

    def drop(self) -> None:
        """Close without waiting for anything (after a fault or an overrun)."""
        self.close()

    def close(self) -> None:
        self.is_open = False
        with contextlib.suppress(Exception):
            self.tp.close()  # escpos' close (Serial's made non-blocking: _classes)
        self.tp._device = False


class SerialLink(Link):
    def __init__(self, cfg: dict[str, Any], where: str) -> None:
        super().__init__(cfg, where)
        flow = cfg["flow"]
        self.line_rate = cfg["baud"] / 10  # 8N1: ten bits a byte
        self.tp = _classes()[0](
            devfile=cfg["device"],
            baudrate=cfg["baud"],
            timeout=self.timeout,
            xonxoff=flow == "xonxoff",
            dsrdtr=flow == "dsrdtr",
        )

    def open(self) -> None:
        super().open()
        dev = self.dev()
        dev.write_timeout = self.timeout  # escpos leaves it None: a write could block forever
        dev.timeout = 0  # reads never block inside pyserial: read() waits with select()
        if self.cfg["flow"] == "rtscts":
            dev.rtscts = True  # escpos' Serial has no rtscts argument

    def write(self, data: bytes) -> None:
        dev = self.dev()
        # The line itself needs len*10/baud: a long receipt at 9600 baud is not a timeout.
        dev.write_timeout = self.timeout + len(data) / self.line_rate
        super().write(data)

    def read(self, timeout: float) -> bytes:
        # Not pyserial's read(16) with a timeout: it waits for all 16 bytes or the
        # whole timeout, and a status reply is one byte. Wait for the first byte
        # ourselves, then take what is there (the port's timeout is 0: set at open).
        dev = self.dev()
        try:
            if not select.select([dev.fileno()], [], [], max(0.0, timeout))[0]:
                return b""
            return dev.read(max(1, dev.in_waiting))
        except Exception as exc:
            raise fault_from(exc, self.where) from exc


class NetworkLink(Link):
    def __init__(self, cfg: dict[str, Any], where: str) -> None:
        super().__init__(cfg, where)
        self.tp = import_escpos().Network(host=cfg["host"], port=cfg["port"], timeout=self.timeout)

    def write(self, data: bytes) -> None:
        self.dev().settimeout(self.timeout)  # bounds the whole sendall (Python >= 3.5)
        super().write(data)

    def read(self, timeout: float) -> bytes:
        sock = self.dev()
        try:
            if timeout <= 0:
                sock.setblocking(False)
            else:
                sock.settimeout(timeout)
            got = sock.recv(256)
        except (BlockingIOError, TimeoutError):
            return b""
        except OSError as exc:
            raise fault_from(exc, self.where) from exc
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(self.timeout)
        if not got:  # the printer closed the connection
            raise PrinterFault("connection_reset", self.where)
        return got


class UsbLink(Link):
    def __init__(self, cfg: dict[str, Any], where: str) -> None:
        super().__init__(cfg, where)
        # timeout in ms for pyusb; escpos' default 0 would wait forever
        self.tp = import_escpos().Usb(
            idVendor=cfg["vendor"], idProduct=cfg["product"], timeout=self._ms(self.timeout)
        )

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(1, int(seconds * 1000))

    def open(self) -> None:
        super().open()
        self._endpoints()

    def _endpoints(self) -> None:
        """Use the interface's real endpoints; no IN endpoint means no status (can_read)."""
        try:
            intf = self.dev().get_active_configuration()[(0, 0)]
            addresses = [ep.bEndpointAddress for ep in intf]
        except Exception:  # no descriptor to read: keep escpos' 0x01/0x82 guess
            return
        outs = [a for a in addresses if not a & 0x80]
        ins = [a for a in addresses if a & 0x80]
        if outs:
            self.tp.out_ep = outs[0]
        self.can_read = bool(ins)
        if ins:
            self.tp.in_ep = ins[0]

    def read(self, timeout: float) -> bytes:
        if not self.can_read:
            return b""
        try:
            return bytes(self.dev().read(self.tp.in_ep, 16, self._ms(timeout)))
        except Exception as exc:
            fault = fault_from(exc, self.where)
            if fault.reason == "write_timeout":  # a read timeout: nothing arrived
                return b""
            raise fault from exc


class FileLink(Link):
    """`file`: the demo sink, appended to; `devfile`: an existing device (/dev/usb/lp0).

    Opened per write inside the bounded worker: open() of a stuck device blocks too.
    """

    can_read = False

    def __init__(self, cfg: dict[str, Any], where: str) -> None:
        super().__init__(cfg, where)
        self.path = cfg["path"]
        append_file, device_file = _classes()[1:]
        self.tp = (append_file if cfg["kind"] == "file" else device_file)(devfile=self.path)

    def open(self) -> None:
        pass  # see write()

    def write(self, data: bytes) -> None:
        try:
            self.tp.open()
            try:
                self.tp._raw(data)
            finally:
                self.close()
        except Exception as exc:
            raise fault_from(exc, self.where) from exc


@cache
def _classes() -> tuple[type, type, type]:
    """Our three adjustments of escpos' transport classes (made once, on first use)."""
    printer = import_escpos()

    class QuietSerial(printer.Serial):  # type: ignore[misc, name-defined]
        """escpos' Serial.close() flushes (tcdrain) first, which never ends on a printer
        that holds flow control, and pyserial's close() of a port with bytes queued
        waits out its closing_wait (30 s): throw the queued bytes away, then close.
        (escpos calls close() from __del__ too, on whatever thread collects it.)"""

        def close(self) -> None:
            dev, self._device = self._device, False
            if dev:
                with contextlib.suppress(Exception):
                    dev.reset_output_buffer()
                    dev.close()

    class AppendFile(printer.File):  # type: ignore[misc, name-defined]
        """escpos' File opens with "wb", which empties the demo sink at every open."""

        def open(self, raise_not_found: bool = True) -> None:
            Path(self.devfile).parent.mkdir(parents=True, exist_ok=True)
            self.device = open(self.devfile, "ab")  # noqa: SIM115  # closed by close()

    class DeviceFile(printer.File):  # type: ignore[misc, name-defined]
        """escpos' File opens with "wb", which creates the file when the device is
        absent: an unplugged /dev/usb/lp0 would become a regular file that swallows
        receipts. Open an existing path only (no O_CREAT)."""

        def open(self, raise_not_found: bool = True) -> None:
            self.device = os.fdopen(os.open(self.devfile, os.O_WRONLY), "wb", buffering=0)

    return QuietSerial, AppendFile, DeviceFile


LINKS: dict[str, type[Link]] = {
    "serial": SerialLink,
    "network": NetworkLink,
    "usb": UsbLink,
    "file": FileLink,
    "devfile": FileLink,
}
