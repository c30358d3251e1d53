"""The safe's movements in a transfer to the head office (K-1, T-1).

Each movement travels as one ``"type": "safe"`` record: a drop, deposit or count at
the place of its audit entry (``safe.*``); a float or a return, which are part of
their session's open and close, right after the session's record.
Its identity is its ``uid``: a movement already at the head office is skipped
(R-8), so importing a file twice changes nothing. The movement keeps the store's
figures as it sent them (``delta``, ``balance``), so the head office shows each
store's safe balance and deposits with `kassi safe show --store S`.
"""

from __future__ import annotations

from typing import Any

from core.cash.safe import KINDS
from core.money.amounts import to_decimal_str
from core.text.i18n import _
from core.transfer.export import Bad, amount_of, instant_of, need, timestamp

ACTIONS = ("safe.drop", "safe.deposit", "safe.count")  # the movements with entries


def record(writer: Any, row: Any) -> dict[str, Any]:
    """The transfer record of one safe_movements row (writer: core.transfer.export._Writer)."""
    cur, tz = writer.store(row["store_id"])
    m = lambda v: None if v is None else to_decimal_str(v, cur)  # noqa: E731
    counts = writer.db.all(
        "SELECT denomination, count FROM safe_counts WHERE movement_id = ? ORDER BY denomination",
        (row["id"],),
    )
    return {
        "type": "safe",
        "id": row["uid"],
        "store": row["store_id"],
        "currency": cur,
        "kind": row["kind"],
        "amount": m(row["amount"]),
        "delta": m(row["delta"]),
        "balance": m(row["balance"]),
        "expected": m(row["expected"]),
        "blind": bool(row["blind"]),
        "session": writer.origin(row["session_id"]),
        "terminal": row["terminal_id"],
        "reference": row["reference"],
        "note": row["note"],
        "staff": row["staff_id"],
        "at": timestamp(row["created_at"], tz),
        "counts": [{"denomination": m(c["denomination"]), "count": c["count"]} for c in counts],
    }


def apply(importer: Any, rec: dict[str, Any]) -> bool:
    """Insert one safe record at the head office; False if it is already here.
    (importer: core.transfer.import_records.Importer, for its known stores and sessions.)"""
    db = importer.db
    uid = need(rec, "id", str)
    store = importer.store_of(rec)
    cur = need(rec, "currency", str)
    if cur != importer.stores[store]:
        raise Bad(
            _("currency {currency} is not the store's ({expected})").format(
                currency=cur, expected=importer.stores[store]
            )
        )
    kind = need(rec, "kind", str)
    if kind not in KINDS:
        raise Bad(_("'kind' must be one of: {kinds}").format(kinds=", ".join(KINDS)))
    session_origin = need(rec, "session", str, True)
    session_id = importer.session_id(session_origin)
    if session_origin is not None and session_id is None:
        raise Bad(_("session {origin} is missing here").format(origin=session_origin))
    values = {
        "uid": uid,
        "store_id": store,
        "kind": kind,
        "amount": amount_of(rec, "amount", cur),
        "delta": amount_of(rec, "delta", cur),
        "balance": amount_of(rec, "balance", cur),
        "expected": amount_of(rec, "expected", cur, True),
        "blind": int(need(rec, "blind", bool)),
        "session_id": session_id,
        "terminal_id": need(rec, "terminal", str, True),
        "reference": need(rec, "reference", str),
        "note": need(rec, "note", str),
        "staff_id": importer.known(_("staff member"), need(rec, "staff", str), importer.staff),
        "created_at": instant_of(rec, "at"),
    }
    counts = [
        (amount_of(c, "denomination", cur), need(c, "count", int))
        for c in need(rec, "counts", list)
    ]
    if db.scalar("SELECT 1 FROM safe_movements WHERE uid = ?", (uid,)):
        return False
    movement_id = db.insert("safe_movements", values)
    db.executemany(
        "INSERT INTO safe_counts (movement_id, denomination, count) VALUES (?,?,?)",
        [(movement_id, d, n) for d, n in counts],
    )
    return True
