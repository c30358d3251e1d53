"""Session history (S-9): closed sessions of this terminal, newest first, paged."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from core.errors import KassiError, PermissionDenied
from core.store.db import parse_iso
from core.text.dates import format_datetime
from core.text.i18n import _
from core.tills import sessions
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import plain
from tui.widgets.status_bar import StatusBar

PAGE = 50


def local(instant: str, store) -> datetime:
    """A stored UTC instant in the store's time zone."""
    return parse_iso(instant).astimezone(ZoneInfo(store.timezone))


class HistoryScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("pagedown", "page(1)", "Older", show=False),
        Binding("pageup", "page(-1)", "Newer", show=False),
        Binding("f3", "all_terminals", "All terminals"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0
        self.all_terminals = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        # cell_padding 0 and one space in each width: six columns in 80 with a scrollbar
        table = DataTable(id="history", cursor_type="row", zebra_stripes=True, cell_padding=0)
        for label, width in (
            (_("Session"), 8),
            (_("Terminal"), 9),
            (_("Opened"), 17),
            (_("Closed"), 17),
            (_("Expected"), 12),
            (_("Difference"), 12),
        ):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(
            _("Session history"), self.app.store.name, self.app.terminal.name
        )
        self.load()
        self.query_one(DataTable).focus()

    def load(self) -> None:
        app = self.app
        table = self.query_one(DataTable)
        table.clear()
        try:
            rows = sessions.list_sessions(
                app.db,
                app.staff,
                status="closed",
                limit=PAGE,
                offset=self.page_offset,
                terminal_id=None if self.all_terminals else app.terminal.id,
            )
        except PermissionDenied:  # C-9: why, and who can help, on one line
            self.query_one("#notice", Static).update(
                _("{name} may not see past sessions: ask a supervisor or manager.").format(
                    name=app.staff.name
                )
            )
            return
        except KassiError as exc:
            self.query_one("#notice", Static).update(exc.message)
            return
        store = app.store
        for s in rows:
            if s.store_id != store.id:
                continue
            table.add_row(
                str(s.id),
                plain(s.terminal_id),
                format_datetime(local(s.opened_at, store), app.locale),
                format_datetime(local(s.closed_at, store), app.locale),
                app.money(s.expected_cash),
                app.money(s.closing_discrepancy),
                key=str(s.id),
            )
        page = self.page_offset // PAGE + 1
        self.query_one("#notice", Static).update(
            _("Page {page} — Enter: details   PgDn/PgUp: older/newer").format(page=page)
            if rows
            else _("No closed sessions yet.")
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from tui.screens.session_detail import SessionDetailScreen

        self.app.push_screen(SessionDetailScreen(int(event.row_key.value)))

    def action_page(self, delta: int) -> None:
        self.page_offset = max(0, self.page_offset + delta * PAGE)
        self.load()

    def action_all_terminals(self) -> None:
        self.all_terminals = not self.all_terminals
        self.page_offset = 0
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
