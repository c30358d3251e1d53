"""A bank deposit or a safe count, typed in the back office (SPEC K-1).

A deposit takes the amount (or a count of notes) and the deposit slip's number; a
count takes what was counted, and shows nothing of the expected balance before it
is committed. Returns the recorded movement (None: nothing recorded).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.cash import safe
from core.errors import KassiError
from core.text.i18n import _
from tui.widgets.amount_input import AmountField


class SafeEntryScreen(ModalScreen):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("f2", "count", "Count notes and coins"),
    ]

    def __init__(self, kind: str, *, blind: bool = False) -> None:
        super().__init__()
        assert kind in ("deposit", "count")
        self.kind, self.blind = kind, blind
        self.counts: dict[int, int] | None = None

    def compose(self) -> ComposeResult:
        app = self.app
        deposit = self.kind == "deposit"
        title = _("Bank deposit") if deposit else _("Count the safe")
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            yield AmountField(
                _("Amount to the bank") if deposit else _("Counted in the safe"),
                app.store.currency,
                app.locale,
                allow_zero=not deposit,
                id="amount",
            )
            if deposit:
                yield Label(_("Deposit slip number"))
                yield Input(id="slip", max_length=safe.REFERENCE_MAX)
            yield Static("", id="entry-error", classes="error", markup=False)
            yield Static(
                _("Enter: confirm   F2: count notes and coins   Esc: back"),
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#amount", AmountField).focus()

    def error(self, text: str) -> None:
        self.query_one("#entry-error", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one("#amount", AmountField)
        if field.amount is None:
            field.show_error(_("Enter the amount."))
            field.focus()
            return
        slip = self.query(Input).filter("#slip").first() if self.kind == "deposit" else None
        if slip is not None and (event.input is field.input or not slip.value.strip()):
            slip.focus()
            if event.input is slip:
                self.error(_("Enter the deposit slip number."))
            return
        app = self.app
        counts = (
            self.counts
            if self.counts and sum(d * n for d, n in self.counts.items()) == field.amount
            else None
        )
        try:
            if slip is not None:
                m = safe.deposit(
                    app.db, app.staff, app.store.id, field.amount, slip.value, counts=counts
                )
            else:
                m = safe.count(
                    app.db, app.staff, app.store.id, field.amount, counts=counts, blind=self.blind
                )
        except KassiError as exc:
            self.error(exc.message)
            return
        self.dismiss(m)

    def action_count(self) -> None:
        from tui.screens.denominations import DenominationScreen

        def done(result: tuple[int, dict[int, int]] | None) -> None:
            if result is None:
                return
            total, self.counts = result
            self.query_one("#amount", AmountField).input.value = self.app.money(total)

        self.app.push_screen(DenominationScreen(), done)

    def action_cancel(self) -> None:
        self.dismiss(None)
