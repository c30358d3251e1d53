"""How `kassi statement` shows a statement: JSON (amounts as decimal strings) and text."""

from __future__ import annotations

from core.money import quantity
from core.text.i18n import _
from tui.cli import cell


def statement_json(d) -> dict:
    """Details as JSON; amounts are decimal strings in major units (never floats)."""
    from core.money.amounts import to_decimal_str

    st, cur = d.statement, d.store.currency
    m = lambda v: None if v is None else to_decimal_str(v, cur)  # noqa: E731
    return {
        "id": st.id,
        "store": st.store_id,
        "status": st.status,
        "currency": cur,
        "period_start": st.period_start,
        "period_end": st.period_end,
        "method": st.method,
        "split": st.split,
        "split_key": st.split_key,
        "source": st.source,
        "created_at": st.created_at,
        "created_by": st.created_by,
        "created_by_name": d.name(st.created_by),
        "calculated_at": st.calculated_at,
        "calculated_by": st.calculated_by,
        "calculated_by_name": d.name(st.calculated_by) or None,
        "posted_at": st.posted_at,
        "posted_by": st.posted_by,
        "posted_by_name": d.name(st.posted_by) or None,
        "override_reason": st.override_reason,
        "transactions": st.transactions,
        "business_day": st.business_day,
        "end_of_business_day": st.end_of_business_day,
        "max_posting_difference": m(d.store.max_posting_difference),
        "lines": [
            {
                "group": ln.group_key,
                "group_label": ln.group_label,
                "tender": ln.tender_id,
                "tender_name": ln.tender_name,
                "payments": ln.payments,
                "transaction_amount": m(ln.transaction_amount),
                "declared": m(ln.declared),
                "discrepancy": m(ln.discrepancy),
                "counted": m(ln.counted),
                "difference": m(ln.difference),
                "counted_by_hand": ln.counted_manual,
                "counted_by": ln.counted_by,
                "counted_note": ln.counted_note,
            }
            for ln in d.lines
        ],
        "transaction_total": m(d.transaction_total),
        "counted_total": m(d.counted_total),
        "difference_total": m(d.difference_total),
        "over_limit": [{"group": ln.group_key, "tender": ln.tender_id} for ln in d.over_limit],
        "sessions": list(d.session_ids),
        "sales_orders": [
            {
                "number": o.number,
                "kind": o.kind,
                "customer": o.customer_id,
                "business_date": o.business_date,
                "transactions": o.transactions,
                "total": m(o.total),
                "rounding": m(o.rounding),
                "vat": m(o.vat_total),
                "invoice": o.invoice_number,
                "invoice_date": o.invoice_date,
                "invoice_amount": m(o.invoice_amount),
            }
            for o in d.orders
        ],
        "payment_journals": [
            {
                "number": j.number,
                "tender": j.tender_id,
                "payments": j.payments,
                "amount": m(j.amount),
                "counted": m(j.counted),
                "difference": m(j.difference),
            }
            for j in d.payment_journals
        ],
        "inventory_journal": None
        if d.inventory_journal is None
        else {
            "number": d.inventory_journal.number,
            "skus": d.inventory_journal.skus,
            "qty_out": d.inventory_journal.qty_out,
            "qty_in": d.inventory_journal.qty_in,
            "measured": [
                {
                    "unit": unit,
                    "qty_out": quantity.to_machine(qty_out, unit),
                    "qty_in": quantity.to_machine(qty_in, unit),
                }
                for unit, qty_out, qty_in in d.inventory_journal.measured
            ],
        },
    }


def statement_text(d, locale: str) -> str:
    from core.money.amounts import format_amount
    from core.statements.periods import local_text

    st, store = d.statement, d.store
    f = lambda v: "—" if v is None else format_amount(v, store.currency, locale)  # noqa: E731
    when = lambda at, by: "—" if at is None else f"{local_text(at, store)}  {cell(d.name(by))}"  # noqa: E731
    rows = [
        (_("Statement"), f"{st.id}  ({_(st.status)})"),
        (_("Store"), f"{cell(store.name)} [{cell(store.id)}]"),
        (
            _("Period"),
            f"{local_text(st.period_start, store)} – {local_text(st.period_end, store)}",
        ),
        (_("Method"), _(st.method) + (f"  [{st.split_key}]" if st.split else "")),
        (_("Created"), when(st.created_at, st.created_by)),
        (_("Calculated"), when(st.calculated_at, st.calculated_by)),
        (_("Posted"), when(st.posted_at, st.posted_by)),
        (_("Transactions"), str(st.transactions)),
        (_("Maximum posting difference"), f(store.max_posting_difference)),
    ]
    if st.override_reason:
        rows.append((_("Posted over the limit"), cell(st.override_reason)))
    width = max(len(k) for k, _v in rows)
    out = [f"{k.ljust(width)}  {v}" for k, v in rows]
    if d.lines:
        out += ["", _("Lines (transaction amount, counted, difference)")]
        over = {(ln.group_key, ln.tender_id) for ln in d.over_limit}
        for ln in d.lines:
            mark = "  !" if (ln.group_key, ln.tender_id) in over else ""
            hand = "  " + _("(by hand)") if ln.counted_manual else ""
            label = f"{cell(ln.group_label)} / " if ln.group_key else ""
            out.append(
                f"  {(label + cell(_(ln.tender_name)))[:28].ljust(28)} {f(ln.transaction_amount).rjust(14)}"
                f" {f(ln.counted).rjust(14)} {f(ln.difference).rjust(12)}{hand}{mark}"
            )
        out.append(
            f"  {_('Total')[:28].ljust(28)} {f(d.transaction_total).rjust(14)}"
            f" {f(d.counted_total).rjust(14)} {f(d.difference_total).rjust(12)}"
        )
    if d.orders:
        out += ["", _("Sales orders and invoices")]
        for o in d.orders:
            what = o.business_date if o.kind == "cash_and_carry" else _("customer")
            out.append(
                f"  {_('order')} {o.number}  {_('invoice')} {o.invoice_number}  "
                f"{cell(o.customer_id)} ({what})  {o.transactions}  {f(o.invoice_amount)}"
            )
    if d.payment_journals:
        out += ["", _("Payment journals")]
        for j in d.payment_journals:
            out.append(f"  {j.number}  {cell(j.tender_id).ljust(10)} {f(j.amount).rjust(14)}")
    if d.inventory_journal:
        inv = d.inventory_journal
        out += [
            "",
            _("Inventory journal {n}: {skus} items, {out} out, {back} back").format(
                n=inv.number, skus=inv.skus, out=inv.qty_out, back=inv.qty_in
            ),
        ]
        for unit, qty_out, qty_in in inv.measured:  # K-8: weighed goods in their unit
            out.append(
                "  "
                + _("{out} out, {back} back").format(
                    out=quantity.shown(qty_out, unit), back=quantity.shown(qty_in, unit)
                )
            )
    return "\n".join(out)
