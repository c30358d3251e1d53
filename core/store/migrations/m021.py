"""Migration 21: a statement holds its sales as ranges of ids (issue 14, SPEC X-6, T-4).

Applied in the order core/store/schema.py lists them; never change one's meaning.
"""

from __future__ import annotations

import sqlite_utils

from core.store.migrations import ddl

# The maximal runs of one store's sales (in id order) that one statement held, from the
# link rows of an older database: a sale of the store that is in no statement, or in
# another, ends a run. Both SQLite and PostgreSQL run it (core.store.pg_schema, for a
# head office made before this migration).
RANGES_FROM_LINKS = """INSERT INTO statement_ranges (store_id, lo, hi, statement_id)
SELECT store_id, MIN(id), MAX(id), statement_id FROM (
    SELECT s.id, s.store_id, ss.statement_id,
           row_number() OVER (PARTITION BY s.store_id ORDER BY s.id)
           - row_number() OVER (PARTITION BY s.store_id, ss.statement_id ORDER BY s.id) AS run
      FROM sales s LEFT JOIN statement_sales ss ON ss.sale_id = s.id
) AS t
 WHERE statement_id IS NOT NULL
 GROUP BY store_id, statement_id, run"""


def m021_statement_ranges(db: sqlite_utils.Database) -> None:
    """``statement_ranges`` replaces ``statement_sales``: a statement holds every sale of
    its store whose id is in one of its ranges [lo, hi], and no other.

    A link row per sale made calculating a chain's month ten million rows and joins
    through them; a store's sales arrive in id order, so a statement's sales are
    mostly one run of ids: one row. A sale is still in at most one statement, and the
    schema says so: ranges of one store never overlap (the primary key and a trigger),
    and a sale cannot be added inside a range (a trigger: ids only grow, so a range
    never gains a sale after it was taken). The view of the till movements a posted
    statement covers reads the ranges.
    """
    ddl.run(
        db,
        """CREATE TABLE statement_ranges (
    store_id TEXT NOT NULL REFERENCES stores(id),
    lo INTEGER NOT NULL,
    hi INTEGER NOT NULL,
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    PRIMARY KEY (store_id, lo),
    CHECK (lo <= hi)
) WITHOUT ROWID;
CREATE INDEX statement_ranges_statement ON statement_ranges(statement_id);
CREATE INDEX sales_store_id_created ON sales(store_id, id, created_at);
""",
    )
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'statement_sales'").fetchone():
        db.execute(RANGES_FROM_LINKS)
        ddl.run(
            db,
            """DROP VIEW inventory_movement_postings;
DROP TRIGGER statement_sales_posted_update;
DROP TRIGGER statement_sales_posted_delete;
DROP TABLE statement_sales;
""",
        )
    # The range before a new one (the greatest lo not above its hi) is the only one that
    # can overlap it, ranges never overlapping: one index probe, however many there are.
    ddl.run(
        db,
        """CREATE TRIGGER statement_ranges_overlap BEFORE INSERT ON statement_ranges
WHEN (SELECT r.hi FROM statement_ranges r WHERE r.store_id = NEW.store_id AND r.lo <= NEW.hi ORDER BY r.lo DESC LIMIT 1) >= NEW.lo
BEGIN SELECT RAISE(ABORT, 'a sale is in at most one statement'); END;
CREATE TRIGGER statement_ranges_store BEFORE INSERT ON statement_ranges
WHEN NOT EXISTS (SELECT 1 FROM statements WHERE id = NEW.statement_id AND store_id = NEW.store_id AND status <> 'posted')
BEGIN SELECT RAISE(ABORT, 'a statement takes only its own store''s sales, before it is posted'); END;
CREATE TRIGGER statement_ranges_posted_update BEFORE UPDATE ON statement_ranges
BEGIN SELECT RAISE(ABORT, 'a statement''s ranges are taken again, not changed'); END;
CREATE TRIGGER statement_ranges_posted_delete BEFORE DELETE ON statement_ranges
WHEN (SELECT status FROM statements WHERE id = OLD.statement_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: its transactions cannot change'); END;
CREATE TRIGGER sales_not_into_statement AFTER INSERT ON sales
WHEN (SELECT r.hi FROM statement_ranges r WHERE r.store_id = NEW.store_id AND r.lo <= NEW.id ORDER BY r.lo DESC LIMIT 1) >= NEW.id
BEGIN SELECT RAISE(ABORT, 'a sale cannot be added to a statement already calculated'); END;
CREATE VIEW inventory_movement_postings AS
SELECT m.id AS movement_id, m.store_id, m.sku, m.qty, m.reason, m.sale_id,
       r.statement_id, ij.id AS inventory_journal_id
  FROM inventory_movements m
  JOIN sales s ON s.id = m.sale_id
  JOIN statement_ranges r ON r.store_id = s.store_id AND r.lo <= s.id AND r.hi >= s.id
  JOIN inventory_journals ij ON ij.statement_id = r.statement_id;
""",
    )
