"""Helpers shared by the statement and transfer tests (no tests here).

Demo data used (tests/conftest.py): NORREBRO (DKK, Europe/Copenhagen, cash
rounding 0,50, end of business day 03:00 with "post as business day" on,
method total, maximum posting difference 50,00, default customer WALKIN),
terminals T1 and T2; REYKJAVIK (ISK, Atlantic/Reykjavik, method terminal),
terminal R1. Prices (DKK øre): 1001 Rugbrød 3295, 1002 Franskbrød 2450,
1003 Letmælk 1225, 1004 Smør 2495. Staff: 1 manager, 2 cashier, 3 supervisor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.money.tendering import TenderInput
from core.staff import auth
from core.statements import operations as statements
from core.store.db import Db
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput

CPH = ZoneInfo("Europe/Copenhagen")
PRICE = {"1001": 3295, "1002": 2450, "1003": 1225, "1004": 2495}


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, tz=CPH) -> datetime:
    """A local wall-clock time in ``tz`` as an aware UTC instant."""
    return datetime(y, mo, d, h, mi, s, tzinfo=tz).astimezone(UTC)


class Shop:
    """Drives the till and the back office of a test database with a fake clock."""

    def __init__(self, db: Db, clock, manager) -> None:
        self.db, self.clock, self.manager = db, clock, manager

    def staff(self, staff_id: str):
        return auth.get_staff(self.db, staff_id)

    def at(self, *when: int, tz=CPH) -> None:
        self.clock.set(local(*when, tz=tz))

    def sell(
        self,
        terminal: str = "T1",
        items: Sequence[tuple[str, int]] = (("1002", 1),),
        tender: str = "card",
        customer: str | None = None,
        staff: str = "1",
        pay: Sequence[TenderInput] | None = None,
    ):
        return sales.record_sale(
            self.db,
            self.staff(staff),
            terminal,
            [LineInput(sku, qty) for sku, qty in items],
            list(pay) if pay else [TenderInput(tender, None)],
            customer_id=customer,
        ).sale

    def refund(
        self,
        terminal: str,
        items: Sequence[tuple[str, int]],
        receipt: tuple[str, int] | None = None,
        tender: str = "card",
        staff: str = "1",
    ):
        return refunds.record_refund(
            self.db,
            self.staff(staff),
            terminal,
            [LineInput(sku, qty) for sku, qty in items],
            [TenderInput(tender, None)],
            receipt=receipt,
        ).sale

    def open(self, terminal: str, opening_float: int = 0, staff: str = "1") -> int:
        return sessions.open_session(self.db, self.staff(staff), terminal, opening_float).id

    def close(
        self,
        terminal: str,
        cash_delta: int = 0,
        declare: dict[str, int] | None = None,
        staff: str = "1",
    ) -> int:
        """Close the terminal's open session, counting expected cash + ``cash_delta``."""
        current = sessions.current_session(self.db, terminal)
        assert current is not None
        counted = sessions.expected_cash(self.db, current.id) + cash_delta
        return sessions.close_session(
            self.db, self.staff(staff), terminal, counted, 0, declare or {}
        ).id

    def close_all(self) -> None:
        for row in self.db.all("SELECT terminal_id FROM sessions WHERE status = 'open'"):
            self.close(row["terminal_id"])

    def create(self, store: str, start: datetime, end: datetime) -> list:
        return statements.create_statements(self.db, self.manager, store, start, end)

    def create_one(self, store: str, start: datetime, end: datetime) -> int:
        made = self.create(store, start, end)
        assert len(made) == 1
        return made[0].id

    def calculate(self, statement_id: int):
        statements.calculate_statement(self.db, self.manager, statement_id)
        return statements.statement_details(self.db, self.manager, statement_id)

    def details(self, statement_id: int):
        return statements.statement_details(self.db, self.manager, statement_id)

    def lines(self, statement_id: int) -> dict[tuple[str, str], tuple[int, int, int]]:
        """{(group, tender): (transaction amount, counted, difference)}."""
        return {
            (ln.group_key, ln.tender_id): (ln.transaction_amount, ln.counted, ln.difference)
            for ln in self.details(statement_id).lines
        }

    def taken(self, statement_id: int) -> set[int]:
        return {
            r[0]
            for r in self.db.all(
                "SELECT s.id FROM statement_ranges r JOIN sales s ON s.store_id = r.store_id"
                " AND s.id BETWEEN r.lo AND r.hi WHERE r.statement_id = ?",
                (statement_id,),
            )
        }

    def count(self, table: str) -> int:
        return int(self.db.scalar(f"SELECT COUNT(*) FROM {table}"))
