"""The session list of the report (A-5): one row per session, sorted and paged.

Sortable by start, end and total discrepancy, both ways; descending is the
exact reverse of ascending (ties by start, then session id). A page is cut
over the sessions rows alone, then the page's names and adjustments are
joined, so the first page of a year costs a sort of ~20,000 small rows.
`iter_sessions` streams the whole selection for exports.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from attrs import frozen

from core.errors import InputError
from core.reports.session_report import Selection, count_sessions, require_report, where_sql
from core.store.db import Db
from core.store.records import Staff
from core.store.rows import column, from_rows
from core.text.i18n import _

SORT_KEYS = ("start", "end", "discrepancy")
MAX_PAGE = 1000


def _local(stored: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(stored).astimezone(tz)


@from_rows(positional=True)
@frozen
class SessionReportRow:
    """One session of the list; times are aware datetimes in the store's time zone.

    Built by ``from_row(row, tz=...)`` from a `_ROW_COLUMNS` tuple (positional: the
    export reads 100,000s of them).
    """

    id: int
    store_id: str
    terminal_id: str
    terminal_name: str
    status: str
    start: datetime = column(convert=_local, context="tz")
    end: datetime | None = column(convert=_local, context="tz", nullable=True)
    opened_by: str
    opened_by_name: str
    closed_by: str | None
    closed_by_name: str | None
    opening_float: int
    previous_left: int | None
    cash_received: int
    cash_paid_out: int
    adjustments: int
    """Cash added minus cash removed during the session (S-6)."""
    expected_cash: int
    """Frozen at close; for an open session, what the drawer should hold now (the view
    session_cash)."""
    counted_cash: int | None
    left_in_drawer: int | None
    cash_removed: int | None
    open_note: str
    close_note: str
    # A-3 as the view session_discrepancies computes them (None: not yet, or a first session)
    opening_discrepancy: int | None
    closing_discrepancy: int | None
    total_discrepancy: int

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def net_cash(self) -> int:
        return self.cash_received - self.cash_paid_out


# ``s`` is the view session_discrepancies (sessions and A-3), ``c`` the view session_cash
# (S-7): the rules are theirs, this only picks columns. The live expected cash is read
# for an open session only (COALESCE stops at the frozen one).
_ROW_COLUMNS = """s.id, s.store_id, s.terminal_id, t.name, s.status, s.opened_at, s.closed_at,
       s.opened_by, ob.name, s.closed_by, cb.name, s.opening_float, s.previous_left,
       s.cash_received, s.cash_paid_out, c.cash_added - c.cash_removed,
       COALESCE(s.expected_cash, c.expected), s.counted_cash, s.left_in_drawer, s.cash_removed,
       s.open_note, s.close_note,
       s.opening_discrepancy, s.closing_discrepancy, s.total_discrepancy"""

_JOINS = """JOIN session_cash c ON c.session_id = s.id
  JOIN terminals t ON t.id = s.terminal_id
  JOIN staff ob ON ob.id = s.opened_by
  LEFT JOIN staff cb ON cb.id = s.closed_by"""


def _order_by(sort: str, desc: bool) -> str:
    """Descending is the exact reverse of ascending (ties broken by start, then id).

    By end, open sessions (no end yet) come after every closed one.
    """
    if sort not in SORT_KEYS:
        raise InputError(
            _("Sort by one of: {choices}; not {sort!r}.").format(
                choices=", ".join(SORT_KEYS), sort=sort
            )
        )
    d = " DESC" if desc else ""
    if sort == "start":
        return f"s.opened_at{d}, s.id{d}"
    if sort == "end":
        nulls = " NULLS FIRST" if desc else " NULLS LAST"
        return f"s.closed_at{d}{nulls}, s.id{d}"
    return f"s.total_discrepancy{d}, s.opened_at{d}, s.id{d}"


@frozen
class SessionPage:
    rows: tuple[SessionReportRow, ...]
    total: int
    """Sessions in the whole selection."""
    offset: int
    limit: int
    sort: str
    desc: bool

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def list_sessions_page(
    db: Db,
    actor: Staff,
    selection: Selection,
    *,
    sort: str = "start",
    desc: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> SessionPage:
    """One page of the sorted session list, and the number of sessions in the selection."""
    require_report(actor)
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(_("A page has 1 to {max} rows.").format(max=MAX_PAGE))
    if offset < 0:
        raise InputError(_("The offset cannot be negative."))
    order = _order_by(sort, desc)
    where, params = where_sql(selection)
    # Sort and cut the page over the sessions rows alone, then join the names
    # and adjustments for the page's rows only.
    sql = (
        f"SELECT {_ROW_COLUMNS} FROM (SELECT s.id FROM session_discrepancies s WHERE {where}"
        f" ORDER BY {order} LIMIT ? OFFSET ?) AS page"
        f" JOIN session_discrepancies s ON s.id = page.id {_JOINS} ORDER BY {order}"
    )
    tz = selection.tz
    with db.read():
        total = count_sessions(db, actor, selection)
        rows = db.execute(sql, (*params, limit, offset)).fetchall()
    return SessionPage(
        rows=tuple(SessionReportRow.from_row(tuple(r), tz=tz) for r in rows),
        total=total,
        offset=offset,
        limit=limit,
        sort=sort,
        desc=desc,
    )


def iter_sessions(
    db: Db, actor: Staff, selection: Selection, *, sort: str = "start", desc: bool = False
) -> Iterator[SessionReportRow]:
    """Every session of the selection, sorted, one at a time (constant memory).

    Call it inside ``db.read()`` to see the same snapshot as a count taken there.
    """
    require_report(actor)
    order = _order_by(sort, desc)
    where, params = where_sql(selection)
    rows = db.stream(
        f"SELECT {_ROW_COLUMNS} FROM session_discrepancies s {_JOINS}"
        f" WHERE {where} ORDER BY {order}",
        params,
    )
    tz = selection.tz
    for r in rows:
        yield SessionReportRow.from_row(r, tz=tz)
