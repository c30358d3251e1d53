"""The generic from_row (core.store.rows): conversions, optional columns, given fields."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from attrs import frozen

from core.reports.session_list import SessionReportRow
from core.store.records import Item, Sale, Staff, Store, Terminal
from core.store.rows import column, from_rows, given


def _row(**values: object) -> sqlite3.Row:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    names = ", ".join(f"? AS {name}" for name in values)
    return conn.execute(f"SELECT {names}", tuple(values.values())).fetchone()


@from_rows
@frozen
class _Thing:
    id: int
    flag: bool = column(convert=bool)
    label: str = column("title")
    maybe: bool | None = column(convert=bool, nullable=True)
    late: int = column(convert=lambda v: v * 10, optional=True, default=7)
    children: tuple[int, ...] = given(default=())


def test_converts_renames_and_keeps_null() -> None:
    thing = _Thing.from_row(_row(id=1, flag=1, title="a", maybe=None, late=2))
    assert thing == _Thing(1, True, "a", None, 20, ())
    assert _Thing.from_row(_row(id=1, flag=0, title="a", maybe=0, late=2)).maybe is False


def test_a_missing_optional_column_is_the_default_unconverted() -> None:
    thing = _Thing.from_row(_row(id=1, flag=0, title="a", maybe=1))
    assert thing.late == 7
    assert thing.maybe is True


def test_given_fields_come_from_the_caller_only() -> None:
    row = _row(id=1, flag=0, title="a", maybe=1, children="not read")
    assert _Thing.from_row(row).children == ()
    assert _Thing.from_row(row, children=(1, 2)).children == (1, 2)
    with pytest.raises(TypeError):
        _Thing.from_row(row, label="a row field is not given")


def test_an_optional_column_needs_a_default() -> None:
    with pytest.raises(TypeError):
        column(optional=True)


def test_store_from_a_row_before_later_migrations() -> None:
    store = Store.from_row(
        _row(
            id="S1",
            name="Shop",
            address="",
            vat_number="",
            currency="DKK",
            timezone="Europe/Copenhagen",
            locale="da",
            track_cash=1,
            cash_rounding=50,
            default_customer_id=None,
            end_of_business_day="00:00",
            post_as_business_day=0,
            statement_method="total",
            split_by_statement_method=0,
            max_posting_difference=0,
            drawer_limit=None,
        )
    )
    assert store.track_cash is True and store.post_as_business_day is False
    assert store.min_pin_length == 4 and store.max_change is None
    assert store.drawer_limit_required is False and store.blind_close is False
    assert store.scale_labels == ""


def test_records_convert_their_columns() -> None:
    item = Item.from_row(
        _row(sku="A", name="a", price=100, vat_rate=2500, barcode=None, active=1, currency="DKK")
    )
    assert item.active is True and item.unit == "pcs" and item.scale_code is None
    staff = Staff.from_row(
        _row(id="1", name="M", role="manager", permissions="sale  refund", active=0)
    )
    assert staff.permissions == frozenset({"sale", "refund"}) and staff.active is False
    terminal = Terminal.from_row(
        _row(id="T1", store_id="S1", name="t", printer='{"kind": "file"}', last_receipt_no=3)
    )
    assert terminal.printer == {"kind": "file"}


def test_sale_takes_its_lines_by_keyword() -> None:
    values = dict.fromkeys(
        ("id", "receipt_no", "total", "rounding", "vat_total", "change_given"), 0
    ) | dict.fromkeys(("uid", "kind", "store_id", "terminal_id", "staff_id", "created_at"), "x")
    row = _row(**values, session_id=None, customer_id=None, original_sale_id=None, currency="DKK")
    sale = Sale.from_row(row, original_ref="T1-3")
    assert sale.lines == () and sale.payments == () and sale.original_ref == "T1-3"


def test_a_positional_row_with_a_context() -> None:
    tz = ZoneInfo("Europe/Copenhagen")
    values = [1, "S1", "T1", "Till", "closed", "2026-01-01T10:00:00+00:00", None]
    values += ["1", "M", None, None, 100, None, 0, 0, 0, 100, None, None, None, "", ""]
    values += [None, None, 0]  # the discrepancies, as the view session_discrepancies gives them
    row = SessionReportRow.from_row(tuple(values), tz=tz)
    assert row.start == datetime(2026, 1, 1, 11, 0, tzinfo=tz) and row.end is None
    assert row.start.tzinfo is tz and row.expected_cash == 100
