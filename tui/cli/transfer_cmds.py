"""`kassi export transactions` and `kassi import transactions`: the store -> head office
transfer (T-1) in JSON Lines, as docs/transfer-format.md describes."""

from __future__ import annotations

import click

from core.text.i18n import _
from tui.cli import Context, echo, emit_json, fail, params
from tui.cli.options import ACTOR, uses_context


@click.command("transactions")
@click.option("--store", "store_id", default=None, help=_("Only this store's (default: all)."))
@click.option(
    "--since",
    "since",
    default=0,
    type=params.CURSOR,
    help=_("The cursor the previous export gave (default: everything)."),
)
@click.option(
    "--output",
    "-o",
    "output",
    type=params.FilePath(dir_okay=False, writable=True),
    default="-",
    help=_("File to write (default: standard output)."),
)
@uses_context(staff=ACTOR)
def export_transactions(ctx: Context, store_id, since, output) -> None:
    """Write the sales and sessions recorded since a cursor as JSON Lines; the
    next cursor is in the file's header and printed on standard error."""
    import os
    import sys
    import tempfile

    from core.audit.chain_head import SHORT_HEX
    from core.transfer.export import export_transactions as core_export

    if not output.strip():
        fail(_("Give a file name with --output (or - for standard output)."))
    actor = ctx.login()
    if output == "-":
        summary = core_export(ctx.db, actor, sys.stdout, store_id=store_id, since=since)
    else:
        # Written beside the target and renamed: a reader never sees half a file.
        folder = os.path.dirname(os.path.abspath(output))
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".kassi-export-", suffix=".jsonl")
        except OSError as exc:
            fail(_("Cannot write {path}: {error}").format(path=output, error=exc.strerror))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                summary = core_export(ctx.db, actor, out, store_id=store_id, since=since)
            os.replace(tmp, output)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    echo(
        _("Exported {sales} transactions and {sessions} sessions; next cursor {cursor}.").format(
            sales=summary.sales, sessions=summary.sessions, cursor=summary.cursor
        ),
        err=True,
    )
    echo(f"{_('Journal head')}: {summary.cursor}:{summary.head_hash[:SHORT_HEX]}", err=True)


@click.command("transactions")
@click.argument("file", type=params.FilePath(exists=True, dir_okay=False, allow_dash=True))
@uses_context(staff=ACTOR, json=True)
def import_transactions(ctx: Context, file, as_json) -> None:
    """Load a transfer file into this (the head office's) database: all or nothing,
    and importing the same file again changes nothing."""
    import sys

    from core.transfer.importing import import_transactions as core_import

    actor = ctx.login()
    if file == "-":
        summary = core_import(ctx.db, actor, sys.stdin, source="-")
    else:
        with open(file, encoding="utf-8") as handle:
            summary = core_import(ctx.db, actor, handle, source=file)
    if as_json:
        emit_json(
            {
                "sales": summary.sales,
                "sessions": summary.sessions,
                "skipped_sales": summary.skipped_sales,
                "skipped_sessions": summary.skipped_sessions,
                "cursor": summary.cursor,
                "already_applied": summary.already_applied,
            }
        )
        return
    if summary.already_applied is not None:  # an older file rolls nothing back
        echo(
            _(
                "{file}: already applied up to entry {seq} of the journal of {store};"
                " nothing changed."
            ).format(file=file, seq=summary.already_applied, store=summary.store)
        )
        return
    echo(
        _("Imported {sales} transactions and {sessions} sessions; {skipped} already here.").format(
            sales=summary.sales,
            sessions=summary.sessions,
            skipped=summary.skipped_sales + summary.skipped_sessions,
        )
    )


def _group(main: click.Group, name: str, help_text: str) -> click.Group:
    """The `export` / `import` group, shared with any other command that adds to it."""
    existing = main.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name, help=help_text)
    main.add_command(group)
    return group


def register(main: click.Group) -> None:
    _group(main, "export", _("Export data from this database.")).add_command(export_transactions)
    _group(main, "import", _("Import data into this database.")).add_command(import_transactions)
