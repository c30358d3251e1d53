"""Sales and refunds: one write transaction each, with payments, stock and audit.

Shelf prices include VAT (Nordic practice); each line carries the VAT it
contains. A refund stores negative quantities and amounts, so sums over sales
and payments need no sign juggling.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from attrs import evolve, frozen

from core.audit import journal as audit
from core.catalog import prices
from core.catalog.items import inactive, item_sql
from core.errors import InputError, NotFound
from core.money import amounts as money
from core.money import quantity
from core.money.tendering import Allocation, TenderInput, allocate
from core.printing import sources as print_sources
from core.staff.auth import require, require_or_approved
from core.store.config import get_customer, get_store, get_terminal
from core.store.db import Db
from core.store.records import (
    Item,
    Payment,
    Sale,
    SaleDiscount,
    SaleLine,
    Staff,
    Store,
    Tender,
    Terminal,
)
from core.text.i18n import _
from core.tills import discounts as discount_rules
from core.tills import limits
from core.tills.discounts import Discount, check_limit, role_limit
from core.tills.receipt_refs import ReceiptRef, barcode, parse_receipt_ref
from core.tills.sessions import check_drawer_limit, ensure_session, expected_cash

MAX_QTY = 9999


@frozen
class LineInput:
    """A basket line as typed: SKU (or barcode), quantity, optional line discount."""

    sku: str
    qty: int = 1
    discount: Discount | None = None


@frozen
class PricedBasket:
    """A basket as it will be paid: lines net of every discount, and the discounts given."""

    lines: list[SaleLine]
    discounts: list[SaleDiscount]

    @property
    def total(self) -> int:
        return sum(ln.line_total for ln in self.lines)

    @property
    def basket_discount(self) -> int:
        return sum(d.amount for d in self.discounts if d.line_no is None)


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
        if code not in found:
            raise NotFound(_("No item with SKU or barcode {code}.").format(code=code))
        if not found[code].active:  # K-7: made inactive, no longer sold; said so by name
            raise inactive(found[code])
    for code in codes:  # in basket order: the first unpriced line is the one named
        if found[code].price is None:
            raise prices.no_price(found[code], get_store(db, store_id))
    return found


def check_qty(qty: int, unit: str = quantity.PIECES) -> None:
    """A line's quantity in its unit's step (K-8: thousandths of a measured unit).

    A float (2.5 from a scale, 2.0 from a parser) would reach the money columns (M-1)."""
    quantity.check(qty, unit)


def price_lines(
    db: Db,
    actor: Staff | None,
    store_id: str,
    lines: Sequence[LineInput],
    basket_discount: Discount | None = None,
) -> list[SaleLine]:
    """Price a basket from the catalog (no writes): the sale screen shows this."""
    return price_basket(db, actor, store_id, lines, basket_discount).lines


def price_basket(
    db: Db,
    actor: Staff | None,
    store_id: str,
    lines: Sequence[LineInput],
    basket_discount: Discount | None = None,
) -> PricedBasket:
    """The one place a sale's money is computed (C-5): shelf price x quantity, less the
    line's own discount, less its share of the basket discount; VAT from what is left.

    With an ``actor``, every discount is checked against the permission and the role
    limit of whoever gave it (the actor, or the approver of an override), and the
    sale's discounts together against the largest limit among them.
    """
    if not lines:
        raise InputError(_("The basket is empty."))
    items = _items(db, store_id, [ln.sku for ln in lines])
    gross, own, given = [], [], []
    authorizers: dict[str, Staff] = {}
    for n, ln in enumerate(lines, start=1):
        item = items[ln.sku]
        check_qty(ln.qty, item.unit)
        line_gross = quantity.gross(ln.qty, item.price, item.unit)
        off = 0
        if ln.discount is not None:
            off = _discount_amount(db, actor, ln.discount, line_gross, authorizers)
            given.append(_given(n, ln.discount, off))
        gross.append(line_gross)
        own.append(off)
    nets = [g - d for g, d in zip(gross, own, strict=True)]
    shares = [0] * len(nets)
    if basket_discount is not None:
        off = _discount_amount(db, actor, basket_discount, sum(nets), authorizers)
        shares = discount_rules.allocate(off, nets)
        given.append(_given(None, basket_discount, off))
    if authorizers:
        # Stacked discounts count together: within the largest limit among who gave them.
        best = max(authorizers.values(), key=lambda who: role_limit(db, who.role))
        check_limit(db, best, sum(own) + sum(shares), sum(gross))
    priced = []
    for n, ln in enumerate(lines, start=1):
        item = items[ln.sku]
        discount = own[n - 1] + shares[n - 1]
        total = gross[n - 1] - discount
        priced.append(
            SaleLine(
                n,
                item.sku,
                item.name,
                ln.qty,
                item.price,
                discount,
                total,
                item.vat_rate,
                money.vat_from_gross(total, item.vat_rate),
                unit=item.unit,
            )
        )
    return PricedBasket(priced, given)


def _discount_amount(
    db: Db, actor: Staff | None, d: Discount, base: int, authorizers: dict[str, Staff]
) -> int:
    discount_rules.check(d)
    amount = d.amount_of(base)
    if amount > base:
        raise InputError(_("A discount must be between 0 and the line amount."))
    if actor is not None:
        require_or_approved(actor, "discount", d.approver)
        who = d.approver or actor
        check_limit(db, who, amount, base, d.value if d.kind == discount_rules.PERCENT else None)
        authorizers[who.id] = who
    return amount


def _given(line_no: int | None, d: Discount, amount: int) -> SaleDiscount:
    return SaleDiscount(
        line_no, d.kind, d.value, amount, d.reason, d.approver.id if d.approver else None
    )


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
        return _commit(
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
    discounts: tuple[SaleDiscount, ...] = ()
    if row["kind"] == "sale" and any(ln.discount for ln in lines):  # most sales have none
        discounts = tuple(
            SaleDiscount.from_row(r)
            for r in db.all(
                "SELECT * FROM sale_discounts WHERE sale_id = ? ORDER BY line_no IS NULL, line_no",
                (sale_id,),
            )
        )
    original_ref = None
    if row["original_sale_id"] is not None:
        o = db.one(
            "SELECT terminal_id, receipt_no FROM sales WHERE id = ?", (row["original_sale_id"],)
        )
        original_ref = barcode(o["terminal_id"], o["receipt_no"])
    return Sale.from_row(
        row,
        lines=lines,
        payments=tuple(Payment.from_row(p) for p in pays),
        discounts=discounts,
        original_ref=original_ref,
    )


def last_sale(db: Db, terminal_id: str) -> Sale | None:
    row = db.one(
        "SELECT id FROM sales WHERE terminal_id = ? ORDER BY receipt_no DESC LIMIT 1",
        (terminal_id,),
    )
    return load_sale(db, row["id"]) if row else None


# -- refunds ----------------------------------------------------------------------------------


@frozen
class RefundBasis:
    """An original receipt a refund is made against, checked when it is entered (C-3)."""

    ref: ReceiptRef
    sale: Sale
    left: dict[str, int]  # per SKU, the units that can still be refunded

    def lines(self) -> list[LineInput]:
        """Everything still refundable, one line per item: the refund basket to start from."""
        return [LineInput(sku, qty) for sku, qty in self.left.items() if qty > 0]


def _as_ref(receipt: ReceiptRef | tuple[str, int]) -> ReceiptRef:
    return receipt if isinstance(receipt, ReceiptRef) else ReceiptRef(*receipt)


def find_receipt(db: Db, ref: ReceiptRef) -> Sale:
    """The sale a reference names; a terminal id typed in the wrong case still finds it."""
    row = db.one(
        "SELECT s.id FROM sales s JOIN terminals t ON t.id = s.terminal_id"
        " WHERE s.receipt_no = ? AND t.id = ? COLLATE NOCASE"
        " ORDER BY t.id = ? DESC LIMIT 1",
        (ref.number, ref.terminal_id, ref.terminal_id),
    )
    if row is None:
        raise NotFound(
            _("No receipt {n} on terminal {terminal}: check the number under the barcode.").format(
                n=ref.number, terminal=ref.terminal_id
            )
        )
    return load_sale(db, row["id"])


def refund_basis(
    db: Db, terminal_id: str, receipt: str | ReceiptRef | tuple[str, int]
) -> RefundBasis:
    """Check a receipt a refund is to be made against, as the cashier enters it: it must
    exist, be a sale of this terminal's store, and have something left to refund."""
    terminal = get_terminal(db, terminal_id)
    ref = parse_receipt_ref(receipt, terminal_id) if isinstance(receipt, str) else _as_ref(receipt)
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
    done = _refunded(db, original)
    left_qty = {ol.id: ol.qty - done.get(ol.id, (0, 0))[0] for ol in original.lines}
    left_amount = {ol.id: ol.line_total - done.get(ol.id, (0, 0))[1] for ol in original.lines}
    start_left = {sku: sum(left_qty[ol.id] for ol in ols) for sku, ols in by_sku.items()}
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
                    money.vat_from_gross(-amount, ol.vat_rate),
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
                    vat_amount=money.vat_from_gross(total, ln.vat_rate),
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
            basis = refund_basis(db, terminal_id, _as_ref(receipt))
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
        return _commit(
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
    *,
    discounts: Sequence[SaleDiscount] = (),
    approver: Staff | None = None,
) -> SaleResult:
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
        " ON CONFLICT(store_id, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
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


def _refunded(db: Db, original: Sale) -> dict[int, tuple[int, int]]:
    """Per original line id, the units and the amount already refunded (one query)."""
    rows = db.all(
        "SELECT r.original_line_id AS id, -SUM(r.qty) AS q, -SUM(r.line_total) AS a"
        " FROM sale_lines o JOIN sale_lines r ON r.original_line_id = o.id"
        " WHERE o.sale_id = ? GROUP BY r.original_line_id",
        (original.id,),
    )
    return {r["id"]: (r["q"], r["a"]) for r in rows}


def refundable(db: Db, original: Sale) -> dict[str, int]:
    """Per SKU, how many of the original receipt's units can still be refunded."""
    done = _refunded(db, original)
    left: dict[str, int] = {}
    for ol in original.lines:
        left[ol.sku] = left.get(ol.sku, 0) + ol.qty - done.get(ol.id, (0, 0))[0]
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
    return _refund_lines(db, find_receipt(db, _as_ref(receipt)), lines)


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
    groups = _refund_groups(db, find_receipt(db, _as_ref(receipt)), lines)
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
