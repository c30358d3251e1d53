"""`kassi audit ...`: check the hash chain of the audit log."""

from __future__ import annotations

import sys

import click

from core.i18n import _
from tui.cli import Context, echo, emit_json, handle_errors, pass_ctx


@click.group("audit")
def audit_grp() -> None:
    """The tamper-evident audit log."""


@audit_grp.command("verify")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@handle_errors
def audit_verify(ctx: Context, as_json: bool) -> None:
    """Check every entry's hash and link; exit 1 at the first broken one."""
    from core import audit

    result = audit.verify(ctx.db)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "checked": result.checked,
                "problem": result.problem or None,
                "seq": result.seq,
            }
        )
    elif result.ok:
        echo(_("Audit log intact: {n} entries checked.").format(n=result.checked))
    else:
        echo(_("Audit log BROKEN: {problem}").format(problem=result.problem), err=True)
    if not result.ok:
        sys.exit(1)


def register(main: click.Group) -> None:
    main.add_command(audit_grp)
