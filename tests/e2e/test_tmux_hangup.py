"""End to end in tmux (C-7): a till whose terminal goes away leaves, its basket parked.

An SSH session that drops, or a tmux pane killed, closes the till's terminal. The
hang-up signal used to end kassi with the unpaid basket lost; under `make run`, where
no hang-up reaches it, Textual's reader spun on the closed terminal at full CPU for
ever, holding the till's lock. Now the signal, or the terminal seen closed, parks the
basket and ends the process.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.e2e.test_tmux_till import KASSI, tmux  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e


def _kassi_pids(db_path) -> list[int]:
    # The Python process itself, not the `sh -c` line that names the same database.
    pattern = f"^[^ ]*python[^ ]* [^ ]*kassi --db {db_path} "
    out = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_a_till_whose_terminal_closes_parks_its_basket_and_exits(tmux, tmp_path):  # noqa: F811
    """C-7: the pane is killed while a basket is open: kassi parks the basket for this
    till and exits within seconds (no process left holding the till)."""
    db_path = tmp_path / "store.db"
    subprocess.run(
        [str(KASSI), "--db", str(db_path), "init", "--demo"], check=True, capture_output=True
    )
    # `sh -c '...; :'`: a wrapper holds the terminal, as `make run` does.
    command = (
        f"sh -c 'TERM=xterm-256color KASSI_IDLE_LOCK=0 {KASSI} --db {db_path} --terminal T1"
        f" --lang en --no-mouse; :'"
    )
    tmux.run("new-session", "-d", "-s", tmux.name, "-x", "80", "-y", "24", command)
    tmux.wait_for("Staff id")
    tmux.text("2\t2222\r")
    tmux.wait_for("Item / scan")
    tmux.text("1002\r")
    tmux.wait_for("1 line")
    assert _kassi_pids(db_path)
    tmux.run("kill-session", "-t", tmux.name)
    deadline = time.monotonic() + 15
    while _kassi_pids(db_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _kassi_pids(db_path)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], "kassi kept running on a closed terminal"
    con = sqlite3.connect(db_path)
    try:
        parked = con.execute("SELECT terminal_id, basket FROM parked_baskets").fetchall()
    finally:
        con.close()
    assert len(parked) == 1 and parked[0][0] == "T1" and '"1002"' in parked[0][1]
