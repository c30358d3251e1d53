"""End to end in a real headless Chromium (W-1..W-4): a thin client's till via `kassi serve`.

Pair a terminal, open its URL, log in, sell three items typed scanner-fast, pay cash
with F5 (a key the browser would take for a reload), and find the sale in the database
and its receipt in the bytes of the terminal's own file printer. A wrong or revoked
token gets the refusal page; a second tab for the same terminal is refused; a closed
tab leaves the basket for the next connection. A screenshot at 1280x800 is saved in
the test's directory (and as tests/e2e/artifacts/browser-till.png) for people to look at.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.browser import Browser, Served, kassi
from tests.hardware.escpos_decoder import decode, texts

# One worker runs them all: a Chromium each at once would starve the tmux and server tests.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def store(tmp_path):
    db_path = tmp_path / "store.db"
    kassi(db_path, "init", "--demo")
    receipts = tmp_path / "t1-receipts.bin"
    kassi(
        db_path, "terminal", "set", "T1", "kind=file", f"path={receipts}", "--staff", "1",
        pin="1234",
    )  # fmt: skip
    return db_path, receipts


@pytest.fixture
def served(store, tmp_path):
    server = Served(store[0], tmp_path / "serve.log")
    yield server
    server.stop()


@pytest.fixture
def browser():
    chromium = Browser()
    yield chromium
    chromium.quit()


def pair(db_path, served, terminal="T1") -> str:
    out = kassi(
        db_path, "terminal", "pair", terminal, "--url", served.url, "--staff", "1", pin="1234"
    )
    return out.strip().splitlines()[-1]


def sold(db_path) -> list[list[str]]:
    con = sqlite3.connect(db_path)
    try:
        return [
            [
                sku
                for (sku,) in con.execute(
                    "SELECT sku FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale,)
                )
            ]  # fmt: skip
            for (sale,) in con.execute("SELECT id FROM sales WHERE terminal_id = 'T1' ORDER BY id")
        ]
    finally:
        con.close()


def log_in(browser, url: str) -> None:
    browser.open(url)
    browser.wait_for("Staff id")
    mark = browser.mark()
    browser.type("2\t2222\n")  # as a badge scanner types it
    browser.wait_for("Item / scan", since=mark)


def test_a_paired_thin_client_sells_three_scanned_items_and_pays_cash_with_f5(
    store, served, browser, tmp_path
):
    """W-1..W-4: the page names store and terminal; three codes in one burst become three
    lines (C-1), F5 pays (it reaches the till, the page does not reload), the sale is in
    the database and its receipt in T1's printer bytes."""
    db_path, receipts = store
    url = pair(db_path, served)
    log_in(browser, url)
    assert browser.driver.title == "kassi — Kassi Købmand Nørrebro · Kasse 1"
    browser.driver.execute_script("window.__notReloaded = true")

    mark = browser.mark()
    browser.type("1001\n1002\n1003\n")
    browser.wait_for("3 lines", since=mark)
    time.sleep(0.5)
    assert sold(db_path) == []  # nothing paid by the burst's Enters
    ARTIFACTS.mkdir(exist_ok=True)
    browser.driver.save_screenshot(str(tmp_path / "browser-till.png"))
    browser.driver.save_screenshot(str(ARTIFACTS / "browser-till.png"))

    from selenium.webdriver.common.keys import Keys

    mark = browser.mark()
    browser.type(Keys.F5)
    browser.wait_for("To pay", since=mark)
    time.sleep(0.3)
    mark = browser.mark()
    browser.type(Keys.ENTER)  # exact cash
    browser.wait_for("Enter: next sale", since=mark)
    browser.type(Keys.ENTER)
    browser.wait_for("Receipt 1 recorded", since=mark)
    assert browser.driver.execute_script("return window.__notReloaded === true")
    assert sold(db_path) == [["1001", "1002", "1003"]]

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (receipts.exists() and receipts.stat().st_size):
        time.sleep(0.1)
    events = decode(receipts.read_bytes())  # strict: any command kassi never sends fails
    assert events[0][0] == "pulse"  # W-4: the cash sale opened T1's drawer first
    lines = texts(events)  # decoded by the code page the printer was told to use
    for name in ("Kassi Købmand", "Rugbrød", "Franskbrød", "Letmælk 1 l", "Tak for dit køb"):
        assert any(name in line for line in lines), (name, lines)
    assert [e[0] for e in events].count("cut") == 1
    assert any(e[0] == "code128" and e[1].endswith("T1-1") for e in events), events

    # W-3: Ctrl+R (the browser's reload) reprints the receipt; the page stays.
    printed = receipts.stat().st_size
    browser.chord("r")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and receipts.stat().st_size == printed:
        time.sleep(0.1)
    assert receipts.stat().st_size > printed
    copy = texts(decode(receipts.read_bytes()[printed:]))
    assert sum("Rugbrød" in line for line in copy) == 1
    # Ctrl+Q reaches the till too: in kiosk mode leaving asks for a PIN, Esc stays.
    mark = browser.mark()
    browser.chord("q")
    browser.wait_for("Leaving kiosk mode", since=mark)
    browser.type(Keys.ESCAPE)
    assert browser.driver.execute_script("return window.__notReloaded === true")


