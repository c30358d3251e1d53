"""A bank deposit or a safe count, typed in the back office (SPEC K-1).

A deposit takes the amount (or a count of notes) and the deposit slip's number; a
count takes what was counted, and shows nothing of the expected balance before it
is committed. Returns the recorded movement (None: nothing recorded).
"""

from __future__ import annotations

from core.cash import safe
from core.text.i18n import _
from tui.screens.amount_entry import COUNT_BINDING, AmountEntryScreen, Reference


class SafeEntryScreen(AmountEntryScreen[safe.SafeMovement | None]):
    BINDINGS = [COUNT_BINDING]
    COUNTS = True

    def __init__(self, kind: str, *, blind: bool = False) -> None:
        assert kind in ("deposit", "count")
        deposit = kind == "deposit"
        super().__init__(
            _("Bank deposit") if deposit else _("Count the safe"),
            _("Amount to the bank") if deposit else _("Counted in the safe"),
            allow_zero=not deposit,
            reference=Reference(
                _("Deposit slip number"),
                "slip",
                _("Enter the deposit slip number."),
                max_length=safe.REFERENCE_MAX,
            )
            if deposit
            else None,
            prefix="entry",
        )
        self.kind, self.blind = kind, blind

    def commit(
        self, amount: int, reference: str, counts: dict[int, int] | None
    ) -> safe.SafeMovement:
        app = self.app
        if self.kind == "deposit":
            return safe.deposit(app.db, app.staff, app.store.id, amount, reference, counts=counts)
        return safe.count(app.db, app.staff, app.store.id, amount, counts=counts, blind=self.blind)
