"""Business days (T-8) and statement periods, in the store's time zone.

Instants are stored in UTC; a business date is a *local* notion. With "post as
business day" on, the business day D runs from D at the store's end of
business day (e.g. 03:00) to the same time on D+1, local time: a sale at 02:59
on 1 June belongs to 31 May, one at 03:00 to 1 June. With it off, the business
date is the local calendar date (the day starts at midnight).

For a million sales the business date is computed inside SQLite, not per row in
Python: `business_date_sql` turns the period's day boundaries (computed here with
``zoneinfo``, so daylight-saving changes are exact) into a balanced CASE over
the ISO text of ``created_at``: log2(days) string comparisons per row. The
bench measures it against a registered Python function (`business_date`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import InputError
from core.store.db import iso
from core.store.records import Store
from core.text import validate
from core.text.i18n import _

MIDNIGHT = time(0, 0)


def day_cutoff(store: Store, business_day: bool | None = None) -> time:
    """The local time a business day starts: end of business day, or midnight when off."""
    on = store.post_as_business_day if business_day is None else business_day
    return cutoff(on, store.end_of_business_day)


def cutoff(business_day: bool, end_of_business_day: str) -> time:
    """The start of a business day from the two settings (a store's, or the ones a
    statement was calculated with)."""
    if not business_day:
        return MIDNIGHT
    hours, minutes = end_of_business_day.split(":")
    return time(int(hours), int(minutes))


def _start_of(day: date, cutoff: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, cutoff, tzinfo=tz).astimezone(UTC)


def business_date(instant: datetime, tz: ZoneInfo, cutoff: time) -> date:
    """The business date of one instant (the reference the SQL version must agree with)."""
    local = instant.astimezone(tz)
    day = local.date()
    return day if _start_of(day, cutoff, tz) <= instant else day - timedelta(days=1)


def business_day_period(store: Store, day: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the store's business day ``day`` (its calendar day when
    "post as business day" is off): what the nightly batch closes."""
    tz = ZoneInfo(store.timezone)
    cutoff = day_cutoff(store)
    return _start_of(day, cutoff, tz), _start_of(day + timedelta(days=1), cutoff, tz)


def last_complete_business_date(store: Store, now: datetime) -> date:
    """The latest business day that has ended at ``now`` (the batch's default)."""
    tz = ZoneInfo(store.timezone)
    return business_date(now, tz, day_cutoff(store)) - timedelta(days=1)


def business_date_sql(
    column: str, start: datetime, end: datetime, tz: ZoneInfo, cutoff: time
) -> str:
    """An SQL expression giving the business date ('YYYY-MM-DD') of ``column`` (an ISO
    UTC instant as kassi stores it) for instants in [start, end).

    The boundaries are generated here from dates (no user text), so they are
    inlined as literals; the CASE is nested as a binary search.
    """
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    bounds = [iso(_start_of(d, cutoff, tz)) for d in days]

    def build(lo: int, hi: int) -> str:
        if lo == hi:
            return f"'{days[lo].isoformat()}'"
        mid = (lo + hi + 1) // 2
        return (
            f"CASE WHEN {column} < '{bounds[mid]}' THEN {build(lo, mid - 1)}"
            f" ELSE {build(mid, hi)} END"
        )

    return build(0, len(days) - 1)


def parse_when(text: str, store: Store, *, end: bool = False) -> datetime:
    """A period bound as typed: a date (its business day's start; with ``end``, the
    next business day's start, so --to 2026-05-31 includes that day), a local
    date-time ``YYYY-MM-DDTHH:MM`` in the store's zone, or an ISO instant with offset."""
    text = text.strip()
    tz = ZoneInfo(store.timezone)
    try:
        if len(text) == 10:
            day = validate.check_day_range(date.fromisoformat(text))
            start, next_start = business_day_period(store, day)
            return next_start if end else start
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        validate.check_day_range(moment.date())
    except ValueError:
        raise InputError(
            _(
                "{text!r} is not a date or time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM (store time)"
                " or an ISO time with its UTC offset."
            ).format(text=text)
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def local_text(instant_iso: str, store: Store) -> str:
    """A stored UTC instant as the store's local time with its offset (for people)."""
    moment = datetime.strptime(instant_iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(store.timezone)).strftime("%Y-%m-%d %H:%M%z")
