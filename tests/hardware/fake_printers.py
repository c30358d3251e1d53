"""Fake ESC/POS printers for the tests (and bench/): a network printer on loopback
and a pty as a serial printer, each able to play the faults of SPEC P-2.

Both run the same small printer model (`PrinterModel`), which reads the stream
command by command, the way a printer does:
- DLE EOT n is answered in real time, the moment it arrives, even while the
  printer is stalled (paper out, cover open) and holds the print data;
- GS r 1 is answered in order, only once everything before it has printed;
- a receipt counts as printed when its cut (GS V) is processed: `receipts`
  holds each one's bytes (drawer pulses and status requests left out).

Every server thread ends by itself after LIFETIME seconds, whatever the test does.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

LIFETIME = 15.0
ONLINE = {1: 0x12, 2: 0x12, 4: 0x12}  # DLE EOT replies of a healthy printer, drawer closed


def command_length(buf: bytes | bytearray, i: int) -> int | None:
    """Length of the ESC/POS command (or text byte) at buf[i]; None if it is incomplete."""
    n = len(buf) - i
    b = buf[i]
    if b != 0x1B and b != 0x1D and b != 0x10:
        return 1  # text, LF, or a byte the model ignores
    if n < 2:
        return None
    c = buf[i + 1]
    if b == 0x10:
        return 3 if c == 0x04 and n >= 3 else (None if c == 0x04 else 2)
    if b == 0x1B:
        size = {ord("@"): 2, ord("p"): 5}.get(c, 3)
        return size if n >= size else None
    if c == ord("k"):  # GS k m n d1..dn (function B forms, m >= 65)
        return 4 + buf[i + 3] if n >= 4 and n >= 4 + buf[i + 3] else None
    if c == ord("("):  # GS ( k pL pH ...
        if n < 5:
            return None
        size = 5 + buf[i + 3] + (buf[i + 4] << 8)
        return size if n >= size else None
    if c == ord("V"):
        if n < 3:
            return None
        return 4 if buf[i + 2] in (65, 66) else 3
    return 3 if n >= 3 else None


class PrinterModel:
    """What a printer does with the bytes it takes; `feed` returns its answers."""

    def __init__(
        self,
        *,
        paper_out: bool = False,
        cover_open: bool = False,
        near_end: bool = False,
        drawer_opens: bool = True,
        replies: dict[int, int] | None = None,
        confirm: bool = True,
    ) -> None:
        self.paper_out, self.cover_open, self.near_end = paper_out, cover_open, near_end
        self.drawer_opens = drawer_opens
        self.drawer_open = False
        self.replies = replies  # fixed DLE EOT answers (a missing n: silence), else the model's
        self.confirm = confirm  # answer GS r 1 at all
        self.buf = bytearray()
        self.held: list[bytes] = []  # print data waiting while stalled
        self.page = bytearray()
        self.receipts: list[bytes] = []
        self.pulses = 0
        self.confirmations = 0
        self.lock = threading.Lock()

    @property
    def stalled(self) -> bool:
        return self.paper_out or self.cover_open

    def dle_eot(self, n: int) -> int | None:
        if self.replies is not None:
            return self.replies.get(n)
        if n == 1:
            return 0x12 | (0x04 if self.drawer_open else 0) | (0x08 if self.stalled else 0)
        if n == 2:
            return 0x12 | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
        if n == 4:
            return 0x12 | (0x60 if self.paper_out else 0) | (0x0C if self.near_end else 0)
        return 0x12

    def _process(self, cmd: bytes, out: bytearray) -> None:
        if cmd[:2] == b"\x1dr":
            if self.confirm:
                self.confirmations += 1
                out.append((0x0C if self.paper_out else 0) | (0x03 if self.near_end else 0))
        elif cmd[:2] == b"\x1bp":
            self.pulses += 1
            self.drawer_open = self.drawer_open or self.drawer_opens
        else:
            self.page += cmd
            if cmd[:2] == b"\x1dV":
                self.receipts.append(bytes(self.page))
                self.page.clear()

    def feed(self, chunk: bytes) -> bytes:
        out = bytearray()
        with self.lock:
            self.buf += chunk
            i = 0
            while i < len(self.buf):
                size = command_length(self.buf, i)
                if size is None:
                    break
                cmd = bytes(self.buf[i : i + size])
                i += size
                if cmd[:2] == b"\x10\x04":
                    reply = self.dle_eot(cmd[2])
                    if reply is not None:
                        out.append(reply)
                elif self.stalled:
                    self.held.append(cmd)
                else:
                    self._process(cmd, out)
            del self.buf[:i]
        return bytes(out)

    def recover(self) -> None:
        """Paper loaded, cover shut: the printer was reset, what it held is gone."""
        with self.lock:
            self.paper_out = self.cover_open = False
            self.held.clear()

    def close_drawer(self) -> None:
        self.drawer_open = False


def refused_port() -> int:
    """A loopback port with nothing listening (bound once, never listened on)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


