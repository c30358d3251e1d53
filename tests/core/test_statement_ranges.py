"""A statement holds ranges of its store's sale ids (T-4, X-6; core.statements.ranges):
the runs are right when sales arrive out of order and interleave with other stores and
groups, and an older database's link rows become the same ranges (migration 21)."""

from __future__ import annotations

from core.statements import operations as statements
from core.store import stores
from core.store.db import Db
from core.store.schema import migrations
from tests.core.test_statements_support import Shop, local

DAY = (local(2026, 5, 31, 3), local(2026, 6, 1, 3))  # NORREBRO's business day 31 May
NEXT = (local(2026, 6, 1, 3), local(2026, 6, 2, 3))


def _by_created(shop: Shop, start, end) -> set[int]:
    """The NORREBRO sales made in [start, end), by their own time: what a statement of the
    period takes when nothing else holds them."""
    from core.store.db import iso

    rows = shop.db.all(
        "SELECT id FROM sales WHERE store_id = 'NORREBRO' AND created_at >= ? AND created_at < ?",
        (iso(start), iso(end)),
    )
    return {r[0] for r in rows}


def _ranges(shop: Shop, statement_id: int) -> list[tuple[int, int]]:
    rows = shop.db.all(
        "SELECT lo, hi FROM statement_ranges WHERE statement_id = ? ORDER BY lo", (statement_id,)
    )
    return [(r[0], r[1]) for r in rows]


def test_late_sales_and_other_stores_make_runs_that_hold_exactly_the_period(shop: Shop) -> None:
    """T-4: a sale of the period that arrives after the next day's sales (the till was
    offline) is taken with its own day, not the next; Reykjavík's sales in between do
    not break a run; every sale is in exactly one of the two statements."""
    shop.at(2026, 5, 31, 10)
    shop.sell("T1")
    shop.sell("T1", [("1001", 1)])
    shop.at(2026, 6, 1, 10)
    shop.sell("T2")  # the next day, at the other till
    shop.at(2026, 5, 31, 10, tz=shop_tz())
    shop.sell("R1")  # Reykjavík, between Nørrebro's sales
    shop.at(2026, 6, 1, 11)
    shop.sell("T2", [("1003", 2)])
    # T1's till was offline: its sale of 31 May 22:00 is recorded after 1 June's.
    shop.at(2026, 5, 31, 22)
    late = shop.sell("T1", [("1004", 1)])
    shop.at(2026, 6, 2, 4)
    shop.close_all()
    first = shop.create_one("NORREBRO", *DAY)
    second = shop.create_one("NORREBRO", *NEXT)
    shop.calculate(second)  # the later day first: the late sale is not its
    shop.calculate(first)
    assert shop.taken(first) == _by_created(shop, *DAY)
    assert shop.taken(second) == _by_created(shop, *NEXT)
    assert late.id in shop.taken(first)
    assert not shop.taken(first) & shop.taken(second)
    assert len(_ranges(shop, first)) == 2, "the late sale is a run of its own"
    assert len(_ranges(shop, second)) == 1, "Reykjavík's sale does not break the run"
    details = shop.calculate(first)  # again: the same ranges, the same figures
    assert details.statement.transactions == 3
    assert shop.taken(first) == _by_created(shop, *DAY)


def shop_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Atlantic/Reykjavik")


