"""Quitting with an unpaid basket (C-7): park it, lose it, or stay."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from core.text.i18n import _

PARK, LOSE, STAY = "park", "lose", "stay"


class QuitBasketScreen(ModalScreen[str]):
    """Dismisses with PARK, LOSE or STAY. Enter parks: the safe answer is the default."""

    BINDINGS = [
        Binding("enter,f2,p", "answer('park')", "Park"),
        Binding("f8", "answer('lose')", "Quit and lose it"),
        Binding("escape", "answer('stay')", "Stay"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="quit-basket"):
            yield Static(_("The basket is not paid for."), classes="dialog-title", markup=False)
            yield Static(_("Park it and it is back on this till at the next start."), markup=False)
            yield Static(
                _("Enter: park and quit   F8: quit and lose it   Esc: stay"),
                classes="hint",
                markup=False,
            )

    def action_answer(self, choice: str) -> None:
        self.dismiss(choice)
