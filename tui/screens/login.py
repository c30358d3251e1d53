"""Log in with staff id and PIN (R-10): five wrong PINs lock the account, for longer each time
until a manager unlocks it. The messages are core's and name nobody before a correct PIN.

F4 changes a PIN (K-5): anyone, with their id and old PIN. A staff member deactivated
while logged in is brought back here at their next key, with the reason on one line
(``log_out_if_inactive``, called by the app before each key)."""

from __future__ import annotations

import sqlite3

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from core.errors import KassiError
from core.staff import auth
from core.text.i18n import _
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown
from tui.widgets.scan_input import ScanInput


class LoggedIn(Message):
    """Sent to the screen under the login when someone has logged in."""

    def __init__(self, staff) -> None:
        super().__init__()
        self.staff = staff


class LoginScreen(Screen):
    BINDINGS = [
        Binding("escape", "clear", "Clear", show=False),
        Binding("f4", "change_pin", "Change PIN"),
    ]

    def __init__(self, reason: str = "") -> None:
        """``reason``: why the till came back to the login (shown until the next try)."""
        super().__init__()
        self.reason = reason

    def compose(self) -> ComposeResult:
        app = self.app
        with Center(), Vertical(id="login-box"):
            yield Static(
                f"{shown(app.store.name)}\n{_where(app)}",
                id="login-title",
                markup=False,
            )
            yield Label(_("Staff id"))
            # A burst (`2`, Tab, `2222`, Enter, as a badge reader or SSH delivers it)
            # fills both fields in order (C-1): each field ends its own part.
            yield ScanInput(id="staff-id", max_length=32, clear_on_scan=False, advance_to="pin")
            yield Label(_("PIN"))
            yield ScanInput(id="pin", password=True, max_length=8, tab_to="staff-id")
            yield Static(self.reason, id="login-error", classes="error", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one("#staff-id", Input).focus()

    def action_change_pin(self) -> None:
        from tui.screens.pin_change import PinChangeScreen

        staff_id = self.query_one("#staff-id", Input).value.strip()

        def done(changed: bool | None) -> None:
            error = self.query_one("#login-error", Static)
            if changed:
                error.set_class(False, "error")
                error.update(_("Your PIN is changed: log in with the new one."))
            self.action_clear()

        self.app.push_screen(PinChangeScreen(staff_id), done)

    def action_clear(self) -> None:
        self.query_one("#pin", Input).value = ""
        self.query_one("#staff-id", Input).value = ""
        self.query_one("#staff-id", Input).focus()

    def on_scan_input_scanned(self, event: ScanInput.Scanned) -> None:
        event.stop()
        if event.scan_input.id != "pin":
            return  # the staff field moved on to the PIN itself
        # The PIN as it was when Enter was pressed (the field cleared itself then):
        # keys typed since belong to the next try.
        pin = event.value
        staff_id = self.query_one("#staff-id", Input).value.strip()
        if not staff_id:
            self.query_one("#staff-id", Input).focus()
            return
        if not pin:
            return  # Enter on an empty PIN is not a wrong PIN
        error = self.query_one("#login-error", Static)
        error.set_class(True, "error")
        try:
            terminal = self.app.terminal.id if self.app.terminal else None
            staff = auth.authenticate(self.app.db, staff_id, pin, terminal_id=terminal)
        except KassiError as exc:
            error.update(exc.message)
            # The next try starts from the staff id, as the first did: a retyped
            # "id, Tab, PIN" (or a badge burst) must not land the PIN in the id field.
            staff_field = self.query_one("#staff-id", Input)
            staff_field.value = ""
            staff_field.focus()
            return
        error.update("")
        self.app.staff = staff
        self.app.pop_screen()
        self.app.screen.post_message(LoggedIn(staff))


def _where(app) -> str:
    if app.terminal is None:  # a head office's back office
        return _("Head office")
    return f"{shown(app.terminal.name)} [{shown(app.terminal.id)}]"


def log_out_if_inactive(app) -> bool:
    """K-5: if the logged-in staff member was deactivated (on any till, or by the CLI),
    lock the till with the reason and return True: the key that found it is dropped.
    One primary-key lookup per key (core.staff.auth.still_active)."""
    staff = app.staff
    if staff is None or isinstance(app.screen, LoginScreen):
        return False
    try:
        if auth.still_active(app.db, staff):
            return False
    except sqlite3.Error:  # a busy or closing database: core checks again on the operation
        return False
    app.lock(_("Logged out: {name} is no longer active.").format(name=staff.name))
    return True