def test_split_statements_interleaved_by_staff_hold_only_their_groups(shop: Shop) -> None:
    """T-4 split by staff: sales of two cashiers alternate, so each statement holds one
    run per sale; together they hold every sale once, and deleting one frees exactly
    its own for the next calculation."""
    stores.update_store(
        shop.db, shop.manager, "NORREBRO", statement_method="staff", split_by_statement_method=True
    )
    shop.at(2026, 5, 31, 10)
    for n in range(6):
        shop.sell("T1", staff="1" if n % 2 == 0 else "2")
    shop.at(2026, 6, 1, 4)
    shop.close_all()
    made = {s.split_key: s.id for s in shop.create("NORREBRO", *DAY)}
    for sid in made.values():
        shop.calculate(sid)
    staff_of = {r[0]: r[1] for r in shop.db.all("SELECT id, staff_id FROM sales")}
    for key, sid in made.items():
        assert {staff_of[i] for i in shop.taken(sid)} == {key}
        assert len(shop.taken(sid)) == 3 == len(_ranges(shop, sid))
    assert statements.delete_statement(shop.db, shop.manager, made["2"]) == 3
    assert shop.count("statement_ranges") == 3
    (again,) = shop.create("NORREBRO", *DAY)
    assert again.split_key == "2"
    shop.calculate(again.id)
    assert {staff_of[i] for i in shop.taken(again.id)} == {"2"}


def test_the_ranges_migration_makes_an_older_databases_links_into_runs(tmp_path, clock) -> None:
    """Migration 21 on a database from before it: each statement's link rows become the
    runs of its store's sales it held (another store's sale in between does not end a
    run; a sale of the store held by no statement does), and the links go."""
    db = Db(tmp_path / "old.db", clock=clock, migrate=False)
    at = "2026-05-31T08:00:00.000000Z"
    with db.write():
        migrations.apply(db.sql, stop_before="m021_statement_ranges")
        for store in ("A", "B"):
            db.execute(
                "INSERT INTO stores (id, name, currency, timezone, locale, created_at)"
                " VALUES (?, ?, 'DKK', 'UTC', 'en', ?)",
                (store, store, at),
            )
            db.execute(
                "INSERT INTO terminals (id, store_id, name, created_at) VALUES (?, ?, 'T', ?)",
                (f"T{store}", store, at),
            )
        db.execute(
            "INSERT INTO staff (id, name, role, pin_hash, created_at)"
            " VALUES ('1', 'A', 'manager', 'x', ?)",
            (at,),
        )
        # Sales 1..7: A, A, B, A, A, B, A; statement 1 held A's 1, 2, 4; statement 2 held
        # A's 7 and B's 3, 6 (another store's statement cannot, so: statement 3, of B).
        for n, store in enumerate("AABAABA", start=1):
            db.execute(
                "INSERT INTO sales (id, uid, kind, store_id, terminal_id, receipt_no, staff_id,"
                " created_at, currency, total, vat_total)"
                " VALUES (?, ?, 'sale', ?, ?, ?, '1', ?, 'DKK', 100, 20)",
                (n, f"u{n}", store, f"T{store}", n, at),
            )
        for sid, store in ((1, "A"), (2, "A"), (3, "B")):
            db.execute(
                "INSERT INTO statements (id, store_id, period_start, period_end, method, split,"
                " source, status, created_at, created_by, calculated_at, calculated_by)"
                " VALUES (?, ?, ?, ?, 'total', 0, 'manual', 'calculated', ?, '1', ?, '1')",
                (sid, store, f"2026-05-{sid:02d}", f"2026-05-{sid + 1:02d}", at, at),
            )
        for sale, sid in ((1, 1), (2, 1), (4, 1), (7, 2), (3, 3), (6, 3)):
            db.execute(
                "INSERT INTO statement_sales (sale_id, statement_id, group_key, order_key)"
                " VALUES (?, ?, '', 'D:2026-05-31')",
                (sale, sid),
            )
        db.execute(
            "UPDATE statements SET status = 'posted', posted_at = ?, posted_by = '1' WHERE id = 3",
            (at,),
        )
    db.migrate()
    rows = db.all("SELECT store_id, lo, hi, statement_id FROM statement_ranges ORDER BY 1, 2")
    assert [tuple(r) for r in rows] == [("A", 1, 4, 1), ("A", 7, 7, 2), ("B", 3, 6, 3)]
    assert db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'statement_sales'") == 0
    db.close()


