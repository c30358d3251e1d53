"""The back-office session report (A-1..A-5): selection by store and local dates,
the discrepancy and cash payments overviews, the sorted session list, paging,
permissions and the CSV export, against a scenario with known answers.

Store NORREBRO is in Europe/Copenhagen (UTC+1 in January, UTC+2 from 29 March
2026). Amounts are DKK øre. Demo prices used: 1001 Rugbrød 32,95 (cash rounds
to 33,00); 1005 Æg 36,00; 1008 Æbler 22,00; 1010 Kartofler 25,00; 1011
Gulerødder 12,00; 1014 Sodavand 18,00; 1017 Avis 35,00; 1019 Skyr 29,00.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import InputError, NotFound, PermissionDenied
from core.money.tendering import TenderInput
from core.reports import export as report_export
from core.reports import session_report as reports
from core.reports.export import KEYS, export_sessions_csv, export_sessions_csv_file, row_record
from core.reports.session_list import iter_sessions, list_sessions_page
from core.reports.session_report import day_start, make_selection, report_overview
from core.staff.auth import authenticate
from core.store import terminals
from core.store.db import Db
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput

CLOSE_NOTE_S3 = 'Short 10,00 kr; told "Kasper",\nrecount tomorrow'
OPEN_NOTE_S6 = '=1+1, "not a formula"\nsecond line'


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sell(db, actor, terminal, sku, qty=1, tender="cash", amount=None):
    return sales.record_sale(
        db, actor, terminal, [LineInput(sku, qty)], [TenderInput(tender, amount)]
    )


def build_scenario(db: Db, at: Callable[[datetime], None]) -> dict[str, int]:
    """Sessions on three NORREBRO terminals around 15-16 January 2026 (local dates),
    one in REYKJAVIK. ``at`` sets the clock. Returns the session ids by name.

    S1 T1  14 Jan 09:00-17:00 local            (before the range)
    S2 T2  14 Jan 23:59:59 - 15 Jan 00:30      (opened the day before: outside)
    S3 T1  15 Jan 00:00:00 - 11:00             first instant: inside; refund, adjustments
    S4 T2  15 Jan 13:00 - 16 Jan 02:00         opened by a sale (S-4), over by 3,00
    S5 T3  15 Jan 22:30 - 16 Jan 01:30         crosses midnight; T3's first session
    S6 T1  16 Jan 08:00 - 16:00                short by 5,00; rounding
    S7 T1  16 Jan 23:59:59, still open         last instant: inside
    S8 T2  17 Jan 00:00:00, still open         the day after: outside
    """
    manager = authenticate(db, "1", "1234")
    cashier = authenticate(db, "2", "2222")
    supervisor = authenticate(db, "3", "3333")
    terminals.add_terminal(db, manager, "T3", "NORREBRO", "Kasse 3")
    ids = {}

    at(utc(2026, 1, 14, 8))
    ids["S1"] = sessions.open_session(db, manager, "T1", 100000).id
    at(utc(2026, 1, 14, 8, 30))
    sell(db, manager, "T1", "1005")  # 36,00 cash
    at(utc(2026, 1, 14, 16))
    sessions.close_session(db, manager, "T1", 103600, 100000)

    at(utc(2026, 1, 14, 22, 59, 59))
    ids["S2"] = sessions.open_session(db, manager, "T2", 20000).id
    at(utc(2026, 1, 14, 23))
    ids["S3"] = sessions.open_session(
        db, cashier, "T1", 101000, "Float from the safe, counted twice"
    ).id
    at(utc(2026, 1, 14, 23, 30))
    sessions.close_session(db, supervisor, "T2", 20000, 15000)

    at(utc(2026, 1, 15, 8))
    sell(db, cashier, "T1", "1010", amount=5000)  # 25,00 cash, 25,00 change
    at(utc(2026, 1, 15, 8, 10))
    sell(db, cashier, "T1", "1017", tender="card")  # 35,00 card
    at(utc(2026, 1, 15, 8, 20))
    refunds.record_refund(
        db, cashier, "T1", [LineInput("1010", 1)], [TenderInput("cash")], receipt=("T1", 2)
    )
    at(utc(2026, 1, 15, 9))
    sessions.adjust_cash(db, cashier, "T1", "remove", 50000, 'To the safe, "big" notes')
    at(utc(2026, 1, 15, 9, 30))
    sessions.adjust_cash(db, cashier, "T1", "add", 10000, "Coins for change")
    at(utc(2026, 1, 15, 10))
    sessions.close_session(db, supervisor, "T1", 60000, 50000, note=CLOSE_NOTE_S3)

    at(utc(2026, 1, 15, 12))
    opened = sell(db, cashier, "T2", "1005", qty=2, amount=10000)  # 72,00 cash
    assert opened.session_auto_opened
    ids["S4"] = opened.session_id
    at(utc(2026, 1, 15, 12, 5))
    sessions.open_session(db, manager, "R1", 500000)  # another store
    at(utc(2026, 1, 15, 12, 10))
    sell(db, cashier, "T2", "1019", tender="mobile")  # 29,00 MobilePay

    at(utc(2026, 1, 15, 21, 30))
    ids["S5"] = sessions.open_session(db, supervisor, "T3", 30000).id
    at(utc(2026, 1, 15, 23, 30))
    sell(db, supervisor, "T3", "1008")  # 22,00 cash, after local midnight
    at(utc(2026, 1, 16, 0, 30))
    sessions.close_session(db, manager, "T3", 32200, 0)
    at(utc(2026, 1, 16, 1))
    sessions.close_session(db, cashier, "T2", 22500, 15000)

    at(utc(2026, 1, 16, 7))
    ids["S6"] = sessions.open_session(db, manager, "T1", 50000, OPEN_NOTE_S6).id
    at(utc(2026, 1, 16, 8))
    sell(db, manager, "T1", "1011")  # 12,00 cash
    at(utc(2026, 1, 16, 8, 10))
    sell(db, manager, "T1", "1001")  # 32,95 -> 33,00 cash
    at(utc(2026, 1, 16, 15))
    sessions.close_session(db, manager, "T1", 54000, 50000)

    at(utc(2026, 1, 16, 22, 59, 59))
    ids["S7"] = sessions.open_session(db, manager, "T1", 48000).id
    at(utc(2026, 1, 16, 23))
    ids["S8"] = sessions.open_session(db, manager, "T2", 15000).id
    at(utc(2026, 1, 16, 23, 10))
    sell(db, manager, "T1", "1014")  # 18,00 cash, in S7
    return ids


# Every column of every session in 15-16 January, as the CSV / JSON show it.
EXPECTED = {
    "S3": {
        "terminal": "T1",
        "terminal_name": "Kasse 1",
        "status": "closed",
        "start": "2026-01-15T00:00:00+01:00",
        "end": "2026-01-15T11:00:00+01:00",
        "opened_by": "2",
        "opened_by_name": "Kasper Kasserer",
        "closed_by": "3",
        "closed_by_name": "Sigrún Vaktstjóri",
        "opening_float": "1010.00",
        "previous_left": "1000.00",
        "opening_discrepancy": "10.00",
        "cash_payments": "25.00",
        "cash_refunds": "25.00",
        "net_cash": "0.00",
        "cash_adjustments": "-400.00",
        "expected_cash": "610.00",
        "counted_cash": "600.00",
        "closing_discrepancy": "-10.00",
        "total_discrepancy": "0.00",
        "left_in_drawer": "500.00",
        "cash_removed": "100.00",
        "open_note": "Float from the safe, counted twice",
        "close_note": CLOSE_NOTE_S3,
    },
    "S4": {
        "terminal": "T2",
        "terminal_name": "Kasse 2",
        "status": "closed",
        "start": "2026-01-15T13:00:00+01:00",
        "end": "2026-01-16T02:00:00+01:00",
        "opened_by": "2",
        "opened_by_name": "Kasper Kasserer",
        "closed_by": "2",
        "closed_by_name": "Kasper Kasserer",
        "opening_float": "150.00",
        "previous_left": "150.00",
        "opening_discrepancy": "0.00",
        "cash_payments": "72.00",
        "cash_refunds": "0.00",
        "net_cash": "72.00",
        "cash_adjustments": "0.00",
        "expected_cash": "222.00",
        "counted_cash": "225.00",
        "closing_discrepancy": "3.00",
        "total_discrepancy": "3.00",
        "left_in_drawer": "150.00",
        "cash_removed": "75.00",
        "open_note": "",
        "close_note": "",
    },
    "S5": {
        "terminal": "T3",
        "terminal_name": "Kasse 3",
        "status": "closed",
        "start": "2026-01-15T22:30:00+01:00",
        "end": "2026-01-16T01:30:00+01:00",
        "opened_by": "3",
        "opened_by_name": "Sigrún Vaktstjóri",
        "closed_by": "1",
        "closed_by_name": "Mette Manager",
        "opening_float": "300.00",
        "previous_left": None,
        "opening_discrepancy": None,
        "cash_payments": "22.00",
        "cash_refunds": "0.00",
        "net_cash": "22.00",
        "cash_adjustments": "0.00",
        "expected_cash": "322.00",
        "counted_cash": "322.00",
        "closing_discrepancy": "0.00",
        "total_discrepancy": "0.00",
        "left_in_drawer": "0.00",
        "cash_removed": "322.00",
        "open_note": "",
        "close_note": "",
    },
    "S6": {
        "terminal": "T1",
        "terminal_name": "Kasse 1",
        "status": "closed",
        "start": "2026-01-16T08:00:00+01:00",
        "end": "2026-01-16T16:00:00+01:00",
        "opened_by": "1",
        "opened_by_name": "Mette Manager",
        "closed_by": "1",
        "closed_by_name": "Mette Manager",
        "opening_float": "500.00",
        "previous_left": "500.00",
        "opening_discrepancy": "0.00",
        "cash_payments": "45.00",
        "cash_refunds": "0.00",
        "net_cash": "45.00",
        "cash_adjustments": "0.00",
        "expected_cash": "545.00",
        "counted_cash": "540.00",
        "closing_discrepancy": "-5.00",
        "total_discrepancy": "-5.00",
        "left_in_drawer": "500.00",
        "cash_removed": "40.00",
        "open_note": OPEN_NOTE_S6,
        "close_note": "",
    },
    "S7": {
        "terminal": "T1",
        "terminal_name": "Kasse 1",
        "status": "open",
        "start": "2026-01-16T23:59:59+01:00",
        "end": None,
        "opened_by": "1",
        "opened_by_name": "Mette Manager",
        "closed_by": None,
        "closed_by_name": None,
        "opening_float": "480.00",
        "previous_left": "500.00",
        "opening_discrepancy": "-20.00",
        "cash_payments": "18.00",
        "cash_refunds": "0.00",
        "net_cash": "18.00",
        "cash_adjustments": "0.00",
        "expected_cash": "498.00",
        "counted_cash": None,
        "closing_discrepancy": None,
        "total_discrepancy": "-20.00",
        "left_in_drawer": None,
        "cash_removed": None,
        "open_note": "",
        "close_note": "",
    },
}

BY_START = ["S3", "S4", "S5", "S6", "S7"]
BY_END = ["S3", "S5", "S4", "S6", "S7"]  # the open session has no end: last
BY_DISCREPANCY = ["S7", "S6", "S3", "S5", "S4"]  # -20, -5, 0, 0 (by start), +3


@pytest.fixture
def ids(db, clock) -> dict[str, int]:
    return build_scenario(db, clock.set)


@pytest.fixture
def jan(db, ids):
    return make_selection(db, "NORREBRO", date(2026, 1, 15), date(2026, 1, 16))


def expected_record(name: str, ids: dict[str, int]) -> dict[str, object]:
    record = {"store": "NORREBRO", "session": ids[name], "currency": "DKK"}
    record.update(EXPECTED[name])
    return {key: record[key] for key in KEYS}


def names(rows, ids) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[r.id] for r in rows]


def all_rows(db, actor, sel, sort="start", desc=False):
    return list_sessions_page(db, actor, sel, sort=sort, desc=desc, limit=1000).rows


# -- selection (A-1) -------------------------------------------------------------------


def test_selection_is_local_days_converted_to_utc(db, ids, jan):
    assert (jan.start_utc, jan.end_utc) == (
        "2026-01-14T23:00:00.000000Z",
        "2026-01-16T23:00:00.000000Z",
    )
    assert jan.currency == "DKK"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ((2026, 1, 14), (2026, 1, 14), ["S1", "S2"]),  # S2 at 23:59:59 local
        ((2026, 1, 15), (2026, 1, 15), ["S3", "S4", "S5"]),  # S3 at 00:00:00 local
        ((2026, 1, 16), (2026, 1, 16), ["S6", "S7"]),  # S7 at 23:59:59 local
        ((2026, 1, 17), (2026, 1, 17), ["S8"]),  # S8 at 00:00:00 local
        ((2026, 1, 15), (2026, 1, 16), BY_START),
        ((2026, 1, 1), (2026, 1, 31), ["S1", "S2", *BY_START, "S8"]),
        ((2026, 1, 18), (2026, 2, 28), []),
    ],
)
def test_sessions_in_range_by_local_opening_date(db, manager, ids, first, last, expected):
    """A session belongs to the local date it was opened on, in the store's time zone:
    one opened at 23:59:59 local is in that day, one at 00:00:00 in the next; a
    session crossing midnight counts on its first day; other stores never appear."""
    sel = make_selection(db, "NORREBRO", date(*first), date(*last))
    assert names(all_rows(db, manager, sel), ids) == expected
    assert report_overview(db, manager, sel).discrepancy.sessions == len(expected)


def test_terminal_filter(db, manager, ids):
    sel = make_selection(db, "NORREBRO", date(2026, 1, 15), date(2026, 1, 16), "T1")
    assert names(all_rows(db, manager, sel), ids) == ["S3", "S6", "S7"]
    ov = report_overview(db, manager, sel)
    d = ov.discrepancy
    assert (d.sessions, d.open_sessions, d.closed_sessions) == (3, 1, 2)
    assert (d.opening_discrepancy, d.closing_discrepancy, d.total_discrepancy) == (
        -1000,
        -1500,
        -2500,
    )
    assert (ov.cash.gross, ov.cash.refunds, ov.cash.net) == (8800, 2500, 6300)


def test_other_store_in_its_own_time_zone(db, manager, ids):
    sel = make_selection(db, "REYKJAVIK", date(2026, 1, 15), date(2026, 1, 15))
    rows = all_rows(db, manager, sel)
    assert [(r.terminal_id, r.start.isoformat()) for r in rows] == [
        ("R1", "2026-01-15T12:05:00+00:00")
    ]
    record = row_record(rows[0], sel.currency)
    assert (record["currency"], record["opening_float"], record["expected_cash"]) == (
        "ISK",
        "500000",
        "500000",
    )


def test_selection_errors(db, ids):
    with pytest.raises(InputError, match="starts after it ends"):
        make_selection(db, "NORREBRO", date(2026, 1, 16), date(2026, 1, 15))
    with pytest.raises(InputError, match="Terminal R1 belongs to store REYKJAVIK, not NORREBRO"):
        make_selection(db, "NORREBRO", date(2026, 1, 15), date(2026, 1, 16), "R1")
    with pytest.raises(NotFound, match="No store with id NOPE"):
        make_selection(db, "NOPE", date(2026, 1, 15), date(2026, 1, 16))
    with pytest.raises(NotFound, match="No terminal with id T9"):
        make_selection(db, "NORREBRO", date(2026, 1, 15), date(2026, 1, 16), "T9")
    with pytest.raises(InputError, match="out of range"):
        make_selection(db, "NORREBRO", date(2026, 1, 15), date(9999, 12, 31))


# -- day boundaries across daylight saving time ----------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "first_instant"),
    [
        # Copenhagen springs forward at 02:00 on 29 March 2026: that day has 23 hours.
        ("Europe/Copenhagen", date(2026, 3, 29), "2026-03-28T23:00:00+00:00"),
        ("Europe/Copenhagen", date(2026, 3, 30), "2026-03-29T22:00:00+00:00"),
        # ... and falls back on 25 October 2026: 25 hours.
        ("Europe/Copenhagen", date(2026, 10, 25), "2026-10-24T22:00:00+00:00"),
        ("Europe/Copenhagen", date(2026, 10, 26), "2026-10-25T23:00:00+00:00"),
        # Santiago skips midnight itself (00:00 -> 01:00 on 8 September 2024).
        ("America/Santiago", date(2024, 9, 8), "2024-09-08T04:00:00+00:00"),
        ("Atlantic/Reykjavik", date(2026, 3, 29), "2026-03-29T00:00:00+00:00"),
    ],
)
def test_day_start_is_the_first_local_instant(zone, day, first_instant):
    start = day_start(day, ZoneInfo(zone))
    assert start.astimezone(UTC).isoformat() == first_instant
    just_before = start.astimezone(UTC).timestamp() - 1
    assert datetime.fromtimestamp(just_before, ZoneInfo(zone)).date() < day


def test_filters_at_day_boundaries_in_summer_time(db, manager, clock):
    """29 March 2026 in Copenhagen starts at 23:00 UTC the day before (UTC+1) and
    ends at 22:00 UTC (UTC+2): sessions one second either side of each boundary."""
    opened = {}
    for terminal, instant in [
        ("T1", utc(2026, 3, 28, 22, 59, 59)),  # 28 Mar 23:59:59 +01:00
        ("T2", utc(2026, 3, 28, 23)),  # 29 Mar 00:00:00 +01:00
    ]:
        clock.set(instant)
        opened[terminal + "a"] = sessions.open_session(db, manager, terminal, 0).id
    for terminal in ("T1", "T2"):
        clock.set(utc(2026, 3, 29, 12))
        sessions.close_session(db, manager, terminal, 0, 0)
    for terminal, instant in [
        ("T1", utc(2026, 3, 29, 21, 59, 59)),  # 29 Mar 23:59:59 +02:00
        ("T2", utc(2026, 3, 29, 22)),  # 30 Mar 00:00:00 +02:00
    ]:
        clock.set(instant)
        opened[terminal + "b"] = sessions.open_session(db, manager, terminal, 0).id

    def ids_on(first, last):
        sel = make_selection(db, "NORREBRO", first, last)
        return [r.id for r in all_rows(db, manager, sel)]

    assert ids_on(date(2026, 3, 28), date(2026, 3, 28)) == [opened["T1a"]]
    assert ids_on(date(2026, 3, 29), date(2026, 3, 29)) == [opened["T2a"], opened["T1b"]]
    assert ids_on(date(2026, 3, 30), date(2026, 3, 30)) == [opened["T2b"]]
    sel = make_selection(db, "NORREBRO", date(2026, 3, 29), date(2026, 3, 29))
    starts = [r.start.isoformat() for r in all_rows(db, manager, sel)]
    assert starts == ["2026-03-29T00:00:00+01:00", "2026-03-29T23:59:59+02:00"]


# -- overviews (A-3, A-4) --------------------------------------------------------------


def test_discrepancy_overview(db, manager, jan):
    d = report_overview(db, manager, jan).discrepancy
    assert (d.sessions, d.open_sessions, d.closed_sessions) == (5, 1, 4)
    # opening: S3 +10,00, S4 0, S5 none (first session of T3), S6 0, S7 -20,00
    assert d.opening_discrepancy == -1000
    # closing: S3 -10,00, S4 +3,00, S5 0, S6 -5,00; S7 is open
    assert d.closing_discrepancy == -1200
    assert d.total_discrepancy == -2200
    # expected and counted over the closed sessions S3..S6
    assert d.expected_cash == 61000 + 22200 + 32200 + 54500
    assert d.counted_cash == 60000 + 22500 + 32200 + 54000
    # by total: S4 over; S6, S7 short; S3 (+10 -10) and S5 even
    assert (d.sessions_over, d.sessions_short, d.sessions_even) == (1, 2, 2)
    assert (d.opening_over, d.opening_short) == (1, 1)
    assert (d.closing_over, d.closing_short) == (1, 2)


def test_cash_payments_overview(db, manager, jan):
    """A-4: gross cash payments (net of change, after rounding), cash refunds, net."""
    c = report_overview(db, manager, jan).cash
    # S3 25,00 (50,00 handed, 25,00 change); S4 72,00; S5 22,00; S6 12,00 + 33,00; S7 18,00
    assert c.gross == 2500 + 7200 + 2200 + 4500 + 1800
    assert c.refunds == 2500
    assert c.net == 15700


def test_empty_selection_overview_is_zero(db, manager, ids):
    sel = make_selection(db, "NORREBRO", date(2025, 1, 1), date(2025, 12, 31))
    ov = report_overview(db, manager, sel)
    assert ov.discrepancy.sessions == 0
    assert ov.discrepancy.total_discrepancy == 0
    assert (ov.cash.gross, ov.cash.refunds, ov.cash.net) == (0, 0, 0)
    page = list_sessions_page(db, manager, sel)
    assert (page.rows, page.total, page.has_next) == ((), 0, False)


# -- the session list (A-5) ------------------------------------------------------------


def test_every_row_of_the_list(db, manager, ids, jan):
    rows = all_rows(db, manager, jan)
    assert [row_record(r, "DKK") for r in rows] == [expected_record(n, ids) for n in BY_START]
    s3, s4, s5, s6, s7 = rows
    assert (s3.opening_discrepancy, s3.closing_discrepancy, s3.total_discrepancy) == (
        1000,
        -1000,
        0,
    )
    assert (s5.opening_discrepancy, s5.total_discrepancy) == (None, 0)
    assert (s7.is_open, s7.end, s7.closing_discrepancy, s7.total_discrepancy) == (
        True,
        None,
        None,
        -2000,
    )
    assert s7.start == datetime(2026, 1, 16, 23, 59, 59, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert (s3.cash_received, s3.cash_paid_out, s3.adjustments, s3.net_cash) == (
        2500,
        2500,
        -40000,
        0,
    )
    assert (s4.opened_by_name, s6.left_in_drawer, s6.cash_removed) == (
        "Kasper Kasserer",
        50000,
        4000,
    )


def test_list_agrees_with_session_details(db, manager, jan):
    """The report's figures are the session's own (S-5, S-7): the per-session cash
    totals kept by the triggers equal the sums over the payments."""
    for row in all_rows(db, manager, jan):
        details = sessions.session_details(db, manager, row.id)
        assert row.expected_cash == details.expected_cash
        assert row.cash_received == details.summary.cash_sales
        assert row.cash_paid_out == details.summary.cash_refunds
        assert row.adjustments == details.summary.cash_added - details.summary.cash_removed_during
        assert row.opening_discrepancy == details.session.opening_discrepancy
        assert row.closing_discrepancy == details.session.closing_discrepancy


@pytest.mark.parametrize(
    ("sort", "order"), [("start", BY_START), ("end", BY_END), ("discrepancy", BY_DISCREPANCY)]
)
def test_sorting_both_directions(db, manager, ids, jan, sort, order):
    assert names(all_rows(db, manager, jan, sort), ids) == order
    assert names(all_rows(db, manager, jan, sort, desc=True), ids) == order[::-1]


@pytest.mark.parametrize("sort", ["start", "end", "discrepancy"])
@pytest.mark.parametrize("desc", [False, True])
def test_pages_cover_the_sorted_list(db, manager, jan, sort, desc):
    full = [r.id for r in all_rows(db, manager, jan, sort, desc)]
    pages = [
        list_sessions_page(db, manager, jan, sort=sort, desc=desc, limit=2, offset=offset)
        for offset in (0, 2, 4)
    ]
    assert [r.id for p in pages for r in p.rows] == full
    assert [p.total for p in pages] == [5, 5, 5]
    assert [(p.has_previous, p.has_next) for p in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]


def test_list_argument_errors(db, manager, jan):
    with pytest.raises(InputError, match="Sort by one of: start, end, discrepancy"):
        list_sessions_page(db, manager, jan, sort="terminal")
    with pytest.raises(InputError, match="1 to 1000 rows"):
        list_sessions_page(db, manager, jan, limit=0)
    with pytest.raises(InputError, match="offset"):
        list_sessions_page(db, manager, jan, offset=-1)


def test_iter_sessions_streams_the_same_rows(db, manager, jan):
    for sort in ("start", "end", "discrepancy"):
        assert list(iter_sessions(db, manager, jan, sort=sort, desc=True)) == list(
            all_rows(db, manager, jan, sort, desc=True)
        )


# -- permissions (A-2) -----------------------------------------------------------------


def test_cashier_is_refused_with_a_clear_message(db, cashier, jan):
    """A cashier may view sessions but not their history nor reports."""
    message = (
        "Kasper Kasserer is not allowed to see the session report: it needs permission to "
        "view cash tracking session history, view reports."
    )
    out = io.StringIO()
    calls = [
        lambda: report_overview(db, cashier, jan),
        lambda: list_sessions_page(db, cashier, jan),
        lambda: list(iter_sessions(db, cashier, jan)),
        lambda: reports.count_sessions(db, cashier, jan),
        lambda: export_sessions_csv(db, cashier, jan, out),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert refused.value.message == message
        assert refused.value.exit_code == 3
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("held", "missing"),
    [
        (["sessions.view", "sessions.history"], "view reports"),
        (["sessions.history", "reports.view"], "view cash tracking sessions"),
        (["sessions.view", "reports.view"], "view cash tracking session history"),
        ([], "view cash tracking sessions, view cash tracking session history, view reports"),
    ],
)
def test_each_report_permission_is_needed(db, jan, make_staff, held, missing):
    staff = make_staff(held, name="Pia Prøve")
    with pytest.raises(PermissionDenied, match=f"it needs permission to {missing}\\.$"):
        report_overview(db, staff, jan)


def test_supervisor_and_custom_staff_with_all_three_may_see_it(
    db, supervisor, cashier, jan, make_staff
):
    staff = make_staff(["sessions.view", "sessions.history", "reports.view"])
    for actor in (supervisor, staff):
        assert reports.may_see_report(actor)
        assert report_overview(db, actor, jan).discrepancy.sessions == 5
    assert not reports.may_see_report(cashier)


# -- CSV export (A-1) ------------------------------------------------------------------


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_form(record: dict[str, object]) -> list[str]:
    """A JSON record as the CSV shows it: empty for null, text-only formula cells guarded."""
    out = []
    for key, value in record.items():
        text = "" if value is None else str(value)
        if key in ("open_note", "close_note") and text.startswith("="):
            text = "'" + text
        out.append(text)
    return out


@pytest.mark.parametrize(
    ("sort", "desc", "order"),
    [("start", False, BY_START), ("discrepancy", True, BY_DISCREPANCY[::-1])],
)
def test_csv_reads_back_as_the_selection(db, manager, ids, jan, sort, desc, order):
    out = io.StringIO(newline="")
    written = export_sessions_csv(db, manager, jan, out, sort=sort, desc=desc)
    text = out.getvalue()
    assert written == 5
    assert text.startswith("\ufeffstore,session,terminal,")
    rows = read_csv(text.removeprefix("\ufeff"))
    assert rows[0] == list(KEYS)
    assert rows[1:] == [csv_form(expected_record(n, ids)) for n in order]


def test_csv_tricky_notes_and_formula_guard(db, manager, ids, jan):
    out = io.StringIO(newline="")
    export_sessions_csv(db, manager, jan, out, bom=False)
    text = out.getvalue()
    rows = {r["session"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    # commas, quotes and a line break survive quoting exactly
    assert rows[str(ids["S3"])]["close_note"] == CLOSE_NOTE_S3
    assert rows[str(ids["S3"])]["closed_by_name"] == "Sigrún Vaktstjóri"
    assert '"Short 10,00 kr; told ""Kasper"",\nrecount tomorrow"' in text
    # a note a spreadsheet would run as a formula is shown as text
    assert rows[str(ids["S6"])]["open_note"] == "'" + OPEN_NOTE_S6
    # negative amounts are amounts, never guarded
    assert rows[str(ids["S7"])]["opening_discrepancy"] == "-20.00"
    # records end with CRLF; the line break inside the note is kept as written
    assert text.count("\r\n") == 6


def test_csv_file_is_utf8_with_bom_and_a_delimiter_choice(db, manager, ids, jan, tmp_path):
    path = tmp_path / "sessions.csv"
    assert export_sessions_csv_file(db, manager, jan, path, delimiter=";") == 5
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstore;session;")
    assert "Sigrún".encode() in raw
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert [r[1] for r in rows[1:]] == [str(ids[n]) for n in BY_START]
    assert not list(tmp_path.glob("*.part"))


def test_csv_progress_and_cancel_leaves_no_file(db, manager, jan, tmp_path):
    seen = []
    export_sessions_csv(
        db, manager, jan, io.StringIO(), progress=lambda *a: seen.append(a), every=2
    )
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]

    def cancel(done, total):
        if done >= 2:
            raise KeyboardInterrupt

    path = tmp_path / "cancelled.csv"
    with pytest.raises(KeyboardInterrupt):
        export_sessions_csv_file(db, manager, jan, path, progress=cancel, every=2)
    assert list(tmp_path.iterdir()) == []


def test_csv_of_an_empty_selection_is_the_header(db, manager, ids):
    sel = make_selection(db, "NORREBRO", date(2025, 1, 1), date(2025, 1, 31))
    out = io.StringIO(newline="")
    assert export_sessions_csv(db, manager, sel, out, bom=False) == 0
    assert read_csv(out.getvalue()) == [list(KEYS)]


def test_overview_record_amounts_are_decimal_strings(db, manager, jan):
    record = report_export.overview_record(report_overview(db, manager, jan))
    assert record["discrepancy"]["total_discrepancy"] == "-22.00"
    assert record["discrepancy"]["sessions_even"] == 2
    assert record["cash_payments"] == {"gross": "182.00", "refunds": "25.00", "net": "157.00"}
    assert (record["from"], record["to"], record["timezone"]) == (
        "2026-01-15",
        "2026-01-16",
        "Europe/Copenhagen",
    )


# -- schema m002: the per-session cash totals ------------------------------------------


def test_session_cash_totals_follow_payments(db, manager, ids):
    """The triggers keep sessions.cash_received / cash_paid_out equal to the sums over
    payments, also when a payment is corrected or removed."""
    recompute = """SELECT s.id, s.cash_received, s.cash_paid_out,
        (SELECT COALESCE(SUM(amount), 0) FROM payments
          WHERE session_id = s.id AND is_cash = 1 AND amount > 0),
        (SELECT COALESCE(-SUM(amount), 0) FROM payments
          WHERE session_id = s.id AND is_cash = 1 AND amount < 0)
        FROM sessions s"""

    def consistent() -> bool:
        return all(r[1] == r[3] and r[2] == r[4] for r in db.all(recompute))

    assert consistent()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), db.write():
        pid = db.scalar("SELECT id FROM payments WHERE is_cash = 1 AND amount < 0")
        db.execute("UPDATE payments SET amount = amount - 100 WHERE id = ?", (pid,))
        assert consistent()
        db.execute("UPDATE payments SET is_cash = 0 WHERE id = ?", (pid,))
        assert consistent()
        db.execute(
            "UPDATE payments SET session_id = ? WHERE is_cash = 1 AND amount > 0",
            (ids["S5"],),
        )
        assert consistent()
        db.execute("DELETE FROM payments WHERE session_id = ?", (ids["S5"],))
        assert consistent()
        raise Undo
    assert consistent()


def test_migration_counts_existing_payments(tmp_path, clock):
    """A database made before m002 gets its sessions' cash totals from its payments."""
    from core.store import demo

    db = Db(tmp_path / "old.db", clock=clock)
    demo.load_demo(db)
    manager = authenticate(db, "1", "1234")
    sessions.open_session(db, manager, "T1", 10000)
    sell(db, manager, "T1", "1005", amount=5000)  # 36,00 cash
    sell(db, manager, "T1", "1017", tender="card")
    refunds.record_refund(
        db, manager, "T1", [LineInput("1005", 1)], [TenderInput("cash")], receipt=("T1", 1)
    )
    # Today's code records the payments; then the database is taken back to before m002
    # (its triggers and columns gone, and m019's views and triggers that read them, the
    # migrations not applied) and migrated again.
    with db.write():
        for view in ("session_cash", "session_discrepancies", "cash_payment_sides"):
            db.execute(f"DROP VIEW {view}")
        for trigger in ("insert", "delete", "update", "update_old"):
            db.execute(f"DROP TRIGGER payments_session_cash_{trigger}")
        db.execute("ALTER TABLE sessions DROP COLUMN cash_received")
        db.execute("ALTER TABLE sessions DROP COLUMN cash_paid_out")
        db.execute(
            "DELETE FROM _sqlite_migrations"
            " WHERE name IN ('m002_reports_session_cash', 'm019_session_cash_views')"
        )
        db.execute("PRAGMA user_version = 0")
    assert "cash_received" not in {r["name"] for r in db.all("PRAGMA table_info(sessions)")}
    db.migrate()
    row = db.one("SELECT cash_received, cash_paid_out FROM sessions")
    assert tuple(row) == (3600, 3600)
    sel = make_selection(db, "NORREBRO", date(2026, 1, 15), date(2026, 1, 15))
    cash = report_overview(db, manager, sel).cash
    assert (cash.gross, cash.refunds, cash.net) == (3600, 3600, 0)
    db.close()
