"""Which sales a statement holds: ranges of its store's sale ids (T-4, X-6).

A statement holds every sale of its store whose id lies in one of its rows of
``statement_ranges`` [lo, hi], and no other (core/store/migrations/m021.py). Taking
writes the maximal runs, in id order, of the store's sales that the statement takes: a
sale of the store it does not take (out of the period, another group, held by another
statement) ends a run. A store's sales mostly arrive in the order they were made, so a
month of one store is a handful of rows however many sales it has.

Why a range never gains a sale: sale ids only grow, and a sale's id is drawn inside
the write that inserts it; SQLite has one writer, and at a head office every write
that inserts sales holds the write lock (core.store.pg) from before its first id to
its commit (the identity's sequence caches no values per connection, so ids are drawn
in that order). So when a statement reads the committed sales, every sale still to come
has a greater id than any it sees. The schema refuses the rest: an overlapping range,
and a sale inserted inside a range.
"""

from __future__ import annotations

from core.store.db import Db

# The one range that can hold sale ``s`` (of alias s): the greatest lo not above its id.
HELD = (
    "EXISTS (SELECT 1 FROM (SELECT r.hi FROM statement_ranges r"
    " WHERE r.store_id = s.store_id AND r.lo <= s.id ORDER BY r.lo DESC LIMIT 1) AS h"
    " WHERE h.hi >= s.id)"
)

# The sales (alias s) a statement holds, for WHERE ... r.statement_id = :id.
HELD_BY = (
    "statement_ranges r JOIN sales s ON s.store_id = r.store_id AND s.id >= r.lo AND s.id <= r.hi"
)


def take_sql(eligible: str) -> str:
    """The INSERT of a statement's ranges: ``eligible`` is the condition (on alias s)
    that a sale of the store with an id in [:lo, :hi] is taken; :id the statement."""
    return (
        "INSERT INTO statement_ranges (store_id, lo, hi, statement_id)"
        " SELECT :store, MIN(id), MAX(id), :id FROM ("
        "SELECT id, ok, SUM(1 - ok) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS run"
        f" FROM (SELECT s.id, CASE WHEN {eligible} THEN 1 ELSE 0 END AS ok FROM sales s"
        " WHERE s.store_id = :store AND s.id >= :lo AND s.id <= :hi) AS w) AS t"
        " WHERE ok = 1 GROUP BY run"
    )


IN_PERIOD = "s.created_at >= :start AND s.created_at < :end"

# Whether a range of the store meets [:lo, :hi]: one starting inside it, or the one
# starting last before it reaching into it.
MEETS = (
    "SELECT EXISTS (SELECT 1 FROM statement_ranges"
    " WHERE store_id = :store AND lo >= :lo AND lo <= :hi)"
    " OR EXISTS (SELECT 1 FROM (SELECT hi FROM statement_ranges"
    " WHERE store_id = :store AND lo < :lo ORDER BY lo DESC LIMIT 1) AS h WHERE h.hi >= :lo)"
)


def take_sales(db: Db, p: dict[str, object], split: str) -> int:
    """Write the ranges of the sales statement :id takes: its store's (:store) in
    [:start, :end) that match ``split`` (a condition on alias s, or '') and no statement
    holds. Returns how many it took.

    The usual case costs two index scans and one row: the period's sales are one run of
    the store's ids that no range meets. Only when they are not (a late sale, another
    group's sales in between, a range of another statement among them) are the runs
    found sale by sale (``take_sql``)."""
    where = f"s.store_id = :store AND {IN_PERIOD}{split}"
    count, lo, hi = db.one(f"SELECT COUNT(*), MIN(s.id), MAX(s.id) FROM sales s WHERE {where}", p)
    if not count:
        return 0
    run = {**p, "lo": lo, "hi": hi}
    if db.scalar(MEETS, run):
        db.execute(take_sql(f"{IN_PERIOD}{split} AND NOT {HELD}"), run)
        return int(db.scalar(f"SELECT COUNT(*) FROM {HELD_BY} WHERE r.statement_id = :id", p))
    in_run = db.scalar(
        "SELECT COUNT(*) FROM sales s WHERE s.store_id = :store AND s.id >= :lo AND s.id <= :hi",
        run,
    )
    if in_run == count:
        db.execute(
            "INSERT INTO statement_ranges (store_id, lo, hi, statement_id)"
            " VALUES (:store, :lo, :hi, :id)",
            run,
        )
    else:
        db.execute(take_sql(f"{IN_PERIOD}{split}"), run)
    return int(count)
