"""`kassi tender set`: a payment type's name, whether it is counted at close, and
whether it is in use (K-4). Attached to `kassi tender` from setup_cmds."""

from __future__ import annotations

import click

from core.text.i18n import _
from tui.cli import Context, echo
from tui.cli.options import MANAGER, manager, uses_context
from tui.cli.setup_cmds import tender_grp


@tender_grp.command("set")
@click.argument("tender_id", metavar="ID")
@click.option("--name", default=None, help=_("The name the till and receipts show."))
@click.option(
    "--counted/--not-counted",
    "counted",
    default=None,
    help=_("Declared (counted) when a session closes."),
)
@click.option(
    "--active/--inactive",
    "active",
    default=None,
    help=_("Inactive: no new payment takes it; old sessions and reports keep it."),
)
@uses_context(staff=MANAGER)
def tender_set(ctx: Context, tender_id, name, counted, active) -> None:
    """Change a payment type: `kassi tender set card --name Dankort --not-counted`."""
    from core.store import tenders

    actor = manager(ctx)
    tender = tenders.update_tender(
        ctx.db, actor, tender_id, name=name, counted=counted, active=active
    )
    state = [_("counted at close") if tender.counted_at_close else _("not counted at close")]
    state.append(_("in use") if tender.active else _("not in use"))
    echo(
        _("Payment type {id} ({name}): {state}.").format(
            id=tender.id, name=tenders.tender_label(tender), state=", ".join(state)
        )
    )


def register(main: click.Group) -> None:
    """Nothing to add at the top: `set` hangs off the tender group itself."""
