"""The till: a Textual app over one terminal of the store database.

Screens call core service functions (never SQL, never money arithmetic) and
hand printing and the drawer to workers, so a slow or dead printer never
freezes the till.
"""

from __future__ import annotations

import os
from time import monotonic

from textual import events
from textual.app import App
from textual.binding import Binding

from core import config
from core.db import Db
from core.i18n import set_language
from core.model import Staff, Store, Terminal

IDLE_LOCK_SECONDS = int(os.environ.get("KASSI_IDLE_LOCK", "300"))


class KassiApp(App, inherit_bindings=False):
    """Bindings are not inherited: no default quit key, no command palette (kiosk-safe)."""

    CSS_PATH = "kassi.tcss"
    ENABLE_COMMAND_PALETTE = False
    TITLE = "kassi"
    BINDINGS = [Binding("ctrl+q", "quit_till", "Quit", show=False, priority=True)]

    def __init__(
        self,
        db: Db,
        *,
        terminal_id: str | None = None,
        kiosk: bool = False,
        lang: str | None = None,
        idle_lock_seconds: int = IDLE_LOCK_SECONDS,
        hardware=None,
    ) -> None:
        super().__init__()
        self.db = db
        self.kiosk = kiosk
        self.lang = lang
        self.terminal_id = terminal_id
        self.idle_lock_seconds = idle_lock_seconds
        self.staff: Staff | None = None
        self.terminal: Terminal | None = None
        self.store: Store | None = None
        self._hardware_override = hardware
        self.hardware = None
        self._last_activity = monotonic()
        if os.environ.get("NO_COLOR") or os.environ.get("TEXTUAL_COLOR_SYSTEM") == "standard":
            self.theme = "ansi-dark"

    # -- start-up -------------------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.pick_terminal import PickTerminalScreen

        if self.idle_lock_seconds > 0:
            self.set_interval(5, self._check_idle)
        if self.terminal_id:
            self.use_terminal(self.terminal_id)
        else:
            self.push_screen(PickTerminalScreen())

    def use_terminal(self, terminal_id: str) -> None:
        """Open the till for a terminal: its store's language, the sale screen, the login."""
        from tui.hardware_bridge import TillHardware
        from tui.screens.login import LoginScreen
        from tui.screens.sale import SaleScreen

        self.terminal = config.get_terminal(self.db, terminal_id)
        self.store = config.get_store(self.db, self.terminal.store_id)
        self.terminal_id = terminal_id
        set_language(self.lang or self.store.locale)
        self.hardware = self._hardware_override or TillHardware(self, self.terminal)
        self.push_screen(SaleScreen())
        self.push_screen(LoginScreen())

    # -- who is at the till ---------------------------------------------------------

    @property
    def staff(self) -> Staff | None:
        return self._staff

    @staff.setter
    def staff(self, staff: Staff | None) -> None:
        # every header follows who is logged in, also under a dialog (C-6)
        self._staff = staff
        if self.is_running:
            from tui.widgets.status_bar import refresh_every_status_bar

            refresh_every_status_bar(self)

    def lock(self) -> None:
        """Switch user / idle lock: the login covers the till; the basket stays."""
        from tui.screens.login import LoginScreen

        if self.staff is None or isinstance(self.screen, LoginScreen):
            return
        self.staff = None
        self.push_screen(LoginScreen())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_activity = monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.staff and monotonic() - self._last_activity > self.idle_lock_seconds:
            self.lock()

    # -- leaving ----------------------------------------------------------------------

    def action_quit_till(self) -> None:
        from tui.screens.pin_prompt import PinPromptScreen

        if not self.kiosk:
            self.exit()
            return

        def done(staff: Staff | None) -> None:
            if staff is not None:
                self.exit()

        self.push_screen(PinPromptScreen(permission="kiosk.exit"), done)

    # -- helpers for screens ----------------------------------------------------------

    def money(self, minor: int) -> str:
        from core.money import format_amount

        assert self.store is not None
        return format_amount(minor, self.store.currency, self.lang or self.store.locale)

    @property
    def locale(self) -> str:
        return self.lang or (self.store.locale if self.store else "en")


def run_till(ctx, *, kiosk: bool, no_mouse: bool, terminal_id: str | None) -> None:
    """`kassi` with no sub-command: the till (called by the CLI with its context)."""
    app = KassiApp(ctx.db, terminal_id=terminal_id, kiosk=kiosk, lang=ctx.lang)
    app.run(mouse=not no_mouse)
