"""The back-office session report (A-1..A-5): permissions, selection, overviews.

A manager picks a store, a range of the store's local dates and optionally one
terminal (`make_selection`). The sessions in the report are those *opened* in
[first instant of ``date_from``, first instant of the day after ``date_to``)
in the store's time zone, so a session that crosses midnight belongs to the
day it started, and consecutive ranges never overlap or leave a gap.

Per session, the opening, closing and total discrepancy (A-3) are the columns
of the view ``session_discrepancies`` (core/store/migrations/m019.py says how
each is computed). Cash payments (A-4) are the session's cash received from
sales (net of change) and paid out for refunds, kept per session by triggers on
``payments`` (m002, made again in m019), so every figure is a sum over one
sessions row: the report never reads sales.

Reading needs the A-2 permissions "view cash tracking sessions" and "view cash
tracking session history", and "view reports" as for every back-office
report (`REPORT_PERMISSIONS`). The sorted, paged session list is in
`core.reports.session_list`, the CSV export in `core.reports.export`.

A sqlite3 connection belongs to its thread: a worker that exports opens its
own `Db`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attrs import frozen

from core.errors import InputError, PermissionDenied
from core.staff.permissions import label
from core.store.db import Db, iso
from core.store.records import Staff, Store
from core.store.stores import get_store
from core.store.terminals import get_terminal
from core.text.i18n import _

REPORT_PERMISSIONS = ("sessions.view", "sessions.history", "reports.view")
_FIRST_YEAR, _LAST_YEAR = 1970, 9998


def may_see_report(actor: Staff) -> bool:
    """Whether to offer the report at all (the functions below still check)."""
    return actor.active and all(actor.can(p) for p in REPORT_PERMISSIONS)


def require_report(actor: Staff) -> None:
    """Refuse, naming every missing permission, unless the actor may see the report."""
    missing = [p for p in REPORT_PERMISSIONS if not actor.active or not actor.can(p)]
    if missing:
        raise PermissionDenied(
            _(
                "{name} is not allowed to see the session report: it needs permission to {what}."
            ).format(name=actor.name, what=", ".join(label(p) for p in missing))
        )


# -- selection -------------------------------------------------------------------------


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of the local ``day`` in ``tz``.

    fold=0: a midnight that a daylight-saving jump skips maps to the instant of
    the jump; an ambiguous midnight to its first occurrence. Either way the
    start of one day is the end of the day before.
    """
    return datetime.combine(day, time(0), tzinfo=tz)


