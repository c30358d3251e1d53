"""The statement batch (T-2): for every store (or some), the business day's
statements created, calculated and optionally posted — safe to run twice.

Each store runs in its own transactions: one store refused (an open session,
T-9), failing (a difference over the limit, T-6) or busy in another run is
reported and the others go on; on a head office's PostgreSQL several stores
run at once (X-6). Running again does only what is still to do: a statement
that exists for the period is not created again, a calculated one is not
recalculated, a posted one is left alone; a period with nothing to take
creates nothing.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
from datetime import date

from attrs import frozen

from core.errors import InputError, KassiError
from core.staff.auth import require
from core.statements.operations import (
    PERMISSION,
    calculate_statement,
    create_statements,
    existing_for_period,
    get_statement,
)
from core.statements.periods import business_day_period, last_complete_business_date
from core.statements.posting import post_statement
from core.statements.selection import scope
from core.store.db import Db, connect, iso
from core.store.records import Staff, Store
from core.store.stores import get_store, list_stores
from core.text.i18n import _


@frozen
class BatchOutcome:
    """What the batch did for one store and business day."""

    store_id: str
    business_date: date
    period_start: str
    period_end: str
    created: tuple[int, ...] = ()
    calculated: tuple[int, ...] = ()
    posted: tuple[int, ...] = ()
    statements: tuple[int, ...] = ()
    errors: tuple[str, ...] = ()
    last_date: date | None = None  # the period's last business day, when more than one

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def days(self) -> str:
        """The business day, or the first and last of the period: 2026-05-01..2026-05-31."""
        first = self.business_date.isoformat()
        return f"{first}..{self.last_date.isoformat()}" if self.last_date else first


def default_workers(db: Db) -> int:
    """How many stores the batch works on at once: one on SQLite (one writer); on a
    head office's PostgreSQL two per processor (a worker waits for the server about
    half its time: on 2 cores, 4 workers posted 2.2x as fast as 1, 2 workers 1.9x),
    up to MAX_WORKERS connections."""
    if db.dialect != "postgresql":
        return 1
    return max(1, min(MAX_WORKERS, 2 * (os.cpu_count() or 1)))


MAX_WORKERS = 8


def run_batch(
    db: Db,
    actor: Staff,
    *,
    store_ids: list[str] | None = None,
    day: date | None = None,
    until: date | None = None,
    post: bool = False,
    workers: int | None = None,
) -> list[BatchOutcome]:
    """Create (and calculate; with ``post`` also post) each store's statements for
    the business day ``day`` (default: each store's last complete business day), or,
    with ``until``, for the business days ``day`` to ``until`` as one period (a month's
    close).

    On PostgreSQL the stores are worked on side by side, ``workers`` at a time (each
    on its own connection; a store's statements under its own lock), and the outcomes
    come back in the stores' order all the same."""
    require(actor, PERMISSION)
    if until is not None and (day is None or until < day):
        raise InputError(_("A batch period needs its first day, on or before its last."))
    stores = [get_store(db, s) for s in store_ids] if store_ids else list_stores(db)
    count = max(1, min(workers or default_workers(db), len(stores) or 1))
    if count == 1 or db.dialect != "postgresql":
        return [_run_store(db, actor, store, day, until, post) for store in stores]
    return _run_parallel(db, actor, stores, day, until, post, count)


def _run_parallel(
    db: Db,
    actor: Staff,
    stores: list[Store],
    day: date | None,
    until: date | None,
    post: bool,
    count: int,
) -> list[BatchOutcome]:
    pending: queue.SimpleQueue[tuple[int, Store]] = queue.SimpleQueue()
    for item in enumerate(stores):
        pending.put(item)
    outcomes: list[BatchOutcome | None] = [None] * len(stores)
    failures: list[BaseException] = []

    def work() -> None:
        own = connect(db.path, clock=db.clock)
        try:
            while not failures:
                try:
                    k, store = pending.get_nowait()
                except queue.Empty:
                    return
                outcomes[k] = _run_store(own, actor, store, day, until, post)
        except BaseException as exc:  # reported by the caller's thread, as its own
            failures.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=work, name=f"kassi-batch-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [o for o in outcomes if o is not None]


def _run_store(
    db: Db, actor: Staff, store: Store, day: date | None, until: date | None, post: bool
) -> BatchOutcome:
    the_day = day or last_complete_business_date(store, db.now())
    start, end = business_day_period(store, the_day)
    if until is not None:
        end = business_day_period(store, until)[1]
    created: list[int] = []
    calculated: list[int] = []
    posted: list[int] = []
    errors: list[str] = []
    try:
        created = [s.id for s in create_statements(db, actor, store.id, start, end, source="batch")]
    except KassiError as exc:
        errors.append(exc.message)
    except sqlite3.OperationalError as exc:
        errors.append(_busy(exc, store))
    statements = existing_for_period(db, store.id, iso(start), iso(end))
    for st in statements:
        try:
            # Each step checks the state under the store's lock: another run of the
            # batch at the same moment finds the step done and skips it.
            with db.write(scope=scope(store.id)):
                if not errors and get_statement(db, st.id).status == "created":
                    calculate_statement(db, actor, st.id)
                    calculated.append(st.id)
            if post:
                with db.write(scope=scope(store.id)):
                    if get_statement(db, st.id).status == "calculated":
                        post_statement(db, actor, st.id)
                        posted.append(st.id)
        except KassiError as exc:
            errors.append(exc.message)
        except sqlite3.OperationalError as exc:
            errors.append(_busy(exc, store))
    return BatchOutcome(
        store_id=store.id,
        business_date=the_day,
        period_start=iso(start),
        period_end=iso(end),
        created=tuple(created),
        calculated=tuple(calculated),
        posted=tuple(posted),
        statements=tuple(s.id for s in statements),
        errors=tuple(errors),
        last_date=until,
    )


def _busy(exc: sqlite3.OperationalError, store: Store) -> str:
    """A store whose statements stayed locked (another run working on them for longer
    than the busy timeout) is that store's error; the batch goes on with the others."""
    if "locked" not in str(exc) and "busy" not in str(exc):
        raise exc
    return _(
        "{store}'s statements stayed busy (another run is working on them); nothing was"
        " changed for it: run the batch again."
    ).format(store=store.id)
