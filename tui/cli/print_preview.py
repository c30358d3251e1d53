"""`--png FILE` on the `kassi print` commands: the document as a picture, not on paper (P-5).

The picture is drawn from the very bytes the terminal's printer would get
(hardware.preview decodes `hardware.render`'s output at the printer's width, code
page and ESC t table), so a manager can check a layout, a logo or a code page
without paper. Nothing is printed, queued or marked.
"""

from __future__ import annotations

from pathlib import Path

import click

from core.text.i18n import _
from tui.cli import Context, cell, echo, fail, params

png_option = click.option(
    "--png",
    "png",
    type=params.FilePath(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help=_("Write the document as a PNG picture at the printer's width instead of printing it."),
)


def write_png(ctx: Context, terminal_id: str, doc, path: Path, *, as_text: bool = False) -> None:
    """Draw `doc` as the terminal's printer would print it and save it to `path`."""
    from core.store import terminals
    from hardware.preview import preview_document

    if as_text:
        fail(_("Give --text or --png, not both."))
    preview = preview_document(doc, terminals.get_terminal(ctx.db, terminal_id).printer)
    try:
        preview.save_png(path)
    except (OSError, ValueError) as exc:
        fail(
            _("Cannot write {path}: {error}.").format(
                path=str(path), error=getattr(exc, "strerror", None) or exc
            )
        )
    width, height = preview.image.size
    echo(
        _("Preview written to {path} ({width}x{height} dots); nothing was printed.").format(
            path=cell(str(path)), width=width, height=height
        )
    )
