"""A basket priced from the catalog: the one place a sale's money is computed (C-5).

Shelf prices include VAT (Nordic practice); each line carries the VAT it contains.
Nothing here writes: the sale screen prices as the cashier types, record_sale again.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from core.catalog import prices
from core.catalog.items import inactive, item_sql
from core.errors import InputError, NotFound
from core.money import quantity, rounding
from core.staff.auth import require_or_approved
from core.store.db import Db
from core.store.records import Item, SaleDiscount, SaleLine, Staff
from core.store.stores import get_store
from core.text.i18n import _
from core.tills import discounts as discount_rules
from core.tills.discounts import Discount, check_limit, role_limit

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
                rounding.vat_from_gross(total, item.vat_rate),
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
