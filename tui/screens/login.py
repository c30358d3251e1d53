"""Log in with staff id and PIN (R-10): five wrong PINs lock the account, for longer each time
until a manager unlocks it. The messages are core's and name nobody before a correct PIN."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from core import auth
from core.errors import KassiError
from core.i18n import _
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown


class LoggedIn(Message):
    """Sent to the screen under the login when someone has logged in."""

    def __init__(self, staff) -> None:
        super().__init__()
        self.staff = staff


class LoginScreen(Screen):
    BINDINGS = [Binding("escape", "clear", "Clear", show=False)]

    def compose(self) -> ComposeResult:
        app = self.app
        with Center(), Vertical(id="login-box"):
            yield Static(
                f"{shown(app.store.name)}\n{shown(app.terminal.name)} [{shown(app.terminal.id)}]",
                id="login-title",
                markup=False,
            )
            yield Label(_("Staff id"))
            yield Input(id="staff-id", max_length=32)
            yield Label(_("PIN"))
            yield Input(id="pin", password=True, max_length=8)
            yield Static("", id="login-error", classes="error", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one("#staff-id", Input).focus()

    def action_clear(self) -> None:
        self.query_one("#pin", Input).value = ""
        self.query_one("#staff-id", Input).value = ""
        self.query_one("#staff-id", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "staff-id":
            self.query_one("#pin", Input).focus()
            return
        staff_id = self.query_one("#staff-id", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        error = self.query_one("#login-error", Static)
        try:
            staff = auth.authenticate(self.app.db, staff_id, pin, terminal_id=self.app.terminal.id)
        except KassiError as exc:
            error.update(exc.message)
            self.query_one("#pin", Input).value = ""
            return
        error.update("")
        self.app.staff = staff
        self.app.pop_screen()
        self.app.screen.post_message(LoggedIn(staff))
