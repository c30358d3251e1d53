"""TUI fixtures: a demo store in a database FILE (printing workers open their own
connections), file-sink printers beside it, and helpers to drive Pilot."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from core.money.tendering import TenderInput
from core.staff import auth
from core.store import demo
from core.store.db import Db
from core.tills import sales
from core.tills.basket import LineInput
from tests.hardware.escpos_decoder import decode

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


async def approve(pilot, staff: str, pin: str) -> None:
    """Answer the override prompt: it takes a staff id and a PIN the way the login does."""
    await login(pilot, staff, pin)


async def scan(pilot, *codes: str) -> None:
    """Type each code and Enter, as a cashier keys items in one at a time."""
    for code in codes:
        await type_text(pilot, code)
        await pilot.press("enter")
    await pilot.pause()


def sale_screen(app):
    """The sale screen under whatever dialog is open."""
    from tui.screens.sale import SaleScreen

    return next(s for s in app.screen_stack if isinstance(s, SaleScreen))


def sell(db: Db, terminal: str = "T1", lines=(("1008", 3), ("1001", 1))):
    """A card sale recorded by the manager, for a refund to find."""
    manager = auth.authenticate(db, "1", "1234")
    return sales.record_sale(
        db, manager, terminal, [LineInput(s, q) for s, q in lines], [TenderInput("card")]
    ).sale


def pulses(printer_dir: Path, terminal: str = "T1") -> int:
    """Drawer kicks sent to the terminal's file printer (the drawer hangs off it)."""
    sink = printer_dir / f"printer-{terminal}.bin"
    return sum(e[0] == "pulse" for e in decode(sink.read_bytes())) if sink.exists() else 0


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
