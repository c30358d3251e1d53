"""Sales and refunds: one write transaction each, with payments, stock and audit.

Shelf prices include VAT (Nordic practice); each line carries the VAT it
contains. A refund stores negative quantities and amounts, so sums over sales
and payments need no sign juggling.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from attrs import frozen

from core import audit, limits, money
from core.auth import require
from core.catalog import item_sql
from core.config import get_customer, get_store, get_terminal
from core.db import Db
from core.errors import InputError, NotFound
from core.i18n import _
from core.model import Item, Payment, Sale, SaleLine, Staff, Store, Tender, Terminal
from core.sessions import ensure_session, expected_cash
from core.tendering import Allocation, TenderInput, allocate

MAX_QTY = 9999


@frozen
class LineInput:
    """A basket line as typed: SKU (or barcode), quantity, optional line discount."""

    sku: str
    qty: int = 1
    discount: int = 0


@frozen
class SaleResult:
    sale: Sale
    session_id: int | None
    session_auto_opened: bool
    change: int


def _tenders(db: Db) -> dict[str, Tender]:
    return {r["id"]: Tender.from_row(r) for r in db.all("SELECT * FROM tenders")}


def _items(db: Db, store_id: str, codes: Sequence[str]) -> dict[str, Item]:
    unique = sorted(set(codes))
    marks = ",".join("?" for _ in unique)
    rows = db.all(
        item_sql(f"i.sku IN ({marks}) OR i.barcode IN ({marks})"), (store_id, *unique, *unique)
    )
    found: dict[str, Item] = {}
    for row in rows:
        item = Item.from_row(row)
        found[item.sku] = item
        if item.barcode:
            found[item.barcode] = item
    for code in unique:
        if code not in found or not found[code].active:
            raise NotFound(_("No item with SKU or barcode {code}.").format(code=code))
    return found


def check_qty(qty: int) -> None:
    # A float (2.5 from a scale, 2.0 from a parser) would reach the money columns (M-1).
    if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= MAX_QTY:
        raise InputError(_("Quantity must be a whole number from 1 to {max}.").format(max=MAX_QTY))


def price_lines(
    db: Db, actor: Staff | None, store_id: str, lines: Sequence[LineInput]
) -> list[SaleLine]:
    """Price a basket from the catalog (no writes): the sale screen shows this."""
    if not lines:
        raise InputError(_("The basket is empty."))
    items = _items(db, store_id, [ln.sku for ln in lines])
    priced = []
    for n, ln in enumerate(lines, start=1):
        check_qty(ln.qty)
        item = items[ln.sku]
        gross = ln.qty * item.price
        if ln.discount < 0 or ln.discount > gross:
            raise InputError(_("A discount must be between 0 and the line amount."))
        if ln.discount and actor is not None:
            require(actor, "discount")
        total = gross - ln.discount
        priced.append(
            SaleLine(
                n,
                item.sku,
                item.name,
                ln.qty,
                item.price,
                ln.discount,
                total,
                item.vat_rate,
                money.vat_from_gross(total, item.vat_rate),
            )
        )
    return priced


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
) -> SaleResult:
    """Ring up a sale: one transaction with its lines, payments, stock and audit entry."""
    with db.write():
        require(actor, "sale")
        terminal = get_terminal(db, terminal_id)
        store = get_store(db, terminal.store_id)
        if customer_id:
            get_customer(db, customer_id)
        priced = price_lines(db, actor, store.id, lines)
        total = sum(ln.line_total for ln in priced)
        alloc = quote(db, store, total, payments)
        return _commit(db, actor, terminal, store, "sale", priced, alloc, customer_id, None)


def find_sale(db: Db, terminal_id: str, receipt_no: int) -> Sale:
    row = db.one(
        "SELECT * FROM sales WHERE terminal_id = ? AND receipt_no = ?", (terminal_id, receipt_no)
    )
    if row is None:
        raise NotFound(
            _("No receipt {n} on terminal {terminal}.").format(n=receipt_no, terminal=terminal_id)
        )
    return load_sale(db, row["id"])


def load_sale(db: Db, sale_id: int) -> Sale:
    row = db.one("SELECT * FROM sales WHERE id = ?", (sale_id,))
    if row is None:
        raise NotFound(_("No sale {id}.").format(id=sale_id))
    lines = tuple(
        SaleLine.from_row(r)
        for r in db.all("SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale_id,))
    )
    pays = db.all("SELECT * FROM payments WHERE sale_id = ? ORDER BY id", (sale_id,))
    return Sale.from_row(row, lines, tuple(Payment.from_row(p) for p in pays))


def last_sale(db: Db, terminal_id: str) -> Sale | None:
    row = db.one(
        "SELECT id FROM sales WHERE terminal_id = ? ORDER BY receipt_no DESC LIMIT 1",
        (terminal_id,),
    )
    return load_sale(db, row["id"]) if row else None


def _refund_lines(db: Db, original: Sale, lines: Sequence[LineInput]) -> list[SaleLine]:
    """Lines refunded against an original receipt: never more than was sold, at its price."""
    wanted: dict[str, int] = {}
    for ln in lines:
        check_qty(ln.qty)
        if ln.discount:
            raise InputError(_("A refund takes the original receipt's prices; no discount."))
        wanted[ln.sku] = wanted.get(ln.sku, 0) + ln.qty
    by_sku: dict[str, list[SaleLine]] = {}
    for ol in original.lines:
        by_sku.setdefault(ol.sku, []).append(ol)
        # A scanned barcode counts as its SKU, also beside the same item typed by SKU.
        item_barcode = db.scalar("SELECT barcode FROM items WHERE sku = ?", (ol.sku,))
        if item_barcode in wanted and item_barcode != ol.sku:
            wanted[ol.sku] = wanted.get(ol.sku, 0) + wanted.pop(item_barcode)
    out: list[SaleLine] = []
    for sku, qty in wanted.items():
        if sku not in by_sku:
            raise InputError(_("Receipt {n} has no {sku}.").format(n=original.receipt_no, sku=sku))
        remaining_qty = qty
        for ol in by_sku[sku]:
            done = db.one(
                "SELECT COALESCE(-SUM(qty), 0) AS q, COALESCE(-SUM(line_total), 0) AS a"
                " FROM sale_lines WHERE original_line_id = ?",
                (ol.id,),
            )
            left_qty = ol.qty - done["q"]
            take = min(left_qty, remaining_qty)
            if take <= 0:
                continue
            left_amount = ol.line_total - done["a"]
            amount = left_amount if take == left_qty else ol.line_total * take // ol.qty
            discount = take * ol.unit_price - amount
            out.append(
                SaleLine(
                    len(out) + 1,
                    sku,
                    ol.name,
                    -take,
                    ol.unit_price,
                    -discount,
                    -amount,
                    ol.vat_rate,
                    money.vat_from_gross(-amount, ol.vat_rate),
                    original_line_id=ol.id,
                )
            )
            remaining_qty -= take
        if remaining_qty:
            sold = sum(ol.qty for ol in by_sku[sku])
            raise InputError(
                _(
                    "Receipt {n} sold {sold} x {sku}; only {left} of them can still be refunded."
                ).format(n=original.receipt_no, sold=sold, sku=sku, left=qty - remaining_qty)
            )
    return out


def record_refund(
    db: Db,
    actor: Staff,
    terminal_id: str,
    lines: Sequence[LineInput],
    payments: Sequence[TenderInput],
    *,
    receipt: tuple[str, int] | None = None,
    customer_id: str | None = None,
) -> SaleResult:
    """Refund against an original receipt (terminal, number), or without one (permission)."""
    with db.write():
        require(actor, "refund")
        terminal = get_terminal(db, terminal_id)
        store = get_store(db, terminal.store_id)
        original_id = None
        if receipt is not None:
            original = find_sale(db, *receipt)
            if original.kind != "sale":
                raise InputError(_("Receipt {n} is itself a refund.").format(n=receipt[1]))
            if original.store_id != store.id:
                raise InputError(_("Receipt {n} belongs to another store.").format(n=receipt[1]))
            priced = _refund_lines(db, original, lines)
            original_id = original.id
            customer_id = customer_id or original.customer_id
        else:
            require(actor, "refund.no_receipt")
            priced = _returned(price_lines(db, None, store.id, lines))
        if customer_id:
            get_customer(db, customer_id)
        payout = -sum(ln.line_total for ln in priced)
        alloc = quote(db, store, payout, payments, refund=True)
        return _commit(
            db, actor, terminal, store, "refund", priced, alloc, customer_id, original_id
        )


def _commit(
    db: Db,
    actor: Staff,
    terminal: Terminal,
    store: Store,
    kind: str,
    lines: list[SaleLine],
    alloc: Allocation,
    customer_id: str | None,
    original_id: int | None,
) -> SaleResult:
    terminal_id = terminal.id
    session_id, auto = ensure_session(db, actor, terminal, store)
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
        " line_total, vat_rate, vat_amount, original_line_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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
    stock: dict[str, int] = {}
    for ln in lines:
        stock[ln.sku] = stock.get(ln.sku, 0) - ln.qty
    db.executemany(
        "INSERT INTO inventory (store_id, sku, on_hand) VALUES (?, ?, ?)"
        " ON CONFLICT(store_id, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
        [(store.id, sku, delta) for sku, delta in stock.items()],
    )
    db.executemany(
        "INSERT INTO inventory_movements (store_id, sku, qty, reason, sale_id, created_at)"
        " VALUES (?,?,?,?,?,?)",
        [(store.id, sku, delta, kind, sale_id, now) for sku, delta in stock.items() if delta],
    )
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
        },
    )
    return SaleResult(load_sale(db, sale_id), session_id, auto, alloc.change)


def refundable(db: Db, original: Sale) -> dict[str, int]:
    """Per SKU, how many of the original receipt's units can still be refunded."""
    left: dict[str, int] = {}
    for ol in original.lines:
        done = db.scalar(
            "SELECT COALESCE(-SUM(qty), 0) FROM sale_lines WHERE original_line_id = ?", (ol.id,)
        )
        left[ol.sku] = left.get(ol.sku, 0) + ol.qty - done
    return left


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
        )
        for ln in sold
    ]


def preview_refund(
    db: Db, store_id: str, lines: Sequence[LineInput], receipt: tuple[str, int] | None
) -> list[SaleLine]:
    """The refund lines as record_refund would price them, without recording anything."""
    if receipt is None:
        return _returned(price_lines(db, None, store_id, lines))
    return _refund_lines(db, find_sale(db, *receipt), lines)
