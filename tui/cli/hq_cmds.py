"""`kassi hq ...`: a chain's head office on PostgreSQL (SPEC X-1, X-2, X-3).

Once the schema is made, every back-office command runs on it with
``kassi --db postgresql://... statement|report|audit ...``, as on a file. The stores
deliver their transactions with ``kassi sync`` (tui.cli.sync_cmds); ``hq receive``
applies them, ``hq status`` shows each store's, ``hq store-role`` gives a store its
database role.
"""

from __future__ import annotations

import click

from core.text.i18n import _, ngettext
from tui.cli import Context, echo, fail
from tui.cli.options import ACTOR, uses_context


@click.group("hq")
def hq_grp() -> None:
    """The head office of a chain, on PostgreSQL."""


@hq_grp.command("init")
@click.option(
    "--dsn",
    envvar="KASSI_HQ",
    required=True,
    metavar="postgresql://USER@HOST:PORT/DB",
    help=_("The head office's PostgreSQL database (the database must exist)."),
)
@click.option("--demo", is_flag=True, help=_("Load the demo stores, staff and catalog."))
@uses_context()
def hq_init(ctx: Context, dsn: str, demo: bool) -> None:
    """Create or migrate the head-office schema; running it again changes nothing."""
    from core.store import demo as demo_data
    from core.store import keyring, pg_schema
    from core.store.db import connect, is_server_url

    if not is_server_url(dsn):
        fail(_("A head office is a PostgreSQL URL: postgresql://USER@HOST:PORT/DB"))
    done = pg_schema.install(dsn)
    if done.previous is None:
        echo(
            _("Head office ready: {url} (schema {version}).").format(url=dsn, version=done.version)
        )
    elif done.previous == done.version and not (done.tables_made or done.columns_added):
        echo(
            _("Head office {url} is already at schema {version}.").format(
                url=dsn, version=done.version
            )
        )
    else:
        echo(
            _("Head office {url} migrated from schema {old} to {new}.").format(
                url=dsn, old=done.previous, new=done.version
            )
        )
    echo(
        _("Its key file is {path}: copy it to each back-office machine, and back it up.").format(
            path=keyring.key_path(dsn)
        )
    )
    with connect(dsn) as db:
        if demo:
            demo_data.load_demo(db)
            echo(_("Demo stores, staff and catalog loaded."))
        else:
            demo_data.init_defaults(db)


def _head_office(ctx: Context):  # -> core.store.db.Db
    if ctx.db.dialect != "postgresql":
        fail(_("Give the head office with --db postgresql://... (or KASSI_DB)."))
    return ctx.db


@hq_grp.command("receive")
@click.option("--watch", is_flag=True, help=_("Keep applying deliveries as they come."))
@uses_context()
def hq_receive(ctx: Context, watch: bool) -> None:
    """Apply the stores' waiting deliveries, in the order they came (run at head office,
    with its key file)."""
    from core.sync import receive, service
    from tui.cli.sync_cmds import serve

    db = _head_office(ctx)
    if not watch:
        got = receive.receive(db)
        echo(service.applied_line(got))
        for problem in got.problems:
            echo(problem, err=True)
        if got.refused:
            raise SystemExit(5)
        return
    serve(lambda stop: service.receive_forever(db, say=echo, stop=stop), _("Receiver stopped."))


@hq_grp.command("retry")
@click.argument("store_id", metavar="STORE")
@uses_context(staff=ACTOR)
def hq_retry(ctx: Context, store_id: str) -> None:
    """Apply a store's refused deliveries again, once their cause is fixed."""
    from core.sync import receive

    db = _head_office(ctx)
    n = receive.retry(db, ctx.login(), store_id)
    if not n:
        echo(_("Store {store} has no refused delivery.").format(store=store_id))
        return
    echo(
        ngettext(
            "{n} delivery of store {store} waits to be applied again.",
            "{n} deliveries of store {store} wait to be applied again.",
            n,
        ).format(n=n, store=store_id)
    )


@hq_grp.command("store-role")
@click.argument("store_id", metavar="STORE")
@click.option("--role", default=None, help=_("The role's name (default: kassi_store_<store>)."))
@uses_context(staff=ACTOR)
def hq_store_role(ctx: Context, store_id: str, role: str | None) -> None:
    """Make the store's own database role (or give it a new password): it can read only
    the master data and deliver only the store's own transactions. The password is read
    from KASSI_STORE_PASSWORD or asked twice."""
    import os
    import sys

    from core.sync import store_roles

    db = _head_office(ctx)
    actor = ctx.login()
    name = role or store_roles.role_name_for(store_id)
    password = os.environ.get("KASSI_STORE_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            fail(_("Give the password in KASSI_STORE_PASSWORD (or type it on a terminal)."))
        password = click.prompt(
            _("Password for {role}").format(role=name),
            hide_input=True,
            confirmation_prompt=True,
            err=True,
        )
    new = store_roles.grant_store_role(db, actor, store_id, name, password)
    message = (
        _("Role {role} made for store {store}.")
        if new
        else _("Role {role} of store {store} has its new password.")
    )
    echo(message.format(role=name, store=store_id))


@hq_grp.command("office-role")
@click.argument("role")
@uses_context(staff=ACTOR)
def hq_office_role(ctx: Context, role: str) -> None:
    """Let a person's own database role (made with CREATE ROLE) work the back office at
    head office; they log in with their kassi PIN on top of it."""
    from core.sync import store_roles

    db = _head_office(ctx)
    store_roles.grant_office_role(db, ctx.login(), role)
    echo(
        _("Role {role} may work head office's back office (group {group}).").format(
            role=role, group=store_roles.OFFICE_GROUP
        )
    )


@hq_grp.command("status")
@uses_context(json=True)
def hq_status(ctx: Context, as_json: bool) -> None:
    """Each store's sync: what was applied, what waits, what was refused."""
    from core.sync import status
    from tui.cli import cell, emit_json

    rows = status.stores(_head_office(ctx))
    if as_json:
        emit_json([r.as_dict() for r in rows])
        return
    echo(
        f"{_('Store'):<12} {_('Applied up to'):<26} {_('Waiting'):>7} {_('Lag'):>8}  {_('Problem')}"
    )
    for r in rows:
        lag = "" if r.lag_s is None else f"{r.lag_s} s"
        echo(
            f"{cell(r.store):<12} {cell(r.applied_at or '-'):<26} {r.waiting:>7} {lag:>8}  "
            f"{cell(r.problem)}"
        )


def register(main: click.Group) -> None:
    main.add_command(hq_grp)
