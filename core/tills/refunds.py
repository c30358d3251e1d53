"""Refunds: what of a receipt can still be refunded, at what was paid, and recording one.

A refund against a receipt (C-3) returns units of its lines at what was really paid
for them; one without a receipt is priced from today's catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import evolve, frozen

from core.errors import InputError
from core.money import quantity, rounding
from core.money.tendering import TenderInput
from core.staff.auth import require_or_approved
from core.store.customers import get_customer
from core.store.db import Db
from core.store.records import Sale, SaleLine, Staff
from core.store.stores import get_store
from core.store.terminals import get_terminal
from core.text.i18n import _
from core.tills.basket import LineInput, check_qty, price_lines
from core.tills.receipt_refs import ReceiptRef, parse_receipt_ref
from core.tills.receipts import as_ref, find_receipt
from core.tills.sales import SaleResult, commit_sale, quote


@frozen
class RefundBasis:
    """An original receipt a refund is made against, checked when it is entered (C-3)."""

    ref: ReceiptRef
    sale: Sale
    left: dict[str, int]  # per SKU, the units that can still be refunded

    def lines(self) -> list[LineInput]:
        """Everything still refundable, one line per item: the refund basket to start from."""
        return [LineInput(sku, qty) for sku, qty in self.left.items() if qty > 0]


def refund_basis(
    db: Db, terminal_id: str, receipt: str | ReceiptRef | tuple[str, int]
) -> RefundBasis:
    """Check a receipt a refund is to be made against, as the cashier enters it: it must
    exist, be a sale of this terminal's store, and have something left to refund."""
    terminal = get_terminal(db, terminal_id)
    ref = parse_receipt_ref(receipt, terminal_id) if isinstance(receipt, str) else as_ref(receipt)
    original = find_receipt(db, ref)
    ref = ReceiptRef(original.terminal_id, original.receipt_no)
    if original.kind != "sale":
        raise InputError(
            _("Receipt {ref} is itself a refund: scan the receipt of the sale.").format(ref=ref)
        )
    if original.store_id != terminal.store_id:
        store = get_store(db, original.store_id)
        raise InputError(
            _("Receipt {ref} is from {store}: refund it there.").format(ref=ref, store=store.name)
        )
    left = refundable(db, original)
    if not any(qty > 0 for qty in left.values()):
        raise InputError(
            _("Everything on receipt {ref} was already refunded; nothing is left.").format(ref=ref)
        )
    return RefundBasis(ref, original, left)


