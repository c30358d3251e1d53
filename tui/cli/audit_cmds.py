"""`kassi audit ...`: check the signed journal and every row it covers (R-1, R-2)."""

from __future__ import annotations

import sys

import click

from core.text.i18n import _, ngettext
from tui.cli import Context, echo, emit_json
from tui.cli.options import uses_context


@click.group("audit")
def audit_grp() -> None:
    """The tamper-evident audit log."""


@audit_grp.command("verify")
@click.option(
    "--since-anchor",
    "anchor",
    metavar="N:HASH",
    help=_("A head taken from paper (a Z report): entry N must have that hash."),
)
@click.option(
    "--full",
    is_flag=True,
    help=_("Check every signature again, not only those after the last intact check."),
)
@uses_context(json=True)
def audit_verify(ctx: Context, anchor: str | None, full: bool, as_json: bool) -> None:
    """Check every signature, link and covered row; exit 1 naming what is wrong."""
    from core.audit import journal as audit
    from core.audit import verification

    since = audit.parse_anchor(anchor) if anchor is not None else None
    result = verification.verify(ctx.db, since_anchor=since, full=full)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "checked": result.checked,
                "rows": result.rows,
                "signatures": result.signatures,
                "problem": result.problem or None,
                "problems": list(result.problems),
                "seq": result.seq,
                "legacy": list(result.legacy) if result.legacy else None,
                "head": str(audit.head(ctx.db)),
            }
        )
    else:
        if result.legacy:
            first, last = result.legacy
            echo(
                _(
                    "Entries {first} to {last} are from before signing (legacy): only their"
                    " unkeyed chain is checked; entry {start} signs their end."
                ).format(first=first, last=last, start=last + 1)
            )
        if result.ok:
            echo(
                _("Audit log intact: {n} entries checked.").format(n=result.checked)
                + " "
                + ngettext(
                    "{rows} business row matches its entry.",
                    "{rows} business rows match their entries.",
                    result.rows,
                ).format(rows=result.rows)
            )
            if since is not None:
                echo(_("The anchor {anchor} is in the journal.").format(anchor=since))
        else:
            echo(_("Audit log BROKEN: {problem}").format(problem=result.problem), err=True)
            shown = result.problems[1 : verification.MAX_LISTED]
            for problem in shown:
                echo("  " + problem, err=True)
            more = len(result.problems) - 1 - len(shown)
            if more > 0:
                echo(
                    "  "
                    + ngettext("… and {n} more problem.", "… and {n} more problems.", more).format(
                        n=more
                    ),
                    err=True,
                )
    if not result.ok:
        sys.exit(1)


@audit_grp.command("head")
@uses_context()
def audit_head(ctx: Context) -> None:
    """Print the chain head, N:HASH, to keep on paper for `verify --since-anchor`."""
    from core.audit import journal as audit

    echo(str(audit.head(ctx.db)))


def register(main: click.Group) -> None:
    main.add_command(audit_grp)
