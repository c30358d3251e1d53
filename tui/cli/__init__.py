"""The `kassi` command: the till's and back office's every operation, scriptable.

Errors go to stderr with a non-zero exit and change nothing (each command is
one core operation, one transaction). Read commands take --json; amounts in
JSON are decimal strings in major units, never floats.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from core.errors import KassiError
from core.text.display import json_text, safe_text
from core.text.i18n import LANGUAGES, _, set_language


def default_db_path() -> str:
    env = os.environ.get("KASSI_DB")
    if env:
        return env
    import platformdirs

    return str(Path(platformdirs.user_data_dir("kassi")) / "kassi.db")


class Context:
    """What every command shares: the database path, the language, the open Db."""

    def __init__(self, db_path: str, lang: str | None) -> None:
        self.db_path = db_path
        self.lang = lang
        self._db = None
        # The command's --staff and --pin (tui.cli.options.uses_context): one Context
        # serves one command, and `login` reads the PIN only when the command asks.
        self.staff_id: str | None = None
        self.pin: str | None = None

    @property
    def db(self):  # -> core.store.db.Db, imported lazily to keep start-up fast
        if self._db is None:
            from core.store.db import connect

            self._db = connect(self.db_path)
        return self._db

    def locale_for(self, store_locale: str | None = None) -> str:
        """Amounts are typed in the chosen language's format (M-2)."""
        return self.lang or store_locale or "en"

    def use_store_language(self, store_locale: str) -> None:
        if not self.lang:
            set_language(store_locale)

    def login(self, terminal_id: str | None = None):  # -> core.staff.auth.Actor
        """The command's staff member, by the PIN from --pin, KASSI_PIN or the prompt."""
        from core.staff.auth import authenticate

        return authenticate(self.db, self.staff_id, read_pin(self.pin), terminal_id=terminal_id)


pass_ctx = click.make_pass_decorator(Context)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """The one way commands write text for a person (R-6).

    Whatever stored names and notes the text holds, no control character or
    escape sequence reaches the terminal: the program's own line breaks stay,
    the rest goes through `safe_text`. Table cells go through `cell` first, so
    a stored line break cannot start a fake row either.
    (tests/integration/test_safe_display.py fails on any `click.echo` in tui/cli.)
    """
    click.echo(safe_text(str(message), keep_newlines=True), err=err, nl=nl)


def cell(value: object) -> str:
    """A stored value in a one-line table cell or row: tab, newline and CR shown escaped."""
    return safe_text("" if value is None else str(value))


MESSAGE_MAX = 1000


def one_line(text: str) -> str:
    """A message as one line without control characters: an id or a value typed back
    to the user may hold a newline or an escape sequence (R-4)."""
    import unicodedata

    line = "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cf") else ascii(ch)[1:-1] for ch in text
    )
    # A 100,000-character id typed back in "No terminal with id ..." helps nobody.
    return line if len(line) <= MESSAGE_MAX else line[: MESSAGE_MAX - 1] + "\u2026"


def fail(message: str, code: int = 2) -> None:
    echo(_("Error: {message}").format(message=one_line(message)), err=True)
    sys.exit(code)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a KassiError into a clear message on stderr and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import sqlite3

        try:
            return fn(*args, **kwargs)
        except KassiError as exc:
            fail(exc.message, exc.exit_code)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                fail(
                    _(
                        "The database stayed busy (another till is writing); nothing was "
                        "changed. Try again."
                    ),
                    4,
                )
            if os.environ.get("KASSI_DEBUG"):
                raise
            fail(_("Database error: {error}").format(error=exc), 4)
        except sqlite3.DatabaseError as exc:
            if os.environ.get("KASSI_DEBUG"):
                raise
            fail(_("Database error: {error}").format(error=exc), 4)
        except OSError as exc:
            if exc.filename is None:  # not a file the user named: a bug or the hardware's
                raise
            fail(
                _("Cannot use the file {path!r}: {error}.").format(
                    path=exc.filename2 or exc.filename, error=exc.strerror or exc
                )
            )

    return wrapper


def emit_json(data: Any) -> None:
    # json.dumps escapes C0 itself; json_text escapes DEL, C1 and bidi controls.
    click.echo(json_text(json.dumps(data, ensure_ascii=False, indent=2)))


def emit_rows(data: list[dict], as_json: bool, columns: list[str]) -> None:
    """A list command's rows: JSON (every key), or a table of ``columns``."""
    if as_json:
        emit_json(data)
        return
    shown = [{c: cell(r.get(c, "")) for c in columns} for r in data]
    widths = {c: max([len(c)] + [len(r[c]) for r in shown]) for c in columns}
    echo("  ".join(c.ljust(widths[c]) for c in columns))
    for r in shown:
        echo("  ".join(r[c].ljust(widths[c]) for c in columns).rstrip())


