"""End to end: `kassi --db postgresql://...` in tmux opens head office's back office
(SPEC X-1): pick the store, log in with a kassi PIN, see its statements."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.e2e.test_tmux_till import KASSI, tmux  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_head_office_back_office_in_tmux(tmux, pg_url):  # noqa: F811
    """X-1: the installed kassi on a PostgreSQL head office: the store picker, the login
    saying "Head office", the back office without the till's printer options, and the
    statements of the store picked; Ctrl+Q leaves."""
    config = os.environ["XDG_CONFIG_HOME"]
    command = (
        f"TERM=xterm-256color XDG_CONFIG_HOME={config} KASSI_IDLE_LOCK=0 {KASSI}"
        f" --db {pg_url} --lang en --no-mouse"
    )
    tmux.run("new-session", "-d", "-s", tmux.name, "-x", "80", "-y", "24", command)
    tmux.wait_for("which store?")
    tmux.keys("Down", "Enter")  # REYKJAVIK, the second
    tmux.wait_for("Head office")
    tmux.enter("1")
    tmux.text("1234")
    tmux.keys("Enter")
    screen = tmux.wait_for("Retail statements")
    assert "Kassi Búð Laugavegi" in screen and "Reprint" not in screen
    tmux.keys("Down", "Enter")
    tmux.wait_for("No statements yet")  # REYKJAVIK has none at head office
    tmux.keys("C-q")
    for _ in range(100):  # the session ends with the program
        if subprocess.run(["tmux", "has-session", "-t", tmux.name], capture_output=True).returncode:
            return
        time.sleep(0.1)
    raise AssertionError(f"kassi did not quit:\n{tmux.screen()}")
