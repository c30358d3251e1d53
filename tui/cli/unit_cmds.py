"""Weighed and measured items on the command line (SPEC K-8).

`kassi item unit SKU kg --scale-code 2001` sets what an item is sold by, and
`kassi item add ... --unit kg --scale-code 2001` gives it when the item is made.
The options are added to `item add` here, apart from setup_cmds.py, so the item
commands and the units can change on separate branches.
"""

from __future__ import annotations

import os

import click

from core.text.i18n import _
from tui.cli import Context, echo, fail, handle_errors, pass_ctx, read_pin
from tui.cli.catalog_cmds import item_grp
from tui.cli.options import MANAGER, config_actor, uses_context

UNIT_HELP = _("What the item is sold by: pcs (default), kg, g, l or m (price per unit).")
SCALE_HELP = _("The item code its scale labels carry (1-6 digits).")


@item_grp.command("unit")
@click.argument("sku")
@click.argument("unit", required=False)
@click.option("--scale-code", default=None, help=SCALE_HELP + " " + _("Empty: none."))
@uses_context(staff=MANAGER)
def item_unit(ctx: Context, sku, unit, scale_code) -> None:
    """Set what an item is sold by (pcs, kg, g, l, m) and its scale code."""
    from core.catalog import units as item_units

    if unit is None and scale_code is None:
        fail(_("Give the unit (pcs, kg, g, l, m) and/or --scale-code."))
    actor = config_actor(ctx)
    kwargs = {} if scale_code is None else {"scale_code": scale_code}
    item = item_units.set_unit(ctx.db, actor, sku, unit, **kwargs)
    echo(_("Item {sku} is sold by {unit}.").format(sku=item.sku, unit=item.unit))


def _with_units(command: click.Command) -> None:
    """`item add --unit --scale-code`: the item is added by its own command, then its
    unit set, with the one PIN the manager gave (or typed) once."""
    original = command.callback
    command.params.append(click.Option(["--unit"], default=None, help=UNIT_HELP))
    command.params.append(click.Option(["--scale-code"], default=None, help=SCALE_HELP))

    @pass_ctx
    @handle_errors
    def callback(ctx: Context, *, unit, scale_code, staff_id, pin, **rest) -> None:
        from core.catalog import units as item_units
        from core.money import quantity

        if unit is None and scale_code is None:
            return ctx_invoke(original, staff_id=staff_id, pin=pin, **rest)
        unit = quantity.check_unit(unit or quantity.PIECES)  # refused before anything is added
        item_units.check_scale_code(scale_code)
        has_staff = ctx.db.one("SELECT 1 FROM staff LIMIT 1") is not None
        secret = read_pin(pin) if has_staff and staff_id else None
        saved = os.environ.get("KASSI_PIN")
        if secret is not None:
            os.environ["KASSI_PIN"] = secret  # the add reads it instead of asking again
        try:
            ctx_invoke(original, staff_id=staff_id, pin=None, **rest)
        finally:
            if secret is not None:
                if saved is None:
                    os.environ.pop("KASSI_PIN", None)
                else:
                    os.environ["KASSI_PIN"] = saved
        actor = None
        if secret is not None:  # the PIN read once above: no second warning or prompt
            from core.staff.auth import authenticate

            actor = authenticate(ctx.db, staff_id, secret)
        item = item_units.set_unit(ctx.db, actor, rest["sku"], unit, scale_code)
        echo(_("Item {sku} is sold by {unit}.").format(sku=item.sku, unit=item.unit))

    command.callback = callback


def ctx_invoke(fn, **kwargs) -> None:
    click.get_current_context().invoke(fn, **kwargs)


def register(main: click.Group) -> None:
    del main  # `item unit` is on item_grp, which setup_cmds registers
    _with_units(item_grp.commands["add"])
