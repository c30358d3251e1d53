"""Ask for a staff id and PIN of someone holding a permission (kiosk exit, overrides)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core import auth
from core.errors import KassiError
from core.i18n import _
from core.model import Staff


class PinPromptScreen(ModalScreen[Staff | None]):
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, permission: str, title: str | None = None) -> None:
        super().__init__()
        self.permission = permission
        self.title_text = title or _("A manager's PIN is needed")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Label(_("Staff id"))
            yield Input(id="staff-id", max_length=32)
            yield Label(_("PIN"))
            yield Input(id="pin", password=True, max_length=8)
            yield Static("", id="pin-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#staff-id", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "staff-id":
            self.query_one("#pin", Input).focus()
            return
        try:
            staff = auth.authenticate(
                self.app.db,
                self.query_one("#staff-id", Input).value.strip(),
                self.query_one("#pin", Input).value,
                terminal_id=self.app.terminal_id,
            )
            auth.require(staff, self.permission)
        except KassiError as exc:
            self.query_one("#pin-error", Static).update(exc.message)
            self.query_one("#pin", Input).value = ""
            return
        self.dismiss(staff)
