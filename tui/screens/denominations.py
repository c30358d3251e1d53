"""Count the drawer by notes and coins; returns (total, {denomination: count}).

One line per denomination (value, count, value x count), so the eleven Danish
denominations fit 80x24; the running total and the keys stay on screen under the
rows, which scroll when a currency has more denominations than the screen has lines.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.money import denominations
from core.text.i18n import _, ngettext

MOVES = {"enter": 1, "tab": 1, "ctrl+j": 1, "down": 1, "up": -1, "shift+tab": -1}


class CountInput(Input):
    """A count field where a count typed ahead ("2⏎3⏎4⏎" in one burst) lands row by
    row, in order (C-1). Textual hands every key of a burst to the field focused when
    it arrived, and moves the focus only later; so the screen keeps the row that keys
    belong to now, and a field hands on what was typed for a row after it."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        step = MOVES.get(event.key)
        if step is not None:
            event.stop()
            event.prevent_default()
            screen.action_move(step)
            return
        target = screen.target_input() if isinstance(screen, DenominationScreen) else self
        if target is not self:
            await target._on_key(event)
            return
        await super()._on_key(event)


class DenominationScreen(ModalScreen[tuple[int, dict[int, int]] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("f2", "done", "Done"),
    ]

    def compose(self) -> ComposeResult:
        app = self.app
        self.denominations = denominations.DENOMINATIONS.get(app.store.currency, ())
        with Vertical(classes="dialog", id="denominations"):
            yield Static(_("Count notes and coins"), classes="dialog-title", markup=False)
            with VerticalScroll(id="denomination-rows"):
                for d in self.denominations:
                    with Horizontal(classes="denomination-row"):
                        yield Label(app.money(d), classes="denomination")
                        yield Label("×", classes="times")
                        yield CountInput(
                            id=f"d{d}", restrict=r"[0-9]{0,5}", placeholder="0", compact=True
                        )
                        yield Static("", id=f"s{d}", classes="subtotal", markup=False)
            yield Static("", id="count-total", markup=False)
            yield Static(
                _("Enter/Down: next   Up: back   F2: done   Esc: cancel"),
                classes="hint",
                markup=False,
            )

    target = 0  # the row the next typed key belongs to (the focus follows it)

    def on_mount(self) -> None:
        if self.denominations:
            self.query_one(f"#d{self.denominations[0]}", Input).focus()
        self.update_total()

    def target_input(self) -> Input:
        return list(self.query(CountInput))[self.target]

    def on_descendant_focus(self, event) -> None:
        inputs = list(self.query(CountInput))
        if event.widget in inputs:  # a click or Tab: typing goes where the cursor is
            self.target = inputs.index(event.widget)

    def counts(self) -> dict[int, int]:
        out = {}
        for d in self.denominations:
            text = self.query_one(f"#d{d}", Input).value
            if text:
                out[d] = int(text)
        return out

    def update_total(self) -> int:
        counts = self.counts()
        for d in self.denominations:
            n = counts.get(d)
            self.query_one(f"#s{d}", Static).update(self.app.money(d * n) if n else "")
        total = sum(d * n for d, n in counts.items())
        pieces = sum(counts.values())
        self.query_one("#count-total", Static).update(
            _("Total: {amount}").format(amount=self.app.money(total))
            + "   "
            + ngettext("({n} note or coin)", "({n} notes and coins)", pieces).format(n=pieces)
        )
        return total

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.update_total()

    def action_move(self, step: int) -> None:
        inputs = list(self.query(CountInput))
        if inputs:
            self.target = (self.target + step) % len(inputs)
            inputs[self.target].focus()

    def action_done(self) -> None:
        self.dismiss((self.update_total(), self.counts()))

    def action_cancel(self) -> None:
        self.dismiss(None)
