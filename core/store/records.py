"""Domain records: frozen attrs classes built from rows by ``from_row``.

Amounts are ints in the currency's minor unit (M-1). A record is a snapshot
read inside one transaction; the services in core/ are what change the data.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from attrs import field, frozen

PERMISSIONS = (
    "sale",
    "refund",
    "refund.no_receipt",
    "discount",
    "session.open",
    "session.adjust",
    "session.close",
    "drawer.no_sale",
    "sessions.view",
    "sessions.history",
    "reports.view",
    "statements.manage",
    "config.manage",
    "kiosk.exit",
    "safe.manage",
    "cash.expected",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "cashier": (
        "sale",
        "refund",
        "discount",
        "session.open",
        "session.adjust",
        "session.close",
        "sessions.view",
    ),
    "supervisor": (
        "sale",
        "refund",
        "refund.no_receipt",
        "discount",
        "session.open",
        "session.adjust",
        "session.close",
        "drawer.no_sale",
        "sessions.view",
        "sessions.history",
        "reports.view",
        "kiosk.exit",
        "safe.manage",
        "cash.expected",
    ),
    "manager": PERMISSIONS,
}


def _column(row: sqlite3.Row, name: str) -> Any:
    """A column added by a later migration: None while an older database is migrated."""
    try:
        return row[name]
    except IndexError:
        return None


@frozen
class Store:
    id: str
    name: str
    address: str
    vat_number: str
    currency: str
    timezone: str
    locale: str
    track_cash: bool
    cash_rounding: int
    default_customer_id: str | None
    end_of_business_day: str
    post_as_business_day: bool
    statement_method: str
    split_by_statement_method: bool
    max_posting_difference: int
    drawer_limit: int | None
    min_pin_length: int = 4
    # C-7 amount limits; None: the default from the currency (core.tills.limits)
    max_change: int | None = None
    max_adjustment: int | None = None
    # K-2: the drawer limit stops the next sale until a safe drop; K-3: blind close
    drawer_limit_required: bool = False
    blind_close: bool = False
    scale_labels: str = ""  # K-8: the layout of the shop's scale labels (core.catalog.scale_labels)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Store:
        return cls(
            id=row["id"],
            name=row["name"],
            address=row["address"],
            vat_number=row["vat_number"],
            currency=row["currency"],
            timezone=row["timezone"],
            locale=row["locale"],
            track_cash=bool(row["track_cash"]),
            cash_rounding=row["cash_rounding"],
            default_customer_id=row["default_customer_id"],
            end_of_business_day=row["end_of_business_day"],
            post_as_business_day=bool(row["post_as_business_day"]),
            statement_method=row["statement_method"],
            split_by_statement_method=bool(row["split_by_statement_method"]),
            max_posting_difference=row["max_posting_difference"],
            drawer_limit=row["drawer_limit"],
            # sqlite3.Row: `in` looks at values; keys() at column names (a pre-m010 row)
            min_pin_length=row["min_pin_length"] if "min_pin_length" in row.keys() else 4,  # noqa: SIM118
            max_change=_column(row, "max_change"),
            max_adjustment=_column(row, "max_adjustment"),
            drawer_limit_required=bool(_column(row, "drawer_limit_required")),
            blind_close=bool(_column(row, "blind_close")),
            scale_labels=_column(row, "scale_labels") or "",
        )


@frozen
class Terminal:
    id: str
    store_id: str
    name: str
    printer: dict[str, Any] = field(eq=False)
    last_receipt_no: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Terminal:
        return cls(
            id=row["id"],
            store_id=row["store_id"],
            name=row["name"],
            printer=json.loads(row["printer"]),
            last_receipt_no=row["last_receipt_no"],
        )


@frozen
class Tender:
    id: str
    name: str
    is_cash: bool
    counted_at_close: bool
    sort_order: int
    active: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Tender:
        return cls(
            id=row["id"],
            name=row["name"],
            is_cash=bool(row["is_cash"]),
            counted_at_close=bool(row["counted_at_close"]),
            sort_order=row["sort_order"],
            active=bool(row["active"]),
        )


@frozen
class Staff:
    id: str
    name: str
    role: str
    permissions: frozenset[str]
    active: bool

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Staff:
        return cls(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            permissions=frozenset(p for p in row["permissions"].split() if p),
            active=bool(row["active"]),
        )


@frozen
class Customer:
    id: str
    name: str
    email: str
    phone: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Customer:
        return cls(id=row["id"], name=row["name"], email=row["email"], phone=row["phone"])


@frozen
class Item:
    sku: str
    name: str
    price: int | None  # in ``currency``; None: not sold there (no price in it, R-7)
    vat_rate: int
    barcode: str | None
    active: bool
    currency: str | None = None  # the store's currency the price is in
    # K-8: sold by the piece, or by kg, g, l, m (price per unit; core.money.quantity)
    unit: str = "pcs"
    scale_code: str | None = None  # the item code on its scale labels (core.catalog.scale_labels)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Item:
        return cls(
            sku=row["sku"],
            name=row["name"],
            price=row["price"],
            currency=row["currency"],
            vat_rate=row["vat_rate"],
            barcode=row["barcode"],
            active=bool(row["active"]),
            unit=_column(row, "unit") or "pcs",
            scale_code=_column(row, "scale_code"),
        )


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

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CashAdjustment:
        return cls(
            id=row["id"],
            session_id=row["session_id"],
            kind=row["kind"],
            amount=row["amount"],
            note=row["note"],
            staff_id=row["staff_id"],
            staff_name=row["staff_name"],
            created_at=row["created_at"],
        )


@frozen
class SessionRow:
    """A sessions row as stored; figures derived from sales are in SessionDetails."""

    id: int
    terminal_id: str
    store_id: str
    status: str
    opened_at: str
    opened_by: str
    opened_auto: bool
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

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionRow:
        return cls(
            id=row["id"],
            terminal_id=row["terminal_id"],
            store_id=row["store_id"],
            status=row["status"],
            opened_at=row["opened_at"],
            opened_by=row["opened_by"],
            opened_auto=bool(row["opened_auto"]),
            opening_float=row["opening_float"],
            open_note=row["open_note"],
            previous_session_id=row["previous_session_id"],
            previous_left=row["previous_left"],
            closed_at=row["closed_at"],
            closed_by=row["closed_by"],
            expected_cash=row["expected_cash"],
            counted_cash=row["counted_cash"],
            left_in_drawer=row["left_in_drawer"],
            cash_removed=row["cash_removed"],
            close_note=row["close_note"],
        )


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
    unit: str = "pcs"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SaleLine:
        return cls(
            id=row["id"],
            line_no=row["line_no"],
            sku=row["sku"],
            name=row["name"],
            qty=row["qty"],
            unit_price=row["unit_price"],
            discount=row["discount"],
            line_total=row["line_total"],
            vat_rate=row["vat_rate"],
            vat_amount=row["vat_amount"],
            original_line_id=row["original_line_id"],
            unit=_column(row, "unit") or "pcs",
        )


@frozen
class Payment:
    """A tender's share of a sale: ``amount`` is what the sale keeps (change netted
    out for cash, S-7); ``tendered`` is what the customer handed over."""

    tender_id: str
    is_cash: bool
    amount: int
    tendered: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Payment:
        return cls(
            tender_id=row["tender_id"],
            is_cash=bool(row["is_cash"]),
            amount=row["amount"],
            tendered=row["tendered"],
        )


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
    lines: tuple[SaleLine, ...] = ()
    payments: tuple[Payment, ...] = ()
    discounts: tuple[SaleDiscount, ...] = ()
    original_ref: str | None = None  # a refund's original receipt, as printed ("T1-3")

    @property
    def due(self) -> int:
        """What was settled: the total plus the cash rounding (M-3)."""
        return self.total + self.rounding

    @classmethod
    def from_row(
        cls,
        row: sqlite3.Row,
        lines: tuple[SaleLine, ...] = (),
        payments: tuple[Payment, ...] = (),
        **extra: Any,
    ) -> Sale:
        return cls(
            id=row["id"],
            uid=row["uid"],
            kind=row["kind"],
            store_id=row["store_id"],
            terminal_id=row["terminal_id"],
            receipt_no=row["receipt_no"],
            session_id=row["session_id"],
            staff_id=row["staff_id"],
            customer_id=row["customer_id"],
            original_sale_id=row["original_sale_id"],
            created_at=row["created_at"],
            currency=row["currency"],
            total=row["total"],
            rounding=row["rounding"],
            vat_total=row["vat_total"],
            change_given=row["change_given"],
            lines=lines,
            payments=payments,
            **extra,
        )


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

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SaleDiscount:
        return cls(
            line_no=row["line_no"],
            kind=row["kind"],
            value=row["value"],
            amount=row["amount"],
            reason=row["reason"],
            approved_by=row["approved_by"],
        )
