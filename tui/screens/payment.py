"""Take payment in any order and any split (SPEC C-2): cash, card and the other tenders.

Each tender takes the amount typed, or the rest when the field is empty; cash may
come first and cover part ("100 in cash, the rest on card"), a card never more
than is still due, and change comes only from cash. What is still due is always
on screen, worked out by core.money.tendering.progress, the same rule (and the same
change limit) the sale is committed with. Nothing is recorded until the basket
is fully paid; Esc before that leaves the basket as it was. Keys typed before
the dialog opened are dropped (C-1, KassiApp.on_event reads ``keys_since``).
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Digits, Input, Static

from core.errors import InputError, KassiError
from core.money import amounts as money
from core.money.tendering import Progress, TenderInput, progress
from core.store.tenders import list_tenders
from core.text.i18n import _
from core.tills import limits
from core.tills.sales import SaleResult
from tui.widgets.amount_input import AmountField
from tui.widgets.safe import shown

TENDER_KEYS = ("f2", "f3", "f4", "f5")


class PaymentScreen(ModalScreen[SaleResult | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("enter", "next_sale", show=False),
        *(Binding(key, f"tender({n})", show=False) for n, key in enumerate(TENDER_KEYS)),
    ]

    def __init__(
        self, total: int, commit: Callable[[list[TenderInput]], SaleResult], *, refund: bool = False
    ) -> None:
        super().__init__()
        self.total = total
        self.commit = commit
        self.refund = refund
        self.entries: list[TenderInput] = []
        self.result: SaleResult | None = None
        # Type-ahead (keys that came before this dialog) never pays (C-1).
        self.keys_since = monotonic()

    def compose(self) -> ComposeResult:
        app = self.app
        tenders = [t for t in list_tenders(app.db) if t.active]
        self.tenders = {t.id: t for t in tenders}
        self.cash = next((t for t in tenders if t.is_cash), None)
        self.others = [t for t in tenders if not t.is_cash][: len(TENDER_KEYS)]
        with Vertical(classes="dialog", id="payment"):
            title = _("Pay out") if self.refund else _("To pay")
            yield Static(title, id="due-title", classes="dialog-title", markup=False)
            yield Digits(money.format_amount(self.total, app.store.currency, app.locale), id="due")
            yield Static("", id="paid", markup=False)
            yield AmountField(
                _("Amount (empty: exact / the rest)"),
                app.store.currency,
                app.locale,
                allow_empty=True,
                allow_zero=False,
                id="amount",
            )
            keys = [_("Enter: {name}").format(name=_("Cash"))] if self.cash else []
            keys += [
                f"{key.upper()}: {shown(_(t.name))}"
                for key, t in zip(TENDER_KEYS, self.others, strict=False)
            ]
            keys.append(_("Esc: back"))
            yield Static("   ".join(keys), id="tender-keys", markup=False)
            yield Static("", id="pay-error", classes="error", markup=False)
            yield Static("", id="change-label", markup=False)
            yield Digits("", id="change")

    def on_mount(self) -> None:
        self.query_one("#amount", AmountField).focus()
        self.show_paid()

    # -- state ----------------------------------------------------------------------

    def progress(self, entries: list[TenderInput]) -> Progress:
        """Core's rule for where these tenders leave the payment (raises InputError)."""
        store = self.app.store
        return progress(
            self.total,
            entries,
            self.tenders,
            store.cash_rounding,
            store.currency,
            self.app.locale,  # the amounts in its messages read as the screen's do
            refund=self.refund,
            max_change=limits.max_change(store),
        )

    def show_paid(self, state: Progress | None = None) -> None:
        """What is paid so far on one line, what is still due on the next (C-2)."""
        app = self.app
        state = state or self.progress(self.entries)
        lines = []
        if self.entries:
            paid = [_("Total: {amount}").format(amount=app.money(self.total))]
            paid += [
                f"{shown(_(self.tenders[e.tender_id].name))}: {app.money(e.amount or 0)}"
                for e in self.entries
            ]
            lines.append("   ".join(paid))
            still = _("Still to pay out") if self.refund else _("Still to pay")
            self.query_one("#due-title", Static).update(still)
            due_now = state.remaining or state.cash_remaining
            self.query_one("#due", Digits).update(
                money.format_amount(due_now, app.store.currency, app.locale)
            )
        if state.remaining or state.cash_remaining:
            due = [_("Still to pay: {amount}").format(amount=app.money(state.remaining))]
            if self.cash and state.cash_remaining != state.remaining:
                due.append(
                    _("In cash (rounded): {amount}").format(amount=app.money(state.cash_remaining))
                )
            lines.append("   ".join(due))
        self.query_one("#paid", Static).update("\n".join(lines))

    def error(self, text: str) -> None:
        self.query_one("#pay-error", Static).update(text)

    # -- keys -----------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.result is not None:
            self.dismiss(self.result)
            return
        if self.cash is None:
            self.error(_("No cash payment type is set up."))
            return
        self.add(self.cash.id)

    def action_tender(self, index: int) -> None:
        if self.result is not None or index >= len(self.others):
            return
        self.add(self.others[index].id)

    def action_next_sale(self) -> None:
        if self.result is not None:
            self.dismiss(self.result)

    def action_cancel(self) -> None:
        self.dismiss(self.result)

    def add(self, tender_id: str) -> None:
        """One tender, the amount typed or (empty) the rest: taken if core allows it."""
        field = self.query_one("#amount", AmountField)
        text = field.input.value
        amount = field.amount
        if text.strip() and amount is None:
            self.error(_("Fix the amount first."))
            return
        try:
            state = self.progress([*self.entries, TenderInput(tender_id, amount)])
        except InputError as exc:
            self.error(exc.message)
            return
        self.entries = list(state.entries)
        field.input.value = ""
        self.error("")
        self.show_paid(state)
        if state.complete:
            self.settle()

    def settle(self) -> None:
        try:
            self.result = self.commit(list(self.entries))
        except KassiError as exc:
            self.entries.pop()
            self.error(exc.message)
            self.show_paid()
            return
        self.finished()

    def finished(self) -> None:
        app = self.app
        sale = self.result.sale
        self.error("")
        self.query_one("#due-title", Static).update(_("Pay out") if self.refund else _("To pay"))
        self.query_one("#due", Digits).update(
            money.format_amount(self.total, app.store.currency, app.locale)
        )
        self.query_one("#amount", AmountField).display = False
        done = (
            _("Receipt {n} — paid out {amount}")
            if self.refund
            else _("Receipt {n} — paid {amount}")
        )
        self.query_one("#paid", Static).update(
            done.format(n=sale.receipt_no, amount=app.money(abs(sale.due)))
        )
        if self.refund:
            self.query_one("#change-label", Static).update(_("Paid out"))
            self.query_one("#change", Digits).update(
                money.format_amount(-sale.due, app.store.currency, app.locale)
            )
        else:
            self.query_one("#change-label", Static).update(_("Change"))
            self.query_one("#change", Digits).update(
                money.format_amount(self.result.change, app.store.currency, app.locale)
            )
        self.query_one("#tender-keys", Static).update(_("Enter: next sale"))
        # Keys typed while the sale was recorded do not skip past the change (C-1).
        self.keys_since = monotonic()
