"""`kassi print ...`, `kassi printer status`, `kassi drawer open`: the printer from scripts.

Every document goes through core's print service (core.printing.service) with the
terminal's printer from hardware.device.connect_printer: it is stored before it
is sent, so a printer fault leaves a pending job that `kassi print pending
--retry` (or the till's next print) prints. Each message says which it was:
printed (confirmed by the printer), sent unconfirmed (a link that cannot answer),
or kept. A command whose document was kept says why on stderr and exits with
PRINT_FAILED.
`--text` shows the same document as plain text on stdout instead of printing it.
"""

from __future__ import annotations

import click

from core.text.i18n import _, ngettext
from tui.cli import Context, cell, echo, emit_json, fail, params
from tui.cli.options import (
    ACTOR,
    StaffOption,
    terminal_option,
    terminal_store,
    uses_context,
)
from tui.cli.print_preview import png_option, write_png

PRINT_FAILED = 5  # the document did not print; it is kept as a pending job
PRINTER_FAULT = 1  # `printer status`: the printer reports a problem


def _width(ctx: Context, terminal_id: str) -> int:
    """The terminal's paper width in columns (42 when its printer config is unusable)."""
    from core.store.terminals import get_terminal
    from hardware.device import PrinterConfigError, validate_config

    try:
        return validate_config(get_terminal(ctx.db, terminal_id).printer)["width"]
    except PrinterConfigError:
        return 42


def _service():
    from core.printing.service import PrintService
    from hardware.device import connect_printer

    return PrintService(connect_printer)


def _local(instant: str | None, store) -> str:
    """A stored UTC instant as the store's local date and time (15.01.2026 09:00)."""
    from core.printing.receipts import local_time

    return local_time(instant, store) if instant else ""


def _stores_of(ctx: Context, terminal_ids: set[str]) -> dict:
    from core.store.stores import get_store
    from core.store.terminals import get_terminal

    return {t: get_store(ctx.db, get_terminal(ctx.db, t).store_id) for t in terminal_ids}


def _report(outcome) -> None:
    if not outcome.ok:
        fail(outcome.message, PRINT_FAILED)
    echo(outcome.message)


def _text(ctx: Context, terminal_id: str, doc) -> str:
    from core.printing.layout import to_text

    return to_text(doc, _width(ctx, terminal_id))


def _deliver(ctx: Context, terminal_id: str, doc, ref: str, as_text: bool, png=None) -> None:
    if png is not None:  # P-5: a picture of the bytes instead of paper (print_preview.py)
        return write_png(ctx, terminal_id, doc, png, as_text=as_text)
    if as_text:
        echo(_text(ctx, terminal_id, doc), nl=False)
        return
    _report(_service().print_document(ctx.db, terminal_id, doc, ref=ref))


text_option = click.option(
    "--text", "as_text", is_flag=True, help=_("Show the document as plain text instead.")
)
print_on_option = click.option(
    "--terminal",
    "terminal_id",
    default=None,
    help=_("Print on this terminal's printer (default: the session's)."),
)


# -- kassi print ---------------------------------------------------------------------


@click.group("print")
def print_grp() -> None:
    """Print receipts, session pages and reports; retry what did not print."""


@print_grp.command("test")
@terminal_option
@text_option
@png_option
@uses_context()
def print_test(ctx: Context, terminal_id, as_text, png) -> None:
    """Print a test page (code page letters, a QR code)."""
    from core.printing.receipts import test_page

    terminal, store = terminal_store(ctx, terminal_id)
    doc = test_page(store, terminal, ctx.db.now())
    _deliver(ctx, terminal_id, doc, f"test:{terminal_id}", as_text, png)


@print_grp.command("receipt")
@click.argument("receipt", metavar="N|last")
@terminal_option
@text_option
@png_option
@uses_context()
def print_receipt(ctx: Context, receipt, terminal_id, as_text, png) -> None:
    """Reprint receipt N of a terminal (or its last one), marked COPY.

    A receipt that never printed prints as the original; one still waiting in
    the queue prints from there (once).
    """
    from core.printing import sources as print_sources
    from core.text import validate
    from core.tills.receipts import find_sale, last_sale

    terminal_store(ctx, terminal_id)
    if receipt.strip().lower() == "last":
        sale = last_sale(ctx.db, terminal_id)
        if sale is None:
            fail(_("No receipt on terminal {terminal} yet.").format(terminal=terminal_id))
    elif receipt.strip().isascii() and receipt.strip().isdigit():
        number = validate.record_id(receipt, _("The receipt number"))
        sale = find_sale(ctx.db, terminal_id, number)
    else:
        fail(_("A receipt is a number or 'last'; got {value!r}.").format(value=receipt))
    if png is not None:
        from core.printing.sources import sale_document

        return write_png(ctx, terminal_id, sale_document(ctx.db, sale.id)[0], png, as_text=as_text)
    if as_text:
        doc, _sale = print_sources.sale_document(ctx.db, sale.id)
        echo(_text(ctx, terminal_id, doc), nl=False)
        return
    _report(_service().print_sale(ctx.db, sale.id, reprint=True))


