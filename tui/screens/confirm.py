"""Yes or no: Enter / y confirms, Esc / n goes back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from core.text.i18n import _


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter,y,j", "answer(True)", "Yes"),
        Binding("escape,n", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, markup=False)
            yield Static(_("Enter: yes   Esc: no"), classes="hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
