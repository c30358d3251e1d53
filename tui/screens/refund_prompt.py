"""F6: which receipt is refunded (SPEC C-3). Scan its barcode, or type ``T1-3``,
``T1:3`` or ``3``; empty means no receipt.

The receipt is checked here, when it is entered (core.sales.refund_basis): an
unknown receipt, another store's, a refund receipt or one already refunded in
full is refused in one line that says why, and the prompt stays open for the
next scan. Dismisses with the RefundBasis, NO_RECEIPT, or None (Esc).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core import sales
from core.errors import KassiError
from core.i18n import _
from core.receipt_refs import barcode

NO_RECEIPT = "no receipt"


class RefundPromptScreen(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def compose(self) -> ComposeResult:
        terminal = self.app.terminal.id
        with Vertical(classes="dialog wide"):
            yield Static(_("Refund: which receipt?"), classes="dialog-title", markup=False)
            yield Static(
                _("Scan the receipt's barcode, or type {a}, {b} or {n} (this till).").format(
                    a=barcode(terminal, 3), b=f"{terminal}:3", n=3
                ),
                markup=False,
            )
            yield Input(id="receipt", max_length=48)
            yield Static("", id="receipt-error", classes="error", markup=False)
            yield Static(
                _("Enter: OK   empty: no receipt   Esc: back"), classes="hint", markup=False
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        event.input.value = ""
        if not text:
            self.dismiss(NO_RECEIPT)
            return
        try:
            basis = sales.refund_basis(self.app.db, self.app.terminal.id, text)
        except KassiError as exc:
            self.query_one("#receipt-error", Static).update(exc.message)
            return
        self.dismiss(basis)
