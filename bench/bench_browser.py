"""The till in a browser (SPEC W-1, W-3): a real headless Chromium on `kassi serve`.

(a) page load to the login screen: from asking the browser for a paired terminal's URL
    to the login screen's text arriving in the page (the till process started and drawn
    once): the first load, then reloads of the same tab (each takes the terminal's till
    back: the till before quits first, as after a lost connection).
(b) key to screen: from a key's keydown in the page to the first screen update the till
    sends back for it, for keys typed one at a time into the login's staff id field
    (the page's own clock; localhost, so the network is not in it).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import Result

AREA = "browser"
LOAD_GOAL_S = 2.0
KEY_GOAL_MS = 50.0


def _key_latency_ms(browser) -> float:
    keys = browser.driver.execute_script("return window.__kassiKeys.length")
    browser.type("1")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        seen = browser.driver.execute_script(
            "const k = window.__kassiKeys; if (k.length <= arguments[0]) return null;"
            " const t = k[k.length - 1];"
            " const u = window.__kassiUpdates.find((x) => x >= t);"
            " return u === undefined ? null : u - t;",
            keys,
        )
        if seen is not None:
            return float(seen)
        time.sleep(0.005)
    raise AssertionError("no screen update after a key")


def run(quick: bool) -> list[Result]:
    from tests.e2e.browser import Browser, Served, kassi

    loads, keys = (3, 20) if quick else (8, 60)
    with tempfile.TemporaryDirectory(prefix="kassi-bench-browser-") as tmp:
        root = Path(tmp)
        db_path = root / "store.db"
        kassi(db_path, "init", "--demo")
        served = Served(db_path, root / "serve.log")
        browser = Browser()
        try:
            out = kassi(
                db_path, "terminal", "pair", "T1", "--url", served.url, "--staff", "1",
                pin="1234",
            )  # fmt: skip
            url = out.strip().splitlines()[-1]
            load_s = []
            for _ in range(loads):
                t0 = time.perf_counter()
                browser.open(url)
                browser.wait_for("Staff id", timeout=30)
                load_s.append(time.perf_counter() - t0)
            time.sleep(0.5)
            key_ms = []
            for n in range(keys):
                key_ms.append(_key_latency_ms(browser))
                if n % 10 == 9:
                    browser.type("\b" * 10)
                time.sleep(0.05)
        finally:
            browser.quit()
            served.stop()
    key_ms.sort()
    return [
        Result(AREA, "first page load to login screen", load_s[0], "s", LOAD_GOAL_S),
        Result(AREA, "reload to login screen (median)", statistics.median(load_s[1:]), "s",
               LOAD_GOAL_S, note=f"{loads - 1} reloads"),
        Result(AREA, "reload to login screen (worst)", max(load_s[1:]), "s"),
        Result(AREA, "key to screen (median)", statistics.median(key_ms), "ms", KEY_GOAL_MS,
               note=f"{keys} keys"),
        Result(AREA, "key to screen (p90)", key_ms[int(len(key_ms) * 0.9) - 1], "ms"),
    ]  # fmt: skip
