"""The session report in machine form: records for JSON and the CSV export (A-1).

One record per session, with the columns of `COLUMNS` (keys are the CSV
header and the JSON keys; labels are for screens). Amounts are decimal strings
in the store's currency (`core.money.amounts.to_decimal_str`), never floats; times are
ISO 8601 in the store's local time with its UTC offset, to the second; a value
that does not apply (the end of an open session) is empty in CSV and null in
JSON.

The CSV is RFC 4180 as spreadsheets read it: UTF-8 with a byte order mark
(so Excel does not guess a legacy code page for "ø"), a header row, CRLF line
ends, fields with commas, quotes or line breaks quoted. Free-text cells (names,
notes) that start with = + - @ or a tab get a leading apostrophe, so a
spreadsheet shows them as text instead of running them as formulas (CSV
injection); amounts are never touched. Rows are streamed from one cursor, so
memory stays flat however long the history.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from core.money.amounts import to_decimal_str
from core.reports.session_list import SessionReportRow, iter_sessions
from core.reports.session_report import ReportOverview, Selection, count_sessions, require_report
from core.store.db import Db
from core.store.records import Staff
from core.text.display import safe_text
from core.text.i18n import N_

COLUMNS: tuple[tuple[str, str], ...] = (
    ("store", N_("Store")),
    ("session", N_("Session")),
    ("terminal", N_("Terminal")),
    ("terminal_name", N_("Terminal name")),
    ("status", N_("Status")),
    ("start", N_("Start")),
    ("end", N_("End")),
    ("opened_by", N_("Opened by")),
    ("opened_by_name", N_("Opened by (name)")),
    ("closed_by", N_("Closed by")),
    ("closed_by_name", N_("Closed by (name)")),
    ("currency", N_("Currency")),
    ("opening_float", N_("Starting amount")),
    ("previous_left", N_("Left at previous close")),
    ("opening_discrepancy", N_("Opening discrepancy")),
    ("cash_payments", N_("Cash payments")),
    ("cash_refunds", N_("Cash refunds")),
    ("net_cash", N_("Net cash payments")),
    ("cash_adjustments", N_("Cash added - removed")),
    ("expected_cash", N_("Expected cash")),
    ("counted_cash", N_("Counted cash")),
    ("closing_discrepancy", N_("Closing discrepancy")),
    ("total_discrepancy", N_("Total discrepancy")),
    ("left_in_drawer", N_("Left in drawer")),
    ("cash_removed", N_("Cash taken out")),
    ("open_note", N_("Opening note")),
    ("close_note", N_("Closing note")),
)
KEYS = tuple(key for key, _label in COLUMNS)
_FREE_TEXT = ("terminal_name", "opened_by_name", "closed_by_name", "open_note", "close_note")
_FREE_TEXT_AT = tuple(KEYS.index(k) for k in _FREE_TEXT)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int, int], object]
"""Called with (rows written, rows in the selection); raise from it to cancel."""


def amount_formatter(currency: str, cache: int = 8192) -> Callable[[int], str]:
    """`to_decimal_str` for one currency, remembering recent amounts (floats, zero
    and round counts repeat in every row of a long export; the memory is bounded)."""

    @functools.lru_cache(maxsize=cache)
    def fmt(minor: int) -> str:
        return to_decimal_str(minor, currency)

    return fmt


def row_values(
    row: SessionReportRow, currency: str, fmt: Callable[[int], str] | None = None
) -> list[Any]:
    """The row's values in `KEYS` order (None where a value does not apply)."""
    m = fmt or amount_formatter(currency, cache=0)
    closed = not row.is_open
    first = row.previous_left is None
    return [
        row.store_id,
        row.id,
        row.terminal_id,
        row.terminal_name,
        row.status,
        row.start.isoformat(timespec="seconds"),
        row.end.isoformat(timespec="seconds") if closed else None,
        row.opened_by,
        row.opened_by_name,
        row.closed_by,
        row.closed_by_name,
        currency,
        m(row.opening_float),
        None if first else m(row.previous_left),
        None if first else m(row.opening_discrepancy),
        m(row.cash_received),
        m(row.cash_paid_out),
        m(row.net_cash),
        m(row.adjustments),
        m(row.expected_cash),
        m(row.counted_cash) if closed else None,
        m(row.closing_discrepancy) if closed else None,
        m(row.total_discrepancy),
        m(row.left_in_drawer) if closed else None,
        m(row.cash_removed) if closed else None,
        row.open_note,
        row.close_note,
    ]


