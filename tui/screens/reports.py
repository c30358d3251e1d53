"""The session report (A-1..A-5): filters, the two overviews, the sorted session
list (paged: a DataTable is slow past ~10k rows), details, CSV export.

The selection (A-1, C-8) is a store (any store of the database: reports need the
report permissions, which are not tied to a store; the till's own store first), a
date range typed and shown as the user's language writes dates, and optionally a
terminal. One store at a time: each store counts in its own currency (R-7)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, ProgressBar, Select, Static

from core.errors import KassiError
from core.reports import session_report as reports
from core.reports.session_list import list_sessions_page
from core.store.db import connect
from core.store.stores import list_stores
from core.text.dates import date_pattern, format_date, format_datetime, parse_date
from core.text.i18n import _, ngettext
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import plain, shown
from tui.widgets.status_bar import StatusBar

PAGE = 50
SORT_KEYS = {"f3": "start", "f4": "end", "f5": "discrepancy"}


class ReportsScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "apply", "Apply"),
        Binding("f3", "sort('start')", "By start"),
        Binding("f4", "sort('end')", "By end"),
        Binding("f5", "sort('discrepancy')", "By discrepancy"),
        Binding("f6", "export", "Export CSV"),
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "start"
        self.desc = True
        self.page_offset = 0
        self.selection = None

    def compose(self) -> ComposeResult:
        app = self.app
        lang = app.locale
        today = app.db.now().astimezone(ZoneInfo(app.store.timezone)).date()
        stores = sorted(list_stores(app.db), key=lambda s: (s.id != app.store.id, s.name))
        self.stores = {s.id: s for s in stores}
        yield StatusBar()
        with Horizontal(id="report-store", classes="report-filters"):
            yield Label(_("Store"))
            yield Select(
                [(plain(s.name), s.id) for s in stores],
                value=app.store.id,
                allow_blank=False,
                compact=True,
                id="store",
            )
            yield Label(_("Terminal"))
            yield Input("", id="terminal", max_length=32, placeholder=_("all"), compact=True)
        with Horizontal(id="report-dates", classes="report-filters"):
            yield Label(_("From"))
            yield Input(
                format_date(today.replace(day=1), lang), id="date-from", max_length=10, compact=True
            )
            yield Label(_("To"))
            yield Input(format_date(today, lang), id="date-to", max_length=10, compact=True)
            yield Label(_("({pattern}; Enter or F2 applies)").format(pattern=date_pattern(lang)))
        yield Static("", id="overview", markup=False)
        # cell_padding 0 and one space in each width: six columns in 80 with a scrollbar
        table = DataTable(id="report-list", cursor_type="row", zebra_stripes=True, cell_padding=0)
        for label, width in (
            (_("Started"), 17),
            (_("Ended"), 17),
            (_("Terminal"), 9),
            (_("Status"), 8),
            (_("Difference"), 13),
            (_("Expected"), 12),
        ):
            table.add_column(label, width=width)
        yield table
        yield ProgressBar(id="export-progress", show_eta=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(_("Session report"))
        self.query_one(ProgressBar).display = False
        if not reports.may_see_report(self.app.staff):
            # C-9: one line with what to do; `kassi report` names the missing permissions
            self.notice(
                _("{name} may not see the session report: ask a supervisor or manager.").format(
                    name=self.app.staff.name
                ),
                error=True,
            )
            return
        self.load()

    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text, keep_newlines=True))

    # -- selection --------------------------------------------------------------------

    @property
    def store(self):
        """The store the report is for (the Select's choice)."""
        value = self.query_one("#store", Select).value
        return self.stores.get(value, self.app.store)

    def read_selection(self):
        lang = self.app.locale
        date_from = parse_date(self.query_one("#date-from", Input).value, lang)
        date_to = parse_date(self.query_one("#date-to", Input).value, lang)
        terminal = self.query_one("#terminal", Input).value.strip() or None
        return reports.make_selection(self.app.db, self.store.id, date_from, date_to, terminal)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.is_mounted and reports.may_see_report(self.app.staff):
            self.action_apply()

    def money(self, minor: int) -> str:
        """An amount in the currency of the report's store, not the till's."""
        from core.money.amounts import format_amount

        return format_amount(minor, self.store.currency, self.app.locale)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        self.page_offset = 0
        self.load()

    def load(self) -> None:
        app = self.app
        try:
            self.selection = self.read_selection()
            overview = reports.report_overview(app.db, app.staff, self.selection)
            page = list_sessions_page(
                app.db,
                app.staff,
                self.selection,
                sort=self.sort,
                desc=self.desc,
                limit=PAGE,
                offset=self.page_offset,
            )
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        self.show_overview(overview)
        table = self.query_one(DataTable)
        table.clear()
        lang = app.locale
        for row in page.rows:
            table.add_row(
                format_datetime(row.start, lang),
                format_datetime(row.end, lang) if row.end else "",
                plain(row.terminal_id),
                _("Open") if row.is_open else _("Closed"),
                self.money(row.total_discrepancy),
                self.money(row.expected_cash),
                key=str(row.id),
            )
        arrow = "↓" if self.desc else "↑"
        names = {"start": _("start"), "end": _("end"), "discrepancy": _("total discrepancy")}
        first = page.offset + 1 if page.rows else 0
        self.query_one(StatusBar).show(_("Session report"))
        where = "  ·  ".join(
            (
                _("{first}-{last} of {total}").format(
                    first=first, last=page.offset + len(page.rows), total=page.total
                ),
                _("sorted by {key} {arrow}").format(key=names[self.sort], arrow=arrow),
            )
        )
        # the notice is the moment's news: this selection, and what the keys do with it
        self.notice(where + "\n" + _("Enter: details   PgDn/PgUp: pages   F3-F5 again: reverse"))

    def show_overview(self, overview) -> None:
        m = self.money
        d, c = overview.discrepancy, overview.cash
        lines = [
            _("Sessions {n} ({open} open)  ·  over {over}  ·  short {short}").format(
                n=d.sessions, open=d.open_sessions, over=d.sessions_over, short=d.sessions_short
            ),
            _("Discrepancy: opening {opening}  ·  closing {closing}  ·  total {total}").format(
                opening=m(d.opening_discrepancy),
                closing=m(d.closing_discrepancy),
                total=m(d.total_discrepancy),
            ),
            _("Expected {expected}  ·  counted {counted}").format(
                expected=m(d.expected_cash), counted=m(d.counted_cash)
            ),
            _("Cash payments: gross {gross}  ·  refunds {refunds}  ·  net {net}").format(
                gross=m(c.gross), refunds=m(c.refunds), net=m(c.net)
            ),
        ]
        self.query_one("#overview", Static).update("\n".join(lines))

    # -- actions ----------------------------------------------------------------------

    def action_sort(self, key: str) -> None:
        if self.sort == key:
            self.desc = not self.desc
        else:
            self.sort, self.desc = key, key != "discrepancy"
        self.page_offset = 0
        self.load()

    def action_page(self, delta: int) -> None:
        self.page_offset = max(0, self.page_offset + delta * PAGE)
        self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from tui.screens.session_detail import SessionDetailScreen

        self.app.push_screen(SessionDetailScreen(int(event.row_key.value)))

    def action_export(self) -> None:
        from tui.screens.prompt import PromptScreen

        if self.selection is None:
            return
        default = f"sessions-{self.selection.date_from}-{self.selection.date_to}.csv"

        def done(path: str | None) -> None:
            if path:
                self.query_one(ProgressBar).display = True
                self.query_one(ProgressBar).update(total=None, progress=0)
                self.export(Path(path).expanduser(), self.selection, self.sort, self.desc)

        self.app.push_screen(PromptScreen(_("Export the selection to CSV file"), default), done)

    @work(thread=True, exclusive=True, group="export")
    def export(self, path: Path, selection, sort: str, desc: bool) -> None:
        app = self.app

        def progress(written: int, total: int) -> None:
            app.call_from_thread(self.query_one(ProgressBar).update, total=total, progress=written)

        try:
            with connect(app.db.path) as db:
                written = reports_export(db, app.staff, selection, path, sort, desc, progress)
        except (KassiError, OSError) as exc:
            message = exc.message if isinstance(exc, KassiError) else str(exc)
            app.call_from_thread(self.export_done, False, message)
            return
        app.call_from_thread(
            self.export_done,
            True,
            ngettext(
                "{n} session exported to {path}.", "{n} sessions exported to {path}.", written
            ).format(n=written, path=path),
        )

    def export_done(self, ok: bool, message: str) -> None:
        self.query_one(ProgressBar).display = False
        self.notice(message, error=not ok)

    def action_back(self) -> None:
        self.app.pop_screen()


def reports_export(db, actor, selection, path, sort, desc, progress) -> int:
    from core.reports.export import export_sessions_csv_file

    return export_sessions_csv_file(
        db, actor, selection, path, sort=sort, desc=desc, progress=progress
    )
