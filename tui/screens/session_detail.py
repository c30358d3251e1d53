"""One session's details (S-5) with every payment type; print the page (S-9)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from core.errors import KassiError
from core.printing import receipts
from core.text.i18n import _
from core.tills import sessions
from tui.screens.notice import PrintNotice
from tui.widgets.document_view import DocumentView
from tui.widgets.footer import KassiFooter
from tui.widgets.status_bar import StatusBar


class SessionDetailScreen(PrintNotice, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "print_page", "Print page"),
        Binding("f3", "print_z", "Print Z"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.details = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield DocumentView(id="detail", width=60)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        app = self.app
        self.query_one(StatusBar).show(_("Session {id}").format(id=self.session_id), app.store.name)
        try:
            self.details = sessions.session_details(app.db, app.staff, self.session_id)
        except KassiError as exc:
            self.query_one("#notice", Static).update(exc.message)
            return
        self.query_one(DocumentView).show(receipts.history_page(self.details, lang=app.locale))
        self.query_one(DocumentView).focus()  # arrows scroll the page

    def _no_printer(self) -> bool:
        if self.app.hardware is None:  # a head office's back office
            self.notice(_("Head office has no printer: export the report as CSV."), error=True)
            return True
        return False

    def action_print_page(self) -> None:
        if self.details and not self._no_printer():
            self.app.hardware.print_document(
                receipts.history_page(self.details, lang=self.app.locale)
            )
            self.notice(_("The page of session {id} is printing.").format(id=self.session_id))

    def action_print_z(self) -> None:
        if not self.details or self._no_printer():
            return
        if self.details.session.is_open:
            self.notice(
                _("Session {id} is still open: a Z report is printed at close.").format(
                    id=self.session_id
                ),
                error=True,
            )
            return
        self.app.hardware.print_document(receipts.z_report(self.details, lang=self.app.locale))
        self.notice(_("The Z report of session {id} is printing.").format(id=self.session_id))

    def action_back(self) -> None:
        self.app.pop_screen()
