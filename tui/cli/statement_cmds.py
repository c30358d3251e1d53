"""`kassi statement ...`: create, list transactions, calculate, count, post, show, list,
delete, and the batch `run` for cron (T-2..T-10)."""

from __future__ import annotations

import sys

import click

from core.text.i18n import _
from tui.cli import Context, cell, echo, emit_json, fail, params
from tui.cli.options import ACTOR, store_for, uses_context
from tui.cli.session_cmds import parse_money
from tui.cli.statement_output import statement_json, statement_text


def _statement_store(ctx: Context, statement_id: int):
    from core.statements.views import get_statement

    return store_for(ctx, get_statement(ctx.db, statement_id).store_id)


def _period(ctx: Context, store, day, start_text, end_text):

    from core.statements.periods import business_day_period, parse_when

    if day and (start_text or end_text):
        fail(_("Give --date, or --from and --to, not both."))
    if day:
        return business_day_period(store, day)
    if not (start_text and end_text):
        fail(_("Give the period: --date DAY, or --from and --to."))
    return parse_when(start_text, store), parse_when(end_text, store, end=True)


def _show(ctx: Context, actor, statement_id: int, as_json: bool) -> None:
    from core.statements import operations as statements

    details = statements.statement_details(ctx.db, actor, statement_id)
    if as_json:
        emit_json(statement_json(details))
    else:
        echo(statement_text(details, ctx.locale_for(details.store.locale)))


@click.group("statement")
def statement_grp() -> None:
    """Retail statements: create, calculate, count, post (T-2..T-10)."""


@statement_grp.command("create")
@click.option("--store", "store_id", required=True)
@click.option("--date", "day", type=params.DAY, default=None, help=_("A business day, YYYY-MM-DD."))
@click.option(
    "--from", "start_text", default=None, help=_("Start: YYYY-MM-DD[THH:MM], store time.")
)
@click.option("--to", "end_text", default=None, help=_("End (exclusive; a date: through it)."))
@uses_context(staff=ACTOR, json=True)
def statement_create(ctx: Context, store_id, day, start_text, end_text, as_json):
    """Create the store's statement(s) for a period (T-2; refused while a session is open, T-9)."""
    from core.statements import operations as statements

    store = store_for(ctx, store_id)
    start, end = _period(ctx, store, day, start_text, end_text)
    actor = ctx.login()
    made = statements.create_statements(ctx.db, actor, store.id, start, end)
    if as_json:
        emit_json([{"id": s.id, "store": s.store_id, "split_key": s.split_key} for s in made])
        return
    for s in made:
        key = f" [{s.split_key}]" if s.split else ""
        echo(
            _("Statement {id} created for {store}{key}.").format(id=s.id, store=s.store_id, key=key)
        )


@statement_grp.command("transactions")
@click.argument("statement_id", type=params.STATEMENT_ID)
@click.option("--limit", type=params.LIMIT, default=100, show_default=True)
@click.option(
    "--after", "after_id", type=params.OFFSET, default=0, help=_("Page on: the last sale id shown.")
)
@uses_context(staff=ACTOR, json=True)
def statement_transactions(ctx: Context, statement_id, limit, after_id, as_json):
    """The transactions the statement takes (before calculating: will take) (T-3)."""
    from core.money.amounts import format_amount, to_decimal_str
    from core.statements import operations as statements

    store = _statement_store(ctx, statement_id)
    actor = ctx.login()
    page = statements.statement_transactions(
        ctx.db, actor, statement_id, limit=limit, after_id=after_id
    )
    m = lambda v: to_decimal_str(v, store.currency)  # noqa: E731
    if as_json:
        emit_json(
            {
                "statement": page.statement_id,
                "taken": page.taken,
                "count": page.count,
                "amount": m(page.amount),
                "transactions": [
                    {
                        "id": r.sale_id,
                        "uid": r.uid,
                        "kind": r.kind,
                        "created_at": r.created_at,
                        "terminal": r.terminal_id,
                        "receipt": r.receipt_no,
                        "staff": r.staff_id,
                        "session": r.session_id,
                        "customer": r.customer_id,
                        "total": m(r.total),
                        "rounding": m(r.rounding),
                    }
                    for r in page.rows
                ],
            }
        )
        return
    loc = ctx.locale_for(store.locale)
    head = (
        _("{n} transactions, {amount}") if page.taken else _("{n} transactions to take, {amount}")
    )
    echo(head.format(n=page.count, amount=format_amount(page.amount, store.currency, loc)))
    from core.statements.periods import local_text

    for r in page.rows:
        echo(
            f"{r.sale_id:>9}  {local_text(r.created_at, store)}  {r.terminal_id:<6} {r.receipt_no:>7}  {r.kind:<6}"
            f" {cell(r.staff_id):<6} {cell(r.customer_id):<10} {format_amount(r.due, store.currency, loc):>12}"
        )


