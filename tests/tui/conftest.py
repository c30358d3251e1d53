"""TUI fixtures: a demo store in a database FILE (printing workers open their own
connections), file-sink printers beside it, and helpers to drive Pilot."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from core import demo
from core.db import Db

pytestmark = pytest.mark.tui


@pytest.fixture
def till_db(tmp_path: Path, clock) -> Db:
    db = Db(tmp_path / "till.db", clock=clock)
    demo.load_demo(db, printer_dir=tmp_path)
    yield db
    db.close()


@pytest.fixture
def make_app(till_db: Db):
    from tui.app import KassiApp

    def make(**kwargs) -> KassiApp:
        kwargs.setdefault("terminal_id", "T1")
        kwargs.setdefault("idle_lock_seconds", 0)
        kwargs.setdefault("lang", "en")
        return KassiApp(till_db, **kwargs)

    return make


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def login(pilot, staff: str = "2", pin: str = "2222") -> None:
    await type_text(pilot, staff)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")
    await pilot.pause()


async def settle(pilot, app) -> None:
    """Let printing workers finish and their messages arrive."""
    await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app) -> str:
    """The screen as plain text: what a person reads, for snapshots and assertions."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())
