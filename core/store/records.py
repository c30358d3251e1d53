"""Domain records: frozen attrs classes built from rows by ``from_row`` (core.store.rows).

Amounts are ints in the currency's minor unit (M-1). A record is a snapshot
read inside one transaction; the services in core/ are what change the data.
"""

from __future__ import annotations

import json
from typing import Any

from attrs import frozen

from core.store.rows import column, from_rows, given


def _permission_set(stored: str) -> frozenset[str]:
    return frozenset(stored.split())


def _or_empty(text: str | None) -> str:
    return text or ""


def _or_pcs(unit: str | None) -> str:
    return unit or "pcs"


@from_rows
@frozen
class Store:
    id: str
    name: str
    address: str
    vat_number: str
    currency: str
    timezone: str
    locale: str
    track_cash: bool = column(convert=bool)
    cash_rounding: int
    default_customer_id: str | None
    end_of_business_day: str
    post_as_business_day: bool = column(convert=bool)
    statement_method: str
    split_by_statement_method: bool = column(convert=bool)
    max_posting_difference: int
    drawer_limit: int | None
    # The optional columns came with later migrations: a row read while an older
    # database is migrated has none of them yet.
    min_pin_length: int = column(optional=True, default=4)
    # C-7 amount limits; None: the default from the currency (core.tills.limits)
    max_change: int | None = column(optional=True, default=None)
    max_adjustment: int | None = column(optional=True, default=None)
    # K-2: the drawer limit stops the next sale until a safe drop; K-3: blind close
    drawer_limit_required: bool = column(convert=bool, optional=True, default=False)
    blind_close: bool = column(convert=bool, optional=True, default=False)
    # K-8: the layout of the shop's scale labels (core.catalog.scale_labels)
    scale_labels: str = column(convert=_or_empty, optional=True, default="")


@from_rows
@frozen
class Terminal:
    id: str
    store_id: str
    name: str
    printer: dict[str, Any] = column(convert=json.loads, eq=False)
    last_receipt_no: int


@from_rows
@frozen
class Tender:
    id: str
    name: str
    is_cash: bool = column(convert=bool)
    counted_at_close: bool = column(convert=bool)
    sort_order: int
    active: bool = column(convert=bool)


@from_rows
@frozen
class Staff:
    id: str
    name: str
    role: str
    permissions: frozenset[str] = column(convert=_permission_set)  # stored space-separated
    active: bool = column(convert=bool)

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@from_rows
@frozen
class Customer:
    id: str
    name: str
    email: str
    phone: str


@from_rows
@frozen
class Item:
    sku: str
    name: str
    price: int | None  # in ``currency``; None: not sold there (no price in it, R-7)
    vat_rate: int
    barcode: str | None
    active: bool = column(convert=bool)
    currency: str | None = None  # the store's currency the price is in
    # K-8: sold by the piece, or by kg, g, l, m (price per unit; core.money.quantity)
    unit: str = column(convert=_or_pcs, optional=True, default="pcs")
    # the item code on its scale labels (core.catalog.scale_labels)
    scale_code: str | None = column(optional=True, default=None)


@from_rows
@frozen
class CashAdjustment:
    id: int
    session_id: int
    kind: str
    amount: int
    note: str
    staff_id: str
    staff_name: str
    created_at: str

    @property
    def signed(self) -> int:
        return self.amount if self.kind == "add" else -self.amount


@from_rows
@frozen
class SessionRow:
    """A sessions row as stored; figures derived from sales are in SessionDetails."""

    id: int
    terminal_id: str
    store_id: str
    status: str
    opened_at: str
    opened_by: str
    opened_auto: bool = column(convert=bool)
    opening_float: int
    open_note: str
    previous_session_id: int | None
    previous_left: int | None
    closed_at: str | None
    closed_by: str | None
    expected_cash: int | None
    counted_cash: int | None
    left_in_drawer: int | None
    cash_removed: int | None
    close_note: str

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    # A-3 is the view session_discrepancies (core/store/migrations/m019.py); these are its
    # columns for a row already read, so one session's screen needs no second query.
    # tests/core/test_expected_cash.py checks that both agree.

    @property
    def opening_discrepancy(self) -> int | None:
        """The view's ``opening_discrepancy``: None for a terminal's first session."""
        if self.previous_left is None:
            return None
        return self.opening_float - self.previous_left

    @property
    def closing_discrepancy(self) -> int | None:
        """The view's ``closing_discrepancy``: None while the session is open."""
        if self.counted_cash is None or self.expected_cash is None:
            return None
        return self.counted_cash - self.expected_cash


@from_rows
@frozen
class SaleLine:
    line_no: int
    sku: str
    name: str
    qty: int
    unit_price: int
    discount: int
    line_total: int
    vat_rate: int
    vat_amount: int
    id: int | None = None
    original_line_id: int | None = None
    # K-8: qty is in this unit's step (pieces, or thousandths of kg, g, l, m)
    unit: str = column(convert=_or_pcs, optional=True, default="pcs")


@from_rows
@frozen
class Payment:
    """A tender's share of a sale: ``amount`` is what the sale keeps (change netted
    out for cash, S-7); ``tendered`` is what the customer handed over."""

    tender_id: str
    is_cash: bool = column(convert=bool)
    amount: int
    tendered: int


@from_rows
@frozen
class Sale:
    id: int
    uid: str
    kind: str
    store_id: str
    terminal_id: str
    receipt_no: int
    session_id: int | None
    staff_id: str
    customer_id: str | None
    original_sale_id: int | None
    created_at: str
    currency: str
    total: int
    rounding: int
    vat_total: int
    change_given: int
    # given by the caller (core.tills.receipts.load_sale), from their own tables
    lines: tuple[SaleLine, ...] = given(default=())
    payments: tuple[Payment, ...] = given(default=())
    discounts: tuple[SaleDiscount, ...] = given(default=())
    original_ref: str | None = given(default=None)  # a refund's original, as printed ("T1-3")

    @property
    def due(self) -> int:
        """What was settled: the total plus the cash rounding (M-3)."""
        return self.total + self.rounding


@from_rows
@frozen
class SaleDiscount:
    """A discount as given on a sale (C-5): on one line, or on the basket (line_no None).

    ``amount`` is what it took off; a basket discount is also spread over the
    lines' ``discount`` (core.tills.discounts.allocate), so the lines add up to the total.
    """

    line_no: int | None
    kind: str
    value: int
    amount: int
    reason: str
    approved_by: str | None
