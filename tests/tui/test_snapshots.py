"""Text snapshots of the main screens at 80x24, in English and Danish.

A snapshot is the screen as plain text (what a person reads), stored in
tests/tui/snapshots/. After an intended change, regenerate with
KASSI_UPDATE_SNAPSHOTS=1 and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.tui.conftest import login, screen_text, settle, type_text

pytestmark = pytest.mark.tui
SNAPSHOTS = Path(__file__).parent / "snapshots"


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("KASSI_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text + "\n", "utf-8")
    assert text + "\n" == path.read_text("utf-8"), f"screen differs from snapshot {path.name}"


async def walk(app, pilot, lang: str) -> dict[str, str]:
    amount = "500,00" if lang == "da" else "500.00"
    shots = {}
    await pilot.pause()
    shots["login"] = screen_text(app)
    await login(pilot)
    await pilot.press("f9")
    await pilot.pause()
    shots["terminal_no_session"] = screen_text(app)
    await pilot.press("f2")
    await type_text(pilot, amount)
    await pilot.press("enter", "enter")
    await settle(pilot, app)
    shots["terminal_open_session"] = screen_text(app)
    await pilot.press("escape")
    for code in ("2*1001", "1013", "1007"):
        await type_text(pilot, code)
        await pilot.press("enter")
    await pilot.pause()
    shots["sale_basket"] = screen_text(app)
    await pilot.press("f5")
    await pilot.pause()
    shots["payment"] = screen_text(app)
    await pilot.press("escape")
    await pilot.press("f9", "f5")
    await pilot.pause()
    shots["close_count"] = screen_text(app)
    return shots


@pytest.mark.parametrize("lang", ["en", "da"])
async def test_main_screens_snapshot(make_app, lang):
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        shots = await walk(app, pilot, lang)
    for name, text in shots.items():
        check(f"{lang}_{name}", text)
