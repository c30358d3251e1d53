"""`kassi sale` and `kassi refund`: ring up from the command line."""

from __future__ import annotations

import re

import click

from core.text.i18n import _
from tui.cli import Context, echo, emit_json, fail
from tui.cli.options import ACTOR, terminal_option, terminal_store, uses_context
from tui.cli.session_cmds import parse_money

# ASCII digits; SKU@0,512 for a weighed item (K-8)
_ITEM = re.compile(r"^(?P<sku>[^\s*x@]+?)(?:[x*](?P<qty>[0-9]+)|@(?P<measure>\S+))?$")


def parse_items(specs: tuple[str, ...], ctx: Context, store, *, priced: bool = True):
    """SKU, SKUx3 or SKU*3, SKU@0,512 (a weighed item, in its unit) or a scale label's
    barcode -> LineInput."""
    from core.catalog import units as item_units
    from core.text import validate
    from core.tills.basket import MAX_QTY

    lines = []
    for spec in specs:
        m = _ITEM.match(spec.strip())
        if not m:
            fail(
                _(
                    "An item is SKU, SKUxQTY (e.g. 1001x3) or SKU@QUANTITY (e.g. 2001@0,512);"
                    " got {spec!r}."
                ).format(spec=spec)
            )
        if m["qty"] is not None:  # xN: whole pieces, or N kg of a weighed item (as 3*SKU)
            validate.whole_number(m["qty"], _("The quantity"), minimum=1, maximum=MAX_QTY)
        locale = ctx.locale_for(store.locale)
        text = m["qty"] if m["qty"] is not None else m["measure"]
        lines.append(item_units.basket_line(ctx.db, store, m["sku"], text, locale, priced=priced))
    return lines


def parse_discounts(ctx: Context, specs: tuple[str, ...], lines, store):
    """--discount TARGET=VALUE:REASON (C-5). TARGET is an item's SKU (its line) or
    ``basket``; VALUE ``10%`` or an amount; REASON typed, or a number of the short list.
    Returns (lines with their discounts, the basket discount)."""
    from attrs import evolve

    from core.tills.discounts import parse_discount

    basket = None
    lines = list(lines)
    seen: set[str] = set()
    for spec in specs:
        target, sep, rest = spec.partition("=")
        value, colon, reason = rest.partition(":")
        target = target.strip()
        if not sep or not target or not value.strip():
            fail(
                _("A discount is SKU=VALUE:REASON or basket=VALUE:REASON; got {spec!r}.").format(
                    spec=spec
                )
            )
        if target in seen:
            fail(_("{target} has two discounts; give one.").format(target=target))
        seen.add(target)
        discount = parse_discount(value, reason, store.currency, ctx.locale_for(store.locale))
        if target.lower() == "basket":
            basket = discount
            continue
        matching = [n for n, ln in enumerate(lines) if ln.sku == target]
        if len(matching) != 1:
            fail(
                _("A line discount names one --item by its SKU; {sku} is on {n} lines.").format(
                    sku=target, n=len(matching)
                )
            )
        lines[matching[0]] = evolve(lines[matching[0]], discount=discount)
    return lines, basket


def _approved(ctx: Context, actor, terminal_id, lines, basket, approver_id, approver_pin, store):
    """--approve/--approve-pin: a supervisor's override for discounts over the limit."""
    from attrs import evolve

    from core.tills.basket import price_basket

    def given(approver):
        out = [
            evolve(ln, discount=evolve(ln.discount, approver=approver)) if ln.discount else ln
            for ln in lines
        ]
        return out, evolve(basket, approver=approver) if basket else None

    def check(approver) -> None:
        price_basket(ctx.db, actor, store.id, *given(approver))

    approver = _override(
        ctx, actor, approver_id, approver_pin, "discount", terminal_id, "discount", check=check
    )
    return given(approver)


