"""End to end: the installed `kassi` command in tmux, typed like a person would.

A fresh database, a full session (start, sale, add cash, close) over send-keys,
then the database and the printed bytes (file sink) are checked.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.text.i18n import translate
from tests.hardware.escpos_decoder import decode, texts


def da(text: str) -> str:
    """Documents print in the store's language: the demo store is Danish."""
    return translate(text, "da")


pytestmark = pytest.mark.e2e

KASSI = Path(sys.executable).parent / "kassi"


class Tmux:
    def __init__(self, name: str) -> None:
        # pid + random: two test runs at once on one machine share one tmux server.
        self.name = f"{name}-{os.getpid()}-{secrets.token_hex(3)}"

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", self.name, key)
            time.sleep(0.05)

    def text(self, *chunks: str) -> None:
        # One key at a time, like a person: a burst can reach the app after the Enter
        # that tmux sends next.
        for chunk in chunks:
            for ch in chunk:
                self.run("send-keys", "-t", self.name, "-l", ch)
                time.sleep(0.02)
        time.sleep(0.2)

    def enter(self, text: str) -> None:
        """Type, wait until the text shows (as a person would look), then press Enter."""
        self.text(text)
        self.wait_for(text)
        self.keys("Enter")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, needle: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    session = Tmux(f"kassi-e2e-{tmp_path.name}")
    yield session
    subprocess.run(["tmux", "kill-session", "-t", session.name], capture_output=True)


def test_full_session_typed_in_tmux(tmux, tmp_path):
    db_path = tmp_path / "store.db"
    subprocess.run(
        [str(KASSI), "--db", str(db_path), "init", "--demo"], check=True, capture_output=True
    )
    command = (
        f"TERM=xterm-256color KASSI_IDLE_LOCK=0 {KASSI} --db {db_path} --terminal T1 "
        f"--lang en --no-mouse"
    )
    tmux.run("new-session", "-d", "-s", tmux.name, "-x", "80", "-y", "24", command)
    tmux.wait_for("Staff id")
    tmux.enter("2")
    tmux.text("2222")
    tmux.wait_for("••••")  # the PIN shows masked
    tmux.keys("Enter")
    tmux.wait_for("Item / scan")

    tmux.keys("F9")
    tmux.wait_for("No session is open")
    tmux.keys("F2")
    tmux.wait_for("Starting amount")
    tmux.enter("500.00")
    tmux.enter("e2e float")
    tmux.wait_for("Session 1 is open")
    tmux.keys("Escape")
    tmux.wait_for("Item / scan")

    tmux.enter("2*1001")
    tmux.wait_for("Rugbrød")
    tmux.keys("F5")
    tmux.wait_for("To pay")
    tmux.enter("100")
    tmux.wait_for("Enter: next sale")
    tmux.keys("Enter")
    tmux.wait_for("Receipt 1 recorded")

    tmux.keys("F9")
    tmux.wait_for("Session 1 is open")
    tmux.keys("F3")
    tmux.wait_for("Add cash to the drawer")
    tmux.enter("50")
    tmux.enter("change from the safe")
    tmux.wait_for("616.00")  # expected cash now includes the 50.00 added

    tmux.keys("F5")
    tmux.wait_for("Count the cash")
    tmux.enter("616.00")
    tmux.keys("Enter")
    tmux.wait_for("Cash summary")
    tmux.keys("Enter")
    tmux.wait_for("Amount to leave")
    tmux.enter("500")
    tmux.wait_for("Confirm the cash to remove")
    tmux.keys("Enter")
    tmux.wait_for("Session summary")
    tmux.keys("Enter")
    tmux.wait_for("No session is open")
    tmux.keys("C-q")
    time.sleep(0.5)

    import sqlite3

    con = sqlite3.connect(db_path)
    session = con.execute(
        "SELECT status, opening_float, expected_cash, counted_cash,"
        " left_in_drawer, cash_removed FROM sessions"
    ).fetchone()
    # 500 + 66.00 (2 x 32.95 = 65.90 rounded to 66.00 in cash) + 50 added = 616.00
    assert session == ("closed", 50000, 61600, 61600, 50000, 11600)
    sale = con.execute("SELECT total, rounding, change_given FROM sales").fetchone()
    assert sale == (6590, 10, 3400)
    printed = (tmp_path / "printer-T1.bin").read_bytes()
    events = decode(printed)
    text = "\n".join(texts(events))
    assert da("RECEIPT") in text and "Rugbrød" in text and da("CASH ADDED") in text
    pulses = [e for e in events if e[0] == "pulse"]
    assert pulses, "the drawer never opened"


def test_two_tills_on_one_database_at_once(tmp_path):
    """Two `kassi` processes (T1 and T2, as over SSH) sell on one store database."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    db_path = tmp_path / "store.db"
    subprocess.run(
        [str(KASSI), "--db", str(db_path), "init", "--demo"], check=True, capture_output=True
    )
    tills = {t: Tmux(f"kassi-e2e-{tmp_path.name}-{t}") for t in ("T1", "T2")}
    try:
        for terminal, till in tills.items():
            till.run(
                "new-session",
                "-d",
                "-s",
                till.name,
                "-x",
                "80",
                "-y",
                "24",
                f"TERM=xterm-256color KASSI_IDLE_LOCK=0 {KASSI} --db {db_path} "
                f"--terminal {terminal} --lang en --no-mouse",
            )
        for till in tills.values():
            till.wait_for("Staff id")
            till.enter("2")
            till.text("2222")
            till.wait_for("••••")
            till.keys("Enter")
            till.wait_for("Item / scan")
        # Both baskets are rung up side by side, then both pay.
        for till, sku in zip(tills.values(), ("1001", "1007"), strict=True):
            till.enter(sku)
        for till in tills.values():
            till.keys("F5")
            till.wait_for("To pay")
        for till in tills.values():
            till.keys("Enter")  # exact cash
        for till in tills.values():
            till.wait_for("Enter: next sale")
            till.keys("Enter")
            till.wait_for("Receipt 1 recorded")
    finally:
        for till in tills.values():
            subprocess.run(["tmux", "kill-session", "-t", till.name], capture_output=True)

    import sqlite3

    con = sqlite3.connect(db_path)
    rows = con.execute(
        "SELECT s.terminal_id, s.receipt_no, x.opened_auto, x.opening_float"
        " FROM sales s JOIN sessions x ON x.id = s.session_id"
        " ORDER BY s.terminal_id"
    ).fetchall()
    assert rows == [("T1", 1, 1, 0), ("T2", 1, 1, 0)]
