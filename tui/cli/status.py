"""What `kassi` with no sub-command does: the till, or the state of the terminals."""

from __future__ import annotations

from core.text.i18n import _
from tui.cli import Context, cell, echo


def run_default(
    ctx: Context,
    *,
    kiosk: bool,
    no_mouse: bool,
    terminal_id: str | None,
    sync_hq: str | None = None,
) -> None:
    try:
        from tui.app import run_till
    except ImportError:
        print_status(ctx)
        return
    run_till(ctx, kiosk=kiosk, no_mouse=no_mouse, terminal_id=terminal_id, sync_hq=sync_hq)


def print_status(ctx: Context) -> None:
    """One line per terminal: its store and its open session, if any."""
    from core.money import amounts as money
    from core.store.stores import list_stores
    from core.store.terminals import list_terminals
    from core.tills import sessions

    stores = {s.id: s for s in list_stores(ctx.db)}
    if not stores:
        echo(_("No stores yet: run `kassi init --demo`, or add one with `kassi store add`."))
        return
    for t in list_terminals(ctx.db):
        store = stores[t.store_id]
        current = sessions.current_session(ctx.db, t.id)
        if current is None:
            state = _("no open session")
        else:
            expected = sessions.expected_cash(ctx.db, current.id)
            state = _("session {id} open since {at}, expected cash {cash}").format(
                id=current.id,
                at=current.opened_at,
                cash=money.format_money(expected, store.currency, ctx.locale_for(store.locale)),
            )
        echo(f"{cell(t.id):<6} {cell(store.name)} / {cell(t.name)}: {state}")
