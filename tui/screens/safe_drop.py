"""A safe drop from this till (SPEC K-1): the amount (or a count of notes) and the bag
number; the drawer opens after core recorded it. Also the drawer limit's offer after a
sale and its stop before the next one (K-2), kept here so the sale screen only calls it.

Returns the amount dropped (None: nothing moved), for the page's notice.
"""

from __future__ import annotations

from core.cash import safe, safe_views
from core.text.i18n import _
from tui.screens.amount_entry import COUNT_BINDING, AmountEntryScreen, Reference


class SafeDropScreen(AmountEntryScreen[int | None]):
    BINDINGS = [COUNT_BINDING]
    COUNTS = True
    REFERENCE_AFTER_COUNT = True

    def __init__(self, reason: str = "") -> None:
        super().__init__(
            _("Safe drop"),
            _("Amount to the safe"),
            allow_zero=False,
            reference=Reference(
                _("Bag or envelope number"),
                "bag",
                _("Enter the bag number."),
                max_length=safe.REFERENCE_MAX,
            ),
            prefix="drop",
            reason=reason,  # why the till asks (the drawer limit), shown on top
        )

    def commit(self, amount: int, reference: str, counts: dict[int, int] | None) -> int:
        app = self.app
        m = safe.drop(app.db, app.staff, app.terminal.id, amount, reference, counts=counts)
        app.hardware.open_drawer(safe.entry_of(app.db, m.id))  # the cash goes out (C-7)
        return m.amount


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
