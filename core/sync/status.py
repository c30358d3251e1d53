"""Each store's sync as head office sees it (``kassi hq status``, X-2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from attrs import asdict, frozen

from core.store.db import Db
from core.store.pg_chain import DELIVERIES


@frozen
class StoreSync:
    store: str
    applied_head: int | None  # the newest journal head applied
    applied_at: str | None
    waiting: int  # deliveries not applied yet
    lag_s: Decimal | None  # the last applied delivery: its first entry's commit -> applied
    problem: str  # the refusal that stops the store's sync, if any

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["lag_s"] = None if self.lag_s is None else str(self.lag_s)
        return out


def stores(db: Db) -> list[StoreSync]:
    out = []
    for row in db.all(
        "SELECT s.id,"
        f" (SELECT MAX(head_seq) FROM {DELIVERIES} d WHERE d.store_id = s.id"
        "   AND d.state = 'applied'),"
        f" (SELECT to_char(MAX(applied_at), 'YYYY-MM-DD HH24:MI:SS') FROM {DELIVERIES} d"
        "   WHERE d.store_id = s.id AND d.state IN ('applied', 'skipped')),"
        f" (SELECT COUNT(*) FROM {DELIVERIES} d WHERE d.store_id = s.id AND d.state = 'new'),"
        " (SELECT EXTRACT(EPOCH FROM d.applied_at - d.committed_from::timestamptz)"
        f"   FROM {DELIVERIES} d WHERE d.store_id = s.id AND d.state = 'applied'"
        "   ORDER BY d.id DESC LIMIT 1),"
        f" (SELECT problem FROM {DELIVERIES} d WHERE d.store_id = s.id AND d.state = 'refused'"
        "   ORDER BY d.id LIMIT 1)"
        " FROM stores s ORDER BY s.id"
    ):
        lag = None if row[4] is None else round(Decimal(row[4]), 1)
        out.append(StoreSync(row[0], row[1], row[2], int(row[3]), lag, row[5] or ""))
    return out