def test_a_scanner_burst_with_enter_tab_and_lf_arrives_whole_and_in_order(store, served, browser):
    """W-3 / C-1: 30 codes ended by Enter, Tab and LF typed as one burst in the browser
    become 30 lines in order, and nothing is paid until F5."""
    from selenium.webdriver.common.keys import Keys

    db_path, _receipts = store
    log_in(browser, pair(db_path, served))
    codes = [str(1001 + (k * 7) % 20) for k in range(30)]
    ends = ("\n", "\t", "\n")  # Enter, Tab and Enter again (LF: Ctrl+J, below)
    mark = browser.mark()
    browser.type(*[code + ends[n % 3] for n, code in enumerate(codes[:-1])])
    browser.type(codes[-1])
    browser.chord("j")  # LF ends the last code
    browser.wait_for("30 lines", since=mark)
    time.sleep(1)
    assert "To pay" not in browser.text()[mark:]
    assert sold(db_path) == []
    browser.type(Keys.F5)
    browser.wait_for("To pay", since=mark)
    time.sleep(0.3)
    mark = browser.mark()
    browser.type(Keys.ENTER)
    browser.wait_for("Enter: next sale", since=mark)
    assert sold(db_path) == [codes]


def test_a_wrong_or_revoked_token_gets_the_refusal_page_never_a_till(store, served, browser):
    """W-2: no token, a wrong one, and a revoked one each get the refusal page."""
    db_path, _receipts = store
    url = pair(db_path, served)
    for bad in (served.url + "/", served.url + "/?t=" + "A" * 43, url[:-2] + "xy"):
        browser.open(bad)
        assert "not paired" in browser.body_text()
        time.sleep(0.3)
        assert browser.text() == ""  # no till ever drew on this page
    kassi(db_path, "terminal", "unpair", "T1", "--staff", "1", pin="1234")
    browser.open(url)
    assert "not paired" in browser.body_text()
    assert browser.text() == ""


