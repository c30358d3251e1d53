"""`kassi session ...`: open, adjust, close, show and list cash tracking sessions."""

from __future__ import annotations

import click

from core.text.i18n import _, current_language
from tui.cli import Context, cell, echo, emit_json, fail, params
from tui.cli.options import ACTOR, terminal_option, terminal_store, uses_context

MAX_COUNT = 100_000  # notes or coins of one kind in a drawer or a safe


def parse_money(ctx: Context, text: str, store, *, allow_negative: bool = False) -> int:
    from core.money import amounts as money

    return money.parse_amount(
        text, store.currency, ctx.locale_for(store.locale), allow_negative=allow_negative
    )


def parse_counts(ctx: Context, pairs: tuple[str, ...], store) -> dict[int, int] | None:
    """--count 200=3 --count 0,50=4: denomination (an amount) = how many."""
    if not pairs:
        return None
    from core.text import validate

    counts: dict[int, int] = {}
    for pair in pairs:
        denom, sep, n = pair.rpartition("=")
        if not sep:
            fail(_("A count is DENOMINATION=NUMBER, e.g. 200=3; got {pair!r}.").format(pair=pair))
        number = validate.whole_number(n, _("A count"), maximum=MAX_COUNT)
        value = parse_money(ctx, denom, store)
        counts[value] = counts.get(value, 0) + number
    return counts


def session_json(d) -> dict:
    """S-5 details as JSON; amounts are decimal strings (never floats)."""
    from core.money.amounts import to_decimal_str

    cur = d.store.currency
    m = lambda v: None if v is None else to_decimal_str(v, cur)  # noqa: E731
    s, summary = d.session, d.summary
    return {
        "id": s.id,
        "store": s.store_id,
        "terminal": s.terminal_id,
        "status": s.status,
        "currency": cur,
        "opened_at": s.opened_at,
        "opened_by": s.opened_by,
        "opened_by_name": d.opened_by_name,
        "opened_automatically": s.opened_auto,
        "open_note": s.open_note,
        "opening_float": m(s.opening_float),
        "previous_left_in_drawer": m(s.previous_left),
        "opening_discrepancy": m(s.opening_discrepancy),
        "adjustments": [
            {
                "id": a.id,
                "kind": a.kind,
                "amount": m(a.amount),
                "note": a.note,
                "staff": a.staff_id,
                "staff_name": a.staff_name,
                "at": a.created_at,
            }
            for a in d.adjustments
        ],
        "payments_by_tender": [
            {
                "tender": t.tender_id,
                "name": t.name,
                "count": t.count,
                "amount": m(t.amount),
                "declared": m(t.declared),
                "difference": m(t.difference),
            }
            for t in summary.by_tender
        ],
        "sales_count": summary.sales_count,
        "refunds_count": summary.refunds_count,
        "sales_total": m(summary.sales_total),
        "refunds_total": m(summary.refunds_total),
        "discounts_total": m(summary.discounts_total),
        "discounts_count": summary.discounts_count,
        "cash_payments": m(summary.cash_sales),
        "cash_refunds": m(summary.cash_refunds),
        "cash_added": m(summary.cash_added),
        "cash_removed_during": m(summary.cash_removed_during),
        "rounding_total": m(summary.rounding_total),
        "float_from_safe": m(summary.from_safe),
        "safe_drops": m(summary.dropped),
        "safe": [
            {
                "id": sm.id,
                "kind": sm.kind,
                "amount": m(sm.amount),
                "reference": sm.reference,
                "staff": sm.staff_id,
                "at": sm.created_at,
            }
            for sm in d.safe
        ],
        "blind": d.blind,
        "over_drawer_limit": m(d.over_limit),
        "expected_cash": m(d.expected_cash),
        "counted_cash": m(s.counted_cash),
        "closing_discrepancy": m(s.closing_discrepancy),
        "left_in_drawer": m(s.left_in_drawer),
        "cash_removed": m(s.cash_removed),
        "closed_at": s.closed_at,
        "closed_by": s.closed_by,
        "closed_by_name": d.closed_by_name,
        "close_note": s.close_note,
        "journal_head": None if d.head is None else {"seq": d.head.seq, "hash": d.head.hash},
    }


