"""End to end in tmux at 80x24: the Danish denomination count takes a count typed in
one burst row by row, and shows all eleven rows, the total and the keys (C-1, C-6)."""

from __future__ import annotations

import subprocess
import time

import pytest

from core.text.i18n import translate
from tests.e2e.test_tmux_till import KASSI, tmux  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e


def test_a_count_typed_in_one_burst_lands_row_by_row_and_the_total_shows(tmux, tmp_path):  # noqa: F811
    db_path = tmp_path / "store.db"
    subprocess.run(
        [str(KASSI), "--db", str(db_path), "init", "--demo"], check=True, capture_output=True
    )
    command = (
        f"TERM=xterm-256color KASSI_IDLE_LOCK=0 {KASSI} --db {db_path} --terminal T1 "
        f"--lang da --no-mouse"
    )
    tmux.run("new-session", "-d", "-s", tmux.name, "-x", "80", "-y", "24", command)
    tmux.wait_for(translate("Staff id", "da"))
    tmux.enter("1")
    time.sleep(1.5)  # the login's own type-ahead is another rule's test (C-1)
    tmux.text("1234")
    tmux.wait_for("••••")
    tmux.keys("Enter")
    tmux.wait_for(translate("Item / scan:", "da"))
    tmux.keys("F9")
    tmux.wait_for(translate("Start", "da"))
    tmux.keys("F2")
    tmux.wait_for(translate("Starting amount", "da"))
    tmux.keys("F2")
    tmux.wait_for(translate("Count notes and coins", "da"))
    # one burst, as a scanner or an SSH stall delivers it
    tmux.run("send-keys", "-t", tmux.name, "-l", "2\r3\r4\r")
    screen = tmux.wait_for("I alt: 4.300,00")
    assert "1.000,00 × 2" in screen
    assert "500,00 × 3" in screen
    assert "200,00 × 4" in screen
    assert "0,50 ×" in screen  # the eleventh row
    assert translate("Enter/Down: next   Up: back   F2: done   Esc: cancel", "da") in screen