def _refund_groups(db: Db, original: Sale, lines: Sequence[LineInput]) -> list[list[SaleLine]]:
    """Per basket line, the refund lines against the original receipt's lines: never more
    than is left of what it sold, at what was really paid for it (discounts included).

    Basket lines take from the receipt's lines of their item in order, so two lines of
    the same item (or one scanned, one typed) share what is left.
    """
    ref = ReceiptRef(original.terminal_id, original.receipt_no)
    by_sku: dict[str, list[SaleLine]] = {}
    for ol in original.lines:
        by_sku.setdefault(ol.sku, []).append(ol)
    # A scanned barcode counts as its SKU.
    marks = ",".join("?" for _ in by_sku)
    codes = {
        r["barcode"]: r["sku"]
        for r in db.all(f"SELECT sku, barcode FROM items WHERE sku IN ({marks})", tuple(by_sku))
        if r["barcode"]
    }
    left = _left_by_line(db, original)
    left_qty = {line_id: qty for line_id, (qty, _amount) in left.items()}
    left_amount = {line_id: amount for line_id, (_qty, amount) in left.items()}
    start_left = _units_by_sku(original, left)
    asked: dict[str, int] = {}
    groups: list[list[SaleLine]] = []
    for ln in lines:
        if ln.discount:
            raise InputError(_("A refund takes the original receipt's prices; no discount."))
        sku = ln.sku if ln.sku in by_sku else codes.get(ln.sku)
        if sku is None:
            name = db.scalar(
                "SELECT name FROM items WHERE sku = ? OR barcode = ?", (ln.sku, ln.sku)
            )
            raise InputError(
                _("{item} is not on receipt {ref}: scan the receipt it was sold on.").format(
                    item=name or ln.sku, ref=ref
                )
            )
        unit = by_sku[sku][0].unit
        check_qty(ln.qty, unit)
        asked[sku] = asked.get(sku, 0) + ln.qty
        need, group = ln.qty, []
        for ol in by_sku[sku]:
            take = min(left_qty[ol.id], need)
            if take <= 0:
                continue
            # The last units take what is left, so all refunds add up to what was paid.
            amount = (
                left_amount[ol.id]
                if take == left_qty[ol.id]
                else _share(ol, take, left_qty[ol.id], left_amount[ol.id])
            )
            left_qty[ol.id] -= take
            left_amount[ol.id] -= amount
            need -= take
            group.append(
                SaleLine(
                    0,
                    sku,
                    ol.name,
                    -take,
                    ol.unit_price,
                    -(quantity.gross(take, ol.unit_price, ol.unit) - amount),
                    -amount,
                    ol.vat_rate,
                    rounding.vat_from_gross(-amount, ol.vat_rate),
                    original_line_id=ol.id,
                    unit=ol.unit,
                )
            )
        if need:
            raise InputError(
                _("Receipt {ref}: only {left} × {item} can still be refunded, not {qty}.").format(
                    ref=ref,
                    left=quantity.shown(start_left[sku], unit),
                    item=by_sku[sku][0].name,
                    qty=quantity.shown(asked[sku], unit),
                )
            )
        groups.append(group)
    return groups


def _share(ol: SaleLine, take: int, left_qty: int, left_amount: int) -> int:
    """What ``take`` of an original line's units were paid, with ``left_qty`` units and
    ``left_amount`` of it not refunded yet. Pieces pay their whole share (floor, as
    always). A weighed line is refunded along its rounded running share (K-8): all
    refunded so far is the line's amount x the quantity refunded so far, rounded half
    up, so 0,200 of 0,512 kg at 46,05 is 17,99, and parts never pay back more than
    was paid (nor less, once the last part takes what is left)."""
    if not quantity.is_measured(ol.unit):
        return ol.line_total * take // ol.qty
    done = ol.qty - left_qty + take
    running = (2 * ol.line_total * done + ol.qty) // (2 * ol.qty)
    return min(max(running - (ol.line_total - left_amount), 0), left_amount)


def _refund_lines(db: Db, original: Sale, lines: Sequence[LineInput]) -> list[SaleLine]:
    """The refund's stored lines: one per original line it returns units of."""
    merged: dict[int, SaleLine] = {}
    for group in _refund_groups(db, original, lines):
        for ln in group:
            seen = merged.get(ln.original_line_id)
            if seen is not None:
                total = seen.line_total + ln.line_total
                qty = seen.qty + ln.qty
                ln = evolve(
                    seen,
                    qty=qty,
                    # a measured gross is rounded: the merged line's own, not the parts' sum
                    discount=quantity.gross(qty, ln.unit_price, ln.unit) - total,
                    line_total=total,
                    vat_amount=rounding.vat_from_gross(total, ln.vat_rate),
                )
            merged[ln.original_line_id] = ln
    return [evolve(ln, line_no=n) for n, ln in enumerate(merged.values(), start=1)]


