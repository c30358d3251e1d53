"""F6: which receipt is refunded (SPEC C-3). Scan its barcode, or type ``T1-3``,
``T1:3`` or ``3``; empty means no receipt.

The receipt is checked here, when it is entered (core.tills.refunds.refund_basis): an
unknown receipt, another store's, a refund receipt or one already refunded in
full is refused in one line that says why, and the prompt stays open for the
next scan. Dismisses with the RefundBasis, NO_RECEIPT, or None (Esc).
"""

from __future__ import annotations

from time import monotonic

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.errors import KassiError
from core.text.i18n import _
from core.tills import refunds
from core.tills.receipt_refs import barcode
from tui.widgets.scan_input import ScanInput

NO_RECEIPT = "no receipt"


class RefundPromptScreen(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self) -> None:
        super().__init__()
        # An Enter typed ahead of F6 is not a choice of "no receipt" (C-1).
        self.keys_since = monotonic()

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
            yield ScanInput(id="receipt", max_length=48)
            yield Static("", id="receipt-error", classes="error", markup=False)
            yield Static(
                _("Enter: OK   empty: no receipt   Esc: back"), classes="hint", markup=False
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_scan_input_scanned(self, event: ScanInput.Scanned) -> None:
        """The receipt's barcode, scanned: the scanner's Enter, Tab or LF ends it (C-1)."""
        event.stop()
        text = event.value.strip()
        if not text:
            if event.key == "tab":
                return  # a Tab on its own is not a choice of "no receipt"

            self.dismiss(NO_RECEIPT)
            return
        try:
            basis = refunds.refund_basis(self.app.db, self.app.terminal.id, text)
        except KassiError as exc:
            self.query_one("#receipt-error", Static).update(exc.message)
            return
        self.dismiss(basis)
