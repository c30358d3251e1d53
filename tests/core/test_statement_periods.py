"""Business days and statement periods (T-8), in the store's own time zone.

NORREBRO (Europe/Copenhagen) ends its business day at 03:00 with "post as business
day" on; REYKJAVIK (Atlantic/Reykjavik, UTC all year) posts by calendar date.
Copenhagen's clocks in 2026: 29 March 02:00 CET -> 03:00 CEST (a 23-hour day),
25 October 03:00 CEST -> 02:00 CET (a 25-hour day, 02:00-03:00 happens twice).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InputError
from core.statements.periods import (
    MIDNIGHT,
    business_date,
    business_date_sql,
    business_day_period,
    day_cutoff,
    last_complete_business_date,
    parse_when,
)
from core.store.db import iso
from core.store.stores import get_store

CPH = ZoneInfo("Europe/Copenhagen")
RVK = ZoneInfo("Atlantic/Reykjavik")
TICK = timedelta(microseconds=1)


def utc(*when: int) -> datetime:
    return datetime(*when, tzinfo=UTC)


@pytest.fixture
def norrebro(db):
    return get_store(db, "NORREBRO")


@pytest.fixture
def reykjavik(db):
    return get_store(db, "REYKJAVIK")


# -- the cut-off ---------------------------------------------------------------------------


def test_the_day_starts_at_the_end_of_business_day_or_at_midnight_when_off(norrebro, reykjavik):
    """T-8: with "post as business day" the day starts at the store's end of business day;
    without it at midnight (the calendar date)."""
    assert day_cutoff(norrebro) == time(3, 0)
    assert day_cutoff(norrebro, business_day=False) == MIDNIGHT
    assert day_cutoff(attrs.evolve(norrebro, end_of_business_day="04:30")) == time(4, 30)
    assert not reykjavik.post_as_business_day
    assert day_cutoff(reykjavik) == MIDNIGHT


def test_a_business_day_runs_from_the_cut_off_to_the_next_cut_off(norrebro):
    """T-8: business day 31 May 2026 is 31 May 03:00 to 1 June 03:00 local (CEST, +02:00),
    so the night's sales up to 02:59 belong to it: the nightly batch closes all of it."""
    start, end = business_day_period(norrebro, date(2026, 5, 31))
    assert (start, end) == (utc(2026, 5, 31, 1), utc(2026, 6, 1, 1))
    assert end.astimezone(CPH).time() == time(3, 0)


def test_the_cut_off_instant_belongs_to_the_new_business_day(norrebro):
    """T-8 boundary: 03:00:00.000000 exactly is the first instant of the new business day;
    one microsecond earlier is still the day before."""
    cut = datetime(2026, 6, 1, 3, 0, tzinfo=CPH)
    assert business_date(cut, CPH, time(3, 0)) == date(2026, 6, 1)
    assert business_date(cut - TICK, CPH, time(3, 0)) == date(2026, 5, 31)
    start, _end = business_day_period(norrebro, date(2026, 6, 1))
    assert start == cut


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((2026, 6, 1, 0, 30), date(2026, 5, 31)),
        ((2026, 6, 1, 2, 59), date(2026, 5, 31)),
        ((2026, 6, 1, 3, 30), date(2026, 6, 1)),
        ((2026, 6, 1, 23, 59), date(2026, 6, 1)),
    ],
)
def test_a_sale_after_midnight_belongs_to_the_business_day_before_the_cut_off(local, expected):
    """T-8: 00:30 belongs to the previous business day; 03:30 to the new one."""
    assert business_date(datetime(*local, tzinfo=CPH), CPH, time(3, 0)) == expected