def _override(
    ctx: Context, actor, approver_id, approver_pin, permission, terminal_id, what, *, check=None
):
    """--approve/--approve-pin: someone holding ``permission`` approves (audited in core)."""
    from core.staff import auth

    if approver_pin is None:
        fail(_("Give the approver's PIN with --approve-pin."))
    return auth.authorize_override(
        ctx.db,
        actor,
        approver_id,
        approver_pin,
        permission,
        terminal_id=terminal_id,
        action=f"{what} (command line)",
        check=check,
    )


def parse_payments(ctx: Context, specs: tuple[str, ...], store):
    """TENDER=AMOUNT, or TENDER alone for "the rest" -> TenderInput."""
    from core.money.tendering import TenderInput

    out = []
    for spec in specs:
        tender, sep, amount = spec.partition("=")
        if not tender.strip():
            fail(_("A payment is TENDER=AMOUNT or TENDER; got {spec!r}.").format(spec=spec))
        out.append(TenderInput(tender.strip(), parse_money(ctx, amount, store) if sep else None))
    return out


def sale_json(sale) -> dict:
    from core.money import quantity
    from core.money.amounts import to_decimal_str

    m = lambda v: to_decimal_str(v, sale.currency)  # noqa: E731
    return {
        "id": sale.id,
        "uid": sale.uid,
        "kind": sale.kind,
        "store": sale.store_id,
        "terminal": sale.terminal_id,
        "receipt": sale.receipt_no,
        "session": sale.session_id,
        "staff": sale.staff_id,
        "customer": sale.customer_id,
        "created_at": sale.created_at,
        "currency": sale.currency,
        "total": m(sale.total),
        "rounding": m(sale.rounding),
        "vat": m(sale.vat_total),
        "change": m(sale.change_given),
        "lines": [
            {
                "sku": ln.sku,
                "name": ln.name,
                "qty": ln.qty
                if ln.unit == quantity.PIECES
                else quantity.to_machine(ln.qty, ln.unit),
                "unit": ln.unit,
                "unit_price": m(ln.unit_price),
                "discount": m(ln.discount),
                "total": m(ln.line_total),
                "vat_rate": to_decimal_str(ln.vat_rate, "EUR"),
                "vat": m(ln.vat_amount),
            }
            for ln in sale.lines
        ],
        "payments": [
            {"tender": p.tender_id, "amount": m(p.amount), "tendered": m(p.tendered)}
            for p in sale.payments
        ],
    }


def _report(ctx: Context, result, store, as_json: bool) -> None:
    from core.money.amounts import format_amount

    if as_json:
        data = sale_json(result.sale)
        data["session_opened_automatically"] = result.session_auto_opened
        emit_json(data)
        return
    fmt = lambda v: format_amount(v, store.currency, ctx.locale_for(store.locale))  # noqa: E731
    sale = result.sale
    if result.session_auto_opened:
        echo(_("Session {id} was opened automatically.").format(id=result.session_id))
    if sale.kind == "sale":
        echo(
            _("Receipt {n}: total {total}, change {change}.").format(
                n=sale.receipt_no, total=fmt(sale.due), change=fmt(sale.change_given)
            )
        )
    else:
        echo(
            _("Refund receipt {n}: paid out {total}.").format(
                n=sale.receipt_no, total=fmt(-sale.due)
            )
        )


