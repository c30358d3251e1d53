"""A chain of three stores set up once at a head office on PostgreSQL (SPEC X-2..X-4).

Head office is the suite's demo head office (NORREBRO in DKK, REYKJAVIK in ISK) with a
third store, VESTERBRO (DKK, terminal V1), added there. Each store has a database role
of its own and an empty SQLite database that its first sync fills; its manager sets the
first PIN (``kassi staff first-pin``), as at a real new store.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from core.catalog import prices
from core.staff import admin as staff_admin
from core.staff import auth
from core.store import stores, terminals
from core.store.db import Db
from core.store.pg import PgDb
from core.sync import receive, service, store_roles
from tests.conftest import HEAD_OFFICE_START, FakeClock
from tests.core.test_statements_support import Shop

PASSWORD = "a store's long password"
STORE_PIN = "4321"
VESTERBRO_PRICES = {"1001": 3195, "1002": 2395, "1003": 1195, "1004": 2395}


def add_vesterbro(hq: Db, manager) -> None:
    stores.add_store(
        hq,
        manager,
        "VESTERBRO",
        "Kassi Købmand Vesterbro",
        currency="DKK",
        timezone="Europe/Copenhagen",
        locale="da",
        end_of_business_day="03:00",
        post_as_business_day=True,
        max_posting_difference="50.00",
        default_customer_id="WALKIN",
    )
    terminals.add_terminal(hq, manager, "V1", "VESTERBRO", "Kasse 1")
    for sku, price in VESTERBRO_PRICES.items():
        prices.set_price(hq, manager, sku, price, "DKK", "VESTERBRO")


class Chain:
    """Head office, its three stores' roles, and a store database per store."""

    STORES = ("NORREBRO", "VESTERBRO", "REYKJAVIK")

    def __init__(self, server, url: str, root: Path) -> None:
        self.server, self.url, self.root = server, url, root
        self.clock = FakeClock(HEAD_OFFICE_START)
        self.hq = PgDb(url, clock=self.clock)
        self.manager = auth.get_staff(self.hq, "1")
        add_vesterbro(self.hq, self.manager)
        token = secrets.token_hex(3)  # roles are the server's, shared by every test database
        self.roles = {s: f"kassi_store_{s.lower()}_{token}" for s in self.STORES}
        for store, role in self.roles.items():
            store_roles.grant_store_role(self.hq, self.manager, store, role, PASSWORD)
        self.shops: dict[str, Shop] = {}

    def role_url(self, store: str) -> str:
        database = self.url.rsplit("/", 1)[1]
        return self.server.url(database, user=self.roles[store])

    def store(self, store: str) -> Shop:
        """The store's database, made by its first sync, its manager's first PIN set."""
        if store not in self.shops:
            clock = FakeClock(HEAD_OFFICE_START)
            db = Db(self.root / f"{store.lower()}.db", clock=clock)
            service.sync_once(db, self.role_url(store))
            staff_admin.set_first_pin(db, "1", STORE_PIN)
            self.shops[store] = Shop(db, clock, auth.get_staff(db, "1"))
        return self.shops[store]

    def sync(self, store: str, **kwargs) -> service.Round:
        return service.sync_once(self.store(store).db, self.role_url(store), **kwargs)

    def receive(self) -> receive.Received:
        return receive.receive(self.hq)

    def close(self) -> None:
        for shop in self.shops.values():
            shop.db.close()
        self.hq.close()