def read_pin(pin: str | None) -> str:
    """The PIN from --pin (with a warning), KASSI_PIN, or a hidden prompt on a terminal (R-10).

    A PIN on the command line shows in the process list to every user of the
    machine and lands in shell history; the environment and the prompt do not.
    """
    if pin is not None:
        echo(
            _(
                "Warning: --pin shows in the process list (ps) and shell history;"
                " set KASSI_PIN or type the PIN at the prompt instead."
            ),
            err=True,
        )
        return pin
    env = os.environ.get("KASSI_PIN")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        fail(_("Give the PIN in KASSI_PIN (or type it at the prompt on a terminal)."))
    return click.prompt(_("PIN"), hide_input=True, err=True)


class KassiGroup(click.Group):
    """The top of `kassi`: every failure is one line on stderr and an exit code (R-4).

    Usage errors (a missing option, a bad value) are one line, not click's usage
    block; anything else escaping a command is a bug, reported in one line as
    "internal error" with exit 70 (KASSI_DEBUG=1 shows the traceback).
    """

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        standalone = extra.pop("standalone_mode", True)
        try:
            rv = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = " " + _("(see: {command} --help)").format(command=exc.ctx.command_path)
            fail(exc.format_message().replace("\n", " ") + hint, exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message().replace("\n", " "), exc.exit_code)
        except click.Abort:
            fail(_("Aborted."), 1)
        except KassiError as exc:
            fail(exc.message, exc.exit_code)
        except Exception as exc:
            if os.environ.get("KASSI_DEBUG"):
                raise
            line = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:200]
            click.echo(_("internal error: {error}").format(error=one_line(line)), err=True)
            sys.exit(70)
        if not standalone:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(
    cls=KassiGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_path",
    default=default_db_path,
    show_default="$KASSI_DB or the user data directory",
    help=_("The store database file, or a head office's postgresql:// URL."),
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    envvar="KASSI_LANG",
    help=_("Language of messages and amounts (default: the store's)."),
)
@click.option(
    "--kiosk",
    is_flag=True,
    help=_("Lock the till down (needs --terminal): leaving needs a PIN with kiosk.exit."),
)
@click.option("--no-mouse", is_flag=True, help=_("Ignore the mouse (for SSH sessions)."))
@click.option(
    "--terminal",
    "terminal_id",
    envvar="KASSI_TERMINAL",
    help=_("The terminal (till) this screen is."),
)
@click.option(
    "--sync-hq",
    envvar="KASSI_SYNC_HQ",
    metavar="postgresql://ROLE@HOST:PORT/DB",
    help=_("Sync with head office in the background while the till runs (kassi sync)."),
)
@click.pass_context
def main(
    click_ctx: click.Context,
    db_path: str,
    lang: str | None,
    kiosk: bool,
    no_mouse: bool,
    terminal_id: str | None,
    sync_hq: str | None,
) -> None:
    """kassi: a keyboard-driven till for shops."""
    if lang:
        set_language(lang)
    click_ctx.obj = Context(db_path, lang)
    if click_ctx.invoked_subcommand is None:
        from tui.cli.status import run_default

        run_default(
            click_ctx.obj, kiosk=kiosk, no_mouse=no_mouse, terminal_id=terminal_id, sync_hq=sync_hq
        )


def _register() -> None:
    from core.printing import settings as printer_settings
    from hardware._escpos import profile_codepages

    # Printer settings name printer models; only hardware can read their code pages (P-4).
    printer_settings.use_profiles(profile_codepages)
    from tui.cli import (
        audit_cmds,
        catalog_cmds,
        hq_cmds,
        item_cmds,
        print_cmds,
        report_cmds,
        safe_cmds,
        sale_cmds,
        serve_cmds,
        session_cmds,
        setup_cmds,
        staff_cmds,
        statement_cmds,
        sync_cmds,
        tender_cmds,
        terminal_cmds,
        transfer_cmds,
        unit_cmds,
    )

    for module in (
        setup_cmds,
        catalog_cmds,
        session_cmds,
        sale_cmds,
        audit_cmds,
        report_cmds,
        print_cmds,
        statement_cmds,
        terminal_cmds,
        transfer_cmds,
        hq_cmds,
        sync_cmds,
        serve_cmds,
        item_cmds,
        staff_cmds,
        tender_cmds,
        safe_cmds,
        unit_cmds,  # after catalog_cmds: adds to its item commands
    ):
        module.register(main)


_register()
