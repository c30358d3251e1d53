"""A chain's stores sync by themselves with a head office on PostgreSQL (SPEC X-2, X-3, X-4).

Three stores (NORREBRO and VESTERBRO in DKK, REYKJAVIK in ISK) are set up once, at head
office (tests/integration/chain_support.py); each store's database is filled by its
first sync; the tills sell; the stores deliver; head office applies the deliveries
and runs its statements on them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from core.catalog import prices
from core.errors import AuthError, StateError
from core.staff import admin as staff_admin
from core.staff import auth
from core.store import terminals
from tests.integration.chain_support import STORE_PIN, Chain

pytestmark = pytest.mark.integration

RVK = ZoneInfo("Atlantic/Reykjavik")


@pytest.fixture
def chain(pg_server, pg_url, tmp_path):
    made = Chain(pg_server, pg_url, tmp_path)
    yield made
    made.close()


def entries(shop) -> int:
    return int(shop.db.scalar("SELECT MAX(seq) FROM audit_log"))


def hq_sales(chain: Chain, store: str) -> list[tuple]:
    return [
        tuple(r)
        for r in chain.hq.all(
            "SELECT uid, terminal_id, receipt_no, total FROM sales WHERE store_id = ?"
            " ORDER BY terminal_id, receipt_no",
            (store,),
        )
    ]


def store_sales(shop) -> list[tuple]:
    return [
        tuple(r)
        for r in shop.db.all(
            "SELECT uid, terminal_id, receipt_no, total FROM sales ORDER BY terminal_id, receipt_no"
        )
    ]


def test_a_new_store_is_set_up_by_its_first_sync_from_head_office(chain: Chain) -> None:
    """X-2: the first sync of an empty store database brings the store's own row, its
    terminals only, the chain's tenders, items, staff (without PINs) and the store's
    prices; a second sync with nothing changed writes nothing, not even an entry."""
    shop = chain.store("VESTERBRO")
    db = shop.db
    assert [r[0] for r in db.all("SELECT id FROM stores")] == ["VESTERBRO"]
    assert [r[0] for r in db.all("SELECT id FROM terminals")] == ["V1"]
    assert {r[0] for r in db.all("SELECT id FROM tenders")} >= {"cash", "card"}
    assert db.scalar("SELECT COUNT(*) FROM items") == chain.hq.scalar("SELECT COUNT(*) FROM items")
    assert prices.current(db, "1001", "DKK", "VESTERBRO") == 3195
    assert db.scalar("SELECT COUNT(*) FROM item_prices WHERE store_id = 'NORREBRO'") == 0
    # The first manager's PIN was set at the store; the others have none yet.
    assert auth.authenticate(db, "1", STORE_PIN).id == "1"
    with pytest.raises(AuthError):
        auth.authenticate(db, "2", "2222")  # head office's PIN does not travel
    with pytest.raises(StateError):
        staff_admin.set_first_pin(db, "1", "9999")  # only while nobody has a PIN
    before = entries(shop)
    chain.sync("VESTERBRO")
    chain.sync("VESTERBRO")
    assert entries(shop) == before + 1  # the one delivery's export entry, then nothing
    assert chain.sync("VESTERBRO").delivered is None


def test_changes_at_head_office_reach_the_store_at_its_next_sync(chain: Chain) -> None:
    """X-2: a new price and a deactivated staff member arrive with the next sync; the
    terminal's printer, set at the store, stays the store's."""
    shop = chain.store("NORREBRO")
    staff_admin.reset_pin(shop.db, shop.manager, "2", "5555")
    printer = {"kind": "file", "path": str(chain.root / "t1.bin")}
    terminals.set_printer(shop.db, shop.manager, "T1", printer)
    prices.set_price(chain.hq, chain.manager, "1001", 3495, "DKK", "NORREBRO")
    staff_admin.set_active(chain.hq, chain.manager, "2", False)
    pulled = chain.sync("NORREBRO").pulled
    assert pulled.changed == {"item_prices": 1, "staff": 1}
    assert prices.current(shop.db, "1001", "DKK", "NORREBRO") == 3495
    with pytest.raises(AuthError):
        auth.authenticate(shop.db, "2", "5555")
    assert '"file"' in shop.db.scalar("SELECT printer FROM terminals WHERE id = 'T1'")


def test_every_sale_of_three_stores_reaches_head_office_once(chain: Chain) -> None:
    """X-2: the stores sell and sync; VESTERBRO is offline all day and catches up in
    one go; syncing and applying again changes nothing; each store's sales arrive
    exactly as the store recorded them."""
    nor, ves, rvk = (chain.store(s) for s in chain.STORES)
    for hour in (9, 11, 13):
        nor.at(2026, 5, 31, hour, 0)
        nor.sell("T1", [("1002", 2)], tender="cash")
        nor.sell("T2", [("1004", 1)], tender="card")
        ves.at(2026, 5, 31, hour, 5)
        ves.sell("V1", [("1001", 1)], tender="cash")
        rvk.at(2026, 5, 31, hour, 10, tz=RVK)
        rvk.sell("R1", [("2001", 1)], tender="card")
        chain.sync("NORREBRO")
        chain.sync("REYKJAVIK")
        chain.receive()
    assert hq_sales(chain, "VESTERBRO") == []
    first = chain.sync("VESTERBRO")
    assert first.delivered.sales == 3
    got = chain.receive()
    assert (got.applied, got.refused) == (1, 0)
    for store, shop in zip(chain.STORES, (nor, ves, rvk), strict=True):
        assert hq_sales(chain, store) == store_sales(shop)
    assert len(hq_sales(chain, "NORREBRO")) == 6
    for store in chain.STORES:
        assert chain.sync(store).delivered is None
    assert chain.receive().applied == 0
