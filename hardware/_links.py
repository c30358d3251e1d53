"""The byte pipes behind a Printer: serial, network, USB, files and device files.

Each connection has open(deadline), write(data, deadline), query(request,
deadline) -> one status byte or None, and close(); every call ends by its
deadline (time.monotonic()) and raises PrinterFault for anything that goes wrong.

Serial ports are driven with termios and non-blocking writes rather than
pyserial (not installed: python-escpos lists it only as an extra) or escpos'
Serial, whose writes have no timeout: a poll() loop bounds the write and the
drain. Files and device files are written from a worker thread joined with a
timeout, since open() or write() on a stuck device blocks inside the kernel.
USB goes through pyusb when it is installed, with explicit per-call timeouts
(escpos' Usb defaults to 0 = wait forever).
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

from hardware.device import PrinterFault


def _os_fault(exc: BaseException, where: str) -> PrinterFault:
    code = getattr(exc, "errno", None)
    detail = f"{where} ({getattr(exc, 'strerror', None) or exc})"
    if isinstance(exc, socket.timeout):
        return PrinterFault("no_answer", where)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EHOSTUNREACH, errno.ENETUNREACH):
        return PrinterFault("device_missing", detail)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PrinterFault("permission_denied", detail)
    if code == errno.ECONNREFUSED:
        return PrinterFault("connection_refused", where)
    if isinstance(exc, socket.gaierror):
        return PrinterFault("device_missing", detail)
    return PrinterFault("io_error", detail)


def _left(deadline: float) -> float:
    return deadline - time.monotonic()


class _Serial:
    can_read = True

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.path, self.baud, self.flow = cfg["device"], cfg["baud"], cfg["flow"]
        self.fd: int | None = None

    def open(self, deadline: float) -> None:
        import termios

        try:
            # O_NONBLOCK: open() of a tty may otherwise wait for carrier detect forever.
            fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as e:
            raise _os_fault(e, self.path) from e
        try:
            cc = termios.tcgetattr(fd)[6]
            cc[termios.VMIN], cc[termios.VTIME] = 0, 0
            speed = getattr(termios, f"B{self.baud}")
            iflag = termios.IXON | termios.IXOFF if self.flow == "xonxoff" else 0
            cflag = termios.CS8 | termios.CREAD | termios.CLOCAL
            if self.flow == "rtscts":
                cflag |= termios.CRTSCTS
            # raw 8N1, no echo: an echo would come back to us as a status reply
            termios.tcsetattr(fd, termios.TCSANOW, [iflag, 0, cflag, 0, speed, speed, cc])
            if self.flow == "dsrdtr":
                with contextlib.suppress(OSError):  # ptys and some adapters have no DTR
                    self._modem(termios.TIOCMBIS, termios.TIOCM_DTR, fd)
        except (termios.error, OSError) as e:
            os.close(fd)
            raise PrinterFault("io_error", f"{self.path} is not a serial port ({e})") from e
        self.fd = fd

    def _modem(self, request: int, bits: int, fd: int) -> int:
        import fcntl

        return struct.unpack("I", fcntl.ioctl(fd, request, struct.pack("I", bits)))[0]

    def _dsr_ready(self) -> bool:
        import termios

        if self.flow != "dsrdtr":
            return True
        try:
            return bool(self._modem(termios.TIOCMGET, 0, self.fd) & termios.TIOCM_DSR)
        except OSError:  # no modem lines (USB adapters without them, ptys): do not gate
            return True

    def write(self, data: bytes, deadline: float) -> None:
        import termios

        view, poller = memoryview(data), select.poll()
        poller.register(self.fd, select.POLLOUT)
        while view:
            if _left(deadline) <= 0:
                raise PrinterFault("write_timeout", self.path)
            if not self._dsr_ready():
                time.sleep(0.01)
                continue
            if not poller.poll(max(1, int(_left(deadline) * 1000))):
                continue
            try:
                # Small chunks under DSR/DTR, so a printer that drops DSR stops us quickly.
                n = os.write(self.fd, view[:64] if self.flow == "dsrdtr" else view)
            except BlockingIOError:
                continue
            except OSError as e:
                raise _os_fault(e, self.path) from e
            view = view[n:]
        # Written is not sent: wait for the UART to empty, allowing for the line speed.
        drain = deadline + len(data) * 10 / self.baud
        while self._queued(termios.TIOCOUTQ) > 0:
            if _left(drain) <= 0:
                raise PrinterFault("write_timeout", self.path)
            time.sleep(0.005)

    def _queued(self, request: int) -> int:
        try:
            return self._modem(request, 0, self.fd)
        except OSError:
            return 0

    def query(self, request: bytes, deadline: float) -> int | None:
        import termios

        termios.tcflush(self.fd, termios.TCIFLUSH)  # a stale byte would pass for the answer
        self.write(request, deadline)
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        while _left(deadline) > 0:
            if poller.poll(max(1, int(_left(deadline) * 1000))):
                try:
                    got = os.read(self.fd, 1)
                except BlockingIOError:
                    continue
                except OSError as e:
                    raise _os_fault(e, self.path) from e
                if got:
                    return got[0]
                time.sleep(0.005)  # hung up: poll() would return at once again
        return None

    def close(self) -> None:
        if self.fd is not None:
            import termios

            fd, self.fd = self.fd, None
            # Anything still queued would make close() wait out the port's closing_wait
            # (30 s by default); after a failed send it is not going anywhere anyway.
            with contextlib.suppress(termios.error):
                termios.tcflush(fd, termios.TCOFLUSH)
            os.close(fd)


class _Network:
    can_read = True

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.host, self.port = cfg["host"], cfg["port"]
        self.where = f"{self.host}:{self.port}"
        self.sock: socket.socket | None = None

    def open(self, deadline: float) -> None:
        try:
            self.sock = socket.create_connection((self.host, self.port), timeout=_left(deadline))
        except OSError as e:
            raise _os_fault(e, self.where) from e

    def write(self, data: bytes, deadline: float) -> None:
        assert self.sock is not None
        try:
            self.sock.settimeout(max(0.001, _left(deadline)))
            self.sock.sendall(data)  # the timeout bounds the whole sendall (Python >= 3.5)
        except TimeoutError:
            raise PrinterFault("write_timeout", self.where) from None
        except OSError as e:
            raise _os_fault(e, self.where) from e

    def query(self, request: bytes, deadline: float) -> int | None:
        assert self.sock is not None
        self.sock.setblocking(False)
        try:
            while self.sock.recv(256):  # drop stale bytes
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as e:
            raise _os_fault(e, self.where) from e
        self.write(request, deadline)
        try:
            self.sock.settimeout(max(0.001, _left(deadline)))
            got = self.sock.recv(1)
        except TimeoutError:
            return None
        except OSError as e:
            raise _os_fault(e, self.where) from e
        return got[0] if got else None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


_pending: dict[str, threading.Thread] = {}  # path -> a write that outlived its timeout


class _FileSink:
    """`file` appends (demo sink); `devfile` writes to an existing device such as /dev/usb/lp0."""

    can_read = False

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.path, self.append = cfg["path"], cfg["kind"] == "file"

    def open(self, deadline: float) -> None:
        pass  # opened per write, inside the worker thread: open() itself can block

    def _write(self, data: bytes, result: dict[str, BaseException]) -> None:
        try:
            if self.append:
                parent = Path(self.path).parent
                if not parent.exists():
                    parent.mkdir(parents=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            else:
                fd = os.open(self.path, os.O_WRONLY)  # no O_CREAT: never fake a device
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        except BaseException as e:  # handed to the caller's thread
            result["error"] = e

    def write(self, data: bytes, deadline: float) -> None:
        stuck = _pending.get(self.path)
        if stuck is not None and stuck.is_alive():
            raise PrinterFault("write_timeout", self.path)
        result: dict[str, BaseException] = {}
        worker = threading.Thread(
            target=self._write, args=(data, result), daemon=True, name=f"kassi-print {self.path}"
        )
        worker.result = result  # type: ignore[attr-defined]  # the spool asks a stuck write later
        worker.start()
        worker.join(max(0.0, _left(deadline)))
        if worker.is_alive():
            _pending[self.path] = worker
            raise PrinterFault("write_timeout", self.path)
        if "error" in result:
            raise _os_fault(result["error"], self.path)

    def query(self, request: bytes, deadline: float) -> int | None:
        return None

    def close(self) -> None:
        pass


class _NoPrinter(_FileSink):
    def __init__(self, cfg: dict[str, Any]) -> None:
        pass

    def write(self, data: bytes, deadline: float) -> None:
        raise PrinterFault("not_configured")


class _Usb:
    can_read = True

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.vendor, self.product = cfg["vendor"], cfg["product"]
        self.where = f"USB {self.vendor:04x}:{self.product:04x}"
        self.dev: Any = None
        self.out: Any = None
        self.inp: Any = None

    def _fault(self, exc: Any) -> PrinterFault:
        import usb.core

        timeout_error = getattr(usb.core, "USBTimeoutError", ())
        if isinstance(exc, timeout_error) or getattr(exc, "errno", None) == errno.ETIMEDOUT:
            return PrinterFault("write_timeout", self.where)
        return _os_fault(exc, self.where)

    def open(self, deadline: float) -> None:
        try:
            import usb.core
            import usb.util
        except ImportError:
            raise PrinterFault("unsupported", "USB needs the pyusb package") from None
        try:
            dev = usb.core.find(idVendor=self.vendor, idProduct=self.product)
        except usb.core.NoBackendError:
            raise PrinterFault("unsupported", "USB needs libusb") from None
        if dev is None:
            raise PrinterFault("device_missing", self.where)
        try:
            try:  # usblp owns the interface when /dev/usb/lp0 exists
                if dev.is_kernel_driver_active(0):
                    dev.detach_kernel_driver(0)
            except (NotImplementedError, usb.core.USBError):
                pass
            try:
                dev.set_configuration()
            except usb.core.USBError as e:
                if e.errno != errno.EBUSY:  # already configured is fine
                    raise
            intf = dev.get_active_configuration()[(0, 0)]

            def endpoint(direction: int) -> Any:
                return usb.util.find_descriptor(
                    intf,
                    custom_match=lambda e: (
                        usb.util.endpoint_direction(e.bEndpointAddress) == direction
                    ),
                )

            self.out, self.inp = endpoint(usb.util.ENDPOINT_OUT), endpoint(usb.util.ENDPOINT_IN)
        except usb.core.USBError as e:
            usb.util.dispose_resources(dev)
            raise self._fault(e) from e
        if self.out is None:
            usb.util.dispose_resources(dev)
            raise PrinterFault("io_error", f"{self.where}: no output endpoint")
        self.dev = dev

    def write(self, data: bytes, deadline: float) -> None:
        import usb.core

        if _left(deadline) <= 0:
            raise PrinterFault("write_timeout", self.where)
        try:
            self.out.write(data, timeout=max(1, int(_left(deadline) * 1000)))
        except usb.core.USBError as e:
            raise self._fault(e) from e

    def query(self, request: bytes, deadline: float) -> int | None:
        import usb.core

        if self.inp is None:
            return None
        self.write(request, deadline)
        try:
            got = self.inp.read(
                self.inp.wMaxPacketSize, timeout=max(1, int(_left(deadline) * 1000))
            )
        except usb.core.USBError as e:
            if self._fault(e).reason == "write_timeout":
                return None
            raise self._fault(e) from e
        return got[0] if len(got) else None

    def close(self) -> None:
        if self.dev is not None:
            import usb.util

            usb.util.dispose_resources(self.dev)
            self.dev = None


def connect(cfg: dict[str, Any]) -> Any:
    """The (not yet opened) connection for a validated printer config."""
    kinds = {
        "serial": _Serial,
        "network": _Network,
        "file": _FileSink,
        "devfile": _FileSink,
        "none": _NoPrinter,
        "usb": _Usb,
    }
    return kinds[cfg["kind"]](cfg)
