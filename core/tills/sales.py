"""Recording a sale: one write transaction with its lines, payments, stock and audit.

A refund is recorded the same way (core.tills.refunds); it stores negative quantities
and amounts, so sums over sales and payments need no sign juggling.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError
from core.money import amounts as money
from core.money.tendering import Allocation, TenderInput, allocate
from core.printing import sources as print_sources
from core.staff.auth import require
from core.store.customers import get_customer
from core.store.db import Db
from core.store.records import Sale, SaleDiscount, SaleLine, Staff, Store, Tender, Terminal
from core.store.stores import get_store
from core.store.terminals import get_terminal
from core.text.i18n import _
from core.tills import limits
from core.tills.basket import LineInput, price_basket
from core.tills.discounts import Discount
from core.tills.receipt_refs import barcode
from core.tills.receipts import load_sale
from core.tills.sessions import check_drawer_limit, ensure_session, expected_cash


@frozen
class SaleResult:
    """A recorded sale or refund, the session it went to, and the change to hand back."""

    sale: Sale
    session_id: int | None
    session_auto_opened: bool
    change: int


def _tenders(db: Db) -> dict[str, Tender]:
    return {r["id"]: Tender.from_row(r) for r in db.all("SELECT * FROM tenders")}


def quote(
    db: Db, store: Store, total: int, entries: Sequence[TenderInput], refund: bool = False
) -> Allocation:
    """Settle a total without recording anything: change and rounding as typed."""
    return allocate(
        total,
        entries,
        _tenders(db),
        store.cash_rounding,
        store.currency,
        store.locale,
        refund=refund,
        max_change=limits.max_change(store),
    )


def record_sale(
    db: Db,
    actor: Staff,
    terminal_id: str,
    lines: Sequence[LineInput],
    payments: Sequence[TenderInput],
    customer_id: str | None = None,
    *,
    basket_discount: Discount | None = None,
) -> SaleResult:
    """Ring up a sale: one transaction with its lines, payments, stock and audit entry."""
    with db.write():
        require(actor, "sale")
        terminal = get_terminal(db, terminal_id)
        store = get_store(db, terminal.store_id)
        if customer_id:
            get_customer(db, customer_id)
        basket = price_basket(db, actor, store.id, lines, basket_discount)
        alloc = quote(db, store, basket.total, payments)
        return commit_sale(
            db,
            actor,
            terminal,
            store,
            "sale",
            basket.lines,
            alloc,
            customer_id,
            None,
            discounts=basket.discounts,
        )


def commit_sale(
    db: Db,
    actor: Staff,
    terminal: Terminal,
    store: Store,
    kind: str,
    lines: list[SaleLine],
    alloc: Allocation,
    customer_id: str | None,
    original_id: int | None,
    *,
    discounts: Sequence[SaleDiscount] = (),
    approver: Staff | None = None,
) -> SaleResult:
    """Write a priced sale or refund inside the caller's transaction: receipt number,
    lines, payments, discounts, stock, its receipt's print job and the audit entry."""
    terminal_id = terminal.id
    session_id, auto = ensure_session(db, actor, terminal, store)
    if kind == "sale" and not auto:  # K-2 (a session opened just now has no drop yet)
        check_drawer_limit(db, session_id, store)
    cash_out = -sum(p.amount for p in alloc.payments if p.is_cash and p.amount < 0)
    if cash_out and session_id is not None:
        in_drawer = expected_cash(db, session_id)
        if cash_out > in_drawer:
            fmt = lambda m: money.format_amount(m, store.currency, store.locale)  # noqa: E731
            raise InputError(
                _(
                    "The drawer should hold {held}; it cannot pay out {amount} in "
                    "cash. Add cash first or refund to another payment type."
                ).format(held=fmt(in_drawer), amount=fmt(cash_out))
            )
    receipt_no = db.scalar(
        "UPDATE terminals SET last_receipt_no = last_receipt_no + 1 WHERE id = ?"
        " RETURNING last_receipt_no",
        (terminal_id,),
    )
    now = db.now_iso()
    total = sum(ln.line_total for ln in lines)
    vat_total = sum(ln.vat_amount for ln in lines)
    sale_id = db.insert(
        "sales",
        {
            "uid": uuid.uuid4().hex,
            "kind": kind,
            "store_id": store.id,
            "terminal_id": terminal_id,
            "receipt_no": receipt_no,
            "session_id": session_id,
            "staff_id": actor.id,
            "customer_id": customer_id,
            "original_sale_id": original_id,
            "created_at": now,
            "currency": store.currency,
            "total": total,
            "rounding": alloc.rounding,
            "vat_total": vat_total,
            "change_given": alloc.change,
        },
    )
    db.executemany(
        "INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price, discount,"
        " line_total, vat_rate, vat_amount, original_line_id, unit)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                sale_id,
                ln.line_no,
                ln.sku,
                ln.name,
                ln.qty,
                ln.unit_price,
                ln.discount,
                ln.line_total,
                ln.vat_rate,
                ln.vat_amount,
                ln.original_line_id,
                ln.unit,
            )
            for ln in lines
        ],
    )
    db.executemany(
        "INSERT INTO payments (sale_id, session_id, tender_id, is_cash, amount, tendered)"
        " VALUES (?,?,?,?,?,?)",
        [
            (sale_id, session_id, p.tender_id, int(p.is_cash), p.amount, p.tendered)
            for p in alloc.payments
        ],
    )
    if discounts:
        db.executemany(
            "INSERT INTO sale_discounts (sale_id, line_no, kind, value, amount, reason, approved_by)"
            " VALUES (?,?,?,?,?,?,?)",
            [
                (sale_id, d.line_no, d.kind, d.value, d.amount, d.reason, d.approved_by)
                for d in discounts
            ],
        )
    stock: dict[str, int] = {}
    for ln in lines:
        stock[ln.sku] = stock.get(ln.sku, 0) - ln.qty
    db.executemany(
        "INSERT INTO inventory (store_id, sku, on_hand) VALUES (?, ?, ?)"
        " ON CONFLICT(store_id, sku) DO UPDATE SET on_hand = inventory.on_hand + excluded.on_hand",
        [(store.id, sku, delta) for sku, delta in stock.items()],
    )
    db.executemany(
        "INSERT INTO inventory_movements (store_id, sku, qty, reason, sale_id, created_at)"
        " VALUES (?,?,?,?,?,?)",
        [(store.id, sku, delta, kind, sale_id, now) for sku, delta in stock.items() if delta],
    )
    sale = load_sale(db, sale_id)
    # Queued before the entry, so the entry covers the receipt's job too.
    print_sources.queue_receipt(db, sale)  # commits with the sale or not at all
    audit.append(
        db,
        kind,
        staff_id=actor.id,
        terminal_id=terminal_id,
        entity="sale",
        entity_id=sale_id,
        amount=total,
        details={
            "receipt": receipt_no,
            "lines": len(lines),
            "session": session_id,
            "payments": {p.tender_id: p.amount for p in alloc.payments},
            "rounding": alloc.rounding,
            "change": alloc.change,
            **_audit_extras(db, original_id, discounts, approver),
        },
    )
    return SaleResult(sale, session_id, auto, alloc.change)


def _audit_extras(
    db: Db, original_id: int | None, discounts: Sequence[SaleDiscount], approver: Staff | None
) -> dict:
    extras: dict = {}
    if original_id is not None:
        o = db.one("SELECT terminal_id, receipt_no FROM sales WHERE id = ?", (original_id,))
        extras["original"] = barcode(o["terminal_id"], o["receipt_no"])
    if discounts:
        extras["discounts"] = [
            {
                "line": d.line_no,
                "kind": d.kind,
                "value": d.value,
                "amount": d.amount,
                "reason": d.reason,
                "approved_by": d.approved_by,
            }
            for d in discounts
        ]
    if approver is not None:
        extras["approved_by"] = approver.id
    return extras