def test_the_calendar_date_mode_runs_midnight_to_midnight(norrebro):
    """T-8 with the option off: the business date is the local calendar date."""
    calendar = attrs.evolve(norrebro, post_as_business_day=False)
    start, end = business_day_period(calendar, date(2026, 5, 31))
    assert (start, end) == (utc(2026, 5, 30, 22), utc(2026, 5, 31, 22))
    assert business_date(datetime(2026, 6, 1, 0, 30, tzinfo=CPH), CPH, MIDNIGHT) == date(2026, 6, 1)
    assert business_date(datetime(2026, 6, 1, 0, 0, tzinfo=CPH), CPH, MIDNIGHT) == date(2026, 6, 1)
    assert business_date(datetime(2026, 5, 31, 23, 59, tzinfo=CPH), CPH, MIDNIGHT) == date(
        2026, 5, 31
    )


# -- daylight saving time ------------------------------------------------------------------


def test_the_spring_forward_night_makes_a_23_hour_business_day(norrebro):
    """T-8 and DST: business day 28 March 2026 starts 03:00 CET and ends 03:00 CEST."""
    start, end = business_day_period(norrebro, date(2026, 3, 28))
    assert (start, end) == (utc(2026, 3, 28, 2), utc(2026, 3, 29, 1))
    assert end - start == timedelta(hours=23)
    # 01:59 CET is the last local minute before the clocks jump; it is still 28 March.
    assert business_date(utc(2026, 3, 29, 0, 59), CPH, time(3, 0)) == date(2026, 3, 28)
    assert business_date(utc(2026, 3, 29, 1, 0), CPH, time(3, 0)) == date(2026, 3, 29)


def test_the_fall_back_night_makes_a_25_hour_business_day_holding_both_2_30s(norrebro):
    """T-8 and DST: on 25 October 2026 02:30 happens twice (CEST, then CET); both are before
    03:00 CET and belong to business day 24 October, which lasts 25 hours."""
    start, end = business_day_period(norrebro, date(2026, 10, 24))
    assert (start, end) == (utc(2026, 10, 24, 1), utc(2026, 10, 25, 2))
    assert end - start == timedelta(hours=25)
    first = datetime(2026, 10, 25, 2, 30, tzinfo=CPH, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=CPH, fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    for instant in (first, second):
        assert business_date(instant, CPH, time(3, 0)) == date(2026, 10, 24)
    assert business_date(utc(2026, 10, 25, 2), CPH, time(3, 0)) == date(2026, 10, 25)


def test_calendar_days_on_dst_nights_are_23_and_25_hours(norrebro):
    """T-8, option off: the calendar day itself is short in March and long in October."""
    calendar = attrs.evolve(norrebro, post_as_business_day=False)
    spring = business_day_period(calendar, date(2026, 3, 29))
    autumn = business_day_period(calendar, date(2026, 10, 25))
    assert spring == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert autumn == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))


@pytest.mark.parametrize("day", [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 25)])
@pytest.mark.parametrize("business_day", [False, True])
def test_reykjavik_days_are_24_hours_on_european_dst_nights(reykjavik, day, business_day):
    """Atlantic/Reykjavik keeps UTC all year: every business day is 24 hours, starting at
    the cut-off in UTC, on the nights Europe changes its clocks too."""
    store = attrs.evolve(reykjavik, post_as_business_day=business_day, end_of_business_day="03:00")
    start, end = business_day_period(store, day)
    hour = 3 if business_day else 0
    assert start == datetime.combine(day, time(hour), tzinfo=UTC)
    assert end - start == timedelta(hours=24)
    assert business_date(start, RVK, day_cutoff(store)) == day
    assert business_date(start - TICK, RVK, day_cutoff(store)) == day - timedelta(days=1)


# -- what the batch closes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 6, 1, 2, 59, 59, tzinfo=CPH), date(2026, 5, 30)),
        (datetime(2026, 6, 1, 3, 0, tzinfo=CPH), date(2026, 5, 31)),
        (datetime(2026, 6, 1, 4, 0, tzinfo=CPH), date(2026, 5, 31)),
        (datetime(2026, 6, 1, 23, 0, tzinfo=CPH), date(2026, 5, 31)),
    ],
)
def test_the_last_complete_business_day_ends_at_the_cut_off(norrebro, now, expected):
    """T-2/T-8: the batch's default day is the latest business day that has ended: at
    03:00 exactly 31 May has ended; at 02:59:59 it has not."""
    assert last_complete_business_date(norrebro, now) == expected


