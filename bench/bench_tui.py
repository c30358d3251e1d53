"""TUI figures: cold start to the login screen (a real process on a pty),
keypress-to-screen-update on the sale screen with a 100-line basket (Pilot), and
a scanner against a 1,000-line basket (C-1): how many keys a second the sale
screen takes in one burst without losing or reordering one, and the time from a
scan's last key (its Enter) to its line in the basket table."""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench import Result, median_ms

KASSI = Path(sys.executable).parent / "kassi"


def _demo_db(folder: Path) -> Path:
    from core.store import demo
    from core.store.db import Db

    path = folder / "bench-tui.db"
    with Db(path) as db:
        demo.load_demo(db, printer_dir=folder)
    return path


def cold_start(db_path: Path, runs: int) -> list[float]:
    """Seconds from spawning `kassi` until the login screen is drawn."""
    samples = []
    for _ in range(runs):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", KASSI_IDLE_LOCK="0")
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [str(KASSI), "--db", str(db_path), "--terminal", "T1", "--lang", "en"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
        seen = b""
        elapsed = None
        deadline = t0 + 20
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if b"Staff id" in seen:
                    elapsed = time.perf_counter() - t0
                    break
        proc.kill()
        proc.wait()
        os.close(master)
        os.close(slave)
        if elapsed is None:
            raise RuntimeError("the login screen never appeared")
        samples.append(elapsed)
    return samples


async def _keypresses(db_path: Path, presses: int) -> tuple[list[float], list[float]]:
    from core.staff import pins
    from core.store.db import Db
    from core.tills.basket import LineInput
    from tui.app import KassiApp

    pins._SCRYPT_N = 2**4  # only the hashing of the demo PINs; not what is measured
    db = Db(db_path)
    app = KassiApp(db, terminal_id="T1", lang="en", idle_lock_seconds=0)
    typing, adding = [], []
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("2", "enter", "2", "2", "2", "2", "enter"):
            await pilot.press(key)
        await pilot.pause()
        screen = app.screen
        skus = [f"{1001 + n % 20}" for n in range(100)]
        screen.lines = [LineInput(sku, 1) for sku in skus]
        screen.redraw_basket()
        await pilot.pause()
        # CPU time of the process from the key until the screen is updated: Pilot
        # itself sleeps in 20 ms steps while it waits for idle, which wall time would
        # count, and other load on a shared machine would too.
        for n in range(presses):
            t0 = time.process_time()
            await pilot.press("1")
            await pilot.pause()
            typing.append(time.process_time() - t0)
            for key in ("0", "2", str(n % 10)):
                await pilot.press(key)
            t0 = time.process_time()
            await pilot.press("enter")
            await pilot.pause()
            adding.append(time.process_time() - t0)
            screen.lines = screen.lines[:100]
            screen.redraw_basket()
            await pilot.pause()
    db.close()
    return typing, adding


SCANNER_KEY_MS = 2  # a scanner types about one key every 2 ms


async def _scanner(db_path: Path, codes: int, samples: int) -> dict[str, list[float]]:
    """A 1,000-line basket; then bursts of ``codes`` scans handed to the app at once
    (as one terminal read brings them), and single scans one at a time."""
    from textual import events

    from core.staff import pins
    from core.store.db import Db
    from core.tills.basket import LineInput
    from tui.app import KassiApp

    pins._SCRYPT_N = 2**4
    db = Db(db_path)
    app = KassiApp(db, terminal_id="T1", lang="en", idle_lock_seconds=0)
    out: dict[str, list[float]] = {"kps": [], "latency": [], "full": []}

    def send(keys: list[str]) -> None:
        for key in keys:
            event = events.Key(key, "\r" if key == "enter" else key)
            event.set_sender(app)
            app._driver.send_message(event)

    async def until(check) -> None:
        while not check():
            await asyncio.sleep(0)  # no sleep of our own in what is measured

    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("2", "enter", "2", "2", "2", "2", "enter"):
            await pilot.press(key)
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#basket")
        base = [LineInput(f"{1001 + n % 2}", 1) for n in range(1000)]  # 1001/1002: no merging

        def reset() -> None:
            screen.lines = list(base)
            screen.redraw_basket()

        reset()
        await pilot.pause()
        for _ in range(samples):
            burst_codes = [f"{1003 + n % 17}" for n in range(codes)]
            keys = [k for code in burst_codes for k in (*code, "enter")]
            t0 = time.perf_counter()
            send(keys)
            await until(lambda: len(screen.lines) >= 1000 + codes)
            elapsed = time.perf_counter() - t0
            got = [ln.sku for ln in screen.lines[1000:]]
            if got != burst_codes:
                raise RuntimeError(f"the sale screen lost or reordered keys: {got[:5]}...")
            out["kps"].append(len(keys) / elapsed)
            reset()
            await pilot.pause()
        for n in range(samples):
            send(list(f"{1003 + n % 17}"))
            await until(lambda: screen.query_one("#code").value)
            await pilot.pause()
            rows = table.row_count
            t0 = time.perf_counter()
            send(["enter"])
            await until(lambda rows=rows: table.row_count > rows)
            out["latency"].append(time.perf_counter() - t0)
            await pilot.pause()
        for _ in range(max(3, samples // 4)):
            # What every scan cost before the table was updated row by row.
            t0 = time.perf_counter()
            table.clear()
            screen.shown_rows = []
            screen.redraw_basket()
            out["full"].append(time.perf_counter() - t0)
            await pilot.pause()
    db.close()
    return out


def run(quick: bool) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = _demo_db(Path(tmp))
        starts = cold_start(db_path, 3 if quick else 9)
        typing, adding = asyncio.run(_keypresses(db_path, 10 if quick else 40))
        scans = asyncio.run(_scanner(db_path, 50, 5 if quick else 15))
    kps = statistics.median(scans["kps"])
    return [
        Result("tui", "cold start to login screen (median)", median_ms(starts), "ms", 600),
        Result(
            "tui",
            "keypress in the item field, 100-line basket (median CPU)",
            median_ms(typing),
            "ms",
            30,
        ),
        Result(
            "tui",
            "Enter adds a line to a 100-line basket (median CPU)",
            median_ms(adding),
            "ms",
            30,
        ),
        Result(
            "tui",
            "scanner burst into a 1,000-line basket, none lost (median)",
            kps,
            "keys/s",
            note="50 codes at once",
        ),
        Result(
            "tui",
            "  the same as time per key (a scanner: one per 2 ms)",
            1000 / kps,
            "ms",
            SCANNER_KEY_MS,
        ),
        Result(
            "tui",
            "last key of a scan to its line, 1,000-line basket (median)",
            median_ms(scans["latency"]),
            "ms",
            50,
        ),
        Result(
            "tui",
            "  the same, slowest",
            max(scans["latency"]) * 1000,
            "ms",
        ),
        Result(
            "tui",
            "  a whole-basket repaint of 1,000 lines (the old way, median)",
            median_ms(scans["full"]),
            "ms",
        ),
    ]
