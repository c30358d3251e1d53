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
from tui.widgets.scan_input import ScanInput


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
            # Typed ahead in one go ("2⏎1111⏎4321⏎4321⏎") every part lands in its own
            # field (C-1): each field ends its part and moves the focus at once.
            fields = [("new-pin", _("New PIN")), ("new-pin-again", _("New PIN again"))]
            if self.reset_for is None:
                fields[:0] = [("staff-id", _("Staff id")), ("old-pin", _("Old PIN"))]
            self.order = [name for name, _label in fields]
            for at, (name, label) in enumerate(fields):
                last = at + 1 == len(fields)
                yield Label(label)
                yield ScanInput(
                    value=self.staff_id if name == "staff-id" else "",
                    id=name,
                    max_length=32 if name == "staff-id" else 8,
                    password=name != "staff-id",
                    clear_on_scan=False,
                    advance_to=None if last else self.order[at + 1],
                    advance_empty=True,
                    tab_to=self.order[0] if last else None,
                )
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

    def on_scan_input_scanned(self, event: ScanInput.Scanned) -> None:
        event.stop()
        at = self.order.index(event.scan_input.id)
        if at + 1 < len(self.order):
            return  # the field moved on to the next itself
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
            self.set_focus(self.field("old-pin"))
        else:
            self.set_focus(self.field("new-pin"))
