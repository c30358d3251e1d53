"""One live process per terminal, with real processes (SPEC C-7): a second till on the
same terminal is refused with a clear message while the first lives, and allowed once
the first is gone, however it died (SIGKILL leaves no stale lock)."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from core.store.till_lock import lock_path
from tests.integration.kassi_command import kassi_command

pytestmark = pytest.mark.integration


def _env() -> dict[str, str]:
    return {**os.environ, "TERM": "xterm-256color", "KASSI_LANG": "en", "KASSI_TERMINAL": ""}


class Till:
    """A real `kassi` till on a pseudo-terminal; its screen output is drained."""

    def __init__(self, db: Path, terminal: str) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [*kassi_command(), "--db", str(db), "--terminal", terminal, "--no-mouse"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=_env(),
            start_new_session=True,
        )
        os.close(slave)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        try:
            while os.read(self.master, 65536):
                pass
        except OSError:
            pass

    def wait_holding(self, path: Path, seconds: float = 60) -> None:
        """Until the lock file names this process (start-up of a real till takes a while)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the till exited with {self.proc.returncode}")
            if path.exists() and path.read_text().strip() == str(self.proc.pid):
                return
            time.sleep(0.1)
        raise AssertionError("the till never took its terminal lock")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        os.close(self.master)


def second_till(db: Path, terminal: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*kassi_command(), "--db", str(db), "--terminal", terminal, "--no-mouse"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "shop.db"
    subprocess.run([*kassi_command(), "--db", str(db), "init", "--demo"], check=True, env=_env())
    return db


def test_a_second_process_on_a_live_terminal_is_refused_until_the_first_is_killed(demo_db):
    """C-7: refused with the holder named while it lives; free again after SIGKILL."""
    path = lock_path(demo_db, "T1")
    first = Till(demo_db, "T1")
    try:
        first.wait_holding(path)
        refused = second_till(demo_db, "T1")
        assert refused.returncode != 0
        message = refused.stderr.strip()
        assert len(message.splitlines()) == 1
        assert "Till T1 already runs in process" in message
        assert f"process {first.proc.pid}" in message
        assert first.proc.poll() is None, "the refusal leaves the first till alone"

        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=30)
        after = Till(demo_db, "T1")  # the kernel dropped the dead process's lock
        try:
            after.wait_holding(path)
        finally:
            after.kill()
    finally:
        first.kill()


def test_another_terminal_of_the_same_database_is_not_held_up(demo_db):
    """C-7: the lock is per terminal: T2 starts beside a live T1."""
    first = Till(demo_db, "T1")
    second = None
    try:
        first.wait_holding(lock_path(demo_db, "T1"))
        second = Till(demo_db, "T2")
        second.wait_holding(lock_path(demo_db, "T2"))
    finally:
        first.kill()
        if second is not None:
            second.kill()
