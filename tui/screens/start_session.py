"""Start a session (S-3): the counted starting amount and an optional note; or (F3,
K-1) a float taken from the store's safe, added to what the drawer holds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import KassiError
from core.text.i18n import _
from core.tills import drawer, sessions
from tui.widgets.amount_input import AmountField


class StartSessionScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("f2", "count", "Count notes and coins"),
        Binding("f3", "from_safe", "Float from the safe"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[int, int] | None = None
        self.from_safe = False

    def compose(self) -> ComposeResult:
        app = self.app
        last = sessions.last_closed_session(app.db, app.terminal.id)
        suggested = app.money(last.left_in_drawer) if last else ""
        with Vertical(classes="dialog"):
            yield Static(_("Start tracking session"), classes="dialog-title", markup=False)
            yield AmountField(
                _("Starting amount"), app.store.currency, app.locale, value=suggested, id="float"
            )
            yield Label(_("Note (optional)"))
            yield Input(id="note", max_length=500)
            yield Static("", id="from-safe", markup=False)
            yield Static("", id="start-error", classes="error", markup=False)
            yield Static(
                _(
                    "Enter: confirm   F2: count notes and coins   F3: float from the safe   Esc: back"
                ),
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#from-safe", Static).display = False
        self.query_one("#float", AmountField).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one("#float", AmountField)
        if field.amount is None:
            field.show_error(
                field.input.value and _("Fix the amount first.") or _("Enter the starting amount.")
            )
            field.focus()
            return
        if event.input is field.input:
            self.query_one("#note", Input).focus()
            return
        self.confirm(field.amount)

    def confirm(self, amount: int) -> None:
        app = self.app
        counts = (
            self.counts
            if self.counts and sum(d * n for d, n in self.counts.items()) == amount
            else None
        )
        try:
            session = sessions.open_session(
                app.db,
                app.staff,
                app.terminal.id,
                amount,
                self.query_one("#note", Input).value,
                counts,
                from_safe=self.from_safe,
            )
        except KassiError as exc:
            self.query_one("#start-error", Static).update(exc.message)
            return
        app.hardware.open_drawer(
            drawer.session_drawer_grant(app.db, app.terminal.id, session.id, "session.open")
        )
        self.dismiss(session.id)

    def action_count(self) -> None:
        from tui.screens.denominations import DenominationScreen

        def done(result: tuple[int, dict[int, int]] | None) -> None:
            if result is None:
                return
            total, self.counts = result
            field = self.query_one("#float", AmountField)
            field.input.value = self.app.money(total)
            self.query_one("#note", Input).focus()

        self.app.push_screen(DenominationScreen(), done)

    def action_from_safe(self) -> None:
        """K-1: the amount is the float taken from the safe (or, again, counted in)."""
        self.from_safe = not self.from_safe
        field = self.query_one("#float", AmountField)
        if self.from_safe:
            field.input.value = ""
            note = self.query_one("#from-safe", Static)
            note.update(
                _("Float from the safe: the amount is taken from the safe into the drawer.")
            )
            note.display = True
        else:
            self.query_one("#from-safe", Static).display = False
        field.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
