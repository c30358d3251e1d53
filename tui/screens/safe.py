"""The safe in the back office (SPEC K-1): its balance, what was deposited, the
statement of its movements, and the deposit (with its printed slip) and the count.

F4 counts blind: the balance and the statement leave the screen until the count is
committed, then the discrepancy is shown.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from core.cash import safe_views
from core.cash.safe import KIND_LABELS
from core.errors import KassiError
from core.printing.receipts import local_time
from core.text.i18n import _
from tui.screens.notice import PrintNotice
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown
from tui.widgets.status_bar import StatusBar

SHOWN = 200  # the newest movements on screen; `kassi safe show` pages through all


class SafeScreen(PrintNotice, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "deposit", "Deposit"),
        Binding("f3", "count(False)", "Count"),
        Binding("f4", "count(True)", "Blind count"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="safe-balance", markup=False)
        with VerticalScroll(id="safe-statement"):
            yield Static("", id="safe-lines", markup=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(StatusBar).show(_("Safe"), self.app.store.name)
        self.refresh_view()

    def refresh_view(self, *, hidden: bool = False) -> None:
        app = self.app
        balance = self.query_one("#safe-balance", Static)
        lines = self.query_one("#safe-lines", Static)
        if hidden:
            balance.update(_("Blind count: the balance is shown after the count."))
            lines.update("")
            return
        try:
            total = safe_views.statement(app.db, app.staff, app.store.id, limit=0).total
            st = safe_views.statement(
                app.db, app.staff, app.store.id, limit=SHOWN, offset=max(0, total - SHOWN)
            )
        except KassiError as exc:
            balance.update(exc.message)
            lines.update("")
            return
        balance.update(
            _("In the safe: {balance}    Deposited at the bank: {deposited}").format(
                balance=app.money(st.balance), deposited=app.money(st.deposited)
            )
        )
        rows = []
        for m in reversed(st.movements):  # newest first
            what = _(KIND_LABELS[m.kind])
            ref = m.reference or m.terminal_id or ""
            if m.kind == "count":
                ref = _("discrepancy {diff}").format(diff=app.money(m.discrepancy))
            sign = "+" if m.delta > 0 else ""
            rows.append(
                f"{local_time(m.created_at, app.store, app.locale)}  {what[:18]:<18}"
                f" {sign + app.money(m.delta):>12} {app.money(m.balance):>12}  {shown(ref)}"
            )
        lines.update("\n".join(rows) if rows else _("No movements yet."))

    def action_deposit(self) -> None:
        from tui.screens.safe_entry import SafeEntryScreen

        def done(m) -> None:
            self.refresh_view()
            if m is None:
                return
            self.notice(
                _("Deposited {amount} on slip {slip}; the slip is printing.").format(
                    amount=self.app.money(m.amount), slip=m.reference
                )
            )
            doc = safe_views.deposit_slip(self.app.db, self.app.staff, m.id, lang=self.app.locale)
            self.app.hardware.print_document(doc, ref=f"deposit:{m.id}")

        self.app.push_screen(SafeEntryScreen("deposit"), done)

    def action_count(self, blind: bool) -> None:
        from tui.screens.safe_entry import SafeEntryScreen

        if blind:
            self.refresh_view(hidden=True)

        def done(m) -> None:
            self.refresh_view()
            if m is None:
                return
            self.notice(
                _("Counted {counted}; expected {expected}; discrepancy {diff}.").format(
                    counted=self.app.money(m.amount),
                    expected=self.app.money(m.expected),
                    diff=self.app.money(m.discrepancy),
                )
            )

        self.app.push_screen(SafeEntryScreen("count", blind=blind), done)

    def action_back(self) -> None:
        self.app.pop_screen()
