"""A safe drop from this till (SPEC K-1): the amount (or a count of notes) and the bag
number; the drawer opens after core recorded it. Also the drawer limit's offer after a
sale and its stop before the next one (K-2), kept here so the sale screen only calls it.

Returns the amount dropped (None: nothing moved), for the page's notice.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.cash import safe, safe_views
from core.errors import KassiError
from core.text.i18n import _
from tui.widgets.amount_input import AmountField


class SafeDropScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("f2", "count", "Count notes and coins"),
    ]

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason  # why the till asks (the drawer limit), shown on top
        self.counts: dict[int, int] | None = None

    def compose(self) -> ComposeResult:
        app = self.app
        with Vertical(classes="dialog"):
            yield Static(_("Safe drop"), classes="dialog-title", markup=False)
            if self.reason:
                yield Static(self.reason, id="drop-reason", markup=False)
            yield AmountField(
                _("Amount to the safe"),
                app.store.currency,
                app.locale,
                allow_zero=False,
                id="amount",
            )
            yield Label(_("Bag or envelope number"))
            yield Input(id="bag", max_length=safe.REFERENCE_MAX)
            yield Static("", id="drop-error", classes="error", markup=False)
            yield Static(
                _("Enter: confirm   F2: count notes and coins   Esc: back"),
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#amount", AmountField).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one("#amount", AmountField)
        if field.amount is None:
            field.show_error(_("Enter the amount."))
            field.focus()
            return
        bag = self.query_one("#bag", Input)
        if event.input is field.input or not bag.value.strip():
            bag.focus()
            if event.input is bag:
                self.query_one("#drop-error", Static).update(_("Enter the bag number."))
            return
        app = self.app
        counts = (
            self.counts
            if self.counts and sum(d * n for d, n in self.counts.items()) == field.amount
            else None
        )
        try:
            m = safe.drop(
                app.db, app.staff, app.terminal.id, field.amount, bag.value, counts=counts
            )
        except KassiError as exc:
            self.query_one("#drop-error", Static).update(exc.message)
            return
        app.hardware.open_drawer(safe.entry_of(app.db, m.id))  # the cash goes out (C-7)
        self.dismiss(m.amount)

    def action_count(self) -> None:
        from tui.screens.denominations import DenominationScreen

        def done(result: tuple[int, dict[int, int]] | None) -> None:
            if result is None:
                return
            total, self.counts = result
            self.query_one("#amount", AmountField).input.value = self.app.money(total)
            self.query_one("#bag", Input).focus()

        self.app.push_screen(DenominationScreen(), done)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the drawer limit (K-2), for the sale screen -----------------------------------------


def limit_notice(app) -> str | None:
    """After a sale: what the till says when the drawer passed its limit, or None."""
    over = safe_views.drawer_over_limit(app.db, app.staff, app.terminal.id)
    if over is None:
        return None
    if over == 0:  # blind close: that it is over, not by how much
        return _("The drawer is over its limit: Ctrl+B makes a safe drop.")
    return _("The drawer is {amount} over its limit: Ctrl+B makes a safe drop.").format(
        amount=app.money(over)
    )


def open_drop(page, reason: str = "") -> None:
    """Open the drop dialog over ``page`` (a screen with ``notice``), which says after
    it what moved."""

    def done(amount: int | None) -> None:
        if amount is not None:
            page.notice(_("{amount} dropped into the safe.").format(amount=page.app.money(amount)))
        elif reason:
            page.notice(reason, error=True)
        for refresh in ("refresh_view", "refresh_status"):  # the terminal page, the sale page
            if hasattr(page, refresh):
                getattr(page, refresh)()

    page.app.push_screen(SafeDropScreen(reason), done)


def drop_required(page) -> bool:
    """Before a sale: if the store requires the drop, open the drop dialog (True: the
    sale waits for it). Core refuses the sale anyway (core.tills.sessions.check_drawer_limit)."""
    app = page.app
    if not safe_views.require_drop_first(app.db, app.terminal.id):
        return False
    open_drop(page, _("The drawer is over its limit: make a safe drop before the next sale."))
    return True
