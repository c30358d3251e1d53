"""The amount dialog the cash movements share (M-2, S-6, K-1): an amount typed in the
store's locale with its error line, an optional reference (bag, slip, note) that Enter
asks for before it commits, F2 to count notes and coins where the movement keeps a
count, Esc to go back.

A screen says what it records in ``commit``; the dialog dismisses with what that
returns, and shows a refusal from core on its error line.
"""

from __future__ import annotations

from typing import TypeVar

from attrs import frozen
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from core.errors import KassiError
from core.text.i18n import _
from tui.widgets.amount_input import AmountField

ResultT = TypeVar("ResultT")


@frozen
class Reference:
    """The text field under the amount: what it is called and what Enter says when it
    is left empty."""

    label: str
    id: str
    missing: str
    max_length: int
    placeholder: str = ""


# Bound (and COUNTS set) only by the screens whose movement keeps a count of notes.
COUNT_BINDING = Binding("f2", "count", "Count notes and coins")


class AmountEntryScreen(ModalScreen[ResultT]):
    BINDINGS = [Binding("escape", "cancel", "Back")]
    COUNTS = False  # the hint names F2
    # After a count, whether the cursor goes on to the reference (the drop) or stays
    # on the amount (the deposit), as each screen did before they shared this dialog.
    REFERENCE_AFTER_COUNT = False

    def __init__(
        self,
        title: str,
        amount_label: str,
        *,
        allow_zero: bool,
        reference: Reference | None,
        prefix: str,
        reason: str = "",
    ) -> None:
        super().__init__()
        self.dialog_title, self.amount_label = title, amount_label
        self.allow_zero, self.reference = allow_zero, reference
        self.prefix = prefix  # ids: "<prefix>-error", "<prefix>-reason"
        self.reason = reason  # why the till asks, shown under the title
        self.counts: dict[int, int] | None = None

    def compose(self) -> ComposeResult:
        app = self.app
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title, classes="dialog-title", markup=False)
            if self.reason:
                yield Static(self.reason, id=f"{self.prefix}-reason", markup=False)
            yield AmountField(
                self.amount_label,
                app.store.currency,
                app.locale,
                allow_zero=self.allow_zero,
                id="amount",
            )
            if self.reference is not None:
                yield Label(self.reference.label)
                yield Input(
                    id=self.reference.id,
                    max_length=self.reference.max_length,
                    placeholder=self.reference.placeholder,
                )
            yield Static("", id=f"{self.prefix}-error", classes="error", markup=False)
            hint = (
                _("Enter: confirm   F2: count notes and coins   Esc: back")
                if self.COUNTS
                else _("Enter: confirm   Esc: back")
            )
            yield Static(hint, classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#amount", AmountField).focus()

    def error(self, text: str) -> None:
        self.query_one(f"#{self.prefix}-error", Static).update(text)

    def commit(self, amount: int, reference: str, counts: dict[int, int] | None) -> ResultT:
        """Record the movement (core raises KassiError to refuse it); the dialog
        dismisses with the result."""
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one("#amount", AmountField)
        if field.amount is None:
            field.show_error(_("Enter the amount."))
            field.focus()
            return
        reference = (
            self.query_one(f"#{self.reference.id}", Input) if self.reference is not None else None
        )
        if reference is not None and (event.input is field.input or not reference.value.strip()):
            reference.focus()
            if event.input is reference:
                self.error(self.reference.missing)
            return
        # A count that no longer adds up to the amount was overtyped: the amount stands.
        counts = (
            self.counts
            if self.counts and sum(d * n for d, n in self.counts.items()) == field.amount
            else None
        )
        try:
            result = self.commit(
                field.amount, reference.value if reference is not None else "", counts
            )
        except KassiError as exc:
            self.error(exc.message)
            return
        self.dismiss(result)

    def action_count(self) -> None:
        from tui.screens.denominations import DenominationScreen

        def done(result: tuple[int, dict[int, int]] | None) -> None:
            if result is None:
                return
            total, self.counts = result
            self.query_one("#amount", AmountField).input.value = self.app.money(total)
            if self.REFERENCE_AFTER_COUNT and self.reference is not None:
                self.query_one(f"#{self.reference.id}", Input).focus()

        self.app.push_screen(DenominationScreen(), done)

    def action_cancel(self) -> None:
        self.dismiss(None)
