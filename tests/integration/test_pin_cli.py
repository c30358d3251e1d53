"""The `kassi` command and PINs (SPEC R-10): KASSI_PIN or a hidden prompt on a terminal,
a warning when --pin puts the PIN in the process list, no prompt without a terminal,
and `kassi staff unlock` for a manager."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.kassi_command import Kassi, at_a_terminal, demo_with_printers, kassi_command

pytestmark = pytest.mark.integration

SALE = ("sale", "--terminal", "T1", "--item", "1001", "--pay", "card")
PS_WARNING = "Warning: --pin shows in the process list"


@pytest.fixture
def store(tmp_path: Path) -> Kassi:
    return Kassi(demo_with_printers(tmp_path), args=("--lang", "en"))


def run(store: Kassi, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return store.run(*args, env=extra)


def sales(store: Kassi) -> int:
    with store.open_db() as db:
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


@pytest.mark.skipif(not Path(kassi_command()[0]).is_file(), reason="needs the kassi script")
def test_on_a_terminal_the_pin_is_asked_for_and_not_echoed(store) -> None:
    """SPEC R-10: at a terminal with no PIN given, kassi prompts; the typed PIN is hidden."""
    code, shown = at_a_terminal(store.env, [*SALE, "--staff", "2"], [(b"PIN:", "2222")])
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