def _details(ctx: Context, session_id: int):
    from core.store.stores import get_store
    from core.tills import sessions

    store = get_store(ctx.db, sessions.get_session(ctx.db, session_id).store_id)
    ctx.use_store_language(store.locale)
    actor = ctx.login()
    return sessions.session_details(ctx.db, actor, session_id)


@print_grp.command("session")
@click.argument("session_id", type=params.SESSION_ID)
@click.option(
    "--summary", is_flag=True, help=_("The cash summary only (S-8), not every payment type.")
)
@print_on_option
@text_option
@png_option
@uses_context(staff=ACTOR)
def print_session(ctx: Context, session_id, summary, terminal_id, as_text, png) -> None:
    """Print a session's page: every payment type (S-9), or --summary for cash only."""
    from core.printing.receipts import history_page, session_summary

    details = _details(ctx, session_id)
    doc = session_summary(details) if summary else history_page(details)
    where = terminal_id or details.session.terminal_id
    kind = "summary" if summary else "session"
    _deliver(ctx, where, doc, f"{kind}:{session_id}", as_text, png)


@print_grp.command("x")
@terminal_option
@text_option
@png_option
@uses_context(staff=ACTOR)
def print_x(ctx: Context, terminal_id, as_text, png) -> None:
    """Print the X report of the terminal's open session (nothing is reset)."""
    from core.printing.receipts import x_report
    from core.tills import sessions

    terminal_store(ctx, terminal_id)
    current = sessions.current_session(ctx.db, terminal_id)
    if current is None:
        fail(_("No session is open on terminal {terminal}.").format(terminal=terminal_id))
    details = _details(ctx, current.id)
    doc = x_report(details, ctx.db.now())
    _deliver(ctx, terminal_id, doc, f"x:{current.id}", as_text, png)


@print_grp.command("z")
@click.argument("session_id", type=params.SESSION_ID)
@print_on_option
@text_option
@png_option
@uses_context(staff=ACTOR)
def print_z(ctx: Context, session_id, terminal_id, as_text, png) -> None:
    """Print the Z report of a closed session."""
    from core.printing.receipts import z_report

    details = _details(ctx, session_id)
    if details.session.is_open:
        fail(
            _(
                "Session {id} is still open: a Z report is for a closed session. "
                "Print an X report with `kassi print x`."
            ).format(id=session_id)
        )
    where = terminal_id or details.session.terminal_id
    _deliver(ctx, where, z_report(details), f"z:{session_id}", as_text, png)


@print_grp.command("pending")
@click.option("--terminal", "terminal_id", default=None, help=_("Only this terminal's jobs."))
@click.option("--retry", is_flag=True, help=_("Print them now, oldest first."))
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=_("Also list the newest jobs sent unconfirmed (a printer that cannot confirm)."),
)
@click.option(
    "--cancel",
    "cancel_id",
    type=params.JOB_ID,
    default=None,
    help=_("Drop this pending job (manager)."),
)
@uses_context(staff=StaffOption(False, _("Staff id (for --cancel).")), json=True)
def print_pending(ctx: Context, terminal_id, retry, show_all, cancel_id, as_json) -> None:
    """List the documents waiting for a printer; --retry prints them."""
    from core.printing import history as printing_history
    from core.printing import jobs as print_jobs

    if terminal_id:
        terminal_store(ctx, terminal_id)
    if cancel_id is not None:
        if not ctx.staff_id:
            fail(_("Give --staff and --pin of a manager to cancel a print job."))
        actor = ctx.login()
        job = print_jobs.cancel(ctx.db, actor, cancel_id)
        echo(_("Print job {id} cancelled: {title}.").format(id=job.id, title=cell(job.title)))
        return
    if retry:
        _retry(ctx, terminal_id, as_json)
        return
    jobs = print_jobs.pending(ctx.db, terminal_id)
    if show_all:
        jobs += printing_history.unconfirmed(ctx.db, terminal_id)
    if as_json:
        emit_json([_job_json(j) for j in jobs])
        return
    labels = _status_labels()
    width = max(len(v) for v in labels.values())
    stores = _stores_of(ctx, {j.terminal_id for j in jobs})
    for j in jobs:
        when = _local(j.created_at, stores[j.terminal_id])
        echo(
            f"{j.id:>6}  {j.terminal_id:<6} {labels[j.status]:<{width}} {when}  "
            f"{j.attempts:>2}x  {cell(j.title)}"
            + (f"  — {cell(j.last_error)}" if j.last_error and j.waiting else "")
        )
    if not any(j.waiting for j in jobs):
        echo(_("Nothing is waiting to print."))
    sent = printing_history.count(ctx.db, terminal_id, "sent")
    if sent and not show_all:
        text = ngettext(
            "{n} job was sent unconfirmed (its printer cannot confirm); --all lists them.",
            "{n} jobs were sent unconfirmed (their printer cannot confirm); --all lists them.",
            sent,
        )
        echo(text.format(n=sent))


def _status_labels() -> dict[str, str]:
    return {
        "pending": _("pending"),
        "printing": _("printing"),
        "sent": _("sent, unconfirmed"),
        "printed": _("printed"),
        "cancelled": _("cancelled"),
    }


