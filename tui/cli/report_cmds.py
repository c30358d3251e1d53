"""`kassi report ...`: the back-office session report (A-1..A-5) for scripts and cron.

`report overview` prints the discrepancy and cash payments overviews;
`report sessions` the sorted session list, as a table, JSON (--json) or a CSV
file (--csv FILE, or --csv - for standard output). Amounts in JSON and CSV are
decimal strings; times are the store's local time with its UTC offset.
"""

from __future__ import annotations

import json
import sys

import click

from core.text.display import json_text
from core.text.i18n import _, pgettext
from tui.cli import Context, cell, echo, emit_json, fail, params
from tui.cli.options import ACTOR, json_option, uses_context

_DATE = params.DAY


def selection_options(fn):
    """--store, --from, --to and --terminal: what the report covers."""
    fn = click.option(
        "--terminal",
        "terminal_id",
        default=None,
        help=_("Only this terminal (default: every terminal of the store)."),
    )(fn)
    fn = click.option(
        "--to",
        "date_to",
        type=_DATE,
        required=True,
        help=_("Last day, YYYY-MM-DD in the store's time zone (inclusive)."),
    )(fn)
    fn = click.option(
        "--from",
        "date_from",
        type=_DATE,
        required=True,
        help=_("First day, YYYY-MM-DD in the store's time zone."),
    )(fn)
    fn = click.option("--store", "store_id", required=True, help=_("The store (location)."))(fn)
    return fn


def _selection(ctx: Context, store_id, date_from, date_to, terminal_id):
    from core.reports import session_report as reports
    from core.store import stores

    ctx.use_store_language(stores.get_store(ctx.db, store_id).locale)
    return reports.make_selection(ctx.db, store_id, date_from, date_to, terminal_id)


def _scope(sel) -> str:
    where = (
        _("terminal {terminal}").format(terminal=sel.terminal_id)
        if sel.terminal_id
        else _("all terminals")
    )
    return f"{sel.store.name} [{sel.store.id}]  {sel.date_from} – {sel.date_to}  {where}"


@click.group("report")
def report_grp() -> None:
    """Back-office reports: cash tracking sessions by store and dates."""


@report_grp.command("overview")
@selection_options
@uses_context(staff=ACTOR, json=True)
def report_overview(ctx: Context, store_id, date_from, date_to, terminal_id, as_json) -> None:
    """The discrepancy overview (A-3) and the cash payments overview (A-4)."""
    from core.money.amounts import format_amount
    from core.reports import session_report as reports
    from core.reports.export import overview_record

    sel = _selection(ctx, store_id, date_from, date_to, terminal_id)
    actor = ctx.login()
    ov = reports.report_overview(ctx.db, actor, sel)
    if as_json:
        emit_json(overview_record(ov))
        return
    loc = ctx.locale_for(sel.store.locale)
    f = lambda v: format_amount(v, sel.currency, loc)  # noqa: E731
    d, c = ov.discrepancy, ov.cash
    blocks = [
        (
            _("Discrepancies"),
            [
                (
                    _("Sessions"),
                    _("{n} ({open} open, {closed} closed)").format(
                        n=d.sessions, open=d.open_sessions, closed=d.closed_sessions
                    ),
                ),
                (_("Opening discrepancy"), f(d.opening_discrepancy)),
                (_("Closing discrepancy"), f(d.closing_discrepancy)),
                (_("Total discrepancy"), f(d.total_discrepancy)),
                (_("Expected cash (closed sessions)"), f(d.expected_cash)),
                (_("Counted cash (closed sessions)"), f(d.counted_cash)),
                (
                    _("Sessions over / short / even"),
                    f"{d.sessions_over} / {d.sessions_short} / {d.sessions_even}",
                ),
                (_("At opening: over / short"), f"{d.opening_over} / {d.opening_short}"),
                (_("At closing: over / short"), f"{d.closing_over} / {d.closing_short}"),
            ],
        ),
        (
            _("Cash payments"),
            [
                (_("Gross cash payments"), f(c.gross)),
                (_("Refunds"), f(c.refunds)),
                (_("Net cash payments"), f(c.net)),
            ],
        ),
    ]
    width = max(len(k) for _title, rows in blocks for k, _v in rows)
    lines = [_scope(sel) + f"  ({sel.currency})"]
    for title, rows in blocks:
        lines += ["", title]
        lines += [f"  {k.ljust(width)}  {v.rjust(16)}" for k, v in rows]
    echo("\n".join(lines))


