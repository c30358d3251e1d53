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

from core.store import stores, terminals
from core.store.db import Db
from core.store.records import Staff, Store, Terminal
from core.text.i18n import set_language
from tui.widgets.safe import ControlCharacterFilter, shown

_IDLE = os.environ.get("KASSI_IDLE_LOCK", "300").strip()
IDLE_LOCK_SECONDS = int(_IDLE) if _IDLE.isascii() and _IDLE.isdigit() and len(_IDLE) < 7 else 300


_CONTROL_FILTER = ControlCharacterFilter()


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
        till_lock=None,
        sync_hq: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        # A head office on PostgreSQL: the chain's back office, no till of its own.
        self.head_office = db.dialect != "sqlite"
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
        # C-7: the lock that keeps this terminal to one live process (core.store.till_lock);
        # the CLI may take it before the screen starts, to refuse on one line.
        self.till_lock = till_lock
        self._last_staff: Staff | None = None
        # Who parked the basket this till brought back: it is theirs again if the till
        # quits before anyone logs in (a thin client that reconnects twice at once).
        self._basket_owner: str | None = None
        self.sync = None
        if sync_hq:
            from tui.sync_worker import TillSync

            self.sync = TillSync(self, sync_hq)
        if os.environ.get("NO_COLOR") or os.environ.get("TEXTUAL_COLOR_SYSTEM") == "standard":
            self.theme = "ansi-dark"

    def get_line_filters(self):
        """Textual's filters, then R-6's net: no control character reaches the terminal."""
        return [*super().get_line_filters(), _CONTROL_FILTER]

    # -- start-up -------------------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.pick_terminal import PickTerminalScreen

        if self.idle_lock_seconds > 0:
            self.set_interval(5, self._check_idle)
        self.set_interval(1, self._check_hangup)
        if self.sync is not None:
            self.sync.start()
        if not self.is_headless:
            import asyncio
            import signal

            # A hang-up (SSH dropped, pane killed) would end us before the basket is kept.
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hung_up)
        if self.head_office:
            from tui.screens.pick_store import PickStoreScreen

            self.push_screen(PickStoreScreen())
        elif self.terminal_id:
            self.use_terminal(self.terminal_id)
        else:
            self.push_screen(PickTerminalScreen())

    def use_store(self, store_id: str) -> None:
        """At a head office: the store's back office, behind the login (X-1)."""
        from tui.screens.login import LoginScreen
        from tui.screens.office import OfficeScreen

        self.store = stores.get_store(self.db, store_id)
        set_language(self.lang or self.store.locale)
        self.push_screen(OfficeScreen())
        if self.staff is None:
            self.push_screen(LoginScreen())

    def use_terminal(self, terminal_id: str) -> None:
        """Open the till for a terminal: its store's language, the sale screen, the login."""
        from tui.hardware_bridge import TillHardware
        from tui.screens.login import LoginScreen
        from tui.screens.sale import SaleScreen

        if not self._lock_terminal(terminal_id):
            return
        self.terminal = terminals.get_terminal(self.db, terminal_id)
        self.store = stores.get_store(self.db, self.terminal.store_id)
        self.terminal_id = terminal_id
        set_language(self.lang or self.store.locale)
        self.hardware = self._hardware_override or TillHardware(self, self.terminal)
        sale = SaleScreen()
        self.push_screen(sale)
        self.push_screen(LoginScreen())
        self.call_after_refresh(self._restore_parked, sale)

    def _lock_terminal(self, terminal_id: str) -> bool:
        """One live process per terminal (C-7); a refusal leaves the till unopened."""
        from core.errors import KassiError
        from core.store import till_lock

        if self.till_lock is not None and self.till_lock.terminal_id == terminal_id:
            return True
        try:
            lock = till_lock.acquire(self.db.path, terminal_id)
        except KassiError as exc:
            self.notify(shown(exc.message), severity="error", timeout=15, markup=False)
            if not self.kiosk:
                from tui.screens.pick_terminal import PickTerminalScreen

                self.push_screen(PickTerminalScreen())
            return False
        if self.till_lock is not None:
            self.till_lock.release()
        self.till_lock = lock
        return True

    def _restore_parked(self, sale) -> None:
        """A basket parked when this terminal last quit goes back on the sale screen."""
        from core.text.i18n import _
        from core.tills import parked

        basket = parked.take(self.db, self.terminal.id)
        if basket is None:
            return
        self._basket_owner = basket.staff_id
        sale.lines = list(basket.lines)
        sale.keep_notice_for_login = True  # the first login must still see where it came from
        sale.customer_id = basket.customer_id
        sale.refund_mode = basket.refund_mode
        sale.refund_receipt = basket.refund_receipt
        sale.redraw_basket()
        sale.notice(
            _("The basket parked at {at} is back: pay it, or F7 to void it.").format(
                at=self.local_time(basket.parked_at)
            )
        )

    def local_time(self, instant: str) -> str:
        """An ISO instant as the store's local date and time (minutes)."""
        from zoneinfo import ZoneInfo

        from core.store.db import parse_iso

        assert self.store is not None
        return parse_iso(instant).astimezone(ZoneInfo(self.store.timezone)).strftime("%d.%m %H:%M")

    def on_unmount(self) -> None:
        if self.sync is not None:
            self.sync.stop()
        if self.till_lock is not None:
            self.till_lock.release()

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

    def lock(self, reason: str = "") -> None:
        """Switch user / idle lock: the login covers the till; the basket stays.
        ``reason`` says on the login why (a deactivated staff member, K-5)."""
        from tui.screens.login import LoginScreen

        if self.staff is None or isinstance(self.screen, LoginScreen):
            return
        self._last_staff = self.staff
        self.staff = None
        self.push_screen(LoginScreen(reason))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_activity = monotonic()
            since = getattr(self.screen, "keys_since", None)
            if since is not None and event.time < since:
                return  # typed before this dialog opened: type-ahead never pays (C-1)
            from tui.screens.login import log_out_if_inactive

            if log_out_if_inactive(self):
                return  # deactivated meanwhile: back to the login, the key goes nowhere (K-5)
            if self._tab_moves_focus_now(event):
                return
        await super().on_event(event)

    def _tab_moves_focus_now(self, event: events.Key) -> bool:
        """Tab / Shift+Tab out of a plain text field, moved here as the app reads the key.
        Textual runs Tab as a binding only after the key has bubbled up from the field,
        and by then the keys typed after it ("T1", Tab, "01-12-2026" in one go) have been
        routed to the field being left (C-1). Fields that end codes on Tab themselves
        (ScanInput, the count rows) keep it."""
        from textual.widgets import Input

        if event.key not in ("tab", "shift+tab"):
            return False
        focused = self.focused
        if not isinstance(focused, Input) or type(focused)._on_key is not Input._on_key:
            return False
        screen = self.screen
        target = screen.focus_next() if event.key == "tab" else screen.focus_previous()
        return target is not None

    def _check_hangup(self) -> None:
        """A terminal that went away (an SSH session dropped, its tmux pane killed) while
        no hang-up signal reached us: Textual's reader would spin on the closed terminal
        for ever, at full CPU, holding this till's lock (C-7). Park the basket and leave."""
        if not self.is_headless and _terminal_hung_up():
            self._hung_up()

    def _hung_up(self) -> None:
        """The terminal is gone: keep an unpaid basket parked for this till, then leave."""
        sale = self._sale_screen()
        if sale is not None and sale.lines:
            self._park_and_quit(sale, None)
        if self.is_running:
            self.exit(return_code=1)

    def _check_idle(self) -> None:
        if self.staff and monotonic() - self._last_activity > self.idle_lock_seconds:
            self.lock()

    # -- leaving ----------------------------------------------------------------------

    def action_quit_till(self) -> None:
        """Ctrl+Q. In kiosk mode it needs a PIN of someone holding kiosk.exit; an
        unpaid basket is never lost without asking (C-7): park it, lose it, or stay."""
        from core.text.i18n import _
        from tui.screens.pin_prompt import PinPromptScreen

        if not self.kiosk:
            self._quit_with_basket(None)
            return

        def done(staff: Staff | None) -> None:
            if staff is not None:
                self._quit_with_basket(staff)

        self.push_screen(
            PinPromptScreen(
                permission="kiosk.exit",
                title=_("Leaving kiosk mode: PIN of staff allowed to leave it"),
            ),
            done,
        )

    def _sale_screen(self):
        from tui.screens.sale import SaleScreen

        return next((s for s in self.screen_stack if isinstance(s, SaleScreen)), None)

    def _quit_with_basket(self, approver: Staff | None) -> None:
        from tui.screens.quit_basket import LOSE, PARK, QuitBasketScreen

        sale = self._sale_screen()
        if sale is None or not sale.lines:
            self.exit()
            return

        def done(choice: str) -> None:
            if choice == LOSE:
                self.exit()
            elif choice == PARK:
                self._park_and_quit(sale, approver)

        self.push_screen(QuitBasketScreen(), done)

    def exit(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 (App.exit's own)
        self._leaving = True
        super().exit(*args, **kwargs)

    async def _on_exit_app(self) -> None:
        """An exit the till did not ask for: the browser of a thin client closed its tab
        or lost its connection (`kassi serve` stops the process). The unpaid basket is
        parked for the terminal's next connection, as at a hang-up (W-2, C-7)."""
        if not getattr(self, "_leaving", False):
            self._leaving = True
            sale = self._sale_screen()
            if sale is not None and sale.lines:
                self._park(sale, None)
        await super()._on_exit_app()

    def _park_and_quit(self, sale, approver: Staff | None) -> None:
        if self._park(sale, approver):
            self.exit()

    def _owner_of_restored_basket(self) -> Staff | None:
        from core.errors import NotFound
        from core.staff import auth

        if self._basket_owner is None:
            return None
        try:
            return auth.get_staff(self.db, self._basket_owner)
        except NotFound:
            return None

    def _park(self, sale, approver: Staff | None) -> bool:
        """Park the sale's basket for this terminal; False (and said) if it could not be."""
        from core.errors import KassiError
        from core.tills import parked

        actor = self.staff or self._last_staff or approver or self._owner_of_restored_basket()
        if actor is None:  # nobody has logged in: there is no basket of anyone's
            return True
        try:
            parked.park(
                self.db,
                actor,
                self.terminal.id,
                sale.lines,
                sale.customer_id,
                refund_mode=sale.refund_mode,
                refund_receipt=sale.refund_receipt,
            )
        except KassiError as exc:
            self.notify(shown(exc.message), severity="error", timeout=10, markup=False)
            return False
        return True

    # -- helpers for screens ----------------------------------------------------------

    def money(self, minor: int) -> str:
        from core.money.amounts import format_amount

        assert self.store is not None
        return format_amount(minor, self.store.currency, self.lang or self.store.locale)

    @property
    def locale(self) -> str:
        return self.lang or (self.store.locale if self.store else "en")


def run_till(
    ctx, *, kiosk: bool, no_mouse: bool, terminal_id: str | None, sync_hq: str | None = None
) -> None:
    """`kassi` with no sub-command: the till (called by the CLI with its context).

    Refused before the screen starts, on one line and with a non-zero exit (C-7):
    kiosk mode without its terminal (anyone could pick any terminal of any
    store), an unknown terminal, and a terminal another live process runs.
    """
    from core.errors import KassiError
    from core.store import till_lock
    from core.text.i18n import _
    from tui.cli import fail

    if kiosk and not terminal_id:
        fail(_("Kiosk mode needs a terminal: give --terminal ID (or KASSI_TERMINAL)."))
    if ctx.db.dialect != "sqlite" and (kiosk or terminal_id or sync_hq):
        # A head office has no till of its own: its stores' tills sell on their own files.
        fail(
            _(
                "A head office on PostgreSQL has no terminals: `kassi --db URL` opens its"
                " back office, without --kiosk, --terminal or --sync-hq."
            )
        )
    if sync_hq:
        from core.sync.service import check_url

        try:
            check_url(sync_hq)
        except KassiError as exc:
            fail(exc.message)
    lock = None
    if terminal_id:
        try:
            terminals.get_terminal(ctx.db, terminal_id)
            lock = till_lock.acquire(ctx.db.path, terminal_id)
        except KassiError as exc:
            fail(exc.message, exc.exit_code)
    app = KassiApp(
        ctx.db, terminal_id=terminal_id, kiosk=kiosk, lang=ctx.lang, till_lock=lock,
        sync_hq=sync_hq,
    )  # fmt: skip
    app.run(mouse=not no_mouse)


def _terminal_hung_up() -> bool:
    """Whether the terminal on stdin has hung up (its other end is closed)."""
    import select
    import sys

    try:
        fd = sys.__stdin__.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        events = poller.poll(0)
    except (OSError, ValueError, AttributeError):
        return False
    return any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _fd, mask in events)