def session_text(d) -> str:
    from core.money.amounts import format_amount
    from core.printing.receipts import local_time

    cur, loc = d.store.currency, d.store.locale
    f = lambda v: "—" if v is None else format_amount(v, cur, loc)  # noqa: E731
    when = lambda instant: local_time(instant, d.store, current_language())  # noqa: E731
    s, summary = d.session, d.summary
    status = _("Open") if s.is_open else _("Closed")
    rows = [
        (_("Session"), f"{s.id}  ({status})"),
        (_("Terminal"), f"{cell(d.terminal.name)} [{cell(s.terminal_id)}]  {cell(d.store.name)}"),
        (
            _("Opened"),
            f"{when(s.opened_at)}  {cell(d.opened_by_name)}"
            + ("  " + _("(automatically)") if s.opened_auto else ""),
        ),
        *([(_("Opening note"), cell(s.open_note))] if s.open_note else []),
        (_("Starting amount"), f(s.opening_float)),
        (_("Opening discrepancy"), f(s.opening_discrepancy)),
        (_("Total sales"), f"{f(summary.sales_total)}  ({summary.sales_count})"),
        (_("Refunds"), f"{f(summary.refunds_total)}  ({summary.refunds_count})"),
        (_("Discounts given"), f"{f(summary.discounts_total)}  ({summary.discounts_count})"),
        (_("Cash payments"), f(summary.cash_sales)),
        (_("Cash refunds"), f(summary.cash_refunds)),
        (_("Cash added"), f(summary.cash_added)),
        (_("Cash removed"), f(summary.cash_removed_during)),
        *([(_("Float from safe"), f(summary.from_safe))] if summary.from_safe else []),
        *([(_("Safe drops"), f(summary.dropped))] if summary.dropped else []),
        (_("Expected cash"), _("hidden (blind close)") if d.blind else f(d.expected_cash)),
        *(
            [
                (
                    _("Drawer limit"),
                    _("over by {amount}: make a safe drop").format(amount=f(d.over_limit)),
                )
            ]
            if d.over_limit is not None
            else []
        ),
    ]
    if not s.is_open:
        rows += [
            (_("Counted cash"), f(s.counted_cash)),
            (_("Closing discrepancy"), f(s.closing_discrepancy)),
            (_("Left in drawer"), f(s.left_in_drawer)),
            (_("Cash taken out"), f(s.cash_removed)),
            (_("Closed"), f"{when(s.closed_at)}  {cell(d.closed_by_name)}"),
        ]
    if d.head is not None:  # the head its X or Z report prints
        rows.append((_("Journal head"), d.head.short))
    width = max(len(k) for k, _v in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    if d.adjustments:
        lines.append("")
        lines.append(_("Cash actions"))
        for a in d.adjustments:
            sign = "+" if a.kind == "add" else "-"
            lines.append(
                f"  {when(a.created_at)}  {sign}{f(a.amount)}  {cell(a.staff_name)}  {cell(a.note)}"
            )
    if d.safe:
        from core.cash.safe import KIND_LABELS

        lines.append("")
        lines.append(_("Safe"))
        for sm in d.safe:
            bag = "  " + _("bag {bag}").format(bag=cell(sm.reference)) if sm.reference else ""
            lines.append(f"  {when(sm.created_at)}  {_(KIND_LABELS[sm.kind])}  {f(sm.amount)}{bag}")
    lines.append("")
    lines.append(_("Payments by type"))
    for t in summary.by_tender:
        extra = ""
        if t.declared is not None:
            extra = "  " + _("declared {declared}, difference {diff}").format(
                declared=f(t.declared), diff=f(t.difference)
            )
        lines.append(
            f"  {cell(_(t.name)).ljust(14)} {str(t.count).rjust(5)}  {f(t.amount).rjust(14)}"
            + extra
        )
    return "\n".join(lines)


@click.group("session")
def session_grp() -> None:
    """Cash tracking sessions (open, adjust, close, show, list)."""


@session_grp.command("open")
@terminal_option
@click.option("--float", "float_text", default=None, help=_("Starting amount in the drawer."))
@click.option(
    "--count",
    "counts",
    multiple=True,
    metavar="DENOM=N",
    help=_("Count the float by denomination instead (repeat)."),
)
@click.option("--note", default="")
@click.option(
    "--from-safe",
    "from_safe",
    is_flag=True,
    help=_("Take the float from the store's safe (added to what the drawer holds)."),
)
@uses_context(staff=ACTOR)
def session_open(ctx: Context, terminal_id, float_text, counts, note, from_safe) -> None:
    """Start a cash tracking session with a starting amount (S-3), or a float from the
    safe (K-1)."""
    from core.tills import sessions

    _t, store = terminal_store(ctx, terminal_id)
    amount = parse_money(ctx, float_text, store) if float_text is not None else None
    count_map = parse_counts(ctx, counts, store)
    if amount is None and count_map is None:
        fail(_("Give the starting amount with --float (or count it with --count)."))
    actor = ctx.login(terminal_id)
    s = sessions.open_session(
        ctx.db, actor, terminal_id, amount, note, count_map, from_safe=from_safe
    )
    echo(_("Session {id} opened on terminal {terminal}.").format(id=s.id, terminal=terminal_id))


@session_grp.command("adjust")
@terminal_option
@click.option("--add", "add_text", default=None, help=_("Cash put into the drawer."))
@click.option("--remove", "remove_text", default=None, help=_("Cash taken out of the drawer."))
@click.option("--note", required=True, help=_("Why the cash moves."))
@uses_context(staff=ACTOR)
def session_adjust(ctx: Context, terminal_id, add_text, remove_text, note) -> None:
    """Add or remove cash with a note (S-6)."""
    from core.tills import sessions

    if (add_text is None) == (remove_text is None):
        fail(_("Give exactly one of --add or --remove."))
    _t, store = terminal_store(ctx, terminal_id)
    kind = "add" if add_text is not None else "remove"
    amount = parse_money(ctx, add_text if add_text is not None else remove_text, store)
    actor = ctx.login(terminal_id)
    adj = sessions.adjust_cash(ctx.db, actor, terminal_id, kind, amount, note)
    echo(
        _("Cash action {id} recorded in session {session}.").format(
            id=adj.id, session=adj.session_id
        )
    )


@session_grp.command("close")
@terminal_option
@click.option("--counted", "counted_text", default=None, help=_("Cash counted in the drawer."))
@click.option(
    "--count",
    "counts",
    multiple=True,
    metavar="DENOM=N",
    help=_("Count by denomination instead (repeat)."),
)
@click.option("--leave", "leave_text", required=True, help=_("Cash to leave in the drawer."))
@click.option(
    "--declare",
    "declares",
    multiple=True,
    metavar="TENDER=AMOUNT",
    help=_("Counted total of another payment type (repeat)."),
)
@click.option("--note", default="")
@uses_context(staff=ACTOR, json=True)
def session_close(
    ctx: Context,
    terminal_id,
    counted_text,
    counts,
    leave_text,
    declares,
    note,
    as_json,
) -> None:
    """Close the open session: counted cash, what stays in the drawer (S-8)."""
    from core.tills import sessions

    _t, store = terminal_store(ctx, terminal_id)
    counted = parse_money(ctx, counted_text, store) if counted_text is not None else None
    count_map = parse_counts(ctx, counts, store)
    if counted is None and count_map is None:
        fail(_("Give the counted cash with --counted (or count it with --count)."))
    leave = parse_money(ctx, leave_text, store)
    declared = {}
    for pair in declares:
        tender, sep, amount = pair.partition("=")
        if not sep:
            fail(_("A declaration is TENDER=AMOUNT; got {pair!r}.").format(pair=pair))
        declared[tender.strip()] = parse_money(ctx, amount, store, allow_negative=True)
    actor = ctx.login(terminal_id)
    closed = sessions.close_session(
        ctx.db, actor, terminal_id, counted, leave, declared, count_map, note
    )
    if as_json:  # the closer may always see what they closed (S-8)
        emit_json(session_json(sessions.session_details(ctx.db, actor, closed.id)))
        return
    from core.money.amounts import format_amount

    fmt = lambda v: format_amount(v, store.currency, ctx.locale_for(store.locale))  # noqa: E731
    echo(
        _(
            "Session {id} closed. Expected {expected}, counted {counted}, "
            "discrepancy {diff}; take out {removed}, leave {left}."
        ).format(
            id=closed.id,
            expected=fmt(closed.expected_cash),
            counted=fmt(closed.counted_cash),
            diff=fmt(closed.closing_discrepancy),
            removed=fmt(closed.cash_removed),
            left=fmt(closed.left_in_drawer),
        )
    )


@session_grp.command("show")
@click.argument("session_id", type=params.SESSION_ID, required=False)
@click.option(
    "--terminal", "terminal_id", default=None, help=_("Show the terminal's open session.")
)
@uses_context(staff=ACTOR, json=True)
def session_show(ctx: Context, session_id, terminal_id, as_json) -> None:
    """Session details (S-5): a session id, or --terminal for its open session."""
    from core.store.stores import get_store
    from core.tills import sessions

    if session_id is None:
        if not terminal_id:
            fail(_("Give a session id or --terminal."))
        current = sessions.current_session(ctx.db, terminal_id)
        if current is None:
            fail(_("No session is open on terminal {terminal}.").format(terminal=terminal_id))
        session_id = current.id
    store = get_store(ctx.db, sessions.get_session(ctx.db, session_id).store_id)
    ctx.use_store_language(store.locale)
    actor = ctx.login()
    details = sessions.session_details(ctx.db, actor, session_id)
    if as_json:
        emit_json(session_json(details))
    else:
        echo(session_text(details))


@session_grp.command("list")
@click.option("--terminal", "terminal_id", default=None)
@click.option("--open", "only_open", is_flag=True)
@click.option("--closed", "only_closed", is_flag=True)
@click.option("--limit", type=params.LIMIT, default=50, show_default=True)
@uses_context(staff=ACTOR, json=True)
def session_list(ctx: Context, terminal_id, only_open, only_closed, limit, as_json) -> None:
    """List sessions, newest first (S-9)."""
    from core.money.amounts import format_amount, to_decimal_str
    from core.store.stores import list_stores
    from core.tills import sessions

    if only_open and only_closed:
        fail(_("Choose --open or --closed, not both."))
    status = "open" if only_open else "closed" if only_closed else None
    actor = ctx.login()
    rows = sessions.list_sessions(
        ctx.db, actor, terminal_id=terminal_id, status=status, limit=limit
    )
    stores = {s.id: s for s in list_stores(ctx.db)}
    if as_json:
        emit_json(
            [
                {
                    "id": r.id,
                    "terminal": r.terminal_id,
                    "store": r.store_id,
                    "status": r.status,
                    "opened_at": r.opened_at,
                    "closed_at": r.closed_at,
                    "opening_float": to_decimal_str(r.opening_float, stores[r.store_id].currency),
                    "closing_discrepancy": None
                    if r.closing_discrepancy is None
                    else to_decimal_str(r.closing_discrepancy, stores[r.store_id].currency),
                }
                for r in rows
            ]
        )
        return
    for r in rows:
        st = stores[r.store_id]
        loc = ctx.locale_for(st.locale)
        opened = format_amount(r.opening_float, st.currency, loc)
        diff = r.closing_discrepancy
        diff_text = "—" if diff is None else format_amount(diff, st.currency, loc)
        echo(
            f"{r.id:>6}  {cell(r.terminal_id):<6} {r.status:<7} {r.opened_at}  "
            f"{r.closed_at or '':<27}  {opened:>12}  {diff_text:>10}"
        )


def register(main: click.Group) -> None:
    main.add_command(session_grp)