def test_a_head_office_from_before_the_ranges_keeps_what_its_statements_held(
    pg_url: str, clock
) -> None:
    """Migration 21 on a PostgreSQL head office (kassi hq init again): its link rows
    become ranges, the links' table and the triggers that checked them go, and a sale
    can still be corrected by the schema's rules (no trigger left naming the old table)."""
    import psycopg

    from core.staff import auth
    from core.store import pg_links, pg_schema
    from core.store.pg import PgDb
    from tests.core.test_statements_support import Shop as HeadOffice

    db = PgDb(pg_url, clock=clock)
    shop = HeadOffice(db, clock, auth.get_staff(db, "1"))
    shop.at(2026, 5, 31, 10)
    for _ in range(3):
        shop.sell("T1")
    shop.at(2026, 6, 1, 4)
    shop.close_all()
    sid = shop.create_one("NORREBRO", *DAY)
    shop.calculate(sid)
    held = shop.taken(sid)
    db.close()
    # The head office as an older kassi left it: a link row per sale, checked per statement.
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(
            "CREATE TABLE statement_sales (sale_id BIGINT PRIMARY KEY,"
            " statement_id BIGINT NOT NULL, group_key TEXT NOT NULL, order_key TEXT NOT NULL)"
        )
        c.execute(
            "INSERT INTO statement_sales SELECT s.id, r.statement_id, '', 'D:x'"
            " FROM statement_ranges r JOIN sales s ON s.store_id = r.store_id"
            " AND s.id BETWEEN r.lo AND r.hi"
        )
        c.execute("ALTER TABLE statement_ranges DISABLE TRIGGER USER")
        c.execute("DELETE FROM statement_ranges")
        c.execute("ALTER TABLE statement_ranges ENABLE TRIGGER USER")
        for statement in pg_links.ddl(pg_links.RETIRED):
            c.execute(statement)
    pg_schema.install(pg_url, clock=clock)
    db = PgDb(pg_url, clock=clock)
    shop = HeadOffice(db, clock, shop.manager)
    assert shop.taken(sid) == held
    assert "statement_sales" not in db.tables()
    with db.write():
        db.execute("UPDATE sales SET total = total WHERE id = ?", (min(held),))
        db.execute("UPDATE statements SET created_at = created_at WHERE id = ?", (sid,))
    assert shop.calculate(sid).statement.transactions == 3
    db.close()


def test_covered_rows_are_read_back_by_key_whatever_the_keys_hold(head_office: Shop) -> None:
    """R-2 on both back ends: the rows an entry covers are read back by their keys (on
    PostgreSQL one array per key column, core.store.dialect.keys_in), keys with commas,
    quotes, braces and backslashes included, more of them than one query reads, and
    each gets the hash of the row as stored; a key with no row gets none."""
    import json

    from core.audit import journal
    from core.audit.content import row_hash, select_one
    from core.audit.covered import COVERED

    db = head_office.db
    odd = ["a,b", 'say "hi"', "{x}", "back\\slash", "NULL", " ", "æøå ð"]
    ids = odd + [f"C{n:05d}" for n in range(5200)]
    with db.write():
        db.executemany(
            "INSERT INTO customers (id, name, created_at) VALUES (?, ?, 'x')",
            [(i, f"name {i}") for i in ids],
        )
    wanted = [("customers", json.dumps([i], ensure_ascii=False)) for i in [*ids, "nobody"]]
    with db.read():
        got = {(t, k): h for t, k, h in journal._hash_rows(db, wanted)}
        cover = COVERED["customers"]
        for i in odd:
            row = tuple(db.one(select_one("customers"), (i,)))
            key = json.dumps([i], ensure_ascii=False, separators=(",", ":"))
            assert got[("customers", key)] == row_hash(cover.columns, row[1:])
    assert got[("customers", '["nobody"]')] is None
    assert sum(h is not None for h in got.values()) == len(ids)
