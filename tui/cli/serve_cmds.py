"""`kassi serve` and `kassi terminal pair|unpair|pairings`: the till in thin clients'
browsers, each paired with its terminal (SPEC W-1, W-2)."""

from __future__ import annotations

import socket

import click

from core.text.i18n import _
from tui.cli import Context, echo, emit_rows, fail
from tui.cli.options import MANAGER, manager, uses_context
from tui.cli.setup_cmds import terminal_grp

DEFAULT_PORT = 8000  # core.tills.pairing.DEFAULT_PORT, without importing core at start-up


@click.command("serve")
@click.option(
    "--host",
    envvar="KASSI_SERVE_HOST",
    default="0.0.0.0",
    show_default=True,
    help=_("The address to listen on (127.0.0.1: this machine only)."),
)
@click.option(
    "--port",
    envvar="KASSI_SERVE_PORT",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help=_("The port to listen on."),
)
@click.option(
    "--url",
    "public_url",
    envvar="KASSI_SERVE_URL",
    default=None,
    help=_("The address thin clients use, if not http://HOST:PORT (a proxy, a name)."),
)
@uses_context()
def serve(ctx: Context, host: str, port: int, public_url: str | None) -> None:
    """Serve the till to thin clients' browsers: each paired screen gets its own
    terminal's till, in kiosk mode (pair one with `kassi terminal pair T`)."""
    from core.tills import pairing
    from tui.web.server import TillServer

    if ctx.db.dialect != "sqlite":
        fail(_("kassi serve runs on a store's own database (--db FILE), not on head office."))
    if public_url:
        public_url = pairing.check_base_url(public_url)
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    server = TillServer(
        ctx.db_path,
        host=host,
        port=port,
        public_url=public_url or f"http://{shown}:{port}",
        lang=ctx.lang,
    )
    _check_free(host, port)
    ctx.db.close()
    server.serve()


def _check_free(host: str, port: int) -> None:
    """One line, not a traceback, when the address is taken or not this machine's."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        fail(_("Cannot listen on {host}:{port}: {reason}").format(host=host, port=port, reason=exc))
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            fail(
                _("Cannot listen on {host}:{port}: {reason}").format(
                    host=host, port=port, reason=exc.strerror or exc
                )
            )


@terminal_grp.command("pair")
@click.argument("terminal_id")
@click.option(
    "--url",
    "base_url",
    envvar="KASSI_SERVE_URL",
    default=None,
    help=_("The address thin clients reach `kassi serve` at (default: http://THIS-HOST:8000)."),
)
@click.option(
    "--print",
    "on_paper",
    is_flag=True,
    help=_("Also print the URL as a QR code on the terminal's printer, for its scanner."),
)
@uses_context(staff=MANAGER)
def terminal_pair(ctx: Context, terminal_id: str, base_url: str | None, on_paper: bool) -> None:
    """Pair a thin client with a terminal: prints the URL to open on it (with --print,
    also a slip with it as a QR code). Pairing again gives a new URL and the old one
    stops working."""
    from core.store import terminals
    from core.tills import pairing

    terminal = terminals.get_terminal(ctx.db, terminal_id)
    base = pairing.check_base_url(base_url or pairing.default_base_url())
    made = pairing.pair(ctx.db, manager(ctx), terminal_id)
    url = pairing.pairing_url(base, made.token)
    echo(_("Terminal {id} paired. Open this on its thin client:").format(id=terminal_id))
    echo(url)
    if on_paper:
        _print_slip(ctx, terminal, url, made.pairing.created_at)


def _print_slip(ctx: Context, terminal, url: str, created_at: str) -> None:
    """The slip goes to the printer now or not at all: a kept print job would store the
    token in clear, which the pairing never does (only its hash)."""
    from core.printing.receipts import pairing_slip
    from core.printing.service import PrintService
    from core.store.stores import get_store
    from hardware.device import connect_printer
    from tui.cli.print_cmds import PRINT_FAILED

    store = get_store(ctx.db, terminal.store_id)
    doc = pairing_slip(store, terminal, url, created_at)  # in the store's language, as receipts
    outcome = PrintService(connect_printer).print_unkept(ctx.db, terminal.id, doc)
    if not outcome.ok:
        fail(
            _("{problem} The URL above works all the same.").format(problem=outcome.message),
            PRINT_FAILED,
        )
    echo(outcome.message)


@terminal_grp.command("unpair")
@click.argument("terminal_id")
@uses_context(staff=MANAGER)
def terminal_unpair(ctx: Context, terminal_id: str) -> None:
    """Revoke a terminal's pairing: its thin client gets no till from now on."""
    from core.store import terminals
    from core.tills import pairing

    terminals.get_terminal(ctx.db, terminal_id)
    pairing.unpair(ctx.db, manager(ctx), terminal_id)
    echo(_("Terminal {id} unpaired: its thin client gets no till now.").format(id=terminal_id))


@terminal_grp.command("pairings")
@click.argument("terminal_id", required=False)
@uses_context(json=True)
def terminal_pairings(ctx: Context, terminal_id: str | None, as_json: bool) -> None:
    """Every pairing of thin clients with terminals, live and revoked, newest first."""
    from attrs import asdict

    from core.tills import pairing

    rows = [{**asdict(p), "live": p.live} for p in pairing.list_pairings(ctx.db, terminal_id)]
    emit_rows(
        rows,
        as_json,
        ["id", "terminal_id", "live", "created_at", "created_by", "revoked_at", "revoked_by"],
    )


def register(main: click.Group) -> None:
    main.add_command(serve)
