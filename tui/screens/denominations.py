"""Count the drawer by notes and coins; returns (total, {denomination: count})."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core import money
from core.i18n import _


class DenominationScreen(ModalScreen[tuple[int, dict[int, int]] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("f2", "done", "Done"),
    ]

    def compose(self) -> ComposeResult:
        app = self.app
        self.denominations = money.DENOMINATIONS.get(app.store.currency, ())
        with Vertical(classes="dialog", id="denominations"):
            yield Static(_("Count notes and coins"), classes="dialog-title", markup=False)
            with Grid(id="denomination-grid"):
                for d in self.denominations:
                    yield Label(app.money(d))
                    yield Input(id=f"d{d}", restrict=r"\d{0,5}", placeholder="0")
            yield Static("", id="count-total", markup=False)
            yield Static(_("Enter: next   F2: done   Esc: back"), classes="hint", markup=False)

    def on_mount(self) -> None:
        if self.denominations:
            self.query_one(f"#d{self.denominations[0]}", Input).focus()
        self.update_total()

    def counts(self) -> dict[int, int]:
        out = {}
        for d in self.denominations:
            text = self.query_one(f"#d{d}", Input).value
            if text:
                out[d] = int(text)
        return out

    def update_total(self) -> int:
        total = sum(d * n for d, n in self.counts().items())
        self.query_one("#count-total", Static).update(
            _("Total: {amount}").format(amount=self.app.money(total))
        )
        return total

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.update_total()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_done(self) -> None:
        self.dismiss((self.update_total(), self.counts()))

    def action_cancel(self) -> None:
        self.dismiss(None)
