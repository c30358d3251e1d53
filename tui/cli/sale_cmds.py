"""`kassi sale` and `kassi refund`: ring up from the command line."""

from __future__ import annotations

import re

import click

from core.i18n import _
from tui.cli import Context, authenticate, emit_json, fail, handle_errors, pass_ctx, staff_options
from tui.cli.session_cmds import _terminal_store, parse_money

_ITEM = re.compile(r"^(?P<sku>[^\s*x]+?)(?:[x*](?P<qty>\d+))?$")


def parse_items(specs: tuple[str, ...]):
    """SKU, SKUx3 or SKU*3 -> LineInput."""
    from core.sales import LineInput

    lines = []
    for spec in specs:
        m = _ITEM.match(spec.strip())
        if not m:
            fail(_("An item is SKU or SKUxQTY (e.g. 1001x3); got {spec!r}.").format(spec=spec))
        lines.append(LineInput(m["sku"], int(m["qty"] or 1)))
    return lines


def parse_payments(ctx: Context, specs: tuple[str, ...], store):
    """TENDER=AMOUNT, or TENDER alone for "the rest" -> TenderInput."""
    from core.tendering import TenderInput

    out = []
    for spec in specs:
        tender, sep, amount = spec.partition("=")
        if not tender.strip():
            fail(_("A payment is TENDER=AMOUNT or TENDER; got {spec!r}.").format(spec=spec))
        out.append(TenderInput(tender.strip(), parse_money(ctx, amount, store) if sep else None))
    return out


def sale_json(sale) -> dict:
    from core.money import to_decimal_str

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
                "qty": ln.qty,
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
    from core.money import format_amount

    if as_json:
        data = sale_json(result.sale)
        data["session_opened_automatically"] = result.session_auto_opened
        emit_json(data)
        return
    fmt = lambda v: format_amount(v, store.currency, ctx.locale_for(store.locale))  # noqa: E731
    sale = result.sale
    if result.session_auto_opened:
        click.echo(_("Session {id} was opened automatically.").format(id=result.session_id))
    if sale.kind == "sale":
        click.echo(
            _("Receipt {n}: total {total}, change {change}.").format(
                n=sale.receipt_no, total=fmt(sale.due), change=fmt(sale.change_given)
            )
        )
    else:
        click.echo(
            _("Refund receipt {n}: paid out {total}.").format(
                n=sale.receipt_no, total=fmt(-sale.due)
            )
        )


@click.command("sale")
@click.option("--terminal", "terminal_id", required=True, envvar="KASSI_TERMINAL")
@click.option("--item", "items", multiple=True, required=True, metavar="SKU[xQTY]")
@click.option(
    "--pay",
    "pays",
    multiple=True,
    metavar="TENDER[=AMOUNT]",
    help=_("Payment; cash amount is what the customer handed over."),
)
@click.option("--customer", "customer_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@staff_options
@pass_ctx
@handle_errors
def sale_cmd(ctx: Context, terminal_id, items, pays, customer_id, as_json, staff_id, pin) -> None:
    """Ring up a sale."""
    from core import sales

    _t, store = _terminal_store(ctx, terminal_id)
    lines = parse_items(items)
    payments = parse_payments(ctx, pays, store)
    actor = authenticate(ctx, staff_id, pin, terminal_id)
    result = sales.record_sale(ctx.db, actor, terminal_id, lines, payments, customer_id)
    _report(ctx, result, store, as_json)


@click.command("refund")
@click.option("--terminal", "terminal_id", required=True, envvar="KASSI_TERMINAL")
@click.option(
    "--receipt",
    default=None,
    metavar="[TERMINAL:]N",
    help=_("The original receipt (default terminal: this one)."),
)
@click.option("--item", "items", multiple=True, required=True, metavar="SKU[xQTY]")
@click.option("--pay", "pays", multiple=True, metavar="TENDER[=AMOUNT]")
@click.option("--customer", "customer_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@staff_options
@pass_ctx
@handle_errors
def refund_cmd(
    ctx: Context, terminal_id, receipt, items, pays, customer_id, as_json, staff_id, pin
) -> None:
    """Refund items, against an original receipt or (with permission) without one."""
    from core import sales

    _t, store = _terminal_store(ctx, terminal_id)
    ref = None
    if receipt is not None:
        term, sep, number = receipt.rpartition(":")
        if not number.isdigit():
            fail(_("A receipt is N or TERMINAL:N; got {r!r}.").format(r=receipt))
        ref = (term if sep else terminal_id, int(number))
    lines = parse_items(items)
    payments = parse_payments(ctx, pays, store)
    actor = authenticate(ctx, staff_id, pin, terminal_id)
    result = sales.record_refund(
        ctx.db, actor, terminal_id, lines, payments, receipt=ref, customer_id=customer_id
    )
    _report(ctx, result, store, as_json)


def register(main: click.Group) -> None:
    main.add_command(sale_cmd)
    main.add_command(refund_cmd)
