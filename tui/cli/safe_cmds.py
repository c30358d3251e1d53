"""`kassi safe ...`: the store's safe (SPEC K-1): drops, bank deposits, counts, statement.

The float from the safe is `kassi session open --from-safe`; the cash taken out at
a close goes into the safe by itself.
"""

from __future__ import annotations

import click

from core.text.i18n import _, current_language
from tui.cli import Context, cell, echo, emit_json, fail, params
from tui.cli.options import ACTOR, store_for, terminal_store, uses_context
from tui.cli.session_cmds import parse_counts, parse_money

STORE_ID = params.id_type(lambda: _("Store"))
TERMINAL_ID = params.id_type(lambda: _("Terminal"))

count_option = click.option(
    "--count",
    "counts",
    multiple=True,
    metavar="DENOM=N",
    help=_("Count it by denomination instead (repeat)."),
)


def _amount(ctx: Context, text: str | None, counts: tuple[str, ...], store):
    amount = parse_money(ctx, text, store) if text is not None else None
    count_map = parse_counts(ctx, counts, store)
    if amount is None and count_map is None:
        fail(_("Give the amount (or count it with --count)."))
    return amount, count_map


def movement_json(m, store) -> dict:
    from core.money.amounts import to_decimal_str

    cur = store.currency
    money = lambda v: None if v is None else to_decimal_str(v, cur)  # noqa: E731
    return {
        "id": m.id,
        "kind": m.kind,
        "store": m.store_id,
        "currency": cur,
        "amount": money(m.amount),
        "balance": money(m.balance),
        "expected": money(m.expected),
        "discrepancy": money(m.discrepancy),
        "blind": m.blind,
        "session": m.session_id,
        "terminal": m.terminal_id,
        "reference": m.reference,
        "note": m.note,
        "staff": m.staff_id,
        "at": m.created_at,
    }


def _fmt(ctx: Context, store):
    from core.money.amounts import format_amount

    loc = ctx.locale_for(store.locale)
    return lambda v: "—" if v is None else format_amount(v, store.currency, loc)


@click.group("safe")
def safe_grp() -> None:
    """The store's safe: drops from tills, bank deposits, counts, the statement (K-1)."""


@safe_grp.command("drop")
@click.option("--terminal", "terminal_id", required=True, type=TERMINAL_ID, envvar="KASSI_TERMINAL")
@click.argument("amount_text", metavar="AMOUNT", required=False)
@click.option("--bag", required=True, help=_("The bag or envelope number."))
@count_option
@click.option("--note", default="", type=params.NOTE)
@uses_context(staff=ACTOR, json=True)
def safe_drop(ctx: Context, terminal_id, amount_text, bag, counts, note, as_json):
    """Drop cash from the till's drawer into the safe, in a numbered bag."""
    from core.cash import safe

    _t, store = terminal_store(ctx, terminal_id)
    amount, count_map = _amount(ctx, amount_text, counts, store)
    actor = ctx.login(terminal_id)
    m = safe.drop(ctx.db, actor, terminal_id, amount, bag, counts=count_map, note=note)
    if as_json:
        emit_json(movement_json(m, store))
        return
    f = _fmt(ctx, store)
    echo(
        _(
            "Safe drop {id}: {amount} in bag {bag} from session {session}; the safe holds {balance}."
        ).format(
            id=m.id,
            amount=f(m.amount),
            bag=cell(m.reference),
            session=m.session_id,
            balance=f(m.balance),
        )
    )


@safe_grp.command("deposit")
@click.option("--store", "store_id", required=True, type=STORE_ID)
@click.argument("amount_text", metavar="AMOUNT", required=False)
@click.option("--slip", required=True, help=_("The bank's deposit slip number."))
@count_option
@click.option("--note", default="", type=params.NOTE)
@click.option(
    "--print-on",
    "print_terminal",
    type=TERMINAL_ID,
    default=None,
    help=_("Print the deposit slip on this terminal's printer."),
)
@click.option("--text", "as_text", is_flag=True, help=_("Show the deposit slip as plain text."))
@uses_context(staff=ACTOR, json=True)
def safe_deposit(
    ctx: Context,
    store_id,
    amount_text,
    slip,
    counts,
    note,
    print_terminal,
    as_text,
    as_json,
):
    """Take cash from the safe to the bank, with the deposit slip's number."""
    from core.cash import safe, safe_views

    store = store_for(ctx, store_id)
    amount, count_map = _amount(ctx, amount_text, counts, store)
    actor = ctx.login()
    m = safe.deposit(ctx.db, actor, store_id, amount, slip, counts=count_map, note=note)
    if as_json:
        emit_json(movement_json(m, store))
    else:
        f = _fmt(ctx, store)
        echo(
            _("Bank deposit {id}: {amount} on slip {slip}; the safe holds {balance}.").format(
                id=m.id, amount=f(m.amount), slip=cell(m.reference), balance=f(m.balance)
            )
        )
    if print_terminal or as_text:
        from tui.cli.print_cmds import _deliver

        doc = safe_views.deposit_slip(ctx.db, actor, m.id)
        where = print_terminal or _first_terminal(ctx, store_id)
        _deliver(ctx, where, doc, f"deposit:{m.id}", as_text)


