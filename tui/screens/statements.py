"""Retail statements (T-1..T-10): list, create, transactions, calculate, counted
amounts, post, and the posted documents. Every action is one core call; the
detail page is the same text the CLI prints."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from core.errors import KassiError, PermissionDenied
from core.statements import operations as statements
from core.statements.periods import local_text, parse_when
from core.text.i18n import _, ngettext
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import plain, shown
from tui.widgets.status_bar import StatusBar

PAGE = 50


class StatementsScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", show=False),
        Binding("f2", "create", "New"),
        Binding("f3", "transactions", "Transactions"),
        Binding("f4", "calculate", "Calculate"),
        Binding("f5", "post", "Post"),
        Binding("f7", "delete", "Delete"),
        Binding("pagedown", "page(1)", "Older", show=False),
        Binding("pageup", "page(-1)", "Newer", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0

    def compose(self) -> ComposeResult:
        yield StatusBar()
        table = DataTable(id="statement-list", cursor_type="row", zebra_stripes=True)
        for label, width in (
            (_("Statement"), 9),
            (_("Period"), 24),
            (_("Method"), 14),
            (_("Status"), 10),
            (_("Transactions"), 13),
        ):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(_("Retail statements"), self.app.store.name)
        self.load()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load()

    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text, keep_newlines=True))

    def load(self) -> None:
        app = self.app
        table = self.query_one(DataTable)
        table.clear()
        try:
            rows = statements.list_statements(
                app.db, app.staff, store_id=app.store.id, limit=PAGE, offset=self.page_offset
            )
        except PermissionDenied:  # C-9: why, and what to do, on one line
            self.notice(
                _("{name} may not manage statements: ask a manager.").format(name=app.staff.name),
                error=True,
            )
            return
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        for st in rows:
            period = (
                f"{local_text(st.period_start, app.store)[:16]} – "
                f"{local_text(st.period_end, app.store)[11:16]}"
            )
            method = _(st.method) + (f" {st.split_key}" if st.split else "")
            table.add_row(
                str(st.id),
                period,
                plain(method),
                _(st.status),
                str(st.transactions),
                key=str(st.id),
            )
        if not rows and not self.query_one("#notice", Static).content:
            self.notice(_("No statements yet: F2 creates one."))

    def selected(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            self.notice(_("No statement selected."), error=True)
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def run(self, action, done_message) -> None:
        try:
            result = action()
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        self.notice(done_message(result))
        self.load()

    # -- actions ----------------------------------------------------------------------

    def action_create(self) -> None:
        from tui.screens.prompt import PromptScreen

        app = self.app
        today = app.db.now().date().isoformat()

        def done(value: str | None) -> None:
            if not value:
                return
            first, _sep, last = value.partition("..")
            last = last or first

            def create():
                start = parse_when(first, app.store)
                end = parse_when(last, app.store, end=True)
                return statements.create_statements(app.db, app.staff, app.store.id, start, end)

            self.run(
                create,
                lambda made: ngettext(
                    "Created statement {ids}.", "Created statements {ids}.", len(made)
                ).format(ids=", ".join(str(s.id) for s in made)),
            )

        self.app.push_screen(
            PromptScreen(_("Period: a business day YYYY-MM-DD, or FROM..TO"), today), done
        )

    def action_calculate(self) -> None:
        sid = self.selected()
        if sid is not None:
            self.run(
                lambda: statements.calculate_statement(self.app.db, self.app.staff, sid),
                lambda st: _("Statement {id} calculated: {n} transactions.").format(
                    id=st.id, n=st.transactions
                ),
            )

    def action_post(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        sid = self.selected()
        if sid is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.post(sid)

        self.app.push_screen(
            ConfirmScreen(
                _("Post statement {id}?").format(id=sid),
                _(
                    "Posting creates the sales orders, invoices, "
                    "payment journals and inventory journal; a posted "
                    "statement cannot be changed."
                ),
            ),
            done,
        )

    def post(self, sid: int, reason: str | None = None) -> None:
        from core.statements.records import PostingRefused
        from tui.screens.prompt import PromptScreen

        app = self.app
        try:
            result = statements.post_statement(app.db, app.staff, sid, override_reason=reason)
        except PostingRefused as exc:
            lines = "; ".join(f"{ln.tender_name}: {app.money(ln.difference)}" for ln in exc.lines)
            self.notice(exc.message + " " + lines, error=True)
            if app.staff.role != "manager":
                return

            def with_reason(value: str | None) -> None:
                if value and value.strip():
                    self.post(sid, value.strip())

            app.push_screen(
                PromptScreen(_("Post over the limit anyway? Give the reason (empty: no)")),
                with_reason,
            )
            return
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        self.notice(_("Statement {id} posted.").format(id=sid) + f" {result_summary(result)}")
        self.load()

    def action_delete(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        sid = self.selected()
        if sid is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run(
                    lambda: statements.delete_statement(self.app.db, self.app.staff, sid),
                    lambda n: _("Statement {id} deleted; {n} transactions released.").format(
                        id=sid, n=n
                    ),
                )

        self.app.push_screen(ConfirmScreen(_("Delete statement {id}?").format(id=sid)), done)

    def action_transactions(self) -> None:
        sid = self.selected()
        if sid is not None:
            self.app.push_screen(StatementTransactionsScreen(sid))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(StatementDetailScreen(int(event.row_key.value)))

    def action_page(self, delta: int) -> None:
        self.page_offset = max(0, self.page_offset + delta * PAGE)
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


def result_summary(result) -> str:
    return _("{orders} sales orders, {invoices} invoices, {journals} payment journals.").format(
        orders=result.orders, invoices=result.invoices, journals=result.payment_journals
    )


class StatementDetailScreen(Screen):
    """One statement: lines (transaction amount, counted, difference) and documents."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "count", "Counted"),
        Binding("f3", "transactions", "Transactions"),
    ]

    def __init__(self, statement_id: int) -> None:
        super().__init__()
        self.statement_id = statement_id
        self.details = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with VerticalScroll(id="statement-detail"):
            yield Static("", id="statement-text", markup=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(
            _("Statement {id}").format(id=self.statement_id), self.app.store.name
        )
        self.load()

    def load(self) -> None:
        from tui.cli.statement_output import statement_text

        try:
            self.details = statements.statement_details(
                self.app.db, self.app.staff, self.statement_id
            )
        except KassiError as exc:
            self.query_one("#notice", Static).update(exc.message)
            return
        self.query_one("#statement-text", Static).update(
            shown(statement_text(self.details, self.app.locale), keep_newlines=True)
        )

    def action_count(self) -> None:
        """Enter a line's counted amount by hand (T-5); audited in core."""
        from tui.screens.prompt import PromptScreen

        if not self.details or not self.details.lines:
            return
        choices = ", ".join(
            (f"{ln.group_key}/" if ln.group_key else "") + ln.tender_id for ln in self.details.lines
        )

        def done(value: str | None) -> None:
            if not value:
                return
            self.set_counted(value)

        self.app.push_screen(
            PromptScreen(
                _("Counted amount: LINE=AMOUNT (lines: {choices}); LINE= resets it").format(
                    choices=choices
                )
            ),
            done,
        )

    def set_counted(self, value: str) -> None:
        from core.money import amounts as money

        app = self.app
        line, sep, amount_text = value.partition("=")
        group, _slash, tender = line.strip().rpartition("/")
        try:
            if not sep:
                raise KassiError(_("Write LINE=AMOUNT."))
            amount = (
                money.parse_amount(amount_text, app.store.currency, app.locale, allow_negative=True)
                if amount_text.strip()
                else None
            )
            statements.set_counted(
                app.db, app.staff, self.statement_id, tender, amount, group_key=group
            )
        except KassiError as exc:
            self.query_one("#notice", Static).update(exc.message)
            return
        self.query_one("#notice", Static).update(_("Counted amount saved."))
        self.load()

    def action_transactions(self) -> None:
        self.app.push_screen(StatementTransactionsScreen(self.statement_id))

    def action_back(self) -> None:
        self.app.pop_screen()


class StatementTransactionsScreen(Screen):
    """T-3: what a statement takes (or will take), a page at a time."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("pagedown", "next_page", "Next page"),
        Binding("home", "first_page", "First page"),
    ]

    def __init__(self, statement_id: int) -> None:
        super().__init__()
        self.statement_id = statement_id
        self.after_id = 0

    def compose(self) -> ComposeResult:
        yield StatusBar()
        table = DataTable(id="statement-transactions", cursor_type="row", zebra_stripes=True)
        for label, width in (
            (_("Time"), 17),
            (_("Terminal"), 8),
            (_("Receipt"), 10),
            (_("Kind"), 7),
            (_("Customer"), 10),
            (_("Amount"), 12),
        ):
            table.add_column(label, width=width)
        yield table
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        app = self.app
        try:
            page = statements.statement_transactions(
                app.db, app.staff, self.statement_id, limit=PAGE, after_id=self.after_id
            )
        except KassiError as exc:
            self.query_one("#notice", Static).update(exc.message)
            return
        table = self.query_one(DataTable)
        table.clear()
        for t in page.rows:
            table.add_row(
                local_text(t.created_at, app.store)[:16],
                plain(t.terminal_id),
                str(t.receipt_no),
                _(t.kind),
                plain(t.customer_id),
                app.money(t.total + t.rounding),
            )
        self.last_id = page.rows[-1].sale_id if page.rows else self.after_id
        state = _("taken") if page.taken else _("will take")
        self.query_one(StatusBar).show(
            _("Statement {id}").format(id=self.statement_id),
            _("{state}: {n} transactions, {amount}").format(
                state=state, n=page.count, amount=app.money(page.amount)
            ),
        )

    def action_next_page(self) -> None:
        self.after_id = self.last_id
        self.load()

    def action_first_page(self) -> None:
        self.after_id = 0
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
