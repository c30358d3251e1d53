"""What every `kassi` command shares: --staff/--pin/--json, the Context with the
database, and the error handling, in one decorator (`uses_context`).

    @session_grp.command("open")
    @terminal_option
    @click.option("--note", default="")
    @uses_context(staff=ACTOR)
    def session_open(ctx: Context, terminal_id, note) -> None:
        ...  # check the input first: a bad value is refused before the PIN is asked
        actor = ctx.login(terminal_id)

--staff, --pin and --json come last in the command's options, in that order (as
`kassi X --help` lists them); a command that shows --json elsewhere puts
`json_option` there itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import attrs
import click

from core.text.i18n import _
from tui.cli import Context, fail, handle_errors, pass_ctx


@attrs.frozen
class StaffOption:
    """How a command asks for --staff: whether it must be given, and its help."""

    required: bool
    help: str


ACTOR = StaffOption(True, _("Staff id (or set KASSI_STAFF)."))
# Configuration commands: nobody while the database has no staff yet (config_actor).
MANAGER = StaffOption(False, _("Manager's staff id (or set KASSI_STAFF)."))
OWN = StaffOption(True, _("Your staff id (or set KASSI_STAFF)."))


def pin_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--pin, for scripts that cannot do better; KASSI_PIN or the prompt is the safe way."""
    return click.option(
        "--pin",
        default=None,
        help=_("PIN; visible to others in `ps`: prefer KASSI_PIN or the prompt."),
    )(fn)


def staff_option(staff: StaffOption) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--staff and --pin (or KASSI_STAFF / KASSI_PIN) for a command that acts as someone."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        return click.option(
            "--staff",
            "staff_id",
            envvar="KASSI_STAFF",
            required=staff.required,
            help=staff.help,
        )(pin_option(fn))

    return decorate


json_option = click.option("--json", "as_json", is_flag=True)
terminal_option = click.option("--terminal", "terminal_id", required=True, envvar="KASSI_TERMINAL")


def uses_context(
    *, staff: StaffOption | None = None, json: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The command's callback gets the Context first; a KassiError (or a busy
    database) becomes one line on stderr and an exit code (`handle_errors`).

    With ``staff``, --staff and --pin are declared and kept on the Context for
    `ctx.login()`, which asks for the PIN only when the command calls it. With
    ``json``, --json is declared and given to the callback as ``as_json``.
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @pass_ctx
        @handle_errors
        @wraps(fn)
        def callback(ctx: Context, *args: Any, **kwargs: Any) -> Any:
            if staff is not None:
                ctx.staff_id = kwargs.pop("staff_id")
                ctx.pin = kwargs.pop("pin")
            return fn(ctx, *args, **kwargs)

        command = callback
        if staff is not None:
            command = staff_option(staff)(command)
        if json:
            command = json_option(command)
        return command

    return decorate


def config_actor(ctx: Context):  # -> core.staff.auth.Actor | None
    """Nobody while the database has no staff yet (bootstrap), else a manager's PIN."""
    if ctx.db.one("SELECT 1 FROM staff LIMIT 1") is None:
        return None
    if not ctx.staff_id:
        fail(_("Give --staff and --pin (or KASSI_STAFF / KASSI_PIN) of a manager."))
    return ctx.login()


def manager(ctx: Context):  # -> core.staff.auth.Actor
    """A manager's login, for a change that needs someone to make it, even at bootstrap."""
    actor = config_actor(ctx)
    if actor is None:
        fail(_("Add a manager first (kassi staff add)."))
    return actor


def terminal_store(ctx: Context, terminal_id: str):
    """The terminal and its store; messages and amounts from here on in the store's language."""
    from core.store.stores import get_store
    from core.store.terminals import get_terminal

    terminal = get_terminal(ctx.db, terminal_id)
    store = get_store(ctx.db, terminal.store_id)
    ctx.use_store_language(store.locale)
    return terminal, store


def store_for(ctx: Context, store_id: str):
    """The store; messages and amounts from here on in its language."""
    from core.store.stores import get_store

    store = get_store(ctx.db, store_id)
    ctx.use_store_language(store.locale)
    return store
