"""Migration 19: the session's cash rules, each written once, as views (issue 13).

Applied in the order core/store/schema.py lists them; never change one's meaning.
"""

from __future__ import annotations

import sqlite_utils


def m019_session_cash_views(db: sqlite_utils.Database) -> None:
    """Expected cash (SPEC S-7) and the discrepancies (A-3) as views, the one
    definition every query, report and trigger reads.

    ``cash_payment_sides``: what one cash payment does to the drawer, as cash
    received (a sale, stored net of change) and cash paid out (a refund, positive).
    The triggers of m002 kept ``sessions.cash_received`` and ``cash_paid_out`` with
    that split written inline; they are made again to add and subtract the view's
    row instead. A payment's row must still exist when it is read, so what an
    update or a delete takes away is read BEFORE it, what an update brings AFTER.

    ``session_cash``: S-7 per session. ``expected`` = starting amount + cash
    received - cash paid out + cash added - cash removed (S-6) + the float issued
    from the safe - the safe drops (K-1). The closing frozen into
    ``sessions.expected_cash`` is this figure at the moment of the close.

    ``session_discrepancies``: every ``sessions`` column and A-3's discrepancies:
    opening = counted at the start - left at the previous close (NULL for a
    terminal's first session), closing = counted at close - the expected cash
    frozen at close (NULL while open), total = their sum, a missing one as 0.
    """
    # Statement by statement: a trigger's body has its own ";" at line ends.
    for statement in (
        """CREATE VIEW cash_payment_sides AS
SELECT id AS payment_id, session_id,
       MAX(amount, 0) AS received,
       MAX(-amount, 0) AS paid_out
  FROM payments WHERE is_cash = 1""",
        "DROP TRIGGER payments_session_cash_insert",
        "DROP TRIGGER payments_session_cash_delete",
        "DROP TRIGGER payments_session_cash_update",
        _cash_trigger("payments_session_cash_insert", "AFTER INSERT", "NEW", "+"),
        _cash_trigger("payments_session_cash_delete", "BEFORE DELETE", "OLD", "-"),
        _cash_trigger(
            "payments_session_cash_update_old",
            "BEFORE UPDATE OF session_id, is_cash, amount",
            "OLD",
            "-",
        ),
        _cash_trigger(
            "payments_session_cash_update",
            "AFTER UPDATE OF session_id, is_cash, amount",
            "NEW",
            "+",
        ),
        """CREATE VIEW session_cash AS
SELECT session_id, opening_float, cash_received, cash_paid_out,
       cash_added, cash_removed, from_safe, dropped,
       opening_float + cash_received - cash_paid_out + cash_added - cash_removed
         + from_safe - dropped AS expected
  FROM (SELECT s.id AS session_id, s.opening_float, s.cash_received, s.cash_paid_out,
               (SELECT COALESCE(SUM(a.amount), 0) FROM cash_adjustments a
                 WHERE a.session_id = s.id AND a.kind = 'add') AS cash_added,
               (SELECT COALESCE(SUM(a.amount), 0) FROM cash_adjustments a
                 WHERE a.session_id = s.id AND a.kind = 'remove') AS cash_removed,
               (SELECT COALESCE(SUM(m.amount), 0) FROM safe_movements m
                 WHERE m.session_id = s.id AND m.kind = 'float') AS from_safe,
               (SELECT COALESCE(SUM(m.amount), 0) FROM safe_movements m
                 WHERE m.session_id = s.id AND m.kind = 'drop') AS dropped
          FROM sessions s)""",
        """CREATE VIEW session_discrepancies AS
SELECT d.*,
       COALESCE(d.opening_discrepancy, 0) + COALESCE(d.closing_discrepancy, 0)
         AS total_discrepancy
  FROM (SELECT s.*,
               s.opening_float - s.previous_left AS opening_discrepancy,
               s.counted_cash - s.expected_cash AS closing_discrepancy
          FROM sessions s) d""",
    ):
        db.execute(statement)


def _cash_trigger(name: str, event: str, row: str, sign: str) -> str:
    """One of the four triggers that keep a session's cash columns: the payment's
    ``row`` (NEW or OLD) from cash_payment_sides, added (``+``) or taken away (``-``)."""
    if (row, sign) not in (("NEW", "+"), ("OLD", "-")):
        raise ValueError(f"a cash trigger adds NEW or subtracts OLD, not {sign}{row}")
    return f"""CREATE TRIGGER {name}
{event} ON payments
WHEN {row}.is_cash = 1 AND {row}.session_id IS NOT NULL
BEGIN
    UPDATE sessions
       SET cash_received = cash_received {sign} c.received,
           cash_paid_out = cash_paid_out {sign} c.paid_out
      FROM cash_payment_sides c
     WHERE c.payment_id = {row}.id AND sessions.id = c.session_id;
END"""