def _job_json(j) -> dict:
    return {
        "id": j.id,
        "terminal": j.terminal_id,
        "kind": j.kind,
        "ref": j.ref,
        "title": j.title,
        "status": j.status,
        "copy": j.copy,
        "attempts": j.attempts,
        "created_at": j.created_at,
        "sent_at": j.printed_at,
        "last_error": j.last_error,
        "last_error_at": j.last_error_at,
        "reason": j.last_reason,
        "bytes": len(j.payload),
    }


def _retry(ctx: Context, terminal_id: str | None, as_json: bool) -> None:
    """Print every waiting job once, oldest first; PRINT_FAILED when any is still kept."""
    outcomes = _service().retry_pending(ctx.db, terminal_id)
    if as_json:
        emit_json(
            [
                {
                    "job": o.job_id,
                    "printed": o.ok,
                    "confirmed": o.confirmed,
                    "message": o.message,
                    "reason": o.reason,
                }
                for o in outcomes
            ]
        )
    else:
        for o in outcomes:
            echo(o.message, err=not o.ok)
        if not outcomes:
            echo(_("Nothing is waiting to print."))
    if any(not o.ok for o in outcomes):
        raise SystemExit(PRINT_FAILED)


# -- kassi printer -------------------------------------------------------------------


@click.group("printer")
def printer_grp() -> None:
    """The terminal's printer (and the drawer behind it)."""


@printer_grp.command("status")
@terminal_option
@uses_context(json=True)
def printer_status(ctx: Context, terminal_id, as_json) -> None:
    """Ask the printer how it is (paper, cover, drawer), with its last confirmed print,
    its last error and its queue (SPEC P-6).

    Exits 1 when the printer reports a problem, so a script can watch it.
    """
    _terminal, store = terminal_store(ctx, terminal_id)
    st = _service().printer_status(ctx.db, terminal_id)
    if as_json:
        emit_json(
            {
                "terminal": st.terminal_id,
                "kind": st.kind,
                "where": st.where,
                "ok": st.ok,
                "online": st.online,
                "readable": st.readable,
                "reason": st.reason,
                "message": st.message,
                "warning": st.warning,
                "paper_out": st.paper_out,
                "paper_near_end": st.paper_near_end,
                "cover_open": st.cover_open,
                "drawer_open": st.drawer_open,
                "pending": st.pending,
                "sent_unconfirmed": st.sent_unconfirmed,
                "last_error": st.last_error,
                "last_error_at": st.last_error_at,
                "last_printed_at": st.last_printed_at,
                "last_printed_title": st.last_printed_title,
            }
        )
    else:
        yes_no = {True: _("yes"), False: _("no"), None: _("unknown")}
        rows = [
            (_("Terminal"), st.terminal_id),
            (_("Printer"), f"{st.kind} {st.where}".strip()),
            (_("State"), st.message),
        ]
        if st.readable:
            rows += [
                (_("Paper out"), yes_no[st.paper_out]),
                (_("Paper low"), yes_no[st.paper_near_end]),
                (_("Cover open"), yes_no[st.cover_open]),
                (_("Drawer open"), yes_no[st.drawer_open]),
            ]
        rows.append((_("Waiting to print"), str(st.pending)))
        rows.append((_("Sent, unconfirmed"), str(st.sent_unconfirmed)))
        last = (
            _("{title} at {time}").format(
                title=st.last_printed_title, time=_local(st.last_printed_at, store)
            )
            if st.last_printed_at
            else _("none")
        )
        rows.append((_("Last confirmed print"), last))
        if st.last_error:
            rows.append(
                (
                    _("Last error"),
                    _("{error} (at {time})").format(
                        error=st.last_error, time=_local(st.last_error_at, store)
                    ),
                )
            )
        width = max(len(k) for k, _v in rows)
        for k, v in rows:
            echo(f"{k.ljust(width)}  {cell(v)}")
    if not st.ok:
        raise SystemExit(PRINTER_FAULT)


# -- kassi drawer --------------------------------------------------------------------


@click.group("drawer")
def drawer_grp() -> None:
    """The cash drawer."""


@drawer_grp.command("open")
@terminal_option
@click.option("--reason", default="", help=_("Why the drawer is opened (kept in the audit log)."))
@uses_context(staff=ACTOR)
def drawer_open(ctx: Context, terminal_id, reason) -> None:
    """Open the drawer without a sale ("no sale"): its own permission, always audited.

    Says "opened" only when the printer's status read the drawer open; otherwise
    the pulse was sent and the printer cannot tell (SPEC P-2).
    """
    from core.tills import drawer

    terminal_store(ctx, terminal_id)
    actor = ctx.login(terminal_id)
    drawer.no_sale(ctx.db, actor, terminal_id, reason)
    outcome = _service().open_drawer(ctx.db, terminal_id)
    if not outcome.ok:
        fail(
            outcome.message + " " + _("The no-sale opening is recorded in the audit log."),
            PRINT_FAILED,
        )
    echo(outcome.message)


def register(main: click.Group) -> None:
    for group in (print_grp, printer_grp, drawer_grp):
        main.add_command(group)
