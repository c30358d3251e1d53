"""End to end in tmux at 80x24 (C-1): the installed `kassi` takes a scanner's keys.

A scanner types a code and ends it with Enter, Tab or LF. tmux's ``send-keys -l``
hands the whole string to the terminal at once, as a scanner over USB or an SSH
stall does: 50 codes in one burst, then 50 codes ~85 ms apart. Every code becomes
its line, in order, and nothing is paid until F5; the login takes a burst too.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time

import pytest

from tests.e2e.test_tmux_till import KASSI, tmux  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e

TERMINATORS = ("\r", "\t", "\n")  # Enter, Tab, LF (C-j)


def scanner_codes(n: int = 50) -> list[str]:
    return [str(1001 + (k * 7) % 20) for k in range(n)]  # never the same code twice running


def scanned(codes: list[str]) -> list[str]:
    return [code + TERMINATORS[n % 3] for n, code in enumerate(codes)]


def sold_lines(db_path) -> list[list[str]]:
    con = sqlite3.connect(db_path)
    try:
        sales = [r[0] for r in con.execute("SELECT id FROM sales ORDER BY id")]
        return [
            [
                sku
                for sku, qty in con.execute(
                    "SELECT sku, qty FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale,)
                )
                for _ in range(qty)
            ]
            for sale in sales
        ]
    finally:
        con.close()


def start_till(tmux, tmp_path):  # noqa: F811
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
    return db_path


def burst(tmux, text: str) -> None:  # noqa: F811
    tmux.run("send-keys", "-t", tmux.name, "-l", text)


def pay_exact_cash(tmux) -> None:  # noqa: F811
    tmux.keys("F5")
    tmux.wait_for("To pay")
    time.sleep(0.3)  # a key typed before the dialog opened would be dropped (C-1)
    tmux.keys("Enter")
    tmux.wait_for("Enter: next sale")
    tmux.keys("Enter")


def test_a_burst_login_then_scanner_codes_in_a_burst_and_spaced_all_arrive_in_order(
    tmux,  # noqa: F811
    tmp_path,
):
    """C-1: `2`, Tab, `2222`, Enter in one burst logs in; 50 codes with Enter, Tab and LF
    in one burst, then 50 more ~85 ms apart (the first receipt printing meanwhile),
    each arrive whole and in order, and no sale is recorded before F5."""
    db_path = start_till(tmux, tmp_path)
    burst(tmux, "2\t2222\r")
    tmux.wait_for("Kasper Kasserer")
    tmux.wait_for("Item / scan")

    codes = scanner_codes()
    burst(tmux, "".join(scanned(codes)))
    tmux.wait_for("50 lines")
    time.sleep(1)  # anything still to come (a payment, a stray line) would show by now
    screen = tmux.screen()
    assert "50 lines" in screen and "To pay" not in screen
    assert sold_lines(db_path) == []
    pay_exact_cash(tmux)
    tmux.wait_for("Receipt 1 recorded")
    assert sold_lines(db_path) == [codes]

    again = scanner_codes(53)[3:]  # another order
    for text in scanned(again):
        burst(tmux, text)
        time.sleep(0.085)
    tmux.wait_for("50 lines")
    time.sleep(1)
    assert "To pay" not in tmux.screen()
    assert len(sold_lines(db_path)) == 1
    pay_exact_cash(tmux)
    tmux.wait_for("Receipt 2 recorded")
    assert sold_lines(db_path) == [codes, again]


def test_enter_on_an_empty_field_in_tmux_never_pays(tmux, tmp_path):  # noqa: F811
    """C-1: a code, then a burst of bare Enters, Tabs and LFs: one line, no payment."""
    db_path = start_till(tmux, tmp_path)
    burst(tmux, "2\t2222\r")
    tmux.wait_for("Item / scan")
    burst(tmux, "1001\r\r\r\t\n\r")
    tmux.wait_for("Rugbrød")
    time.sleep(1)
    screen = tmux.screen()
    assert "1 line" in screen and "To pay" not in screen
    assert sold_lines(db_path) == []


def test_a_scan_then_f5_then_a_scan_in_one_burst_pays_only_the_first(tmux, tmp_path):  # noqa: F811
    """C-1: keys act in the order typed: the code before F5 is paid, the one after it
    waits for the next sale (it neither joins the basket being paid nor is lost)."""
    db_path = start_till(tmux, tmp_path)
    burst(tmux, "2\t2222\r")
    tmux.wait_for("Item / scan")
    tmux.run("send-keys", "-t", tmux.name, "1002", "Enter", "F5", "1003", "Enter")
    tmux.wait_for("To pay")
    time.sleep(0.3)
    tmux.keys("Enter")  # exact cash, typed after the dialog opened
    tmux.wait_for("Enter: next sale")
    tmux.keys("Enter")
    tmux.wait_for("Receipt 1 recorded")
    screen = tmux.wait_for("Letmælk")
    assert "1 line" in screen
    assert sold_lines(db_path) == [["1002"]]