def row_record(row: SessionReportRow, currency: str) -> dict[str, Any]:
    """The row as a JSON object (the same keys and values as a CSV row)."""
    return dict(zip(KEYS, row_values(row, currency), strict=True))


def overview_record(overview: ReportOverview) -> dict[str, Any]:
    """Both overviews and the selection as a JSON object; amounts as decimal strings."""
    sel, d, c = overview.selection, overview.discrepancy, overview.cash

    def m(v: int) -> str:
        return to_decimal_str(v, sel.currency)

    return {
        "store": sel.store.id,
        "store_name": sel.store.name,
        "timezone": sel.store.timezone,
        "currency": sel.currency,
        "from": sel.date_from.isoformat(),
        "to": sel.date_to.isoformat(),
        "terminal": sel.terminal_id,
        "discrepancy": {
            "sessions": d.sessions,
            "open_sessions": d.open_sessions,
            "closed_sessions": d.closed_sessions,
            "opening_discrepancy": m(d.opening_discrepancy),
            "closing_discrepancy": m(d.closing_discrepancy),
            "total_discrepancy": m(d.total_discrepancy),
            "expected_cash": m(d.expected_cash),
            "counted_cash": m(d.counted_cash),
            "sessions_over": d.sessions_over,
            "sessions_short": d.sessions_short,
            "sessions_even": d.sessions_even,
            "opening_over": d.opening_over,
            "opening_short": d.opening_short,
            "closing_over": d.closing_over,
            "closing_short": d.closing_short,
        },
        "cash_payments": {"gross": m(c.gross), "refunds": m(c.refunds), "net": m(c.net)},
    }


def export_sessions_csv(
    db: Db,
    actor: Staff,
    selection: Selection,
    out: IO[str],
    *,
    sort: str = "start",
    desc: bool = False,
    progress: Progress | None = None,
    every: int = 1000,
    bom: bool = True,
    delimiter: str = ",",
) -> int:
    """Write the selection, in the list's order, as CSV to a text stream; returns the rows.

    Open a file for it with ``encoding="utf-8", newline=""``. ``progress`` gets
    (written, total) at the start, every ``every`` rows and at the end.
    """
    require_report(actor)
    currency = selection.currency
    with db.read():
        total = count_sessions(db, actor, selection)
        if progress:
            progress(0, total)
        if bom:
            out.write("\ufeff")
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(KEYS)
        written = 0
        fmt = amount_formatter(currency)
        for row in iter_sessions(db, actor, selection, sort=sort, desc=desc):
            # the file is shown in spreadsheets and by `cat`; line breaks in a
            # note are data (quoted, A-1), terminal controls are not.
            values = [
                safe_text(v, keep_newlines=True) if isinstance(v, str) else v
                for v in row_values(row, currency, fmt)
            ]
            for i in _FREE_TEXT_AT:
                text = values[i]
                if text and text.startswith(_FORMULA_START):
                    values[i] = "'" + text
            writer.writerow(values)
            written += 1
            if progress and written % every == 0:
                progress(written, total)
        if progress and written % every:
            progress(written, total)
    return written


def export_sessions_csv_file(
    db: Db, actor: Staff, selection: Selection, path: str | Path, **options: Any
) -> int:
    """`export_sessions_csv` into a file, all or nothing: written beside it, then renamed."""
    require_report(actor)
    target = Path(path)
    part = target.with_name(target.name + ".part")
    try:
        with part.open("w", encoding="utf-8", newline="") as out:
            written = export_sessions_csv(db, actor, selection, out, **options)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return written
