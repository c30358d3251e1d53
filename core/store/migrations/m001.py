"""The first schema: stores, terminals, staff, catalog, sessions, sales, payments, the journal.

Applied in the order core/store/schema.py lists them; never change one's meaning.
"""

from __future__ import annotations

import sqlite_utils

from core.store.migrations.ddl import run


def m001_initial(db: sqlite_utils.Database) -> None:
    run(
        db,
        """
CREATE TABLE number_sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL CHECK (value >= 0)
);
CREATE TABLE stores (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 32),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    vat_number TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    timezone TEXT NOT NULL,
    locale TEXT NOT NULL CHECK (locale IN ('en', 'da', 'is')),
    track_cash INTEGER NOT NULL DEFAULT 1 CHECK (track_cash IN (0, 1)),
    cash_rounding INTEGER NOT NULL DEFAULT 0 CHECK (cash_rounding >= 0),
    default_customer_id TEXT REFERENCES customers(id),
    end_of_business_day TEXT NOT NULL DEFAULT '00:00'
        CHECK (end_of_business_day GLOB '[0-2][0-9]:[0-5][0-9]'),
    post_as_business_day INTEGER NOT NULL DEFAULT 0 CHECK (post_as_business_day IN (0, 1)),
    statement_method TEXT NOT NULL DEFAULT 'total'
        CHECK (statement_method IN ('total', 'staff', 'terminal', 'shift')),
    split_by_statement_method INTEGER NOT NULL DEFAULT 0
        CHECK (split_by_statement_method IN (0, 1)),
    max_posting_difference INTEGER NOT NULL DEFAULT 0 CHECK (max_posting_difference >= 0),
    drawer_limit INTEGER CHECK (drawer_limit IS NULL OR drawer_limit > 0),
    created_at TEXT NOT NULL
);
CREATE TABLE customers (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE terminals (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 32),
    store_id TEXT NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    printer TEXT NOT NULL DEFAULT '{"kind": "none"}',
    last_receipt_no INTEGER NOT NULL DEFAULT 0 CHECK (last_receipt_no >= 0),
    created_at TEXT NOT NULL
);
CREATE INDEX terminals_store ON terminals(store_id);
CREATE TABLE tenders (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 32),
    name TEXT NOT NULL,
    is_cash INTEGER NOT NULL DEFAULT 0 CHECK (is_cash IN (0, 1)),
    counted_at_close INTEGER NOT NULL DEFAULT 0 CHECK (counted_at_close IN (0, 1)),
    sort_order INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE UNIQUE INDEX one_cash_tender ON tenders(is_cash) WHERE is_cash = 1;
CREATE TABLE staff (
    id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 32),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
    permissions TEXT NOT NULL DEFAULT '',
    pin_hash TEXT NOT NULL,
    failed_pins INTEGER NOT NULL DEFAULT 0 CHECK (failed_pins >= 0),
    locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE TABLE items (
    sku TEXT PRIMARY KEY CHECK (length(sku) BETWEEN 1 AND 64),
    name TEXT NOT NULL,
    price INTEGER NOT NULL CHECK (price >= 0),
    vat_rate INTEGER NOT NULL CHECK (vat_rate BETWEEN 0 AND 10000),
    barcode TEXT UNIQUE,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE store_items (
    store_id TEXT NOT NULL REFERENCES stores(id),
    sku TEXT NOT NULL REFERENCES items(sku),
    name TEXT,
    price INTEGER NOT NULL CHECK (price >= 0),
    vat_rate INTEGER NOT NULL CHECK (vat_rate BETWEEN 0 AND 10000),
    PRIMARY KEY (store_id, sku)
) WITHOUT ROWID;
CREATE TABLE inventory (
    store_id TEXT NOT NULL REFERENCES stores(id),
    sku TEXT NOT NULL REFERENCES items(sku),
    on_hand INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, sku)
) WITHOUT ROWID;
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL REFERENCES staff(id),
    opened_auto INTEGER NOT NULL DEFAULT 0 CHECK (opened_auto IN (0, 1)),
    opening_float INTEGER NOT NULL CHECK (opening_float >= 0),
    open_note TEXT NOT NULL DEFAULT '',
    previous_session_id INTEGER REFERENCES sessions(id),
    previous_left INTEGER CHECK (previous_left IS NULL OR previous_left >= 0),
    closed_at TEXT,
    closed_by TEXT REFERENCES staff(id),
    expected_cash INTEGER,
    counted_cash INTEGER CHECK (counted_cash IS NULL OR counted_cash >= 0),
    left_in_drawer INTEGER CHECK (left_in_drawer IS NULL OR left_in_drawer >= 0),
    cash_removed INTEGER CHECK (cash_removed IS NULL OR cash_removed >= 0),
    close_note TEXT NOT NULL DEFAULT '',
    CHECK (
        (status = 'open' AND closed_at IS NULL AND closed_by IS NULL
            AND expected_cash IS NULL AND counted_cash IS NULL
            AND left_in_drawer IS NULL AND cash_removed IS NULL)
        OR (status = 'closed' AND closed_at IS NOT NULL AND closed_by IS NOT NULL
            AND expected_cash IS NOT NULL AND counted_cash IS NOT NULL
            AND left_in_drawer IS NOT NULL AND left_in_drawer <= counted_cash
            AND cash_removed = counted_cash - left_in_drawer)
    )
);
CREATE UNIQUE INDEX one_open_session_per_terminal ON sessions(terminal_id)
    WHERE status = 'open';
CREATE INDEX sessions_terminal ON sessions(terminal_id, id);
CREATE INDEX sessions_store_opened ON sessions(store_id, opened_at);
CREATE TABLE cash_adjustments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    note TEXT NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    created_at TEXT NOT NULL
);
CREATE INDEX cash_adjustments_session ON cash_adjustments(session_id);
CREATE TABLE session_counts (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    phase TEXT NOT NULL CHECK (phase IN ('open', 'close')),
    denomination INTEGER NOT NULL CHECK (denomination > 0),
    count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (session_id, phase, denomination)
) WITHOUT ROWID;
CREATE TABLE declarations (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    tender_id TEXT NOT NULL REFERENCES tenders(id),
    amount INTEGER NOT NULL,
    PRIMARY KEY (session_id, tender_id)
) WITHOUT ROWID;
CREATE TABLE sales (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
    store_id TEXT NOT NULL REFERENCES stores(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    receipt_no INTEGER NOT NULL CHECK (receipt_no > 0),
    session_id INTEGER REFERENCES sessions(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    customer_id TEXT REFERENCES customers(id),
    original_sale_id INTEGER REFERENCES sales(id),
    created_at TEXT NOT NULL,
    currency TEXT NOT NULL,
    total INTEGER NOT NULL,
    rounding INTEGER NOT NULL DEFAULT 0,
    vat_total INTEGER NOT NULL,
    change_given INTEGER NOT NULL DEFAULT 0 CHECK (change_given >= 0),
    UNIQUE (terminal_id, receipt_no),
    CHECK ((kind = 'sale' AND total >= 0) OR (kind = 'refund' AND total <= 0)),
    CHECK (kind = 'refund' OR original_sale_id IS NULL)
);
CREATE INDEX sales_session ON sales(session_id);
CREATE INDEX sales_store_created ON sales(store_id, created_at);
CREATE INDEX sales_original ON sales(original_sale_id) WHERE original_sale_id IS NOT NULL;
CREATE TABLE sale_lines (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    line_no INTEGER NOT NULL CHECK (line_no > 0),
    sku TEXT NOT NULL REFERENCES items(sku),
    name TEXT NOT NULL,
    qty INTEGER NOT NULL CHECK (qty <> 0),
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    discount INTEGER NOT NULL DEFAULT 0,
    line_total INTEGER NOT NULL,
    vat_rate INTEGER NOT NULL,
    vat_amount INTEGER NOT NULL,
    original_line_id INTEGER REFERENCES sale_lines(id),
    UNIQUE (sale_id, line_no),
    CHECK (line_total = qty * unit_price - discount),
    CHECK ((qty > 0 AND discount >= 0 AND line_total >= 0)
        OR (qty < 0 AND discount <= 0 AND line_total <= 0))
);
CREATE INDEX sale_lines_sale ON sale_lines(sale_id);
CREATE INDEX sale_lines_original ON sale_lines(original_line_id)
    WHERE original_line_id IS NOT NULL;
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    session_id INTEGER REFERENCES sessions(id),
    tender_id TEXT NOT NULL REFERENCES tenders(id),
    is_cash INTEGER NOT NULL CHECK (is_cash IN (0, 1)),
    amount INTEGER NOT NULL,
    tendered INTEGER NOT NULL
);
CREATE INDEX payments_sale ON payments(sale_id);
CREATE INDEX payments_session ON payments(session_id, tender_id);
CREATE TABLE inventory_movements (
    id INTEGER PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    sku TEXT NOT NULL REFERENCES items(sku),
    qty INTEGER NOT NULL CHECK (qty <> 0),
    reason TEXT NOT NULL CHECK (reason IN ('sale', 'refund', 'count', 'receive', 'import')),
    sale_id INTEGER REFERENCES sales(id),
    created_at TEXT NOT NULL
);
CREATE INDEX inventory_movements_sale ON inventory_movements(sale_id);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    staff_id TEXT,
    terminal_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL DEFAULT '',
    entity_id TEXT NOT NULL DEFAULT '',
    amount INTEGER,
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)
""",
    )