class FakeNetworkPrinter:
    """A port-9100 printer on 127.0.0.1 that plays `mode`:

    "ok"               reads everything, answers (the model decides what);
    "hang"             accepts the connection and never reads a byte;
    "answer_then_stop" answers the first `answers` status requests (3: one status()
                       call), then stops reading, on every connection;
    "reset"            resets the connection (RST) once it took `reset_after` bytes;
    "slow"             reads 64 bytes at a time with a pause between.
    """

    def __init__(
        self, mode: str = "ok", *, reset_after: int = 200, answers: int = 3, **model: Any
    ) -> None:
        assert mode in ("ok", "hang", "answer_then_stop", "reset", "slow"), mode
        self.mode, self.reset_after, self.answers = mode, reset_after, answers
        self.model = PrinterModel(**model)
        self.received = bytearray()
        self.connections = 0
        self.stop = threading.Event()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # a small window, so a printer that does not read pushes back quickly
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.clients: list[socket.socket] = []
        self.end = time.monotonic() + LIFETIME
        self.thread = threading.Thread(target=self._accept, daemon=True, name="fake-printer")

    @property
    def receipts(self) -> list[bytes]:
        return self.model.receipts

    def config(self, **extra: object) -> dict[str, Any]:
        return {"kind": "network", "host": "127.0.0.1", "port": self.port, "timeout": 0.5, **extra}

    def __enter__(self) -> FakeNetworkPrinter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(2)
        for conn in self.clients:
            with contextlib.suppress(OSError):
                conn.close()
        self.server.close()

    def _running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.end

    def _accept(self) -> None:
        while self._running():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            self.clients.append(conn)
            if self.mode != "hang":
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        taken = 0
        while self._running():
            try:
                chunk = conn.recv(64 if self.mode == "slow" else 65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            if self.mode == "reset" and taken + len(chunk) >= self.reset_after:
                self.received += chunk[: self.reset_after - taken]
                # SO_LINGER 0: close() sends RST, not FIN; unread bytes are thrown away
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                return
            taken += len(chunk)
            self.received += chunk
            if self.mode == "answer_then_stop" and self.answers <= 0:
                while self._running():  # holds the connection, reads nothing more
                    time.sleep(0.05)
                return
            answer = self.model.feed(chunk)
            self.answers -= len(answer)
            if answer:
                with contextlib.suppress(OSError):
                    conn.sendall(answer)
            if self.mode == "slow":
                time.sleep(0.01)

    def wait_receipts(self, count: int, timeout: float = 5) -> list[bytes]:
        end = time.monotonic() + timeout
        while len(self.receipts) < count and time.monotonic() < end:
            time.sleep(0.01)
        return list(self.receipts)


@contextlib.contextmanager
def serial_pty() -> Iterator[tuple[int, str]]:
    """(master fd, slave path): the path is the printer's serial port, the master the printer.

    The test keeps its own slave fd open, so the master never sees a hang-up
    when the port is closed between calls.
    """
    master, slave = os.openpty()
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


class PtyPrinter:
    """A serial printer on the master side of a pty.

    `replies` fixes the DLE EOT answers ({n: byte}; a missing n stays silent,
    an empty dict is a printer that never answers, GS r 1 included); without
    it the model answers. `read=False` is a printer that never reads the port.
    """

    def __init__(
        self,
        master: int,
        replies: dict[int, int] | None = None,
        *,
        read: bool = True,
        **model: Any,
    ) -> None:
        self.master = master
        model.setdefault("confirm", replies != {})
        self.model = PrinterModel(replies=replies, **model)
        self.replies = replies
        self.read = read
        self.received = bytearray()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="fake-pty-printer")

    @property
    def receipts(self) -> list[bytes]:
        return self.model.receipts

    def _run(self) -> None:
        end = time.monotonic() + LIFETIME
        while self.read and not self.stop.is_set() and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            self.received += chunk
            answer = self.model.feed(chunk)
            if answer:
                os.write(self.master, answer)

    def wait_for(self, size: int, timeout: float = 5) -> bytes:
        end = time.monotonic() + timeout
        while len(self.received) < size and time.monotonic() < end:
            time.sleep(0.01)
        return bytes(self.received)

    def __enter__(self) -> PtyPrinter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(2)
