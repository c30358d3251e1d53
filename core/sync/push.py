"""A store's new transactions and journal, delivered to head office (X-2).

A delivery is a transfer file (core.transfer.export, docs/transfer-format.md) from the
newest journal head already delivered on: every sale, refund, session, cash movement
and safe movement since, with the journal entries that prove the history (R-3). It is
one row of ``sync_deliveries`` at head office, inserted in one statement with its head,
so the cursor and the rows travel together: a sync cut off halfway delivered nothing,
and the next one starts from the same head. Head office applies the rows
(core.sync.receive); nothing here touches a sale there.

At the store, the export is a short transaction for its own journal entry and then a
read snapshot (WAL): the tills keep selling. Nothing new since the last delivery, no
delivery and no entry.
"""

from __future__ import annotations

import io

from attrs import frozen

from core.errors import KassiError
from core.store.db import Db
from core.store.pg_chain import DELIVERIES
from core.text.i18n import _
from core.transfer.export import identity, write_transfer


class SyncStopped(KassiError):
    """Head office refused this store's history: sync stops until that is resolved there."""

    exit_code = 5


@frozen
class Delivery:
    id: int
    since: int
    head: int
    sales: int
    sessions: int


def delivered_head(hq: Db, store_id: str, origin: str) -> tuple[int, str]:
    """The newest head this store database delivered (applied or still waiting)."""
    row = hq.one(
        f"SELECT head_seq, head_hash FROM {DELIVERIES} WHERE store_id = ? AND origin = ?"
        " AND state <> 'refused' ORDER BY head_seq DESC LIMIT 1",
        (store_id, origin),
    )
    return (0, "") if row is None else (int(row[0]), str(row[1]))


def check_not_refused(hq: Db, store_id: str) -> None:
    """Stop with head office's own words when it refused one of the store's deliveries."""
    refused = hq.one(
        f"SELECT id, problem FROM {DELIVERIES} WHERE store_id = ? AND state = 'refused'"
        " ORDER BY id LIMIT 1",
        (store_id,),
    )
    if refused is not None:
        raise SyncStopped(
            _(
                "Head office refused delivery {id} of store {store}: {problem} Sync of the"
                " store stops until it is resolved at head office (kassi hq retry {store})."
            ).format(id=refused[0], store=store_id, problem=refused[1])
        )


def deliver(db: Db, hq: Db, store_id: str) -> Delivery | None:
    """Deliver what is new since the last delivery; None when there is nothing new.
    (The caller, core.sync.service, checked the store's sync is not stopped.)"""
    origin = identity(db)
    since, head_hash = delivered_head(hq, store_id, origin)
    mine = db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (since,)) if since else None
    if since and head_hash and mine != head_hash:
        # Not the history delivered: put back from an older copy, or rewritten. All of it
        # goes, for head office to check against what it holds, refuse and report.
        since = 0
    newest = int(db.scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_log") or 0)
    if newest <= since:
        return None
    committed_from = db.scalar("SELECT MIN(at) FROM audit_log WHERE seq > ?", (since,))
    out = io.StringIO()
    summary = write_transfer(db, out, staff_id=None, store_id=store_id, since=since)
    delivery_id = hq.scalar(
        f"INSERT INTO {DELIVERIES} (store_id, origin, since, head_seq, head_hash, sales,"
        " committed_from, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            store_id,
            origin,
            since,
            summary.cursor,
            summary.head_hash,
            summary.sales,
            committed_from,
            out.getvalue(),
        ),
    )
    hq.execute(f"NOTIFY {DELIVERIES}")  # a waiting receiver applies it at once
    return Delivery(int(delivery_id), since, summary.cursor, summary.sales, summary.sessions)
