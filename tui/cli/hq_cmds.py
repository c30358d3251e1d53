"""`kassi hq ...`: a chain's head office on PostgreSQL (SPEC X-1).

Once the schema is made, every back-office command runs on it with
``kassi --db postgresql://... statement|report|audit ...``, as on a file.
"""

from __future__ import annotations

import click

from core.text.i18n import _
from tui.cli import Context, echo, fail
from tui.cli.options import uses_context


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


def register(main: click.Group) -> None:
    main.add_command(hq_grp)