def test_revoking_a_connected_thin_clients_pairing_ends_its_till_and_keeps_the_basket(
    store, served, browser
):
    """W-2: a pairing revoked while its screen is connected (a thin client stolen or
    lost) ends that till within seconds; its unpaid basket is parked, and connecting
    again gets the refusal page."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    db_path, _receipts = store
    url = pair(db_path, served)
    log_in(browser, url)
    mark = browser.mark()
    browser.type("1001\n")
    browser.wait_for("1 line", since=mark)
    kassi(db_path, "terminal", "unpair", "T1", "--staff", "1", pin="1234")
    browser.wait_for_page("connection was lost")
    con = sqlite3.connect(db_path)
    try:
        row = con.execute("SELECT basket FROM parked_baskets WHERE terminal_id = 'T1'").fetchone()
    finally:
        con.close()
    assert row is not None and "1001" in row[0]
    ActionChains(browser.driver).send_keys(Keys.ENTER).perform()  # "Connect again"
    browser.wait_for_page("not paired")


def test_a_second_tab_for_the_same_terminal_is_refused(store, served, browser):
    """W-2 / C-7: while one tab has T1's till, another tab for T1 gets the refusal."""
    db_path, _receipts = store
    url = pair(db_path, served)
    log_in(browser, url)
    first = browser.driver.current_window_handle
    browser.new_tab(url)
    assert browser.driver.execute_script("return typeof window.__kassiText") == "string"
    browser.wait_for_page("open in another window", timeout=10)
    assert browser.text() == ""
    browser.driver.switch_to.window(first)
    mark = browser.mark()
    browser.type("1001\n")
    browser.wait_for("1 line", since=mark)  # the first tab still has its till


def test_a_closed_tab_leaves_the_basket_for_the_next_connection(store, served, browser):
    """W-2 / C-7: the basket of a tab closed mid-sale is there when the terminal's page is
    opened again; one till process at a time."""
    db_path, _receipts = store
    url = pair(db_path, served)
    log_in(browser, url)
    mark = browser.mark()
    browser.type("1001\n1002\n")
    browser.wait_for("2 lines", since=mark)
    browser.new_tab()
    browser.close_other_tabs()  # the first tab, with its till, is gone
    # Refused while the old till is still quitting (one till per terminal): open again.
    # A page that got the till is left to start it, however slowly: every reload would
    # stop a till and start another.
    deadline = time.monotonic() + 30
    browser.open(url)
    while "Staff id" not in browser.text():
        assert time.monotonic() < deadline, browser.body_text()
        if "open in another window" in browser.body_text():
            time.sleep(0.3)
            browser.open(url)
        time.sleep(0.1)
    mark = browser.mark()
    browser.type("2\t2222\n")
    browser.wait_for("2 lines", since=mark)
    assert sold(db_path) == []


def test_leaving_kiosk_mode_needs_the_permission_and_enter_connects_again(store, served, browser):
    """W-2 / W-3 / C-7: in the browser too, Ctrl+Q asks for the PIN of someone allowed to
    leave kiosk mode; a cashier's badge burst is refused and Esc goes back to the till; a
    manager's burst (`1`, Tab, `1234`, Enter) ends it; the page then offers to connect
    again, by keyboard (Enter), and the till is back at its login."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    db_path, _receipts = store
    log_in(browser, pair(db_path, served))
    mark = browser.mark()
    browser.chord("q")
    browser.wait_for("Leaving kiosk mode", since=mark)
    mark = browser.mark()
    browser.type("2\t2222\n")  # the cashier: not allowed
    browser.wait_for("not allowed to leave kiosk mode", since=mark)
    mark = browser.mark()
    browser.type(Keys.ESCAPE)
    browser.wait_for("Item / scan", since=mark)
    mark = browser.mark()
    browser.chord("q")
    browser.wait_for("Leaving kiosk mode", since=mark)
    browser.type("1\t1234\n")  # the manager, as a badge reader types it
    browser.wait_for_page("Connect again", timeout=30)
    browser.driver.execute_script("window.__beforeReconnect = true")
    ActionChains(browser.driver).send_keys(Keys.ENTER).perform()  # the focused button
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and browser.driver.execute_script(
        "return window.__beforeReconnect === true"
    ):
        time.sleep(0.1)
    text = browser.wait_for("Staff id", timeout=20)  # the page anew, with a new till's login
    assert "Leaving kiosk mode" not in text
