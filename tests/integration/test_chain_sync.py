"""A chain's stores sync by themselves with a head office on PostgreSQL (SPEC X-2, X-3, X-4).

Three stores (NORREBRO and VESTERBRO in DKK, REYKJAVIK in ISK) are set up once, at head
office (tests/integration/chain_support.py); each store's database is filled by its
first sync; the tills sell; the stores deliver; head office applies the deliveries
and runs its statements on them.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.catalog import items, prices
from core.errors import AuthError, StateError
from core.staff import admin as staff_admin
from core.staff import auth
from core.store import terminals
from core.sync.push import SyncStopped
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
    with pytest.raises(AuthError, match="has no PIN at this store yet"):
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
    items.update_item(chain.hq, chain.manager, "1003", name="Skummetmælk 1 l", store_id="NORREBRO")
    pulled = chain.sync("NORREBRO").pulled
    assert pulled.changed == {"store_items": 1, "item_prices": 1, "staff": 1}
    found = items.search_items(shop.db, "skummet", "NORREBRO")
    assert [i.sku for i in found] == ["1003"]  # the store's name index followed (C-4)
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


def sqlite_head_office(tmp_path, stores: dict) -> object:
    """The same chain's head office on SQLite, the stores' transactions imported from
    their transfer files (T-1), for the figures to be compared (X-1)."""
    from core.store import demo
    from core.store.db import Db
    from tests.conftest import HEAD_OFFICE_START, FakeClock
    from tests.core.test_statements_support import Shop
    from tests.core.transfer_support import export, load
    from tests.integration.chain_support import add_vesterbro

    clock = FakeClock(HEAD_OFFICE_START)
    db = Db(tmp_path / "office.db", clock=clock)
    demo.load_demo(db)
    office = Shop(db, clock, auth.get_staff(db, "1"))
    add_vesterbro(db, office.manager)
    for store, shop in stores.items():
        text, _cursor = export(shop, store=store)
        load(office, text, source=f"{store}.jsonl")
    return office


def test_head_office_posts_what_a_sqlite_head_office_posts(chain: Chain, tmp_path) -> None:
    """X-1, X-2, T-8: three stores sell through the night of 31 May (NORREBRO's and
    VESTERBRO's business day ends at 03:00); VESTERBRO is offline until the morning.
    After the syncs, head office's nightly batch posts per store exactly what a SQLite
    head office posts for the same transactions."""
    from core.statements.batch import run_batch
    from tests.core.test_head_office_statements import posted

    nor, ves, rvk = (chain.store(s) for s in chain.STORES)
    night = ((2026, 5, 31, 0, 30), (2026, 5, 31, 3, 30), (2026, 5, 31, 18, 0), (2026, 6, 1, 0, 30))
    for when in night:
        nor.at(*when)
        nor.sell("T1", [("1002", 1)], tender="card")
        ves.at(*when)
        ves.sell("V1", [("1001", 2)], tender="cash")
        chain.sync("NORREBRO")
        chain.receive()
    nor.sell("T2", [("1004", 2)], tender="cash", customer="C1001")
    rvk.at(2026, 5, 31, 12, 0, tz=RVK)
    rvk.sell("R1", [("2001", 1)], tender="card")
    rvk.sell("R1", [("2002", 3)], tender="cash")
    for shop in (nor, ves, rvk):
        shop.at(2026, 6, 1, 1, 0)
        shop.close_all()
        shop.at(2026, 6, 1, 3, 30)
        shop.sell(next(iter(shop.db.all("SELECT id FROM terminals ORDER BY id")))[0])
        shop.at(2026, 6, 1, 3, 45)
        shop.close_all()
    for store in chain.STORES:
        chain.sync(store)
    assert chain.receive().refused == 0
    office = sqlite_head_office(tmp_path, dict(zip(chain.STORES, (nor, ves, rvk), strict=True)))
    from tests.core.test_statements_support import Shop

    at_pg = Shop(chain.hq, chain.clock, chain.manager)
    for place in (office, at_pg):
        place.at(2026, 6, 1, 4, 0)
    for store in chain.STORES:
        results = []
        for place in (at_pg, office):
            (outcome,) = run_batch(place.db, place.manager, store_ids=[store], post=True)
            assert outcome.ok, outcome.errors
            results.append(posted(place, outcome))
        assert results[0] == results[1], store
        assert results[0]["status"] == "posted"
        if store == "NORREBRO":  # T-8: 31 May 03:00 to 1 June 03:00 Copenhagen time
            day = chain.hq.all(
                "SELECT uid FROM sales WHERE store_id = 'NORREBRO'"
                " AND created_at >= '2026-05-31T01:00' AND created_at < '2026-06-01T01:00'"
            )
            assert results[0]["uids"] == {r[0] for r in day}
            assert len(day) == 4  # 03:30, 18:00, the T2 sale, 00:30 the next night


def as_role(chain: Chain, store: str, sql: str, params: tuple = ()) -> str:
    """Run one statement on head office as the store's role; the server's refusal."""
    import psycopg

    with psycopg.connect(chain.role_url(store), autocommit=True) as conn:
        try:
            conn.execute(sql, params)
        except psycopg.Error as exc:
            return str(exc).splitlines()[0]
    return ""


def test_a_store_role_cannot_write_another_stores_history(chain: Chain) -> None:
    """X-3: NORREBRO's role can neither write a sale nor read one at head office, nor
    deliver for REYKJAVIK, nor read a PIN hash; a delivery of its own that carries
    another store's sale is refused whole when head office applies it."""
    nor = chain.store("NORREBRO")
    chain.store("REYKJAVIK")
    before = chain.hq.scalar("SELECT COUNT(*) FROM sales")
    insert = (
        "INSERT INTO sales (uid, store_id, terminal_id, receipt_no, staff_id, kind, currency,"
        " total, rounding, vat_total, change_given, created_at) VALUES"
        " ('x', 'REYKJAVIK', 'R1', 99, '1', 'sale', 'ISK', 100, 0, 0, 0, '2026-06-01')"
    )
    assert "permission denied for table sales" in as_role(chain, "NORREBRO", insert)
    assert "permission denied" in as_role(chain, "NORREBRO", "SELECT uid FROM sales")
    assert "permission denied" in as_role(chain, "NORREBRO", "SELECT pin_hash FROM staff")
    assert "permission denied" in as_role(chain, "NORREBRO", "DELETE FROM sync_deliveries")
    other = (
        "INSERT INTO sync_deliveries (store_id, origin, since, head_seq, body)"
        " VALUES ('REYKJAVIK', 'x', 0, 1, '')"
    )
    assert "row-level security" in as_role(chain, "NORREBRO", other)
    # A forged delivery of its own: REYKJAVIK's sale inside NORREBRO's delivery.
    rvk = chain.store("REYKJAVIK")
    rvk.sell("R1", [("2001", 1)], tender="card")
    from core.transfer.export import identity
    from tests.core.transfer_support import export

    text, cursor = export(rvk, store="REYKJAVIK")
    real = identity(rvk.db)
    deliver = (
        "INSERT INTO sync_deliveries (store_id, origin, since, head_seq, body)"
        " VALUES ('NORREBRO', %s, 0, %s, %s)"
    )

    def forged(origin: str) -> str:  # the header names NORREBRO and the origin given
        header = text.split("\n", 1)[0]
        head = header.replace('"store":"REYKJAVIK"', '"store":"NORREBRO"').replace(real, origin)
        return head + "\n" + text.split("\n", 1)[1]

    assert as_role(chain, "NORREBRO", deliver, (real, cursor, forged(real))) == ""
    got = chain.receive()
    assert got.refused == 1
    assert f"Database {real[:8]} delivers for store REYKJAVIK" in got.problems[0]
    chain.hq.execute("DELETE FROM sync_deliveries WHERE store_id = 'NORREBRO'")
    assert as_role(chain, "NORREBRO", deliver, ("made-up", cursor, forged("made-up"))) == ""
    got = chain.receive()
    assert got.refused == 1
    assert "a record of store REYKJAVIK in a delivery of store NORREBRO" in got.problems[0]
    assert chain.hq.scalar("SELECT COUNT(*) FROM sales") == before
    with pytest.raises(SyncStopped, match="refused delivery"):
        chain.sync("NORREBRO")
    del nor


def test_a_rewritten_store_history_is_refused_and_reported(chain: Chain) -> None:
    """X-4 (R-3): after a sale reached head office, someone with the store's file
    rewrites its journal entry and re-links every later one (the store's chain hangs
    together again); the next delivery is refused whole, changing nothing,
    reported at head office (its status and a sync.refused entry), and the store's sync
    stops with the message; the other stores go on. A retry refuses it again."""
    nor, ves = chain.store("NORREBRO"), chain.store("VESTERBRO")
    nor.sell("T1", [("1002", 1)], tender="card")
    chain.sync("NORREBRO")
    chain.receive()
    from tests.core.test_transfer_chain import forge_from

    sale_entry = nor.db.scalar("SELECT seq FROM audit_log WHERE action = 'sale'")
    with nor.db.write():
        forge_from(nor.db, sale_entry)
    nor.sell("T1", [("1002", 1)], tender="card")
    sales_before = hq_sales(chain, "NORREBRO")
    chain.sync("NORREBRO")
    ves.sell("V1", [("1001", 1)], tender="cash")
    chain.sync("VESTERBRO")
    got = chain.receive()
    assert (got.applied, got.refused) == (1, 1)
    assert "Journal" in got.problems[0] and "Nothing was imported" in got.problems[0]
    assert hq_sales(chain, "NORREBRO") == sales_before
    assert len(hq_sales(chain, "VESTERBRO")) == 1
    from core.sync import receive, status

    (nor_status,) = [s for s in status.stores(chain.hq) if s.store == "NORREBRO"]
    assert nor_status.problem == got.problems[0]
    assert chain.hq.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sync.refused'") == 1
    with pytest.raises(SyncStopped, match="Head office refused delivery"):
        chain.sync("NORREBRO")
    assert receive.retry(chain.hq, chain.manager, "NORREBRO") == 1
    assert chain.receive().refused == 1  # still rewritten


def test_an_older_copy_of_the_store_database_is_refused(chain: Chain, tmp_path) -> None:
    """X-4: the store's database put back from an older copy (its journal shorter than
    what head office holds) sells on; its delivery is refused: the history was cut."""
    import shutil

    from core.store.db import Db

    nor = chain.store("NORREBRO")
    nor.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(nor.db.path, tmp_path / "backup.db")
    for _ in range(3):
        nor.sell("T1", [("1002", 1)], tender="card")
    chain.sync("NORREBRO")
    chain.receive()
    nor.db.close()
    for suffix in ("-wal", "-shm"):
        Path(nor.db.path + suffix).unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "backup.db", nor.db.path)  # the backup put back
    restored = Db(nor.db.path, clock=nor.clock)
    chain.shops["NORREBRO"] = type(nor)(restored, nor.clock, auth.get_staff(restored, "1"))
    chain.store("NORREBRO").sell("T1", [("1003", 1)], tender="card")
    chain.sync("NORREBRO")
    got = chain.receive()
    assert got.refused == 1
    assert got.problems[0].startswith("delivery ") and "Journal of NORREBRO" in got.problems[0]
    assert len(hq_sales(chain, "NORREBRO")) == 3


