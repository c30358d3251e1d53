"""Text snapshots of every screen of the till at 80x24, in English, Danish and Icelandic
(C-6), and a check that nothing on any of them is cut off.

A snapshot is the screen as plain text (what a person reads), stored in
tests/tui/snapshots/ as <lang>_<screen>.txt. A missing snapshot fails the test; after
an intended change, write them with

    KASSI_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/tui/test_snapshots.py

and read the diff before committing it. The walk is one scene per screen, in the order
a shift goes (log in, start the session, sell, close, look back, back office); every
scene starts and ends on the sale screen, so a scene that changes breaks only itself.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.tui.conftest import login, screen_text, settle, type_text
from tests.tui.fit import cut_lines, cut_texts

pytestmark = pytest.mark.tui
SNAPSHOTS = Path(__file__).parent / "snapshots"
LANGS = ("en", "da", "is")
UPDATE = "KASSI_UPDATE_SNAPSHOTS"


def amount(lang: str, text: str) -> str:
    """An amount typed the way the language writes it (the demo store counts in DKK)."""
    return text if lang == "en" else text.replace(".", ",")


class Walk:
    """Drives the till through its screens and keeps what each one shows."""

    def __init__(self, app, pilot, lang: str) -> None:
        self.app, self.pilot, self.lang = app, pilot, lang
        self.shots: dict[str, str] = {}
        self.cut: dict[str, list[str]] = {}

    async def shot(self, name: str) -> None:
        await settle(self.pilot, self.app)
        assert name not in self.shots, f"two scenes named {name}"
        self.shots[name] = screen_text(self.app)
        problems = cut_texts(self.app) + [
            f"cut line: {line!r}" for line in cut_lines(self.shots[name])
        ]
        if problems:
            self.cut[name] = problems

    async def keys(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.pilot, self.app)

    async def type(self, text: str) -> None:
        await type_text(self.pilot, text)

    async def to_sale_screen(self) -> None:
        from tui.screens.sale import SaleScreen

        for _ in range(8):
            if isinstance(self.app.screen, SaleScreen):
                return
            await self.keys("escape")
        raise AssertionError(f"cannot get back to the sale screen from {self.app.screen}")

    async def push(self, screen) -> None:
        """Open a screen that has no key of its own on this path (PIN prompt)."""
        self.app.push_screen(screen)
        await settle(self.pilot, self.app)


# -- the scenes, in the order of a shift ------------------------------------------------


async def log_in(w: Walk) -> None:
    await w.shot("login")
    await login(w.pilot, "1", "1234")  # the manager: the back office is part of the walk


async def start_session(w: Walk) -> None:
    await w.keys("f9")
    await w.shot("terminal_no_session")
    await w.keys("f2")
    await w.shot("start_session")
    await w.keys("f2")
    await w.shot("start_session_count")
    await w.type("5")
    await w.keys("f2")  # 5 x 1000 kr counted: the float; on to the note
    await w.type("Morning float")
    await w.keys("enter")
    await w.shot("terminal_open_session")
    await w.to_sale_screen()


async def adjust_cash(w: Walk) -> None:
    await w.keys("f9", "f3")
    await w.shot("add_cash")
    await w.type("12.345,678")  # wrong in every language: the error must fit its line
    await w.shot("add_cash_bad_amount")
    await w.keys("home", "ctrl+k")
    await w.type(amount(w.lang, "100.00"))
    await w.keys("enter")
    await w.type("Change from the safe")
    await w.keys("enter")
    await w.shot("terminal_after_add_cash")
    await w.keys("f4")
    await w.shot("remove_cash")
    await w.keys("escape")
    await w.keys("f6")
    await w.shot("terminal_after_x_report")
    await w.to_sale_screen()


async def sell(w: Walk) -> None:
    await w.shot("sale_empty")
    for code in ("2*1001", "1013", "1007"):
        await w.type(code)
        await w.keys("enter")
    await w.shot("sale_basket")
    await w.keys("f2")
    await w.shot("search")
    await w.keys("escape", "f3")
    await w.shot("customer_prompt")
    await w.keys("escape", "f4")
    await w.shot("quantity_prompt")
    await w.keys("escape", "f8")
    await w.shot("sale_line_removed")
    await w.keys("f7")
    await w.shot("confirm_void")
    await w.keys("escape", "f5")
    await w.shot("payment")
    await w.keys("enter")  # cash, exact
    await w.shot("payment_change")
    await w.keys("enter")
    await w.shot("sale_paid")
    await w.keys("f6")
    await w.shot("refund_prompt")
    await w.keys("enter")  # no receipt
    await w.type("1001")
    await w.keys("enter")
    await w.shot("refund_without_receipt")
    await w.keys("f5")
    await w.shot("refund_payment")
    await w.keys("escape", "f7", "enter")
    await w.shot("refund_voided")
    await w.to_sale_screen()


async def close_session(w: Walk) -> None:
    await w.keys("f9", "f5")
    await w.shot("close_1_count")
    await w.keys("f2")
    for _denomination in range(11):
        await w.type("1")
        await w.keys("enter")
    await w.shot("close_denominations")
    await w.keys("f2")
    await w.keys("enter", "enter")  # counted cash (from the count), the card total left empty
    await w.shot("close_2_cash_summary")
    await w.keys("enter")
    await w.shot("close_3_leave")
    await w.keys("ctrl+u")
    await w.type(amount(w.lang, "500.00"))
    await w.keys("enter")
    await w.shot("close_4_confirm")
    await w.keys("enter")
    await w.shot("close_5_session_summary")
    await w.keys("enter")
    await w.shot("terminal_after_close")
    await w.keys("f3")
    await w.shot("terminal_refusal_no_session")
    await w.to_sale_screen()


async def look_back(w: Walk) -> None:
    await w.keys("f9", "f7")
    await w.shot("history")
    await w.keys("enter")
    await w.shot("session_detail")
    await w.keys("f2")
    await w.shot("session_detail_printed")
    await w.to_sale_screen()


async def back_office(w: Walk) -> None:
    await w.keys("f9", "f9")
    await w.shot("office")
    await w.keys("enter")
    await w.shot("session_report")
    await w.keys("escape", "down", "enter")
    await w.shot("statements")
    await w.to_sale_screen()


async def prompts(w: Walk) -> None:
    from tui.screens.pin_prompt import PinPromptScreen

    await w.push(PinPromptScreen(permission="kiosk.exit"))
    await w.shot("pin_prompt")
    await w.to_sale_screen()
    await w.keys("f10")
    await w.shot("locked")
    await login(w.pilot, "2", "2222")
    await w.shot("sale_after_switching_user")


async def discounts_and_quitting(w: Walk) -> None:
    """As the cashier (limit 10 %): a line discount, a basket discount over the limit (the
    override prompt), then Ctrl+Q with the basket unpaid."""
    for code in ("3*1008", "1001"):
        await w.type(code)
        await w.keys("enter")
    await w.keys("up", "ctrl+d")
    await w.shot("discount_line")
    await w.type("10%")
    await w.keys("enter")
    await w.type("1")
    await w.keys("enter")
    await w.shot("sale_line_discounted")
    await w.keys("ctrl+t")
    await w.type("25%")
    await w.keys("enter")
    await w.type("4")
    await w.keys("enter")
    await w.shot("override_discount")
    await w.keys("escape")
    await w.keys("ctrl+q")
    await w.shot("quit_basket")
    await w.keys("escape", "f7", "enter")


SCENES: list[Callable[[Walk], Awaitable[None]]] = [
    log_in,
    start_session,
    adjust_cash,
    sell,
    close_session,
    look_back,
    back_office,
    prompts,
    discounts_and_quitting,
]


async def walk(app, pilot, lang: str) -> Walk:
    w = Walk(app, pilot, lang)
    await pilot.pause()
    for scene in SCENES:
        await scene(w)
        if scene is not log_in:
            await w.to_sale_screen()
    return w


def check(name: str, text: str) -> str | None:
    """None when the snapshot matches (or was written with the update flag), else why not."""
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get(UPDATE):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text + "\n", "utf-8")
        return None
    if not path.exists():
        return f"snapshot {path} is missing: write it with {UPDATE}=1"
    old = path.read_text("utf-8")
    if old == text + "\n":
        return None
    diff = difflib.unified_diff(
        old.splitlines(), text.splitlines(), f"{name} (snapshot)", f"{name} (now)", lineterm=""
    )
    return f"{path.name} differs (regenerate with {UPDATE}=1 if intended):\n" + "\n".join(diff)


@pytest.fixture(scope="module")
def walked():
    return {}


@pytest.mark.parametrize("lang", LANGS)
async def test_every_screen_matches_its_snapshot_and_nothing_is_cut(make_app, lang):
    """C-6: every screen at 80x24 in en, da and is; no text cut off; a missing snapshot
    is a failure (written only with KASSI_UPDATE_SNAPSHOTS=1)."""
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        w = await walk(app, pilot, lang)
    failures = [f for name, text in w.shots.items() if (f := check(f"{lang}_{name}", text))]
    cut = [f"{lang}_{name}: {p}" for name, problems in w.cut.items() for p in problems]
    assert not cut, "text cut off at 80x24:\n" + "\n".join(cut)
    assert not failures, "\n\n".join(failures)


def test_every_snapshot_file_belongs_to_a_scene():
    """A renamed or removed scene leaves no stale snapshot behind."""
    import ast

    tree = ast.parse(Path(__file__).read_text("utf-8"))
    names = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "shot"
        and isinstance(node.args[0], ast.Constant)
    }
    expected = {f"{lang}_{name}.txt" for lang in LANGS for name in names}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.txt") if p.name not in expected)
    assert not stale, f"snapshots no scene writes (delete them): {stale}"
