"""The discount dialog (SPEC C-5): percent (``10%``) or an amount, and a reason picked
by number from the short list or typed. Parsing and the rules are core's
(core.tills.discounts); the permission and the limit are checked by the sale screen
through core when the discount is applied. Dismisses with a Discount, REMOVE
(the amount left empty: take the discount off), or None (Esc).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import KassiError
from core.text.i18n import _
from core.tills import discounts
from tui.widgets.scan_input import ScanInput

REMOVE = "remove"


class DiscountScreen(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        example = self.app.money(500)
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Label(_("Discount: 10% or an amount (empty: none)"))
            # "10%⏎2⏎" typed ahead lands value, then reason (C-1): the value field moves
            # the focus on at its own Enter, before the reason's keys are routed.
            yield ScanInput(
                id="discount-value",
                max_length=16,
                placeholder=f"10%  /  {example}",
                clear_on_scan=False,
                advance_to="discount-reason",
            )
            yield Label(_("Reason: a number below, or type one"))
            yield ScanInput(
                id="discount-reason",
                max_length=discounts.MAX_REASON,
                clear_on_scan=False,
                tab_to="discount-value",
            )
            yield Static(
                "\n".join(f"{n}  {_(r)}" for n, r in enumerate(discounts.REASONS, start=1)),
                classes="hint",
                markup=False,
            )
            yield Static("", id="discount-error", classes="error", markup=False)
            yield Static(_("Enter: OK   Esc: back"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#discount-value", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_scan_input_scanned(self, event: ScanInput.Scanned) -> None:
        event.stop()
        store = self.app.store
        value = self.query_one("#discount-value", Input).value.strip()
        if not value:
            self.dismiss(REMOVE)
            return
        try:
            discounts.parse_value(value, store.currency, self.app.locale)
        except KassiError as exc:
            self.query_one("#discount-error", Static).update(exc.message)
            self.set_focus(self.query_one("#discount-value", Input))
            return
        if event.scan_input.id == "discount-value":
            self.query_one("#discount-error", Static).update("")
            return  # the field moved on to the reason itself
        try:
            discount = discounts.parse_discount(value, event.value, store.currency, self.app.locale)
        except KassiError as exc:
            self.query_one("#discount-error", Static).update(exc.message)
            return
        self.dismiss(discount)
