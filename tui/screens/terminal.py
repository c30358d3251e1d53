"""The Terminal page of the seeds: start, view, adjust and close the session, history.

What a session shows (S-5) is the same document the printer prints (X report),
so screen and paper never disagree.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from core.errors import KassiError
from core.printing import receipts
from core.store import stores
from core.text.i18n import _
from core.tills import drawer, sessions
from tui.hardware_bridge import PrintFinished
from tui.widgets.document_view import DocumentView
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown
from tui.widgets.status_bar import StatusBar


class TerminalScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", show=False),
        Binding("f2", "start", "Start"),
        Binding("f3", "adjust('add')", "Add"),
        Binding("f4", "adjust('remove')", "Remove"),
        Binding("f5", "close", "Close"),
        Binding("f6", "print_x", "X report"),
        Binding("f7", "history", "History"),
        Binding("f8", "no_sale", "No sale"),
        Binding("f9", "office", "Office"),
        Binding("f10", "safe_drop", "Safe drop", show=False),  # named on the page
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="terminal-state", markup=False)
        yield DocumentView(id="session-view", width=60)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    current = None
    _notice_state: object = None

    def on_mount(self) -> None:
        self.refresh_view()

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def notice(self, text: str, *, error: bool = False, until_printed: bool = False) -> None:
        """A notice belongs to the state it was made in: refresh_view clears it when the
        session opens, closes or is gone, so "already open" never stands under "no session"."""
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text, keep_newlines=True))
        self._notice_state = self._state()
        self._notice_text = text
        self._keep_on_print = not until_printed  # "… is printing": the outcome replaces it

    _notice_text = ""
    _keep_on_print = True

    def _state(self) -> object:
        return (self.current.id if self.current else None, getattr(self.app.staff, "id", None))

    def on_print_finished(self, message: PrintFinished) -> None:
        """The printer's outcome goes under what the action said, not over it."""
        first = ""
        if self._notice_state == self._state() and self._keep_on_print and message.ok:
            first = self._notice_text.split("\n")[0]
            # Two lines: a printer's answer that needs both (P-2: "sent, unconfirmed …
            # drawer pulse sent …") replaces what the action said; its view shows that.
            if cell_len(message.message) > self.query_one("#notice", Static).size.width - 2:
                first = ""
        self.notice("\n".join(t for t in (first, message.message) if t), error=not message.ok)

    def refresh_view(self) -> None:
        self._refresh_view()
        if self._notice_state != self._state():
            self.notice("")

    def _refresh_view(self) -> None:
        app = self.app
        app.store = stores.get_store(app.db, app.store.id)
        self.query_one(StatusBar).show(_("Terminal"), app.store.name, app.terminal.name)
        state = self.query_one("#terminal-state", Static)
        view = self.query_one("#session-view", DocumentView)
        self.current = None
        if not app.store.track_cash:
            state.update(
                _("Cash tracking is off for this store: sales are recorded without sessions (S-2).")
            )
            view.display = False
            return
        self.current = sessions.current_session(app.db, app.terminal.id)
        if self.current is None:
            last = sessions.last_closed_session(app.db, app.terminal.id)
            text = _("No session is open. F2 starts one; the next sale opens one by itself.")
            if last is not None:
                text += "\n" + _("Last session {id} closed; {left} left in the drawer.").format(
                    id=last.id, left=app.money(last.left_in_drawer)
                )
            state.update(text)
            view.display = False
            return
        try:
            details = sessions.session_details(app.db, app.staff, self.current.id)
        except KassiError as exc:
            state.update(exc.message)
            view.display = False
            return
        # F10 is past the footer's 80 columns: the page names it
        state.update(_("Session {id} is open.  F10: safe drop").format(id=self.current.id))
        view.display = True
        view.show(receipts.x_report(details, app.db.now(), lang=app.locale))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_start(self) -> None:
        from tui.screens.start_session import StartSessionScreen

        if self.current is not None:
            self.notice(_("Session {id} is already open.").format(id=self.current.id), error=True)
            return

        def done(session_id: int | None) -> None:
            self.refresh_view()
            if session_id is not None and self.current is not None:
                self.notice(
                    _("Session {id} started with {amount}.").format(
                        id=session_id, amount=self.app.money(self.current.opening_float)
                    )
                )

        self.app.push_screen(StartSessionScreen(), done)

    def action_adjust(self, kind: str) -> None:
        from tui.screens.cash_adjust import CashAdjustScreen

        if self.current is None:
            self.notice(_("No session is open: start one first."), error=True)
            return

        def done(amount: int | None) -> None:
            self.refresh_view()
            if amount is not None:
                text = (
                    _("Added {amount} to the drawer.")
                    if kind == "add"
                    else _("Removed {amount} from the drawer.")
                )
                self.notice(text.format(amount=self.app.money(amount)))

        self.app.push_screen(CashAdjustScreen(kind), done)

    def action_safe_drop(self) -> None:
        from tui.screens.safe_drop import open_drop

        if self.current is None:
            self.notice(_("No session is open: start one first."), error=True)
            return
        open_drop(self)  # K-1: to the safe, with the bag number

    def action_close(self) -> None:
        from tui.screens.close_session import CloseSessionScreen

        if self.current is None:
            self.notice(_("No session is open."), error=True)
            return

        def done(session_id: int | None) -> None:
            self.refresh_view()
            if session_id is not None and self.current is None:
                self.notice(_("Session {id} is closed.").format(id=session_id))

        self.app.push_screen(CloseSessionScreen(self.current.id), done)

    def action_print_x(self) -> None:
        if self.current is None:
            self.notice(_("No session is open."), error=True)
            return
        try:
            details = sessions.session_details(self.app.db, self.app.staff, self.current.id)
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        self.app.hardware.print_document(
            receipts.x_report(details, self.app.db.now(), lang=self.app.locale)
        )
        self.notice(
            _("The X report of session {id} is printing.").format(id=self.current.id),
            until_printed=True,
        )

    def action_history(self) -> None:
        from tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_office(self) -> None:
        from tui.screens.office import OfficeScreen

        self.app.push_screen(OfficeScreen())

    def action_no_sale(self) -> None:
        """Core checks drawer.no_sale and audits before the pulse; without the
        permission the till asks for the PIN of someone who holds it (C-7)."""
        self._no_sale(self.app.staff)

    def _no_sale(self, actor) -> None:
        from core.errors import PermissionDenied
        from tui.screens.pin_prompt import PinPromptScreen

        app = self.app
        try:
            grant = drawer.no_sale(app.db, actor, app.terminal.id, requested_by=app.staff)
        except PermissionDenied as exc:
            if actor is not app.staff:  # an approver the prompt let through, refused by core
                self.notice(exc.message, error=True)
                return

            def approved(approver) -> None:
                if approver is None:
                    self.notice(_("No sale cancelled: the drawer stays shut."), error=True)
                else:
                    self._no_sale(approver)

            app.push_screen(
                PinPromptScreen(permission="drawer.no_sale", title=_("No sale: an approving PIN")),
                approved,
            )
            return
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        if app.hardware.open_drawer(grant):
            self.notice(_("Drawer opened (no sale) — recorded in the audit log."))