def test_a_sale_already_at_head_office_with_other_contents_is_a_conflict(chain: Chain) -> None:
    """X-2: a delivery whose sale has the uid of one head office holds, with another
    total, stops that store's sync with a clear message and changes nothing."""
    nor = chain.store("NORREBRO")
    sale = nor.sell("T1", [("1002", 1)], tender="card")
    chain.sync("NORREBRO")
    chain.receive()
    from core.transfer.export import identity
    from tests.core.transfer_support import export

    head = int(nor.db.scalar("SELECT MAX(seq) FROM audit_log"))
    text, cursor = export(nor, since=head, store="NORREBRO")
    uid = nor.db.scalar("SELECT uid FROM sales WHERE id = ?", (sale.id,))
    line = text.splitlines()[0]
    record = nor.db.one("SELECT total FROM sales WHERE id = ?", (sale.id,))
    import json

    from tests.core.transfer_support import export as full_export

    whole, _ = full_export(nor, store="NORREBRO")
    sale_line = next(ln for ln in whole.splitlines() if uid in ln and '"type":"sale"' in ln)
    changed = json.loads(sale_line)
    changed["total"] = "1.00"
    body = "\n".join([line, *text.splitlines()[1:], json.dumps(changed, ensure_ascii=False)])
    as_role(
        chain,
        "NORREBRO",
        "INSERT INTO sync_deliveries (store_id, origin, since, head_seq, body)"
        " VALUES ('NORREBRO', %s, %s, %s, %s)",
        (identity(nor.db), head, cursor, body),
    )
    got = chain.receive()
    assert got.refused == 1, got
    assert f"sale {uid} is already here with other contents" in got.problems[0]
    assert chain.hq.scalar("SELECT total FROM sales WHERE uid = ?", (uid,)) == record[0]


