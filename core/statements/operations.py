"""Retail statements (T-2..T-9): create, list transactions, calculate, count, delete.

A statement covers one store and a period [start, end) of UTC instants. Its
life: created -> calculated -> posted (core.statements.posting). Every step is
one write transaction with its audit entry and needs "statements.manage".

*Calculate* (T-4) takes the period's transactions that no statement holds yet
(``statement_ranges``, core.statements.ranges: ranges of one store never overlap,
so no transaction can be in two statements) and the closed sessions overlapping the period whose counts
no statement holds yet (``statement_sessions``). It then totals, in SQL, one
line per payment method and group: the group is '' (method total), the staff
member, the terminal or the session (shift) of the sale. With "split by
statement method" the store gets one statement per group (made at create).

*Counted* (T-5): the tills' closing declarations (cash: the counted drawer)
give each counted session's discrepancy per tender: declared - expected (cash:
the expected cash frozen at close; other tenders: the session's payments).
A line's counted amount is its transaction amount plus the discrepancies of
the sessions in its group, so the difference is what the counts found, even
when a shift crosses the period's edge. Sessions go to a staff member's group
by who closed them. A counted amount can be entered by hand (audited); a
recalculation keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.audit import journal as audit
from core.errors import InputError, NotFound, StateError
from core.staff.auth import require
from core.statements.posting import PostingResult, post_statement
from core.statements.ranges import HELD_BY, take_sales
from core.statements.records import Statement
from core.statements.selection import (
    PERMISSION,
    SALE_GROUP,
    SESSION_GROUP,
    UNTAKEN_SESSIONS,
    check_no_open_sessions,
    existing_for_period,
    has_untaken,
    params,
    scope,
    split_filter,
    split_keys,
    statement_scope,
    statement_transactions,
)
from core.statements.views import get_statement, list_statements, statement_details
from core.store.db import Db, iso
from core.store.records import Staff
from core.store.stores import get_store
from core.text import validate
from core.text.i18n import _

__all__ = [
    "PostingResult",
    "calculate_statement",
    "create_statements",
    "delete_statement",
    "get_statement",
    "list_statements",
    "post_statement",
    "set_counted",
    "statement_details",
    "statement_transactions",
]

NOTE_MAX = 500


def _period(start: datetime, end: datetime) -> tuple[str, str]:
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError(_("A statement period needs times with a time zone."))
    if not start < end:
        raise InputError(_("The period must end after it starts."))
    return iso(start), iso(end)


def create_statements(
    db: Db,
    actor: Staff,
    store_id: str,
    start: datetime,
    end: datetime,
    *,
    source: str = "manual",
) -> list[Statement]:
    """Create the store's statement for [start, end): one, or with "split by statement
    method" one per staff member / terminal / shift with transactions or counts in
    the period. Refused while a session in the period is open (T-9).

    A statement with the same store, period (and group) already existing is
    refused for a manual create and skipped by the batch (``source="batch"``),
    which also creates nothing for a period with nothing to take: running the
    batch twice creates nothing the second time.
    """
    p_start, p_end = _period(start, end)
    if source not in ("manual", "batch"):
        raise ValueError(source)
    with db.write(scope=scope(store_id)):
        require(actor, PERMISSION)
        store = get_store(db, store_id)
        check_no_open_sessions(db, store, p_end)
        existing = {s.split_key: s for s in existing_for_period(db, store.id, p_start, p_end)}
        split = store.split_by_statement_method and store.statement_method != "total"
        if split:
            keys = [k for k in split_keys(db, store, p_start, p_end) if k not in existing]
        elif "" in existing or (
            source == "batch" and not has_untaken(db, store.id, p_start, p_end)
        ):
            keys = []
        else:
            keys = [""]
        if not keys and source == "manual":
            if existing:
                raise StateError(
                    _("Statement {ids} already covers {store} for this period.").format(
                        ids=", ".join(str(s.id) for s in existing.values()), store=store.id
                    )
                )
            raise StateError(
                _("{store} has no transactions in the period to make statements of.").format(
                    store=store.id
                )
            )
        made = []
        for key in keys:
            statement_id = db.next_number("statement")
            db.insert(
                "statements",
                {
                    "id": statement_id,
                    "store_id": store.id,
                    "period_start": p_start,
                    "period_end": p_end,
                    "method": store.statement_method,
                    "split": int(split),
                    "split_key": key,
                    "source": source,
                    "status": "created",
                    "created_at": db.now_iso(),
                    "created_by": actor.id,
                },
            )
            audit.append(
                db,
                "statement.create",
                staff_id=actor.id,
                entity="statement",
                entity_id=statement_id,
                details={
                    "store": store.id,
                    "start": p_start,
                    "end": p_end,
                    "method": store.statement_method,
                    "split_key": key,
                    "source": source,
                },
            )
            made.append(get_statement(db, statement_id))
        return made


# -- calculate (T-4, T-5) ---------------------------------------------------------------


def _release(db: Db, statement_id: int) -> None:
    db.execute("DELETE FROM statement_lines WHERE statement_id = ?", (statement_id,))
    db.execute("DELETE FROM statement_sessions WHERE statement_id = ?", (statement_id,))
    db.execute("DELETE FROM statement_ranges WHERE statement_id = ?", (statement_id,))


def _take(db: Db, st: Statement) -> int:
    """Take the untaken transactions (as ranges, core.statements.ranges) and sessions;
    returns how many transactions."""
    p = params(st)
    taken = take_sales(db, p, split_filter(st, "s"))
    db.execute(
        "INSERT INTO statement_sessions (session_id, statement_id)"
        f" SELECT x.id, :id {UNTAKEN_SESSIONS}{split_filter(st, 'x')}",
        p,
    )
    return taken


def _total_lines(db: Db, st: Statement) -> None:
    """One line per (group, tender): payments of the taken transactions, plus the
    declarations of the taken sessions, summed in SQL."""
    db.execute(
        f"""INSERT INTO statement_lines (statement_id, group_key, tender_id, payments,
                transaction_amount, declared, discrepancy, counted)
        SELECT :id, g, tender_id, SUM(n), SUM(amount), SUM(declared), SUM(disc),
               SUM(amount) + SUM(disc)
          FROM (
            SELECT {SALE_GROUP[st.method]} AS g, p.tender_id, COUNT(*) AS n,
                   SUM(p.amount) AS amount, NULL AS declared, 0 AS disc
              FROM {HELD_BY} JOIN payments p ON p.sale_id = s.id
             WHERE r.statement_id = :id
             GROUP BY 1, 2
            UNION ALL
            SELECT {SESSION_GROUP[st.method]}, d.tender_id, 0, 0, d.amount,
                   d.amount - CASE WHEN t.is_cash = 1 THEN x.expected_cash ELSE
                       (SELECT COALESCE(SUM(p.amount), 0) FROM payments p
                         WHERE p.session_id = x.id AND p.tender_id = d.tender_id) END
              FROM statement_sessions y
              JOIN sessions x ON x.id = y.session_id
              JOIN declarations d ON d.session_id = x.id
              JOIN tenders t ON t.id = d.tender_id
             WHERE y.statement_id = :id
          ) AS u
         GROUP BY g, tender_id""",
        {"id": st.id},
    )


def calculate_statement(db: Db, actor: Staff, statement_id: int) -> Statement:
    """T-4: take the period's untaken transactions and total them into lines.

    Calculating again (before posting) first releases what the statement held,
    then takes again: transactions that arrived since are included. Counted
    amounts entered by hand stay on lines that still exist.
    """
    with db.write(scope=statement_scope(db, statement_id)):
        require(actor, PERMISSION)
        st = get_statement(db, statement_id)
        if st.is_posted:
            raise StateError(_("Statement {id} is posted; it cannot change.").format(id=st.id))
        store = get_store(db, st.store_id)
        check_no_open_sessions(db, store, st.period_end)
        manual = db.all(
            "SELECT group_key, tender_id, counted, counted_by, counted_at, counted_note"
            " FROM statement_lines WHERE statement_id = ? AND counted_manual = 1",
            (st.id,),
        )
        _release(db, st.id)
        taken = _take(db, st)
        _total_lines(db, st)
        db.executemany(
            "UPDATE statement_lines SET counted = ?, counted_manual = 1, counted_by = ?,"
            " counted_at = ?, counted_note = ? WHERE statement_id = ? AND group_key = ?"
            " AND tender_id = ?",
            [
                (
                    r["counted"],
                    r["counted_by"],
                    r["counted_at"],
                    r["counted_note"],
                    st.id,
                    r["group_key"],
                    r["tender_id"],
                )
                for r in manual
            ],
        )
        db.execute(
            "UPDATE statements SET status = 'calculated', calculated_at = ?, calculated_by = ?,"
            " timezone = ?, business_day = ?, end_of_business_day = ?, transactions = ?"
            " WHERE id = ?",
            (
                db.now_iso(),
                actor.id,
                store.timezone,
                int(store.post_as_business_day),
                store.end_of_business_day,
                taken,
                st.id,
            ),
        )
        totals = db.one(
            "SELECT COALESCE(SUM(transaction_amount), 0), COALESCE(SUM(counted), 0)"
            " FROM statement_lines WHERE statement_id = ?",
            (st.id,),
        )
        audit.append(
            db,
            "statement.calculate",
            staff_id=actor.id,
            entity="statement",
            entity_id=st.id,
            amount=totals[0],
            details={
                "transactions": taken,
                "counted": totals[1],
                "recalculated": st.status == "calculated",
            },
        )
        return get_statement(db, st.id)


# -- counted amounts by hand (T-5) ------------------------------------------------------


def set_counted(
    db: Db,
    actor: Staff,
    statement_id: int,
    tender_id: str,
    counted: int | None,
    *,
    group_key: str = "",
    note: str = "",
) -> Statement:
    """Enter a line's counted amount by hand (None: back to what the counts say)."""
    note = validate.note(note, max_len=NOTE_MAX)
    with db.write(scope=statement_scope(db, statement_id)):
        require(actor, PERMISSION)
        st = get_statement(db, statement_id)
        if st.status != "calculated":
            raise StateError(
                _(
                    "Statement {id} is {status}: counted amounts change only on a calculated one."
                ).format(id=st.id, status=_(st.status))
            )
        line = db.one(
            "SELECT * FROM statement_lines WHERE statement_id = ? AND group_key = ?"
            " AND tender_id = ?",
            (st.id, group_key, tender_id),
        )
        if line is None:
            raise NotFound(
                _("Statement {id} has no line for {tender}{group}.").format(
                    id=st.id, tender=tender_id, group=f" / {group_key}" if group_key else ""
                )
            )
        if counted is None:
            new = line["transaction_amount"] + line["discrepancy"]
            values: Sequence[object] = (new, 0, None, None, "")
        else:
            new = counted
            values = (new, 1, actor.id, db.now_iso(), note)
        db.execute(
            "UPDATE statement_lines SET counted = ?, counted_manual = ?, counted_by = ?,"
            " counted_at = ?, counted_note = ? WHERE statement_id = ? AND group_key = ?"
            " AND tender_id = ?",
            (*values, st.id, group_key, tender_id),
        )
        audit.append(
            db,
            "statement.count",
            staff_id=actor.id,
            entity="statement",
            entity_id=st.id,
            amount=new,
            details={
                "tender": tender_id,
                "group": group_key,
                "before": line["counted"],
                "after": new,
                "by_hand": counted is not None,
                "note": note,
            },
        )
        return st


# -- delete -----------------------------------------------------------------------------


def delete_statement(db: Db, actor: Staff, statement_id: int) -> int:
    """Delete an unposted statement; its transactions and counts are free again.
    Returns how many transactions it released. Its number is not reused."""
    with db.write(scope=statement_scope(db, statement_id)):
        require(actor, PERMISSION)
        st = get_statement(db, statement_id)
        if st.is_posted:
            raise StateError(_("Statement {id} is posted; it cannot be deleted.").format(id=st.id))
        released = db.scalar(f"SELECT COUNT(*) FROM {HELD_BY} WHERE r.statement_id = ?", (st.id,))
        _release(db, st.id)
        db.execute("DELETE FROM statements WHERE id = ?", (st.id,))
        audit.append(
            db,
            "statement.delete",
            staff_id=actor.id,
            entity="statement",
            entity_id=st.id,
            details={"store": st.store_id, "status": st.status, "released": released},
        )
        return int(released)
