"""Migrations 5 to 12: name search, till limits, discounts, login lockout, prices per
currency, the signed journal.

Applied in the order core/store/schema.py lists them; never change one's meaning.
"""

from __future__ import annotations

import sqlite_utils

from core.store.migrations.ddl import run


def m005_item_name_fold(db: sqlite_utils.Database) -> None:
    """C-4: item names searchable the way Nordic staff type, from an index.

    ``name_fold`` is the name case-folded (Unicode: Æ→æ, Ð→ð, Á→á), ``name_key``
    the same with accents and special letters spelt plain (á→a, ø→o, æ→ae, þ→th).
    ``item_name_terms`` holds every suffix of every word of the keys (shared and
    per-store names), so a substring of a word is a range search on its primary
    key. core.catalog.name_search keeps all three in step wherever names are written.
    """
    run(
        db,
        """
ALTER TABLE items ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE store_items ADD COLUMN name_fold TEXT;
ALTER TABLE store_items ADD COLUMN name_key TEXT;
CREATE TABLE item_name_terms (
    term TEXT NOT NULL,
    sku TEXT NOT NULL REFERENCES items(sku),
    PRIMARY KEY (term, sku)
) WITHOUT ROWID;
CREATE INDEX item_name_terms_sku ON item_name_terms(sku)
""",
    )
    from core.catalog import name_search

    name_search.reindex_all(db.conn)


def m008_till_limits(db: sqlite_utils.Database) -> None:
    """C-7: amount limits as store settings (NULL: the currency's default, see
    core.tills.limits) and the basket a till parks when it quits with one unpaid."""
    run(
        db,
        """
ALTER TABLE stores ADD COLUMN max_change INTEGER CHECK (max_change IS NULL OR max_change > 0);
ALTER TABLE stores ADD COLUMN max_adjustment INTEGER
    CHECK (max_adjustment IS NULL OR max_adjustment > 0);
CREATE TABLE parked_baskets (
    terminal_id TEXT PRIMARY KEY REFERENCES terminals(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    parked_at TEXT NOT NULL,
    basket TEXT NOT NULL
) WITHOUT ROWID
""",
    )


def m009_discounts(db: sqlite_utils.Database) -> None:
    """Discounts at the till (SPEC C-5): each role's limit, and every discount given
    with its reason and approver (a basket discount has no line_no; its amount is
    also spread over the lines' own discount column)."""
    run(
        db,
        """
CREATE TABLE discount_limits (
    role TEXT PRIMARY KEY CHECK (role IN ('cashier', 'supervisor', 'manager')),
    max_percent INTEGER NOT NULL CHECK (max_percent BETWEEN 0 AND 100)
);
INSERT INTO discount_limits (role, max_percent)
    VALUES ('cashier', 10), ('supervisor', 30), ('manager', 100);
CREATE TABLE sale_discounts (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    line_no INTEGER CHECK (line_no IS NULL OR line_no > 0),
    kind TEXT NOT NULL CHECK (kind IN ('percent', 'amount')),
    value INTEGER NOT NULL CHECK (value > 0),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    approved_by TEXT REFERENCES staff(id)
);
CREATE INDEX sale_discounts_sale ON sale_discounts(sale_id)
""",
    )


def m010_login_lockout(db: sqlite_utils.Database) -> None:
    """Login that resists guessing (SPEC R-10).

    staff.lockouts counts the lockouts since a manager last reset them: each one
    lasts twice the one before (core.staff.auth.lockout_for). stores.min_pin_length is
    the shortest PIN the store accepts when a PIN is set (4 to 8; 6 is wise).
    """
    run(
        db,
        """
ALTER TABLE staff ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0);
ALTER TABLE stores ADD COLUMN min_pin_length INTEGER NOT NULL DEFAULT 4
    CHECK (min_pin_length BETWEEN 4 AND 8)
""",
    )


def m011_price_currency(db: sqlite_utils.Database) -> None:
    """R-7, M-1: every price carries its currency (core.catalog.prices explains the model).

    ``item_prices`` holds an item's price per currency (``store_id`` NULL: every
    store selling in that currency) and a store's own price (``store_id`` set, in
    that store's currency at the time it was set). The bare ``items.price`` and
    ``store_items.price`` go; their data moves here:

    - a store's own price (``store_items.price``) keeps that store's currency;
    - the shared ``items.price`` becomes a price in the currency of each store that
      sold at it (every store without a price of its own), so every store keeps
      charging exactly what it charged before, now with its currency named; an
      amount that two currencies read differently (12.50 DKK, 1250 ISK) shows as
      two prices a manager can correct;
    - with no store at all, the amount was parsed the only way the old command line
      could (its ``--currency`` default, DKK), so it becomes a DKK price.

    The partial unique indexes keep one price per currency and one per store and
    currency; ``item_prices_sku`` serves the lookups by item alone (an import's
    replace, an item's price list), which the partial indexes cannot (measured: a
    100,000-item import took 622 s without it).
    """
    run(
        db,
        """
CREATE TABLE item_prices (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL REFERENCES items(sku),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    store_id TEXT REFERENCES stores(id),
    price INTEGER NOT NULL CHECK (price >= 0)
);
CREATE UNIQUE INDEX item_prices_currency ON item_prices(sku, currency) WHERE store_id IS NULL;
CREATE UNIQUE INDEX item_prices_store ON item_prices(sku, store_id, currency)
    WHERE store_id IS NOT NULL;
CREATE INDEX item_prices_sku ON item_prices(sku);
INSERT INTO item_prices (sku, currency, store_id, price)
    SELECT si.sku, st.currency, si.store_id, si.price
      FROM store_items si JOIN stores st ON st.id = si.store_id;
INSERT INTO item_prices (sku, currency, store_id, price)
    SELECT DISTINCT i.sku, st.currency, NULL, i.price FROM items i, stores st
     WHERE NOT EXISTS (SELECT 1 FROM store_items si WHERE si.sku = i.sku AND si.store_id = st.id);
INSERT INTO item_prices (sku, currency, store_id, price)
    SELECT sku, 'DKK', NULL, price FROM items WHERE NOT EXISTS (SELECT 1 FROM stores);
ALTER TABLE store_items DROP COLUMN price;
ALTER TABLE items DROP COLUMN price
""",
    )


def m012_audit_signing(db: sqlite_utils.Database) -> None:
    """The journal that proves itself (SPEC R-1, R-2): see core/audit/journal.py.

    Each entry gets the content hashes of the rows it wrote (``covers``), the id of
    the key that signed it and its Ed25519 signature; ``audit_keys`` holds the
    public keys (never a private one), ``audit_head`` the newest entry's number
    and hash, signed; ``audit_verified`` the head the last intact verify checked,
    signed (later verifies check signatures from there on). Entries from before this migration stay unsigned (legacy);
    core.audit.journal.after_migrations appends the first signed entry in the same
    transaction, covering every row that exists.
    """
    run(
        db,
        """
ALTER TABLE audit_log ADD COLUMN covers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
ALTER TABLE audit_log ADD COLUMN signature BLOB;
CREATE TABLE audit_keys (
    key_id TEXT PRIMARY KEY,
    public_key BLOB NOT NULL CHECK (length(public_key) = 32),
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature BLOB NOT NULL
);
CREATE TABLE audit_verified (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    signature BLOB NOT NULL
)
""",
    )