# -- periods tile time, and the SQL agrees -------------------------------------------------

CUTOFFS = st.sampled_from(["00:00", "01:00", "02:00", "02:30", "03:00", "04:15", "23:45"])
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


# The store fixture is read only: sharing it between examples is safe.
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=DAYS, cutoff=CUTOFFS, zone=st.sampled_from(["Europe/Copenhagen", "Atlantic/Reykjavik"]))
def test_business_days_follow_each_other_without_gap_or_overlap(norrebro, day, cutoff, zone):
    """T-8: day D ends where day D+1 starts, every instant of D has business date D, and
    the instant before D's start belongs to D-1: no sale falls between two statements,
    also when the cut-off lies in a DST gap (02:30 on 29 March) or fold (25 October)."""
    store = attrs.evolve(
        norrebro,
        timezone=zone,
        end_of_business_day=cutoff,
        post_as_business_day=True,
    )
    tz, cut = ZoneInfo(zone), day_cutoff(store)
    start, end = business_day_period(store, day)
    assert start < end
    assert business_day_period(store, day + timedelta(days=1))[0] == end
    assert business_date(start, tz, cut) == day
    assert business_date(end - TICK, tz, cut) == day
    assert business_date(start - TICK, tz, cut) == day - timedelta(days=1)
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)


@pytest.mark.parametrize("cutoff", [time(3, 0), MIDNIGHT, time(2, 30)])
def test_the_sql_business_date_agrees_with_the_python_one(cutoff):
    """The batch and statements compute the business date inside SQLite; on both DST
    nights of 2026, around every boundary, it gives the same date as `business_date`."""
    start, end = utc(2026, 3, 26), utc(2026, 10, 28)
    expr = business_date_sql("created_at", start, end, CPH, cutoff)
    instants = []
    for day in (date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 25)):
        for minutes in range(-90, 26 * 60, 15):
            instants.append(
                datetime.combine(day, MIDNIGHT, tzinfo=UTC) + timedelta(minutes=minutes)
            )
    instants += [utc(2026, 6, 1, 1) - TICK, utc(2026, 6, 1, 1), utc(2026, 6, 1, 1) + TICK]
    con = sqlite3.connect(":memory:")
    try:
        for instant in instants:
            (got,) = con.execute(f"SELECT {expr} FROM (SELECT ? AS created_at)", (iso(instant),))
            assert got[0] == business_date(instant, CPH, cutoff).isoformat(), iso(instant)
    finally:
        con.close()


# -- period bounds as typed ----------------------------------------------------------------


def test_a_typed_date_means_its_business_day(norrebro):
    """--from/--to DATE: the business day's start; --to includes that day (next start)."""
    assert parse_when("2026-05-31", norrebro) == utc(2026, 5, 31, 1)
    assert parse_when("2026-05-31", norrebro, end=True) == utc(2026, 6, 1, 1)
    assert parse_when(" 2026-05-31T08:15 ", norrebro) == utc(2026, 5, 31, 6, 15)
    assert parse_when("2026-05-31T08:15:00+00:00", norrebro) == utc(2026, 5, 31, 8, 15)
    assert parse_when("2026-05-31T08:15:00Z", norrebro) == utc(2026, 5, 31, 8, 15)


@pytest.mark.parametrize("text", ["31-05-2026", "2026-02-30", "yesterday", ""])
def test_a_period_bound_that_is_not_a_date_is_refused(norrebro, text):
    with pytest.raises(InputError, match="is not a date or time"):
        parse_when(text, norrebro)
