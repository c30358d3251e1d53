"""Reading the safe (K-1): its statement, and the drawer limit a till checks (K-2).

The statement lists a store's safe movements in the order they were made, each
with the balance after it as it was written (so a year of drops reads one index
range, never a running sum), optionally from a local date on, a page at a time.
At a head office it reads the movements the stores sent (core.transfer.safe_records).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from attrs import frozen

from core.cash import safe
from core.cash.safe import SafeMovement
from core.reports.session_report import day_start
from core.staff.auth import require
from core.store.db import Db, iso
from core.store.records import Staff, Store
from core.store.stores import get_store
from core.tills.session_views import current_session, expected_cash, over_limit

PAGE = 50


@frozen
class SafeStatement:
    """A safe's statement: the selection's totals and one page of its movements."""

    store: Store
    balance: int  # the expected balance now
    deposited: int  # everything deposited at the bank, ever
    movements: tuple[SafeMovement, ...]  # the page
    staff_names: dict[str, str]
    total: int  # movements in the selection (all pages)
    opening: int  # the balance before the selection's first movement
    totals: dict[str, int] = {}  # per kind: the amounts moved in the selection
    discrepancies: int = 0  # what the selection's counts found (counted - expected)
    offset: int = 0

    @property
    def closing(self) -> int:
        """The balance after the selection's last movement."""
        t = self.totals
        return (
            self.opening
            + t.get("drop", 0)
            + t.get("return", 0)
            - t.get("float", 0)
            - t.get("deposit", 0)
            + self.discrepancies
        )


def statement(
    db: Db,
    actor: Staff,
    store_id: str,
    *,
    since: date | None = None,
    limit: int = PAGE,
    offset: int = 0,
) -> SafeStatement:
    """The safe's balance, the totals of its movements from ``since`` (the store's local
    date) on, and a page of them in the order they were made.

    The totals and balances are sums over the store index alone (m015), so a year of
    drops costs a few milliseconds; only the page is read row by row."""
    require(actor, safe.PERMISSION)
    with db.read():
        store = get_store(db, store_id)
        where, params = "store_id = ?", [store_id]
        if since is not None:
            where += " AND created_at >= ?"
            params.append(iso(day_start(since, ZoneInfo(store.timezone))))
        totals, discrepancies, total = {}, 0, 0
        for r in db.all(
            f"SELECT kind, COUNT(*) AS n, SUM(amount) AS moved, SUM(delta) AS delta"
            f" FROM safe_movements WHERE {where} GROUP BY kind",
            params,
        ):
            total += r["n"]
            totals[r["kind"]] = r["moved"]
            if r["kind"] == "count":
                discrepancies = r["delta"]
        before = 0
        if since is not None:
            before = int(
                db.scalar(
                    "SELECT COALESCE(SUM(delta), 0) FROM safe_movements"
                    " WHERE store_id = ? AND created_at < ?",
                    params,
                )
            )
        rows = db.all(
            f"SELECT * FROM safe_movements WHERE {where} ORDER BY created_at, id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        movements = tuple(SafeMovement.from_row(r) for r in rows)
        ids = sorted({m.staff_id for m in movements})
        names = (
            dict(
                db.all(
                    f"SELECT id, name FROM staff WHERE id IN ({','.join('?' for _ in ids)})", ids
                )
            )
            if ids
            else {}
        )
        return SafeStatement(
            store=store,
            balance=safe.balance(db, store_id),
            deposited=safe.deposited(db, store_id),
            movements=movements,
            staff_names=names,
            total=total,
            opening=before,
            totals=totals,
            discrepancies=discrepancies,
            offset=offset,
        )


def drawer_over_limit(db: Db, actor: Staff, terminal_id: str) -> int | None:
    """K-2 for the till after a sale: how far the open session's expected cash is over
    the store's drawer limit (None: not over, no limit, or no session). Someone who
    may not see the expected cash at a blind-close store is told only that it is
    over (0), never by how much."""
    session = current_session(db, terminal_id)
    if session is None:
        return None
    store = get_store(db, session.store_id)
    over = over_limit(store, expected_cash(db, session.id))
    if over is not None and store.blind_close and not actor.can("cash.expected"):
        return 0
    return over


def require_drop_first(db: Db, terminal_id: str) -> bool:
    """Whether the till must make a safe drop before its next sale (K-2)."""
    session = current_session(db, terminal_id)
    if session is None:
        return False
    store = get_store(db, session.store_id)
    return (
        store.drawer_limit_required and over_limit(store, expected_cash(db, session.id)) is not None
    )


def may_manage(actor: Staff) -> bool:
    return actor.active and actor.can(safe.PERMISSION)


def deposit_slip(db: Db, actor: Staff, movement_id: int, lang: str | None = None):
    """The printed slip of a bank deposit (K-1), as core.printing.receipts builds it."""
    from core.errors import NotFound
    from core.printing.receipts import deposit_slip as build
    from core.text.i18n import _

    require(actor, safe.PERMISSION)
    row = db.one("SELECT * FROM safe_movements WHERE id = ? AND kind = 'deposit'", (movement_id,))
    if row is None:
        raise NotFound(_("No bank deposit {id}.").format(id=movement_id))
    m = SafeMovement.from_row(row)
    name = db.scalar("SELECT name FROM staff WHERE id = ?", (m.staff_id,)) or m.staff_id
    return build(m, get_store(db, m.store_id), name, safe.movement_counts(db, m.id), lang)