@statement_grp.command("calculate")
@click.argument("statement_id", type=params.STATEMENT_ID)
@uses_context(staff=ACTOR, json=True)
def statement_calculate(ctx: Context, statement_id, as_json):
    """Calculate (or recalculate) the statement's lines (T-4, T-5)."""
    from core.statements import operations as statements

    _statement_store(ctx, statement_id)
    actor = ctx.login()
    statements.calculate_statement(ctx.db, actor, statement_id)
    _show(ctx, actor, statement_id, as_json)


@statement_grp.command("count")
@click.argument("statement_id", type=params.STATEMENT_ID)
@click.option("--tender", "tender_id", required=True)
@click.option("--group", "group_key", default="", help=_("Staff, terminal or session of the line."))
@click.option("--amount", "amount_text", default=None, help=_("The counted amount."))
@click.option("--reset", is_flag=True, help=_("Back to what the tills' counts say."))
@click.option("--note", default="")
@uses_context(staff=ACTOR, json=True)
def statement_count(
    ctx: Context,
    statement_id,
    tender_id,
    group_key,
    amount_text,
    reset,
    note,
    as_json,
):
    """Enter a line's counted amount by hand (T-5; audited)."""
    from core.statements import operations as statements

    if reset == (amount_text is not None):
        fail(_("Give --amount or --reset."))
    store = _statement_store(ctx, statement_id)
    amount = None if reset else parse_money(ctx, amount_text, store, allow_negative=True)
    actor = ctx.login()
    statements.set_counted(
        ctx.db, actor, statement_id, tender_id, amount, group_key=group_key, note=note
    )
    _show(ctx, actor, statement_id, as_json)


@statement_grp.command("post")
@click.argument("statement_id", type=params.STATEMENT_ID)
@click.option(
    "--override",
    "override_reason",
    default=None,
    help=_("A manager posts over the maximum difference, giving the reason."),
)
@uses_context(staff=ACTOR, json=True)
def statement_post(ctx: Context, statement_id, override_reason, as_json):
    """Post: sales orders, invoices, payment and inventory journals (T-6, T-10)."""
    from core.statements.posting import post_statement

    _statement_store(ctx, statement_id)
    actor = ctx.login()
    result = post_statement(ctx.db, actor, statement_id, override_reason=override_reason)
    if not as_json:
        echo(
            _(
                "Statement {id} posted: {orders} sales orders and invoices, "
                "{journals} payment journals, {items} inventory lines."
            ).format(
                id=statement_id,
                orders=result.orders,
                journals=result.payment_journals,
                items=result.inventory_lines,
            )
        )
        return
    _show(ctx, actor, statement_id, as_json)


@statement_grp.command("show")
@click.argument("statement_id", type=params.STATEMENT_ID)
@uses_context(staff=ACTOR, json=True)
def statement_show(ctx: Context, statement_id, as_json):
    """Statement details: state, who and when, lines, documents."""
    _statement_store(ctx, statement_id)
    actor = ctx.login()
    _show(ctx, actor, statement_id, as_json)


