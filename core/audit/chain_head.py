"""The journal's head as X and Z reports print it (SPEC R-3).

A head is an audit entry's number and hash. Printed short (``N:`` and the first
16 hex digits: 64 bits, more than anyone can forge a match for) so a person can
read it off the paper and compare it with the head office's copy or give it to
``audit verify``; the Z report adds the full hash. An X report shows the head at
the moment it is printed; a Z report the entry that closed the session, so a
reprint shows the same head as the first print.
"""

from __future__ import annotations

from attrs import frozen

from core.audit import journal as audit
from core.store.db import Db
from core.store.records import SessionRow

SHORT_HEX = 16


@frozen
class ChainHead:
    seq: int
    hash: str

    @property
    def short(self) -> str:
        return f"{self.seq}:{self.hash[:SHORT_HEX]}"

    @property
    def grouped(self) -> str:
        """The full hash in groups of 16, so it wraps cleanly on narrow paper."""
        h = self.hash
        return " ".join(h[i : i + SHORT_HEX] for i in range(0, len(h), SHORT_HEX))


def current(db: Db) -> ChainHead:
    head = audit.head(db)
    return ChainHead(head.seq, head.hash)


def of_session(db: Db, session: SessionRow) -> ChainHead | None:
    """The head an X report (open) or Z report (closed) of ``session`` prints.

    An imported session (head office) has its close in the store's journal, as the
    store sent it; None where that is not known (a store's session still open).
    """
    origin = db.scalar("SELECT origin FROM transfer_sessions WHERE session_id = ?", (session.id,))
    if origin is None:
        if session.is_open:
            return current(db)
        row = db.one(
            "SELECT seq, hash FROM audit_log WHERE action = 'session.close' AND entity_id = ?"
            " ORDER BY seq DESC LIMIT 1",
            (str(session.id),),
        )
        return None if row is None else ChainHead(int(row[0]), str(row[1]))
    if session.is_open:
        return None
    terminal, _sep, rest = str(origin).partition("/")
    number = rest.partition("/")[0]
    row = db.one(
        "SELECT seq, hash FROM transfer_entries"
        " WHERE json_extract(entry, '$.action') = 'session.close'"
        " AND json_extract(entry, '$.terminal_id') = ? AND json_extract(entry, '$.entity_id') = ?"
        " ORDER BY seq DESC LIMIT 1",
        (terminal, number),
    )
    return None if row is None else ChainHead(int(row[0]), str(row[1]))
