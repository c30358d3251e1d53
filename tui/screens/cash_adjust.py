"""Add or remove cash with a note (S-6); shown as cash actions on the session.

Returns the amount moved (None: nothing moved), for the page's notice."""

from __future__ import annotations

from core.text.i18n import _
from core.tills import sessions
from tui.screens.amount_entry import AmountEntryScreen, Reference


class CashAdjustScreen(AmountEntryScreen[int | None]):
    def __init__(self, kind: str) -> None:
        super().__init__(
            _("Add cash to the drawer") if kind == "add" else _("Remove cash from the drawer"),
            _("Amount"),
            allow_zero=False,
            reference=Reference(
                _("Note (why the cash moves)"),
                "note",
                _("A note is required: say why the cash moves."),
                max_length=500,
                placeholder=_("e.g. change for the drawer, to the safe"),
            ),
            prefix="adjust",
        )
        self.kind = kind

    def commit(self, amount: int, reference: str, counts: dict[int, int] | None) -> int:
        app = self.app
        adj = sessions.adjust_cash(app.db, app.staff, app.terminal.id, self.kind, amount, reference)
        app.hardware.after_adjustment(adj)
        return adj.amount  # the page says what moved (C-6)
