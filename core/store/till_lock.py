"""One live process per terminal (C-7): a lock held by the process that runs the till.

Two tills on one terminal would share one receipt counter, one drawer and one
session while each thinks it is alone. The lock is ``fcntl.flock`` on a file
beside the database, one per terminal, kept open for the life of the process:
the kernel drops it when the process ends in any way (quit, crash, SIGKILL,
power loss), so there is never a stale lock to clean up. The holder's pid is
written into the file only to name it in the refusal.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from core.errors import StateError
from core.text.i18n import _


class TerminalLock:
    """The held lock; ``release`` (or the process's end) lets another till take it."""

    def __init__(self, path: Path, fd: int | None, terminal_id: str) -> None:
        self.path = path
        self.terminal_id = terminal_id
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the only descriptor drops the flock

    def __enter__(self) -> TerminalLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_path(db_path: str | os.PathLike, terminal_id: str) -> Path:
    """``<database>.<terminal>.lock``: beside the database, so every till of that
    database (however it was started) looks at the same file."""
    db = Path(db_path).resolve()
    return db.with_name(f"{db.name}.{terminal_id}.lock")


def acquire(db_path: str | os.PathLike, terminal_id: str) -> TerminalLock:
    """Take the terminal's lock, or refuse with a clear message if a live process has it."""
    if str(db_path) == ":memory:":  # a private database: no other process can open it
        return TerminalLock(Path(":memory:"), None, terminal_id)
    path = lock_path(db_path, terminal_id)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise StateError(
            # C-9: one line with the "Error: " prefix, even with a long pid
            _("Till {terminal} already runs in process {pid}: use it or another till.").format(
                terminal=terminal_id, pid=holder or "?"
            )
        ) from None
    except OSError:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return TerminalLock(path, fd, terminal_id)