@click.command("sale")
@terminal_option
@click.option("--item", "items", multiple=True, required=True, metavar="SKU[xQTY|@QUANTITY]")
@click.option(
    "--pay",
    "pays",
    multiple=True,
    metavar="TENDER[=AMOUNT]",
    help=_("Payment; cash amount is what the customer handed over."),
)
@click.option("--customer", "customer_id", default=None)
@click.option(
    "--discount",
    "discount_specs",
    multiple=True,
    metavar="SKU|basket=VALUE:REASON",
    help=_("A discount: 1001=10%:2 or basket=5,00:'Loyal customer' (reason or list number)."),
)
@click.option(
    "--approve",
    "approver_id",
    default=None,
    help=_("Staff id approving a discount over the limit."),
)
@click.option("--approve-pin", "approver_pin", default=None, help=_("The approver's PIN."))
@uses_context(staff=ACTOR, json=True)
def sale_cmd(
    ctx: Context,
    terminal_id,
    items,
    pays,
    customer_id,
    discount_specs,
    approver_id,
    approver_pin,
    as_json,
) -> None:
    """Ring up a sale."""
    from core.tills.sales import record_sale

    _t, store = terminal_store(ctx, terminal_id)
    lines, basket = parse_discounts(ctx, discount_specs, parse_items(items, ctx, store), store)
    payments = parse_payments(ctx, pays, store)
    actor = ctx.login(terminal_id)
    if approver_id is not None:
        lines, basket = _approved(
            ctx, actor, terminal_id, lines, basket, approver_id, approver_pin, store
        )
    result = record_sale(
        ctx.db, actor, terminal_id, lines, payments, customer_id, basket_discount=basket
    )
    _report(ctx, result, store, as_json)


@click.command("refund")
@terminal_option
@click.option(
    "--receipt",
    default=None,
    metavar="[TERMINAL-]N",
    help=_("The original receipt: T1-3 as printed, T1:3, or 3 (this terminal)."),
)
@click.option("--item", "items", multiple=True, required=True, metavar="SKU[xQTY|@QUANTITY]")
@click.option("--pay", "pays", multiple=True, metavar="TENDER[=AMOUNT]")
@click.option("--customer", "customer_id", default=None)
@click.option(
    "--approve", "approver_id", default=None, help=_("Staff id approving a refund you may not do.")
)
@click.option("--approve-pin", "approver_pin", default=None, help=_("The approver's PIN."))
@uses_context(staff=ACTOR, json=True)
def refund_cmd(
    ctx: Context,
    terminal_id,
    receipt,
    items,
    pays,
    customer_id,
    approver_id,
    approver_pin,
    as_json,
) -> None:
    """Refund items, against an original receipt or (with permission) without one."""
    from core.tills.receipt_refs import parse_receipt_ref
    from core.tills.refunds import record_refund

    _t, store = terminal_store(ctx, terminal_id)
    ref = parse_receipt_ref(receipt, terminal_id) if receipt is not None else None
    lines = parse_items(items, ctx, store, priced=ref is None)
    payments = parse_payments(ctx, pays, store)
    actor = ctx.login(terminal_id)
    approver = None
    if approver_id is not None:
        permission = "refund" if ref is not None else "refund.no_receipt"
        approver = _override(
            ctx, actor, approver_id, approver_pin, permission, terminal_id, "refund"
        )
    result = record_refund(
        ctx.db,
        actor,
        terminal_id,
        lines,
        payments,
        receipt=ref,
        customer_id=customer_id,
        approver=approver,
    )
    _report(ctx, result, store, as_json)


@click.group("discount")
def discount_group() -> None:
    """Discount limits per role (C-5)."""


@discount_group.command("limits")
@uses_context(json=True)
def discount_limits(ctx: Context, as_json: bool) -> None:
    """The largest discount each role may give, in percent."""
    from core.tills import discounts

    limits = discounts.list_limits(ctx.db)
    if as_json:
        emit_json(limits)
        return
    for role, percent in limits.items():
        echo(f"{role:<12} {percent:>3} %")


@discount_group.command("limit")
@click.argument("role")
@click.argument("percent")
@uses_context(staff=ACTOR)
def discount_limit(ctx: Context, role: str, percent: str) -> None:
    """Set a role's limit, e.g. `kassi discount limit cashier 15` (a manager)."""
    from core.text import validate
    from core.tills import discounts

    value = validate.whole_number(
        percent.strip().rstrip("%"), _("A discount limit in percent"), maximum=100
    )
    actor = ctx.login()
    discounts.set_limit(ctx.db, actor, role, value)
    echo(_("{role} may now give discounts up to {percent} %.").format(role=role, percent=value))


def register(main: click.Group) -> None:
    main.add_command(sale_cmd)
    main.add_command(refund_cmd)
    main.add_command(discount_group)
