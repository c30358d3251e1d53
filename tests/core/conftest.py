"""Helpers for the core unit tests, as fixtures (tests/conftest.py has the demo db)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from core.store import staff_members
from core.store.db import Db
from core.store.records import Staff
from tests.conftest import BACK_ENDS, HEAD_OFFICE_START, FakeClock, open_head_office

# Tables a refused operation must leave exactly as they were.
GUARDED_TABLES = (
    "sales",
    "sale_lines",
    "payments",
    "sessions",
    "cash_adjustments",
    "session_counts",
    "declarations",
    "inventory_movements",
    "audit_log",
)


@pytest.fixture
def snapshot(db: Db) -> Callable[[], dict[str, object]]:
    """Row counts of the guarded tables, every terminal's last receipt number,
    the stock on hand and the audit sequence: what "changes nothing" compares."""

    def take() -> dict[str, object]:
        state: dict[str, object] = {
            table: db.scalar(f"SELECT COUNT(*) FROM {table}") for table in GUARDED_TABLES
        }
        state["last_receipt_no"] = {
            r["id"]: r["last_receipt_no"]
            for r in db.all("SELECT id, last_receipt_no FROM terminals")
        }
        state["on_hand"] = db.all("SELECT store_id, sku, on_hand FROM inventory ORDER BY 1, 2")
        state["on_hand"] = [tuple(r) for r in state["on_hand"]]
        state["sequences"] = [tuple(r) for r in db.all("SELECT * FROM number_sequences ORDER BY 1")]
        state["open_sessions"] = [
            tuple(r) for r in db.all("SELECT id, terminal_id FROM sessions WHERE status = 'open'")
        ]
        return state

    return take


@pytest.fixture
def make_staff(db: Db, manager: Staff) -> Callable[..., Staff]:
    """A staff member with exactly the given permissions (role cashier)."""
    made = iter(range(100, 1000))

    def make(permissions: Iterable[str], name: str = "Test Person") -> Staff:
        staff_id = str(next(made))
        return staff_members.add_staff(
            db, manager, staff_id, name, "4321", "cashier", list(permissions)
        )

    return make


# -- a store and a head office (statements, transfers) --------------------------------


@pytest.fixture
def shop(db, clock, manager):
    """The store of the statement and transfer tests, driven by ``Shop``'s helpers."""
    from tests.core.test_statements_support import Shop

    return Shop(db, clock, manager)


@pytest.fixture(params=BACK_ENDS)
def head_office(request):
    """A second kassi database with the same stores, staff, tenders and items: SQLite, and
    PostgreSQL (X-1): every test of a head office runs on both back ends."""
    from core.staff import auth
    from tests.core.test_statements_support import Shop

    clock = FakeClock(HEAD_OFFICE_START)
    ho = open_head_office(request, clock)
    yield Shop(ho, clock, auth.get_staff(ho, "1"))
    ho.close()
