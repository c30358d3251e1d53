"""The `kassi` command and PINs (SPEC R-10): KASSI_PIN or a hidden prompt on a terminal,
a warning when --pin puts the PIN in the process list, no prompt without a terminal,
and `kassi staff unlock` for a manager."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from core.store import demo
from core.store.db import Db
from tests.integration.kassi_command import kassi_command

pytestmark = pytest.mark.integration

SALE = ("sale", "--terminal", "T1", "--item", "1001", "--pay", "card")
PS_WARNING = "Warning: --pin shows in the process list"


@pytest.fixture
def store(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "store.db"
    with Db(path) as db:
        demo.load_demo(db, printer_dir=tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KASSI_")}
    env["KASSI_DB"] = str(path)
    return env


def run(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*kassi_command(), "--lang", "en", *args],
        capture_output=True,
        text=True,
        env={**env, **extra},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def sales(env: dict[str, str]) -> int:
    with Db(env["KASSI_DB"]) as db:
        return db.scalar("SELECT COUNT(*) FROM sales")


def test_kassi_pin_from_the_environment_logs_in_without_a_warning(store) -> None:
    """SPEC R-10: KASSI_PIN is the scriptable way; it does not show in `ps`."""
    done = run(store, *SALE, "--staff", "2", KASSI_PIN="2222")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "Receipt 1" in done.stdout
    assert sales(store) == 1


def test_pin_on_the_command_line_works_but_warns(store) -> None:
    """SPEC R-10: --pin still works for old scripts, with a warning on stderr."""
    done = run(store, *SALE, "--staff", "2", "--pin", "2222")
    assert done.returncode == 0, done.stderr
    assert PS_WARNING in done.stderr and "KASSI_PIN" in done.stderr
    assert "2222" not in done.stderr


def test_no_pin_and_no_terminal_is_a_clear_error(store) -> None:
    """SPEC R-10: without a terminal there is nobody to prompt: a one-line message."""
    done = run(store, *SALE, "--staff", "2")
    assert done.returncode == 2
    assert "KASSI_PIN" in done.stderr and "Traceback" not in done.stderr
    assert sales(store) == 0


def _in_a_terminal(env: dict[str, str], args: list[str], answer: str) -> tuple[int, str]:
    """Run kassi with a pseudo-terminal as its controlling terminal and type `answer`
    at its prompt; returns the exit code and everything the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        try:
            os.execve(kassi_command()[0], [*kassi_command(), "--lang", "en", *args], env)
        finally:
            os._exit(127)
    shown = b""
    deadline = time.monotonic() + 60
    typed = False
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        if not typed and b"PIN:" in shown:
            os.write(fd, answer.encode() + b"\r")
            typed = True
    _pid, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


@pytest.mark.skipif(not Path(kassi_command()[0]).is_file(), reason="needs the kassi script")
def test_on_a_terminal_the_pin_is_asked_for_and_not_echoed(store) -> None:
    """SPEC R-10: at a terminal with no PIN given, kassi prompts; the typed PIN is hidden."""
    code, shown = _in_a_terminal(store, [*SALE, "--staff", "2"], "2222")
    assert code == 0, shown
    assert "PIN:" in shown and "Receipt 1" in shown
    assert "2222" not in shown  # hidden input: never echoed
    assert PS_WARNING not in shown
    assert sales(store) == 1


def test_staff_unlock_clears_a_lockout_for_a_manager_only(store) -> None:
    """SPEC R-10: `kassi staff unlock ID` (a manager) lets a locked-out person back in."""
    for _ in range(5):
        run(store, *SALE, "--staff", "2", KASSI_PIN="0000")
    locked = run(store, *SALE, "--staff", "2", KASSI_PIN="2222")
    assert locked.returncode != 0 and "This account is locked for 5 more minutes" in locked.stderr
    assert "Kasper" not in locked.stderr
    refused = run(store, "staff", "unlock", "2", "--staff", "3", KASSI_PIN="3333")
    assert refused.returncode == 3 and "not allowed" in refused.stderr
    done = run(store, "staff", "unlock", "2", "--staff", "1", KASSI_PIN="1234")
    assert done.returncode == 0, done.stderr
    assert "Staff member 2 can log in again." in done.stdout
    assert run(store, *SALE, "--staff", "2", KASSI_PIN="2222").returncode == 0
