"""A new PIN (SPEC K-5, R-10): your own, with the old PIN first, or a manager's reset
of someone else's; the new PIN is typed twice either way.

Reached from the login screen (F4: anyone, with their id and old PIN, also after a
manager gave them a PIN to change), and from the staff screen of the back office
(your own, and a reset of the chosen staff member). The rules are core's
(core.staff.admin); this screen only asks. Dismisses with True when the PIN
changed, None when cancelled.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import AuthError, KassiError
from core.staff import admin as staff_admin
from core.store.records import Staff
from core.text.i18n import _


class PinChangeScreen(ModalScreen[bool | None]):
    CSS_PATH = "staff.tcss"
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, staff_id: str = "", *, reset_for: Staff | None = None) -> None:
        """``reset_for``: a manager resets this staff member's PIN (no old PIN asked)."""
        super().__init__()
        self.staff_id = staff_id
        self.reset_for = reset_for

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="pin-change"):
            if self.reset_for is not None:
                title = _("New PIN for {name} ({id})").format(
                    name=self.reset_for.name, id=self.reset_for.id
                )
            else:
                title = _("Change your PIN")
            yield Static(title, classes="dialog-title", markup=False)
            if self.reset_for is None:
                yield Label(_("Staff id"))
                yield Input(value=self.staff_id, id="staff-id", max_length=32)
                yield Label(_("Old PIN"))
                yield Input(id="old-pin", password=True, max_length=8)
            yield Label(_("New PIN"))
            yield Input(id="new-pin", password=True, max_length=8)
            yield Label(_("New PIN again"))
            yield Input(id="new-pin-again", password=True, max_length=8)
            yield Static("", id="pin-change-error", classes="error", markup=False)
            yield Static(_("Enter: next / OK   Esc: back"), classes="hint", markup=False)

    def on_mount(self) -> None:
        first = "#new-pin"
        if self.reset_for is None:
            first = "#old-pin" if self.staff_id else "#staff-id"
        self.query_one(first, Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def field(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        order = [i.id for i in self.query(Input)]
        at = order.index(event.input.id)
        if at + 1 < len(order):
            self.field(order[at + 1]).focus()
            return
        new, again = self.field("new-pin").value, self.field("new-pin-again").value
        try:
            if self.reset_for is not None:
                staff_admin.reset_pin(self.app.db, self.app.staff, self.reset_for.id, new, again)
            else:
                staff_admin.change_own_pin(
                    self.app.db,
                    self.field("staff-id").value.strip(),
                    self.field("old-pin").value,
                    new,
                    again,
                    terminal_id=self.app.terminal_id,
                )
        except KassiError as exc:
            self.refused(exc)
            return
        self.dismiss(True)

    def refused(self, exc: KassiError) -> None:
        """Say why on one line and start again where it went wrong."""
        self.query_one("#pin-change-error", Static).update(exc.message)
        self.field("new-pin").value = self.field("new-pin-again").value = ""
        if isinstance(exc, AuthError) and self.reset_for is None:
            self.field("old-pin").value = ""  # the id or the old PIN: both asked again
            self.field("old-pin").focus()
        else:
            self.field("new-pin").focus()