@report_grp.command("sessions")
@selection_options
@click.option(
    "--sort",
    type=click.Choice(["start", "end", "discrepancy"]),
    default="start",
    show_default=True,
    help=_("Sort by start time, end time or total discrepancy."),
)
@click.option("--desc", is_flag=True, help=_("Sort in descending order."))
@click.option(
    "--csv",
    "csv_path",
    type=params.FilePath(dir_okay=False, allow_dash=True),
    default=None,
    metavar="FILE",
    help=_("Write the selection to a CSV file ('-' for standard output)."),
)
@json_option
@click.option("--no-bom", is_flag=True, help=_("CSV without the byte order mark."))
@click.option(
    "--delimiter",
    type=click.Choice([",", ";"]),
    default=",",
    show_default=True,
    help=_("CSV field separator (';' for spreadsheets set up for decimal commas)."),
)
@click.option("--limit", type=params.LIMIT, default=None, help=_("At most this many."))
@click.option("--offset", type=params.OFFSET, default=0, help=_("Skip this many first."))
@uses_context(staff=ACTOR)
def report_sessions(
    ctx: Context,
    store_id,
    date_from,
    date_to,
    terminal_id,
    sort,
    desc,
    csv_path,
    as_json,
    no_bom,
    delimiter,
    limit,
    offset,
) -> None:
    """The session list (A-5), sorted; as a table, JSON, or a CSV export (A-1)."""
    from core.reports import export as report_export
    from core.reports import session_list as report_list
    from core.reports import session_report as reports

    if csv_path is not None and as_json:
        fail(_("Choose --csv or --json, not both."))
    if csv_path is not None and (limit is not None or offset):
        fail(_("The CSV export is the whole selection: leave out --limit and --offset."))
    sel = _selection(ctx, store_id, date_from, date_to, terminal_id)
    actor = ctx.login()
    reports.require_report(actor)
    options = {"sort": sort, "desc": desc, "bom": not no_bom, "delimiter": delimiter}
    if csv_path == "-":
        out = click.get_text_stream("stdout", encoding="utf-8")
        written = report_export.export_sessions_csv(ctx.db, actor, sel, out, **options)
        out.flush()
        echo(_("{n} sessions exported.").format(n=written), err=True)
        return
    if csv_path is not None:
        try:
            written = report_export.export_sessions_csv_file(
                ctx.db, actor, sel, csv_path, **options
            )
        except OSError as exc:
            fail(_("Cannot write {path}: {error}").format(path=csv_path, error=exc.strerror))
        echo(_("{n} sessions exported to {path}.").format(n=written, path=csv_path))
        return
    with ctx.db.read():
        total = reports.count_sessions(ctx.db, actor, sel)
        rows = _cut(
            report_list.iter_sessions(ctx.db, actor, sel, sort=sort, desc=desc), offset, limit
        )
        if as_json:
            _stream_json(sel, sort, desc, total, rows)
        else:
            _table(ctx, sel, total, rows)


def _cut(rows, offset: int, limit: int | None):
    import itertools

    return itertools.islice(rows, offset, None if limit is None else offset + limit)


def _stream_json(sel, sort: str, desc: bool, total: int, rows) -> None:
    """One JSON object, written as the rows come (constant memory for years of sessions)."""
    from core.reports.export import row_record

    head = {
        "store": sel.store.id,
        "currency": sel.currency,
        "timezone": sel.store.timezone,
        "from": sel.date_from.isoformat(),
        "to": sel.date_to.isoformat(),
        "terminal": sel.terminal_id,
        "sort": sort,
        "desc": desc,
        "total": total,
    }
    out = sys.stdout
    out.write(json_text(json.dumps(head, ensure_ascii=False, indent=2))[:-2] + ',\n  "sessions": [')
    for n, row in enumerate(rows):
        out.write(("," if n else "") + "\n    ")
        out.write(json_text(json.dumps(row_record(row, sel.currency), ensure_ascii=False)))
    out.write("\n  ]\n}\n")
    out.flush()


def _table(ctx: Context, sel, total: int, rows) -> None:
    from core.money.amounts import format_amount

    loc = ctx.locale_for(sel.store.locale)
    f = lambda v: "" if v is None else format_amount(v, sel.currency, loc)  # noqa: E731
    t = lambda d: "" if d is None else d.strftime("%Y-%m-%d %H:%M")  # noqa: E731
    head = (
        _("Session"),
        _("Terminal"),
        _("Status"),
        # The time a session began, above a date; the F2 key "Start" is the verb.
        pgettext("session start time", "Start"),
        _("End"),
        _("Opening"),
        _("Closing"),
        _("Total"),
        _("Float"),
        _("Expected"),
        _("Counted"),
        _("Left"),
        _("Opened by"),
        _("Closed by"),
    )
    widths = (7, 8, 7, 16, 16, 10, 10, 10, 11, 11, 11, 11, 0, 0)
    right = {0, 5, 6, 7, 8, 9, 10, 11}

    def line(cells) -> str:
        out = []
        for i, (value, w) in enumerate(zip(cells, widths, strict=True)):
            text = cell(value)
            out.append(text.rjust(w) if i in right else text.ljust(w))
        return "  ".join(out).rstrip()

    echo(_scope(sel) + "  " + _("{n} sessions").format(n=total))
    echo(line(head))
    for r in rows:
        echo(
            line(
                (
                    r.id,
                    r.terminal_id,
                    _("Open") if r.is_open else _("Closed"),
                    t(r.start),
                    t(r.end),
                    f(r.opening_discrepancy),
                    f(r.closing_discrepancy),
                    f(r.total_discrepancy),
                    f(r.opening_float),
                    f(r.expected_cash),
                    f(r.counted_cash),
                    f(r.left_in_drawer),
                    r.opened_by_name,
                    r.closed_by_name or "",
                )
            )
        )


def register(main: click.Group) -> None:
    main.add_command(report_grp)
