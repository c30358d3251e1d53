"""The one override prompt (SPEC C-3): the id and PIN of someone holding a permission.

Every permissioned action at the till that the logged-in staff member may not do
alone asks here, at the moment of the action: a refund without a receipt, a
discount over the limit, no sale, leaving kiosk mode. The title names the
permission needed. The check and the audit entry (who approved, for whom,
which action) are core's: ``core.staff.auth.authorize_override``. Dismisses with the
approving Staff, or None when cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import KassiError
from core.staff import auth, permissions
from core.store.records import Staff
from core.text.i18n import _
from tui.widgets.scan_input import ScanInput


class OverrideScreen(ModalScreen[Staff | None]):
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(
        self,
        permission: str,
        action_label: str = "",
        *,
        check: Callable[[Staff], None] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self.permission = permission
        self.action_label = action_label
        self.check = check
        label = permissions.label(permission)
        self.title_text = title or _("Needs someone allowed to {action}").format(action=label)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.action_label:
                yield Static(self.action_label, id="override-action", markup=False)
            # A badge burst (`1`, Tab, `1234`, Enter) fills both fields in order, as at
            # the login (C-1): each field ends its own part and moves the focus at once.
            yield Label(_("Staff id"))
            yield ScanInput(id="staff-id", max_length=32, clear_on_scan=False, advance_to="pin")
            yield Label(_("PIN"))
            yield ScanInput(id="pin", password=True, max_length=8, tab_to="staff-id")
            yield Static("", id="pin-error", classes="error", markup=False)
            yield Static(_("Enter: OK   Esc: back"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#staff-id", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_scan_input_scanned(self, event: ScanInput.Scanned) -> None:
        event.stop()
        if event.scan_input.id != "pin":
            return  # the staff field moved on to the PIN itself
        # The PIN as it was at its Enter (the field cleared itself then).
        pin = event.value
        staff_id = self.query_one("#staff-id", Input).value.strip()
        if not staff_id:
            self.screen.set_focus(self.query_one("#staff-id", Input))
            return
        if not pin:
            return  # Enter on an empty PIN is not a wrong PIN
        try:
            staff = auth.authorize_override(
                self.app.db,
                self.app.staff,
                staff_id,
                pin,
                self.permission,
                terminal_id=self.app.terminal_id,
                action=self.action_label or self.permission,
                check=self.check,
            )
        except KassiError as exc:
            self.query_one("#pin-error", Static).update(exc.message)
            # The next try starts from the staff id, as the first did: a retyped
            # "id, Tab, PIN" (or a badge burst) must not land the PIN in the id field.
            staff_field = self.query_one("#staff-id", Input)
            staff_field.value = ""
            self.set_focus(staff_field)
            return
        self.dismiss(staff)


# The name the kiosk exit and other screens know it by.
PinPromptScreen = OverrideScreen


def with_permission(
    screen, permission: str, action_label: str, then: Callable[[Staff | None], None]
) -> None:
    """Run ``then`` at once when the logged-in staff member holds ``permission``
    (``then(None)``), else after an override (``then(approver)``); nothing when cancelled."""
    staff = screen.app.staff
    if staff is not None and staff.active and staff.can(permission):
        then(None)
        return

    def done(approver: Staff | None) -> None:
        if approver is not None:
            then(approver)

    screen.app.push_screen(OverrideScreen(permission, action_label), done)
