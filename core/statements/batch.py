"""The statement batch (T-2): for every store (or some), the business day's
statements created, calculated and optionally posted — safe to run twice.

Each store runs in its own transactions: one store refused (an open session,
T-9) or failing (a difference over the limit, T-6) is reported and the others
go on. Running again does only what is still to do: a statement that exists for
the period is not created again, a calculated one is not recalculated, a
posted one is left alone; a period with nothing to take creates nothing.
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from core.errors import KassiError
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
from core.store.db import Db, iso
from core.store.records import Staff
from core.store.stores import get_store, list_stores


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

    @property
    def ok(self) -> bool:
        return not self.errors


def run_batch(
    db: Db,
    actor: Staff,
    *,
    store_ids: list[str] | None = None,
    day: date | None = None,
    post: bool = False,
) -> list[BatchOutcome]:
    """Create (and calculate; with ``post`` also post) each store's statements for
    the business day ``day`` (default: each store's last complete business day)."""
    require(actor, PERMISSION)
    stores = [get_store(db, s) for s in store_ids] if store_ids else list_stores(db)
    outcomes = []
    for store in stores:
        the_day = day or last_complete_business_date(store, db.now())
        start, end = business_day_period(store, the_day)
        created: list[int] = []
        calculated: list[int] = []
        posted: list[int] = []
        errors: list[str] = []
        try:
            created = [
                s.id for s in create_statements(db, actor, store.id, start, end, source="batch")
            ]
        except KassiError as exc:
            errors.append(exc.message)
        statements = existing_for_period(db, store.id, iso(start), iso(end))
        for st in statements:
            try:
                # Each step checks the state under the write lock: another run of the
                # batch at the same moment finds the step done and skips it.
                with db.write():
                    if not errors and get_statement(db, st.id).status == "created":
                        calculate_statement(db, actor, st.id)
                        calculated.append(st.id)
                if post:
                    with db.write():
                        if get_statement(db, st.id).status == "calculated":
                            post_statement(db, actor, st.id)
                            posted.append(st.id)
            except KassiError as exc:
                errors.append(exc.message)
        outcomes.append(
            BatchOutcome(
                store_id=store.id,
                business_date=the_day,
                period_start=iso(start),
                period_end=iso(end),
                created=tuple(created),
                calculated=tuple(calculated),
                posted=tuple(posted),
                statements=tuple(s.id for s in statements),
                errors=tuple(errors),
            )
        )
    return outcomes
