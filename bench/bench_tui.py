"""TUI figures: cold start to the login screen (a real process on a pty) and
keypress-to-screen-update on the sale screen with a 100-line basket (Pilot)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
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
    from core import demo
    from core.db import Db

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
    from core import auth
    from core.db import Db
    from core.sales import LineInput
    from tui.app import KassiApp

    auth._SCRYPT_N = 2**4  # only the hashing of the demo PINs; not what is measured
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


def run(quick: bool) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = _demo_db(Path(tmp))
        starts = cold_start(db_path, 3 if quick else 9)
        typing, adding = asyncio.run(_keypresses(db_path, 10 if quick else 40))
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
    ]