def _first_terminal(ctx: Context, store_id: str) -> str:
    """--text only needs a paper width: the store's first terminal's."""
    from core.store.terminals import list_terminals

    terminals = list_terminals(ctx.db, store_id)
    if not terminals:
        fail(_("Store {store} has no terminal to print on.").format(store=store_id))
    return terminals[0].id


@safe_grp.command("count")
@click.option("--store", "store_id", required=True, type=STORE_ID)
@click.argument("amount_text", metavar="AMOUNT", required=False)
@count_option
@click.option("--blind", is_flag=True, help=_("The counter was not shown the expected balance."))
@click.option("--note", default="", type=params.NOTE)
@uses_context(staff=ACTOR, json=True)
def safe_count(ctx: Context, store_id, amount_text, counts, blind, note, as_json):
    """Record a count of the safe: the discrepancy is kept, the balance becomes the count."""
    from core.cash import safe

    store = store_for(ctx, store_id)
    amount, count_map = _amount(ctx, amount_text, counts, store)
    actor = ctx.login()
    m = safe.count(ctx.db, actor, store_id, amount, counts=count_map, blind=blind, note=note)
    if as_json:
        emit_json(movement_json(m, store))
        return
    f = _fmt(ctx, store)
    echo(
        _("Safe count {id}: counted {counted}, expected {expected}, discrepancy {diff}.").format(
            id=m.id, counted=f(m.amount), expected=f(m.expected), diff=f(m.discrepancy)
        )
    )


@safe_grp.command("show")
@click.option("--store", "store_id", required=True, type=STORE_ID)
@click.option("--since", type=params.DAY, default=None, help=_("From this date (YYYY-MM-DD)."))
@click.option("--limit", type=params.LIMIT, default=50, show_default=True)
@click.option("--offset", type=params.OFFSET, default=0)
@uses_context(staff=ACTOR, json=True)
def safe_show(ctx: Context, store_id, since, limit, offset, as_json):
    """The safe's balance, deposits and statement of movements, a page at a time."""
    from core.cash import safe_views
    from core.cash.safe import KIND_LABELS
    from core.money.amounts import to_decimal_str
    from core.printing.receipts import local_time

    store = store_for(ctx, store_id)
    actor = ctx.login()
    st = safe_views.statement(ctx.db, actor, store_id, since=since, limit=limit, offset=offset)
    if as_json:
        emit_json(
            {
                "store": store.id,
                "currency": store.currency,
                "balance": to_decimal_str(st.balance, store.currency),
                "deposited": to_decimal_str(st.deposited, store.currency),
                "count": st.total,
                "opening": to_decimal_str(st.opening, store.currency),
                "closing": to_decimal_str(st.closing, store.currency),
                "totals": {k: to_decimal_str(v, store.currency) for k, v in st.totals.items()},
                "movements": [movement_json(m, store) for m in st.movements],
            }
        )
        return
    f = _fmt(ctx, store)
    echo(_("Safe of {store}: {balance}").format(store=cell(store.name), balance=f(st.balance)))
    echo(_("Deposited at the bank: {amount}").format(amount=f(st.deposited)))
    if since is not None:
        echo(
            _("From {day}: opening {opening}, closing {closing}").format(
                day=since.isoformat(), opening=f(st.opening), closing=f(st.closing)
            )
        )
    for kind, moved in st.totals.items():
        echo(f"  {_(KIND_LABELS[kind]):<20} {f(moved):>14}")
    if not st.movements:
        echo(_("No movements."))
        return
    for m in st.movements:
        sign = "+" if m.delta >= 0 else ""
        what = _(KIND_LABELS[m.kind])
        extra = cell(m.reference) if m.reference else (m.terminal_id or "")
        if m.kind == "count":
            extra = _("counted {counted}, discrepancy {diff}").format(
                counted=f(m.amount), diff=f(m.discrepancy)
            )
        name = st.staff_names.get(m.staff_id, m.staff_id)
        echo(
            f"{local_time(m.created_at, store, current_language())}  {what:<18} "
            f"{(sign + f(m.delta)):>14} {f(m.balance):>14}  {cell(name)}  {extra}"
        )
    shown_to = st.offset + len(st.movements)
    if shown_to < st.total:
        echo(
            _("Movements {first}-{last} of {total}: --offset {next} for more.").format(
                first=st.offset + 1, last=shown_to, total=st.total, next=shown_to
            )
        )


def register(main: click.Group) -> None:
    main.add_command(safe_grp)
