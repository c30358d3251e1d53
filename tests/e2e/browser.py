"""A real headless Chromium on `kassi serve` (W-1..W-4): the server, the browser, the screen.

The browser is the system's (Debian `chromium` + `chromium-driver`, which the Makefile
installs), driven by Selenium through its chromedriver: nothing is downloaded. The
terminal in the page draws on a canvas, so what the till shows is read where it
arrives: a script set before the page's own wraps the page's WebSocket and keeps the
text of every screen update (escape sequences taken out).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KASSI = Path(sys.executable).parent / "kassi"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

# Kept by the page for the test: the text of what the till drew, and when each update came.
SCREEN_HOOK = """
window.__kassiText = "";
window.__kassiUpdates = [];
window.__kassiKeys = [];
window.addEventListener("keydown", (event) => window.__kassiKeys.push(event.timeStamp), true);
const RealSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new RealSocket(...args);
  socket.addEventListener("message", (event) => {
    if (typeof event.data !== "string") {
      window.__kassiText += new TextDecoder().decode(new Uint8Array(event.data));
      window.__kassiUpdates.push(performance.now());
    }
  });
  return socket;
};
window.WebSocket.prototype = RealSocket.prototype;
"""
_ESCAPES = re.compile(
    r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|[=>78])"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kassi(db_path: Path, *args: str, pin: str | None = None) -> str:
    env = {"KASSI_PIN": pin} if pin else {}
    import os

    done = subprocess.run(
        [str(KASSI), "--db", str(db_path), "--lang", "en", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Served:
    """`kassi serve` on a free port of 127.0.0.1, for one test."""

    def __init__(self, db_path: Path, log: Path, lang: str | None = "en") -> None:
        import os

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [str(KASSI), "--db", str(db_path), *(["--lang", lang] if lang else []), "serve"]
            + ["--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "KASSI_IDLE_LOCK": "0"},
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"kassi serve did not start: {log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


class Browser:
    """A headless Chromium at 1280x800 with the screen hook on every page."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        assert CHROMIUM and CHROMEDRIVER, (
            "the browser tests need Chromium and its driver: apt-get install chromium"
            " chromium-driver (make test installs them)"
        )
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        self._profile = tempfile.mkdtemp(prefix="kassi-chromium-")
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,800",
            f"--user-data-dir={self._profile}",
        ):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self._hook()

    def _hook(self) -> None:
        # Per tab: a tab opened later needs the hook (and the size) set again.
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
        )
        self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": SCREEN_HOOK}
        )

    def open(self, url: str) -> None:
        self.driver.get(url)

    def text(self) -> str:
        raw = self.driver.execute_script("return window.__kassiText || ''")
        return _ESCAPES.sub("", raw)

    def mark(self) -> int:
        return len(self.text())

    def wait_for(self, needle: str, since: int = 0, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text[since:]:
                return text
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never shown; last: {self.text()[-400:]!r}")

    def body_text(self) -> str:
        return self.driver.find_element("tag name", "body").text

    def wait_for_page(self, needle: str, timeout: float = 20) -> str:
        """The page's own text (a refusal, the "connection lost" notice), not the till's."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.body_text()
            if needle in body:
                return body
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never on the page; till: {self.text()[-400:]!r}")

    def focus_till(self) -> None:
        self.driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")

    def type(self, *keys: str) -> None:
        """Keys as fast as the browser takes them: what a scanner does (C-1)."""
        from selenium.webdriver.common.action_chains import ActionChains

        self.focus_till()
        ActionChains(self.driver, duration=0).send_keys(*keys).perform()

    def chord(self, key: str, modifier: str | None = None) -> None:
        """Ctrl+key (a modifier held while the key is pressed, as a person does)."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        modifier = modifier or Keys.CONTROL
        self.focus_till()
        ActionChains(self.driver, duration=0).key_down(modifier).send_keys(key).key_up(
            modifier
        ).perform()

    def new_tab(self, url: str | None = None) -> str:
        self.driver.switch_to.new_window("tab")
        self._hook()
        if url:
            self.driver.get(url)
        return self.driver.current_window_handle

    def close_other_tabs(self) -> None:
        """Close every tab but this one, as a thin client's browser does at a crash."""
        kept = self.driver.current_window_handle
        for handle in self.driver.window_handles:
            if handle != kept:
                self.driver.switch_to.window(handle)
                self.driver.close()
        self.driver.switch_to.window(kept)

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self._profile, ignore_errors=True)
