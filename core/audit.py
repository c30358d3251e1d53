"""The tamper-evident audit log: every operation appends one hash-chained entry.

Each entry's hash covers its own fields and the hash of the entry before it,
so changing, inserting or deleting an entry breaks the chain from there on.
The entry count is also kept in a number sequence, which catches deleting the
newest entries (where no later link would break).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from attrs import frozen

from core.db import Db
from core.i18n import _

GENESIS = "0" * 64


def _digest(
    prev_hash: str,
    seq: int,
    at: str,
    staff_id: str | None,
    terminal_id: str | None,
    action: str,
    entity: str,
    entity_id: str,
    amount: int | None,
    details: str,
) -> str:
    payload = json.dumps(
        [seq, at, staff_id, terminal_id, action, entity, entity_id, amount, details],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def append(
    db: Db,
    action: str,
    *,
    staff_id: str | None = None,
    terminal_id: str | None = None,
    entity: str = "",
    entity_id: str | int = "",
    amount: int | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append an entry inside the caller's write transaction; returns its sequence number."""
    assert db.in_write, "audit entries are written in the operation's own transaction"
    seq = db.next_number("audit")
    prev = db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (seq - 1,)) or GENESIS
    at = db.now_iso()
    text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    eid = str(entity_id)
    digest = _digest(prev, seq, at, staff_id, terminal_id, action, entity, eid, amount, text)
    db.execute(
        "INSERT INTO audit_log (seq, at, staff_id, terminal_id, action, entity, entity_id,"
        " amount, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (seq, at, staff_id, terminal_id, action, entity, eid, amount, text, prev, digest),
    )
    return seq


def head(db: Db) -> tuple[int, str]:
    """The chain head: the newest entry's number and hash ((0, GENESIS) before any)."""
    row = db.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


@frozen
class Verification:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify(db: Db) -> Verification:
    """Walk the chain; report the first changed, inserted or deleted entry."""
    with db.read():  # one snapshot: the count and the rows must agree
        return _verify(db)


def _verify(db: Db) -> Verification:
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    issued = db.scalar("SELECT value FROM number_sequences WHERE name = 'audit'") or 0
    cursor = db.execute(
        "SELECT seq, at, staff_id, terminal_id, action, entity, entity_id, amount, details,"
        " prev_hash, hash FROM audit_log ORDER BY seq"
    )
    for row in cursor:
        seq = row["seq"]
        if seq > issued:
            # A well-linked entry appended by hand: kassi never issued this number.
            return Verification(
                False,
                checked,
                _("Audit entry {seq} was inserted: kassi issued only {issued} entries.").format(
                    seq=seq, issued=issued
                ),
                seq,
            )
        recomputed = _digest(
            row["prev_hash"],
            seq,
            row["at"],
            row["staff_id"],
            row["terminal_id"],
            row["action"],
            row["entity"],
            row["entity_id"],
            row["amount"],
            row["details"],
        )
        if seq > expected_seq:
            return Verification(
                False,
                checked,
                _("Audit entries {first} to {last} were deleted.").format(
                    first=expected_seq, last=seq - 1
                ),
                expected_seq,
            )
        if recomputed != row["hash"]:
            return Verification(
                False, checked, _("Audit entry {seq} was changed.").format(seq=seq), seq
            )
        if row["prev_hash"] != expected_prev:
            return Verification(
                False,
                checked,
                _(
                    "Audit entry {seq} was inserted or re-linked: it does not follow entry {prev}."
                ).format(seq=seq, prev=seq - 1),
                seq,
            )
        expected_prev = row["hash"]
        expected_seq = seq + 1
        checked += 1
    if issued >= expected_seq:
        return Verification(
            False,
            checked,
            _("Audit entries {first} to {last} were deleted.").format(
                first=expected_seq, last=issued
            ),
            expected_seq,
        )
    return Verification(True, checked)
