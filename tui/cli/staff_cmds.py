"""`kassi staff passwd|reset-pin|deactivate|reactivate|set` (K-5), attached to
`kassi staff` from setup_cmds. New PINs come from KASSI_NEW_PIN or a hidden prompt
(typed twice), never from the command line, where `ps` would show them (R-10)."""

from __future__ import annotations

import os
import sys

import click

from core.text.i18n import _
from tui.cli import Context, echo, fail, read_pin
from tui.cli.options import MANAGER, OWN, manager, uses_context
from tui.cli.setup_cmds import staff_grp


def read_new_pin() -> tuple[str, str]:
    """The new PIN and its repetition: KASSI_NEW_PIN, or asked twice on a terminal."""
    env = os.environ.get("KASSI_NEW_PIN")
    if env is not None:
        return env, env
    if not sys.stdin.isatty():
        fail(_("Give the new PIN in KASSI_NEW_PIN (or type it at the prompt on a terminal)."))
    first = click.prompt(_("New PIN"), hide_input=True, err=True)
    return first, click.prompt(_("New PIN again"), hide_input=True, err=True)


target_argument = click.argument("target_id", metavar="ID")  # whom a manager changes


def _names(values: tuple[str, ...]) -> list[str]:
    """--grant a --grant b, or --grant "a b", or --grant a,b."""
    return [n for v in values for n in v.replace(",", " ").split()]


@staff_grp.command("passwd")
@uses_context(staff=OWN)
def staff_passwd(ctx: Context) -> None:
    """Change your own PIN: the old PIN (KASSI_PIN or asked), then the new one twice."""
    from core.staff import admin as staff_admin

    old = read_pin(ctx.pin)
    new, again = read_new_pin()
    staff_admin.change_own_pin(ctx.db, ctx.staff_id, old, new, again)
    echo(_("Your PIN is changed."))


@staff_grp.command("reset-pin")
@target_argument
@uses_context(staff=MANAGER)
def staff_reset_pin(ctx: Context, target_id) -> None:
    """Give a staff member a new PIN (KASSI_NEW_PIN or asked twice); clears a lockout."""
    from core.staff import admin as staff_admin

    actor = manager(ctx)
    new, again = read_new_pin()
    staff_admin.reset_pin(ctx.db, actor, target_id, new, again)
    echo(_("Staff member {id} has a new PIN.").format(id=target_id))


@staff_grp.command("first-pin")
@target_argument
@uses_context()
def staff_first_pin(ctx: Context, target_id) -> None:
    """In a new store database synced from head office, where nobody has a PIN yet: set
    the first manager's (KASSI_NEW_PIN or asked twice)."""
    from core.staff import admin as staff_admin

    new, again = read_new_pin()
    staff_admin.set_first_pin(ctx.db, target_id, new, again)
    echo(_("Staff member {id} has a PIN.").format(id=target_id))


@staff_grp.command("deactivate")
@target_argument
@uses_context(staff=MANAGER)
def staff_deactivate(ctx: Context, target_id) -> None:
    """A staff member who left: no more logins; running tills log them out."""
    from core.staff import admin as staff_admin

    actor = manager(ctx)
    staff_admin.set_active(ctx.db, actor, target_id, False)
    echo(_("Staff member {id} is deactivated and can no longer log in.").format(id=target_id))


@staff_grp.command("reactivate")
@target_argument
@uses_context(staff=MANAGER)
def staff_reactivate(ctx: Context, target_id) -> None:
    """Take a deactivated staff member back: they log in with their old PIN."""
    from core.staff import admin as staff_admin

    actor = manager(ctx)
    staff_admin.set_active(ctx.db, actor, target_id, True)
    echo(_("Staff member {id} is active again.").format(id=target_id))


@staff_grp.command("set")
@target_argument
@click.option(
    "--role",
    type=click.Choice(["cashier", "supervisor", "manager"]),
    default=None,
    help=_("The new role; its permissions replace the old ones."),
)
@click.option("--grant", multiple=True, help=_("A permission to add (repeatable)."))
@click.option("--revoke", multiple=True, help=_("A permission to take away (repeatable)."))
@uses_context(staff=MANAGER)
def staff_set(ctx: Context, target_id, role, grant, revoke) -> None:
    """Change a role or permissions: `kassi staff set 2 --role supervisor --revoke kiosk.exit`."""
    from core.staff import admin as staff_admin

    actor = manager(ctx)
    staff = staff_admin.set_access(
        ctx.db, actor, target_id, role=role, grant=_names(grant), revoke=_names(revoke)
    )
    echo(
        _("Staff member {id}: {role}; may {permissions}.").format(
            id=staff.id, role=staff.role, permissions=" ".join(sorted(staff.permissions)) or "-"
        )
    )


def register(main: click.Group) -> None:
    """Nothing to add at the top: these commands hang off the staff group itself."""