@frozen
class Selection:
    """What the report covers: a store, local dates (both inclusive), maybe one terminal."""

    store: Store
    date_from: date
    date_to: date
    terminal_id: str | None
    start_utc: str
    """`core.store.db.iso` text of the first instant of ``date_from`` (inclusive)."""
    end_utc: str
    """`core.store.db.iso` text of the first instant after ``date_to`` (exclusive)."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.store.timezone)

    @property
    def currency(self) -> str:
        return self.store.currency


def make_selection(
    db: Db,
    store_id: str,
    date_from: date,
    date_to: date,
    terminal_id: str | None = None,
) -> Selection:
    """Check the store, the terminal (it must be the store's) and the dates."""
    if isinstance(date_from, datetime) or isinstance(date_to, datetime):
        date_from, date_to = _as_date(date_from), _as_date(date_to)
    for day in (date_from, date_to):
        if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
            raise InputError(
                _("{day} is out of range: use a date from {first} to {last}.").format(
                    day=day.isoformat(), first=_FIRST_YEAR, last=_LAST_YEAR
                )
            )
    if date_from > date_to:
        raise InputError(
            _("The range starts after it ends: {start} is later than {end}.").format(
                start=date_from.isoformat(), end=date_to.isoformat()
            )
        )
    store = get_store(db, store_id)
    if terminal_id:
        terminal = get_terminal(db, terminal_id)
        if terminal.store_id != store.id:
            raise InputError(
                _("Terminal {terminal} belongs to store {other}, not {store}.").format(
                    terminal=terminal_id, other=terminal.store_id, store=store.id
                )
            )
    tz = ZoneInfo(store.timezone)
    return Selection(
        store=store,
        date_from=date_from,
        date_to=date_to,
        terminal_id=terminal_id or None,
        start_utc=iso(day_start(date_from, tz)),
        end_utc=iso(day_start(date_to + timedelta(days=1), tz)),
    )


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def where_sql(sel: Selection) -> tuple[str, list[object]]:
    """The WHERE clause (over ``sessions s``, or a view of it) and parameters of the
    selection."""
    sql = "s.store_id = ? AND s.opened_at >= ? AND s.opened_at < ?"
    params: list[object] = [sel.store.id, sel.start_utc, sel.end_utc]
    if sel.terminal_id:
        sql += " AND s.terminal_id = ?"
        params.append(sel.terminal_id)
    return sql, params


# -- overviews (A-3, A-4) --------------------------------------------------------------


@frozen
class DiscrepancyOverview:
    """A-3 over the selection. Expected and counted are sums over closed sessions."""

    sessions: int
    open_sessions: int
    opening_discrepancy: int
    closing_discrepancy: int
    expected_cash: int
    counted_cash: int
    sessions_over: int
    """Sessions whose total discrepancy is above zero."""
    sessions_short: int
    opening_over: int
    opening_short: int
    closing_over: int
    closing_short: int

    @property
    def closed_sessions(self) -> int:
        return self.sessions - self.open_sessions

    @property
    def total_discrepancy(self) -> int:
        return self.opening_discrepancy + self.closing_discrepancy

    @property
    def sessions_even(self) -> int:
        return self.sessions - self.sessions_over - self.sessions_short


@frozen
class CashOverview:
    """A-4: cash received from sales (net of change), cash paid out for refunds."""

    gross: int
    refunds: int

    @property
    def net(self) -> int:
        return self.gross - self.refunds


@frozen
class ReportOverview:
    selection: Selection
    discrepancy: DiscrepancyOverview
    cash: CashOverview

    @property
    def currency(self) -> str:
        return self.selection.currency


# COUNT(*) FILTER (WHERE ...): one spelling SQLite (3.30+) and PostgreSQL both run.
_OVERVIEW_SQL = """
SELECT COUNT(*) AS sessions,
       COUNT(*) FILTER (WHERE status = 'open') AS open_sessions,
       COALESCE(SUM(od), 0) AS opening, COALESCE(SUM(cd), 0) AS closing,
       COALESCE(SUM(expected_cash), 0) AS expected, COALESCE(SUM(counted_cash), 0) AS counted,
       COUNT(*) FILTER (WHERE td > 0) AS over, COUNT(*) FILTER (WHERE td < 0) AS short,
       COUNT(*) FILTER (WHERE od > 0) AS opening_over,
       COUNT(*) FILTER (WHERE od < 0) AS opening_short,
       COUNT(*) FILTER (WHERE cd > 0) AS closing_over,
       COUNT(*) FILTER (WHERE cd < 0) AS closing_short,
       COALESCE(SUM(cash_received), 0) AS gross, COALESCE(SUM(cash_paid_out), 0) AS refunds
  FROM (SELECT s.status, s.expected_cash, s.counted_cash, s.cash_received, s.cash_paid_out,
               s.opening_discrepancy AS od, s.closing_discrepancy AS cd, s.total_discrepancy AS td
          FROM session_discrepancies s WHERE {where}) AS d
"""


def report_overview(db: Db, actor: Staff, selection: Selection) -> ReportOverview:
    """Both overviews of the selection, in one query over the sessions rows."""
    require_report(actor)
    where, params = where_sql(selection)
    r = db.one(_OVERVIEW_SQL.format(where=where), params)
    if r is None:  # an aggregate without GROUP BY always returns one row
        raise RuntimeError("the report overview query returned no row")
    return ReportOverview(
        selection=selection,
        discrepancy=DiscrepancyOverview(
            sessions=r["sessions"],
            open_sessions=r["open_sessions"],
            opening_discrepancy=r["opening"],
            closing_discrepancy=r["closing"],
            expected_cash=r["expected"],
            counted_cash=r["counted"],
            sessions_over=r["over"],
            sessions_short=r["short"],
            opening_over=r["opening_over"],
            opening_short=r["opening_short"],
            closing_over=r["closing_over"],
            closing_short=r["closing_short"],
        ),
        cash=CashOverview(gross=r["gross"], refunds=r["refunds"]),
    )


def count_sessions(db: Db, actor: Staff, selection: Selection) -> int:
    require_report(actor)
    where, params = where_sql(selection)
    return int(db.scalar(f"SELECT COUNT(*) FROM sessions s WHERE {where}", params))
