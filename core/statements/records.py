"""Records of the retail statements (T-1..T-10): frozen, built from rows.

Amounts are ints in the store currency's minor unit. A line's difference is
counted - transaction amount: positive when more was counted than sold.
"""

from __future__ import annotations

from attrs import frozen

from core.errors import StateError
from core.store.records import Store
from core.store.rows import column, from_rows, given
from core.text.i18n import N_

STATUSES = ("created", "calculated", "posted")
STATUS_LABELS = {"created": N_("created"), "calculated": N_("calculated"), "posted": N_("posted")}
METHOD_LABELS = {
    "total": N_("total"),
    "staff": N_("staff"),
    "terminal": N_("terminal"),
    "shift": N_("shift"),
}


# Stored values shown translated (statuses, methods, transaction kinds).
SHOWN_VALUES = (
    N_("created"),
    N_("calculated"),
    N_("posted"),
    N_("total"),
    N_("staff"),
    N_("terminal"),
    N_("shift"),
    N_("sale"),
    N_("refund"),
)


@from_rows
@frozen
class Statement:
    id: int
    store_id: str
    period_start: str
    period_end: str
    method: str
    split: bool = column(convert=bool)
    split_key: str
    source: str
    status: str
    created_at: str
    created_by: str
    calculated_at: str | None
    calculated_by: str | None
    posted_at: str | None
    posted_by: str | None
    timezone: str | None
    business_day: bool | None = column(convert=bool, nullable=True)
    end_of_business_day: str | None
    transactions: int
    override_reason: str | None

    @property
    def is_posted(self) -> bool:
        return self.status == "posted"


@from_rows
@frozen
class StatementLine:
    """One payment method (in one group: staff member, terminal or shift) of a statement.

    ``declared`` is what the tills' closing counts declared for it (None: nothing
    declared); ``discrepancy`` is those counts minus what the counted sessions
    expected. ``counted`` = transaction amount + discrepancy, unless entered by hand.
    """

    statement_id: int
    group_key: str
    group_label: str = given()  # the staff member's, terminal's or shift's name
    tender_id: str
    tender_name: str
    is_cash: bool = column(convert=bool)
    payments: int
    transaction_amount: int
    declared: int | None
    discrepancy: int
    counted: int
    counted_manual: bool = column(convert=bool)
    counted_by: str | None
    counted_at: str | None
    counted_note: str

    @property
    def difference(self) -> int:
        return self.counted - self.transaction_amount


@from_rows
@frozen
class StatementTransaction:
    """A row of the transactions page (T-3)."""

    sale_id: int = column("id")
    uid: str
    kind: str
    created_at: str
    terminal_id: str
    receipt_no: int
    staff_id: str
    session_id: int | None
    customer_id: str | None
    total: int
    rounding: int

    @property
    def due(self) -> int:
        return self.total + self.rounding


@frozen
class TransactionPage:
    """T-3: the transactions a statement takes (before calculating: will take).

    ``count`` and ``amount`` cover all of them; ``rows`` is one page, by sale id
    after ``after_id`` (keyset paging: pass the last row's sale_id for the next).
    """

    statement_id: int
    taken: bool
    count: int
    amount: int
    rows: tuple[StatementTransaction, ...]


@from_rows
@frozen
class SalesOrder:
    id: int
    number: int
    kind: str
    customer_id: str
    business_date: str | None
    transactions: int
    total: int
    rounding: int
    vat_total: int
    invoice_number: int
    invoice_date: str
    invoice_amount: int


@from_rows
@frozen
class PaymentJournal:
    number: int
    tender_id: str
    payments: int
    amount: int
    counted: int
    difference: int


@frozen
class InventoryJournal:
    """Per SKU, the stock change the statement's sales made (sold: negative,
    refunded: positive). The tills moved the stock already; this is the record."""

    number: int
    skus: int
    qty_out: int  # pieces
    qty_in: int
    # K-8: (unit, out, in) per measured unit, in thousandths of it (core.money.quantity)
    measured: tuple[tuple[str, int, int], ...] = ()


@frozen
class StatementDetails:
    statement: Statement
    store: Store
    names: dict[str, str]
    lines: tuple[StatementLine, ...]
    session_ids: tuple[int, ...]
    orders: tuple[SalesOrder, ...]
    payment_journals: tuple[PaymentJournal, ...]
    inventory_journal: InventoryJournal | None

    @property
    def transaction_total(self) -> int:
        return sum(ln.transaction_amount for ln in self.lines)

    @property
    def counted_total(self) -> int:
        return sum(ln.counted for ln in self.lines)

    @property
    def difference_total(self) -> int:
        return self.counted_total - self.transaction_total

    @property
    def over_limit(self) -> tuple[StatementLine, ...]:
        """Lines whose difference exceeds the store's maximum posting difference (T-6)."""
        limit = self.store.max_posting_difference
        return tuple(ln for ln in self.lines if abs(ln.difference) > limit)

    def name(self, staff_id: str | None) -> str:
        return "" if staff_id is None else self.names.get(staff_id, staff_id)


class OpenSessionsError(StateError):
    """T-9: sessions in the period are still open; ``sessions`` names them."""

    def __init__(self, message: str, sessions: tuple[tuple[int, str, str], ...]) -> None:
        super().__init__(message)
        self.sessions = sessions


class PostingRefused(StateError):
    """T-6: some differences exceed the maximum posting difference; ``lines`` lists them."""

    def __init__(self, message: str, lines: tuple[StatementLine, ...]) -> None:
        super().__init__(message)
        self.lines = lines