def record_refund(
    db: Db,
    actor: Staff,
    terminal_id: str,
    lines: Sequence[LineInput],
    payments: Sequence[TenderInput],
    *,
    receipt: ReceiptRef | tuple[str, int] | None = None,
    customer_id: str | None = None,
    approver: Staff | None = None,
) -> SaleResult:
    """Refund against an original receipt (terminal, number), or without one (permission,
    or an ``approver`` who holds it: core.staff.auth.authorize_override)."""
    with db.write():
        require_or_approved(actor, "refund", approver)
        terminal = get_terminal(db, terminal_id)
        store = get_store(db, terminal.store_id)
        original_id = None
        if receipt is not None:
            basis = refund_basis(db, terminal_id, as_ref(receipt))
            priced = _refund_lines(db, basis.sale, lines)
            original_id = basis.sale.id
            customer_id = customer_id or basis.sale.customer_id
        else:
            require_or_approved(actor, "refund.no_receipt", approver)
            priced = _returned(price_lines(db, None, store.id, lines))
        if customer_id:
            get_customer(db, customer_id)
        payout = -sum(ln.line_total for ln in priced)
        alloc = quote(db, store, payout, payments, refund=True)
        return commit_sale(
            db,
            actor,
            terminal,
            store,
            "refund",
            priced,
            alloc,
            customer_id,
            original_id,
            approver=approver,
        )


def _left_by_line(db: Db, original: Sale) -> dict[int, tuple[int, int]]:
    """Per original line id, the units and the amount not refunded yet (one query).

    The one reckoning of what of a receipt can still be refunded: the receipt check
    (refundable) and the refund's lines (_refund_groups) both start from it."""
    rows = db.all(
        "SELECT r.original_line_id AS id, -SUM(r.qty) AS q, -SUM(r.line_total) AS a"
        " FROM sale_lines o JOIN sale_lines r ON r.original_line_id = o.id"
        " WHERE o.sale_id = ? GROUP BY r.original_line_id",
        (original.id,),
    )
    done = {r["id"]: (r["q"], r["a"]) for r in rows}
    return {
        ol.id: (ol.qty - done.get(ol.id, (0, 0))[0], ol.line_total - done.get(ol.id, (0, 0))[1])
        for ol in original.lines
    }


def _units_by_sku(original: Sale, left: dict[int, tuple[int, int]]) -> dict[str, int]:
    units: dict[str, int] = {}
    for ol in original.lines:
        units[ol.sku] = units.get(ol.sku, 0) + left[ol.id][0]
    return units


def refundable(db: Db, original: Sale) -> dict[str, int]:
    """Per SKU, how many of the original receipt's units can still be refunded."""
    return _units_by_sku(original, _left_by_line(db, original))


def _returned(sold: Sequence[SaleLine]) -> list[SaleLine]:
    """Lines priced as a sale, turned into refund lines (negative, at today's price)."""
    return [
        SaleLine(
            ln.line_no,
            ln.sku,
            ln.name,
            -ln.qty,
            ln.unit_price,
            -ln.discount,
            -ln.line_total,
            ln.vat_rate,
            -ln.vat_amount,
            unit=ln.unit,
        )
        for ln in sold
    ]


def preview_refund(
    db: Db,
    store_id: str,
    lines: Sequence[LineInput],
    receipt: ReceiptRef | tuple[str, int] | None,
) -> list[SaleLine]:
    """The refund lines as record_refund would price them, without recording anything."""
    if receipt is None:
        return _returned(price_lines(db, None, store_id, lines))
    return _refund_lines(db, find_receipt(db, as_ref(receipt)), lines)


def refund_rows(
    db: Db,
    store_id: str,
    lines: Sequence[LineInput],
    receipt: ReceiptRef | tuple[str, int] | None,
) -> list[SaleLine]:
    """One row per basket line of a refund (negative amounts), for the screen: against a
    receipt, what was paid for those units; raises if more than is left is asked."""
    if receipt is None:
        return _returned(price_lines(db, None, store_id, lines))
    groups = _refund_groups(db, find_receipt(db, as_ref(receipt)), lines)
    rows = []
    for n, group in enumerate(groups, start=1):
        first = group[0]
        rows.append(
            SaleLine(
                n,
                first.sku,
                first.name,
                sum(ln.qty for ln in group),
                first.unit_price,
                sum(ln.discount for ln in group),
                sum(ln.line_total for ln in group),
                first.vat_rate,
                sum(ln.vat_amount for ln in group),
                unit=first.unit,
            )
        )
    return rows
