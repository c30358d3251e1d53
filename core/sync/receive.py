"""At head office: the stores' deliveries, checked and applied in order (X-2, X-4).

``kassi --db URL hq receive`` (``--watch``: as a service, woken by each delivery's
NOTIFY) applies every waiting delivery in the order they arrived, each in one
transaction of the head office's own, with its own key: the rows (core.transfer.
importing, as a transfer file would be), the store's journal checked against the
history held (R-3, X-4: a rewritten or shortened history is refused), the state of
the delivery. A delivery is refused whole, changing nothing, when

* its journal does not extend the store's history as head office holds it (X-4);
* a sale is already here under its uid with other contents (a conflict);
* it carries a record of another store, or comes from a store database that
  delivers for another store (a store's role can insert only its own deliveries,
  core.store.pg_chain; this keeps one store from writing into another's history);
* anything in it is malformed or unknown here (an item not set up at head office).

A refusal is kept on the delivery with its message and made an audit entry
(``sync.refused``) at head office; that store's later deliveries wait, and its sync
stops with the message (core.sync.push), until ``kassi hq retry STORE`` after the
cause is fixed. Other stores go on.
"""

from __future__ import annotations

import json
import re

from attrs import define, field

from core.audit import journal as audit
from core.errors import InputError, KassiError
from core.staff.auth import require
from core.store.db import Db
from core.store.pg_chain import DELIVERIES
from core.store.records import Staff
from core.text.i18n import _
from core.transfer.importing import apply_transfer

PERMISSION = "statements.manage"
# A sale record's uid as export writes it first ({"type":"sale","id":...}): looked up
# ahead; a line that does not match is simply looked up when it comes.
_SALE_UID = re.compile(r'\{"type":"sale","id":"([0-9A-Za-z-]{1,64})"')


@define
class Received:
    applied: int = 0
    skipped: int = 0  # already applied (a delivery repeated): changed nothing
    refused: int = 0
    sales: int = 0
    problems: list[str] = field(factory=list)


_NEXT = (
    f"SELECT id, store_id, origin, body FROM {DELIVERIES} d"
    " WHERE state = 'new' AND NOT EXISTS (SELECT 1 FROM"
    f" {DELIVERIES} r WHERE r.store_id = d.store_id AND r.state = 'refused')"
    " ORDER BY id LIMIT 1"
)


def receive(db: Db, *, limit: int | None = None) -> Received:
    """Apply waiting deliveries, oldest first, until none is left (or ``limit``)."""
    out = Received()
    while limit is None or out.applied + out.skipped + out.refused < limit:
        if not _one(db, out):
            break
    return out


def _one(db: Db, out: Received) -> bool:
    problem: str | None = None
    with db.write():  # the head office's write lock: one receiver applies at a time
        row = db.one(_NEXT)
        if row is None:
            return False
        delivery, store = int(row[0]), str(row[1])
        try:
            with db.write():  # a savepoint: a refusal undoes the delivery's rows only
                _check_origin(db, store, str(row[2]), str(row[3]))
                body = str(row[3]).splitlines()
                summary = apply_transfer(
                    db,
                    body,
                    sale_uids=[m.group(1) for m in map(_SALE_UID.match, body) if m],
                    staff_id=None,
                    source=_("delivery {id} of store {store}").format(id=delivery, store=store),
                    only_store=store,
                )
                state = "skipped" if summary.already_applied is not None else "applied"
                db.execute(
                    f"UPDATE {DELIVERIES} SET state = ?, applied_at = clock_timestamp(),"
                    " body = '' WHERE id = ?",
                    (state, delivery),
                )
        except KassiError as exc:
            problem = exc.message
        if problem is None:
            if state == "applied":
                out.applied += 1
                out.sales += summary.sales
            else:
                out.skipped += 1
            return True
        db.execute(
            f"UPDATE {DELIVERIES} SET state = 'refused', problem = ?,"
            " applied_at = clock_timestamp() WHERE id = ?",
            (problem, delivery),
        )
        audit.append(
            db,
            "sync.refused",
            entity="store",
            entity_id=store,
            details={"delivery": delivery, "problem": problem},
        )
    out.refused += 1
    out.problems.append(problem)
    return True


def _check_origin(db: Db, store: str, origin: str, body: str) -> None:
    """The delivery is its store's: its header names the store, and its database has
    delivered for no other store."""
    first = body.split("\n", 1)[0]
    try:
        header = json.loads(first)
    except ValueError:
        header = None
    if (
        not isinstance(header, dict)
        or header.get("store") != store
        or (header.get("origin") != origin)
    ):
        raise InputError(
            _("The delivery does not name store {store} and its database in its header.").format(
                store=store
            )
        )
    other = db.scalar(
        f"SELECT store_id FROM {DELIVERIES} WHERE origin = ? AND store_id <> ?"
        " AND state IN ('applied', 'skipped') LIMIT 1",
        (origin, store),
    )
    if other is not None:
        raise InputError(
            _(
                "Database {origin} delivers for store {other}: a store database delivers for"
                " one store only."
            ).format(origin=origin[:8], other=other)
        )


def retry(db: Db, actor: Staff, store_id: str) -> int:
    """After the cause is fixed: the store's refused deliveries wait to be applied again."""
    require(actor, PERMISSION)
    with db.write():
        n = db.execute(
            f"UPDATE {DELIVERIES} SET state = 'new', problem = '' WHERE store_id = ?"
            " AND state = 'refused'",
            (store_id,),
        ).rowcount
        if n:
            audit.append(
                db,
                "sync.retry",
                staff_id=actor.id,
                entity="store",
                entity_id=store_id,
                details={"deliveries": n},
            )
    return int(n)
