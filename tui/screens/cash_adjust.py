"""Add or remove cash with a note (S-6); shown as cash actions on the session.

Returns the amount moved (None: nothing moved), for the page's notice."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import KassiError
from core.text.i18n import _
from core.tills import sessions
from tui.widgets.amount_input import AmountField


class CashAdjustScreen(ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        app = self.app
        title = (
            _("Add cash to the drawer") if self.kind == "add" else _("Remove cash from the drawer")
        )
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            yield AmountField(
                _("Amount"), app.store.currency, app.locale, allow_zero=False, id="amount"
            )
            yield Label(_("Note (why the cash moves)"))
            yield Input(
                id="note", max_length=500, placeholder=_("e.g. change for the drawer, to the safe")
            )
            yield Static("", id="adjust-error", classes="error", markup=False)
            yield Static(_("Enter: confirm   Esc: back"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#amount", AmountField).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one("#amount", AmountField)
        if field.amount is None:
            field.show_error(_("Enter the amount."))
            field.focus()
            return
        note = self.query_one("#note", Input)
        if event.input is field.input or not note.value.strip():
            note.focus()
            if event.input is note:
                self.query_one("#adjust-error", Static).update(
                    _("A note is required: say why the cash moves.")
                )
            return
        app = self.app
        try:
            adj = sessions.adjust_cash(
                app.db, app.staff, app.terminal.id, self.kind, field.amount, note.value
            )
        except KassiError as exc:
            self.query_one("#adjust-error", Static).update(exc.message)
            return
        app.hardware.after_adjustment(adj)
        self.dismiss(adj.amount)  # the page says what moved (C-6)

    def action_cancel(self) -> None:
        self.dismiss(None)
