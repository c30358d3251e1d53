"""`kassi sync`: the store's sync with its chain's head office (SPEC X-2).

Run by the store machine itself (cron, or a systemd service with ``--watch``): it acts
with the store database's own rights and head office's store role, not a staff PIN.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import click

from core.text.i18n import _
from tui.cli import Context, echo, fail
from tui.cli.options import uses_context

HQ_URL = "postgresql://ROLE@HOST:PORT/DB"


def serve(loop: Callable[[Callable[[], bool]], None], stopped: str) -> None:
    """Run a service ``loop(stop)`` until SIGTERM (systemd stopping it) or Ctrl+C, then
    say ``stopped``: the store's sync and head office's receiver alike."""
    import signal

    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_a: stopping.append(True))
    with contextlib.suppress(KeyboardInterrupt):
        loop(lambda: bool(stopping))
    echo(stopped)


@click.command("sync")
@click.option(
    "--hq",
    "hq_url",
    envvar="KASSI_HQ",
    required=True,
    metavar=HQ_URL,
    help=_("Head office, with the store's own role (password in ~/.pgpass or PGPASSWORD)."),
)
@click.option("--store", "store_id", default=None, help=_("The store (default: the role's)."))
@click.option("--watch", is_flag=True, help=_("Keep syncing, as a service, until stopped."))
@click.option(
    "--interval",
    default=10.0,
    type=click.FloatRange(1, 3600),
    show_default=True,
    help=_("Seconds between rounds with --watch."),
)
@click.option(
    "--wait",
    "wait_s",
    default=0.0,
    type=click.FloatRange(0, 3600),
    help=_("Wait up to this many seconds for head office to apply the delivery."),
)
@uses_context()
def sync(ctx: Context, hq_url: str, store_id, watch: bool, interval: float, wait_s: float) -> None:
    """Pull the chain's master data from head office and deliver the store's new
    sales, refunds, sessions and cash movements with its journal."""
    from core.sync import service

    if ctx.db.dialect != "sqlite":
        fail(_("kassi sync runs on a store's own database (--db FILE), not on head office."))
    if not watch:
        result = service.sync_once(ctx.db, hq_url, store_id=store_id, wait_s=wait_s)
        echo(service.describe(result))
        return
    serve(
        lambda stop: service.watch(
            ctx.db, hq_url, store_id=store_id, interval_s=interval, say=echo, stop=stop
        ),
        _("Sync stopped."),
    )


def register(main: click.Group) -> None:
    main.add_command(sync)