@statement_grp.command("list")
@click.option("--store", "store_id", default=None)
@click.option("--status", type=click.Choice(["created", "calculated", "posted"]), default=None)
@click.option("--limit", type=params.LIMIT, default=50, show_default=True)
@uses_context(staff=ACTOR, json=True)
def statement_list(ctx: Context, store_id, status, limit, as_json):
    """Statements, newest first."""
    from core.statements import operations as statements
    from core.statements.periods import local_text

    stores = {}
    if store_id:
        stores[store_id] = store_for(ctx, store_id)
    actor = ctx.login()
    rows = statements.list_statements(ctx.db, actor, store_id=store_id, status=status, limit=limit)
    if as_json:
        emit_json(
            [
                {
                    "id": s.id,
                    "store": s.store_id,
                    "status": s.status,
                    "period_start": s.period_start,
                    "period_end": s.period_end,
                    "method": s.method,
                    "split_key": s.split_key,
                    "source": s.source,
                    "transactions": s.transactions,
                    "created_at": s.created_at,
                    "created_by": s.created_by,
                    "calculated_at": s.calculated_at,
                    "calculated_by": s.calculated_by,
                    "posted_at": s.posted_at,
                    "posted_by": s.posted_by,
                }
                for s in rows
            ]
        )
        return
    from core.store.stores import get_store

    for s in rows:
        store = stores.get(s.store_id) or stores.setdefault(
            s.store_id, get_store(ctx.db, s.store_id)
        )
        by, at = (
            (s.posted_by, s.posted_at)
            if s.posted_at
            else (s.calculated_by, s.calculated_at)
            if s.calculated_at
            else (s.created_by, s.created_at)
        )
        echo(
            f"{s.id:>6}  {s.store_id:<10} {_(s.status):<10} {local_text(s.period_start, store)}"
            f" – {local_text(s.period_end, store)}  {s.split_key or '':<8} {s.transactions:>8}"
            f"  {by} {local_text(at, store)}"
        )


@statement_grp.command("delete")
@click.argument("statement_id", type=params.STATEMENT_ID)
@uses_context(staff=ACTOR, json=True)
def statement_delete(ctx: Context, statement_id, as_json):
    """Delete an unposted statement; its transactions are free again."""
    from core.statements import operations as statements

    _statement_store(ctx, statement_id)
    actor = ctx.login()
    released = statements.delete_statement(ctx.db, actor, statement_id)
    if as_json:
        emit_json({"id": statement_id, "deleted": True, "released": released})
        return
    echo(
        _("Statement {id} deleted; {n} transactions released.").format(id=statement_id, n=released)
    )


@statement_grp.command("run")
@click.option("--all-stores", is_flag=True, help=_("Every store."))
@click.option("--store", "store_ids", multiple=True, help=_("A store (repeat)."))
@click.option(
    "--date",
    "day",
    type=params.DAY,
    default=None,
    help=_("Business day (default: the last complete one)."),
)
@click.option(
    "--until",
    "until",
    type=params.DAY,
    default=None,
    help=_("Last business day: one statement per store from --date to this day (a month's close)."),
)
@click.option("--post", is_flag=True, help=_("Post the calculated statements too."))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help=_("Stores worked on at once at a PostgreSQL head office (default: two per processor)."),
)
@uses_context(staff=ACTOR, json=True)
def statement_run(ctx: Context, all_stores, store_ids, day, until, post, workers, as_json):
    """The batch: create and calculate (and --post) each store's statements for a
    business day. Safe to run twice; exits 1 when a store needs attention."""

    from core.statements.batch import run_batch

    if all_stores == bool(store_ids):
        fail(_("Give --all-stores or --store."))
    if until is not None and day is None:
        fail(_("Give --date, the first business day, with --until."))
    actor = ctx.login()
    outcomes = run_batch(
        ctx.db,
        actor,
        store_ids=list(store_ids) or None,
        day=day,
        until=until,
        post=post,
        workers=workers,
    )
    if as_json:
        emit_json(
            [
                {
                    "store": o.store_id,
                    "business_date": o.business_date.isoformat(),
                    "last_business_date": (o.last_date or o.business_date).isoformat(),
                    "period_start": o.period_start,
                    "period_end": o.period_end,
                    "statements": list(o.statements),
                    "created": list(o.created),
                    "calculated": list(o.calculated),
                    "posted": list(o.posted),
                    "errors": list(o.errors),
                }
                for o in outcomes
            ]
        )
    else:
        for o in outcomes:
            ids = ", ".join(str(i) for i in o.statements) or "—"
            echo(
                _(
                    "{store} {day}: statements {ids}; created {created}, calculated {calculated},"
                    " posted {posted}."
                ).format(
                    store=o.store_id,
                    day=o.days,
                    ids=ids,
                    created=len(o.created),
                    calculated=len(o.calculated),
                    posted=len(o.posted),
                )
            )
            for error in o.errors:
                echo(f"  {o.store_id}: {error}", err=True)
    if any(not o.ok for o in outcomes):
        sys.exit(1)


def register(main: click.Group) -> None:
    main.add_command(statement_grp)