def test_the_receiver_waits_out_a_long_posting_and_then_applies(chain: Chain, monkeypatch):
    """X-2: while someone holds head office's write lock (a long posting), the receiver
    says head office is busy and tries again; once the lock is free it applies."""
    import core.store.pg as pg
    from core.store.pg import WRITE_LOCK, PgDb
    from core.sync import service

    monkeypatch.setattr(pg, "BUSY_TIMEOUT_S", 0.5)
    nor = chain.store("NORREBRO")
    nor.sell("T1", [("1002", 1)], tender="card")
    chain.sync("NORREBRO")
    lines: list[str] = []
    receiver = PgDb(chain.url)
    with PgDb(chain.url) as poster:
        poster.scalar(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        rounds = iter(range(3))
        service.receive_forever(
            receiver, poll_s=0.2, say=lines.append, stop=lambda: next(rounds, None) is None
        )
        assert any("Head office is busy" in line for line in lines), lines
        poster.scalar(f"SELECT pg_advisory_unlock({WRITE_LOCK})")
    rounds = iter(range(2))
    service.receive_forever(
        receiver, poll_s=0.2, say=lines.append, stop=lambda: next(rounds, None) is None
    )
    receiver.close()
    assert hq_sales(chain, "NORREBRO") == store_sales(nor)


def test_the_service_pulls_again_only_when_head_office_changed(chain: Chain, monkeypatch):
    """X-2 at scale: a round that finds head office's master data as last pulled reads
    none of it; a change there (a price) is pulled by the next round."""
    from core.sync import master_data

    chain.store("NORREBRO")
    first = chain.sync("NORREBRO")
    reads = []
    real_read = master_data.read
    monkeypatch.setattr(master_data, "read", lambda *a: reads.append(a) or real_read(*a))
    same = chain.sync("NORREBRO", pulled_version=first.master_version)
    assert reads == [] and same.master_version == first.master_version
    prices.set_price(chain.hq, chain.manager, "1002", 2695, "DKK", "NORREBRO")
    moved = chain.sync("NORREBRO", pulled_version=same.master_version)
    assert len(reads) == 1 and moved.pulled.changed == {"item_prices": 1}
    assert moved.master_version > same.master_version
