"""Take payment: cash (amount handed over, or exact), card and the other tenders, split.

Non-cash tenders take the amount typed, or the rest; cash takes what was handed
over and shows the change large. Nothing is recorded until the basket is fully
paid; Esc before that leaves the basket as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Digits, Input, Static

from core import config, money
from core.errors import InputError, KassiError
from core.i18n import _
from core.sales import SaleResult
from core.tendering import TenderInput, allocate
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

    def compose(self) -> ComposeResult:
        app = self.app
        tenders = [t for t in config.list_tenders(app.db) if t.active]
        self.tenders = {t.id: t for t in tenders}
        self.cash = next((t for t in tenders if t.is_cash), None)
        self.others = [t for t in tenders if not t.is_cash][: len(TENDER_KEYS)]
        with Vertical(classes="dialog", id="payment"):
            title = _("Pay out") if self.refund else _("To pay")
            yield Static(title, classes="dialog-title", markup=False)
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

    def remaining(self) -> int:
        return self.total - sum(e.amount or 0 for e in self.entries)

    def show_paid(self) -> None:
        app = self.app
        lines = [
            f"{shown(_(self.tenders[e.tender_id].name))}: {app.money(e.amount or 0)}"
            for e in self.entries
        ]
        rest = self.remaining()
        if rest > 0:
            lines.append(_("Still to pay: {amount}").format(amount=app.money(rest)))
            if self.cash and app.store.cash_rounding:
                cash_due = money.round_cash(rest, app.store.cash_rounding)
                if cash_due != rest:
                    lines.append(
                        _("In cash (rounded): {amount}").format(amount=app.money(cash_due))
                    )
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
        field = self.query_one("#amount", AmountField)
        text = field.input.value
        amount = field.amount
        if text.strip() and amount is None:
            self.error(_("Fix the amount first."))
            return
        is_cash = self.tenders[tender_id].is_cash
        if amount is None and not is_cash:
            amount = self.remaining()
            if amount <= 0:
                self.error(_("Nothing is left to pay."))
                return
        self.entries.append(TenderInput(tender_id, amount))
        field.input.value = ""
        self.settle()

    def settle(self) -> None:
        app = self.app
        try:
            allocate(
                self.total,
                self.entries,
                self.tenders,
                app.store.cash_rounding,
                app.store.currency,
                app.locale,
                refund=self.refund,
            )
        except InputError as exc:
            if self._only_short():
                self.error("")
                self.show_paid()
                return
            self.entries.pop()
            self.error(exc.message)
            self.show_paid()
            return
        try:
            self.result = self.commit(list(self.entries))
        except KassiError as exc:
            self.entries.pop()
            self.error(exc.message)
            self.show_paid()
            return
        self.finished()

    def _only_short(self) -> bool:
        """True when the entries are fine but do not cover the total yet (a split)."""
        if self.cash is None or self.remaining() <= 0:
            return False
        if any(e.tender_id == self.cash.id for e in self.entries):
            return False
        try:
            allocate(
                self.total,
                [*self.entries, TenderInput(self.cash.id, None)],
                self.tenders,
                self.app.store.cash_rounding,
                self.app.store.currency,
                self.app.locale,
                refund=self.refund,
            )
        except InputError:
            return False
        return True

    def finished(self) -> None:
        app = self.app
        sale = self.result.sale
        self.error("")
        self.query_one("#amount", AmountField).display = False
        self.query_one("#paid", Static).update(
            _("Receipt {n} — paid {amount}").format(
                n=sale.receipt_no, amount=app.money(abs(sale.due))
            )
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
