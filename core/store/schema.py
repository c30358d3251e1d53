"""The database schema, as sqlite-utils migrations applied on open.

Invariants live here as well as in code: one open session per terminal
(partial unique index), gapless receipt numbers per terminal (unique pair plus
a counter advanced in the sale's own transaction), foreign keys and CHECKs on
statuses and signs.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("kassi")


def _run(db: sqlite_utils.Database, ddl: str) -> None:
    # executescript() would COMMIT our transaction; run statement by statement.
    for statement in ddl.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    _run(
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


@migrations()
def m002_reports_session_cash(db: sqlite_utils.Database) -> None:
    """Per-session cash totals for the session report (A-3, A-4), kept by triggers.

    ``sessions.cash_received`` is the sum of the session's positive cash payments
    (sales, net of change) and ``sessions.cash_paid_out`` the sum of its cash
    refunds, as a positive number. Triggers on ``payments`` keep both in the
    transaction that writes the payment, whoever writes it, so a report over
    years of sessions reads one row per session instead of summing millions of
    payments. Existing payments are counted in here.
    """
    for statement in (
        "ALTER TABLE sessions ADD COLUMN cash_received INTEGER NOT NULL DEFAULT 0"
        " CHECK (cash_received >= 0)",
        "ALTER TABLE sessions ADD COLUMN cash_paid_out INTEGER NOT NULL DEFAULT 0"
        " CHECK (cash_paid_out >= 0)",
        """CREATE TRIGGER payments_session_cash_insert AFTER INSERT ON payments
WHEN NEW.is_cash = 1 AND NEW.session_id IS NOT NULL
BEGIN
    UPDATE sessions
       SET cash_received = cash_received + MAX(NEW.amount, 0),
           cash_paid_out = cash_paid_out + MAX(-NEW.amount, 0)
     WHERE id = NEW.session_id;
END""",
        """CREATE TRIGGER payments_session_cash_delete AFTER DELETE ON payments
WHEN OLD.is_cash = 1 AND OLD.session_id IS NOT NULL
BEGIN
    UPDATE sessions
       SET cash_received = cash_received - MAX(OLD.amount, 0),
           cash_paid_out = cash_paid_out - MAX(-OLD.amount, 0)
     WHERE id = OLD.session_id;
END""",
        """CREATE TRIGGER payments_session_cash_update
AFTER UPDATE OF session_id, is_cash, amount ON payments
BEGIN
    UPDATE sessions
       SET cash_received = cash_received - MAX(OLD.amount, 0),
           cash_paid_out = cash_paid_out - MAX(-OLD.amount, 0)
     WHERE id = OLD.session_id AND OLD.is_cash = 1;
    UPDATE sessions
       SET cash_received = cash_received + MAX(NEW.amount, 0),
           cash_paid_out = cash_paid_out + MAX(-NEW.amount, 0)
     WHERE id = NEW.session_id AND NEW.is_cash = 1;
END""",
        """UPDATE sessions SET
    cash_received = (SELECT COALESCE(SUM(amount), 0) FROM payments
                      WHERE session_id = sessions.id AND is_cash = 1 AND amount > 0),
    cash_paid_out = (SELECT COALESCE(-SUM(amount), 0) FROM payments
                      WHERE session_id = sessions.id AND is_cash = 1 AND amount < 0)""",
    ):
        db.execute(statement)


@migrations()
def m003_statements(db: sqlite_utils.Database) -> None:
    """Retail statements (T-1..T-10) and the transfer of transactions to a head office.

    A transaction is in at most one statement: ``statement_sales.sale_id`` is the
    table's primary key (a link row per taken sale). Likewise a session's tender
    declarations count in at most one statement (``statement_sessions``).
    Triggers keep a posted statement, its lines and its transactions unchanged,
    and documents (orders, invoices, journals) can only be added to a
    statement that is calculated and not yet posted: posting twice is refused
    by the schema as well as by the code.

    The till already moved stock when it sold (``inventory_movements``), so
    posting records an inventory journal per SKU and does not move stock again;
    the view ``inventory_movement_postings`` tells which till movements a posted
    statement covers. See core/statements/posting.py.
    """
    _run(
        db,
        """
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('total', 'staff', 'terminal', 'shift')),
    split INTEGER NOT NULL CHECK (split IN (0, 1)),
    split_key TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('manual', 'batch')),
    status TEXT NOT NULL CHECK (status IN ('created', 'calculated', 'posted')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff(id),
    calculated_at TEXT,
    calculated_by TEXT REFERENCES staff(id),
    posted_at TEXT,
    posted_by TEXT REFERENCES staff(id),
    timezone TEXT,
    business_day INTEGER CHECK (business_day IN (0, 1)),
    end_of_business_day TEXT,
    transactions INTEGER NOT NULL DEFAULT 0 CHECK (transactions >= 0),
    override_reason TEXT,
    CHECK (period_start < period_end),
    CHECK (split = 1 OR split_key = ''),
    CHECK (
        (status = 'created' AND calculated_at IS NULL AND posted_at IS NULL)
        OR (status = 'calculated' AND calculated_at IS NOT NULL AND calculated_by IS NOT NULL
            AND posted_at IS NULL)
        OR (status = 'posted' AND calculated_at IS NOT NULL AND posted_at IS NOT NULL
            AND posted_by IS NOT NULL)
    )
);
CREATE UNIQUE INDEX statements_period ON statements(store_id, period_start, period_end, split_key);
CREATE INDEX statements_status ON statements(status, store_id);
CREATE TABLE statement_sales (
    sale_id INTEGER PRIMARY KEY REFERENCES sales(id),
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    group_key TEXT NOT NULL,
    order_key TEXT NOT NULL
);
CREATE INDEX statement_sales_statement ON statement_sales(statement_id);
CREATE TABLE statement_sessions (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    statement_id INTEGER NOT NULL REFERENCES statements(id)
);
CREATE INDEX statement_sessions_statement ON statement_sessions(statement_id);
CREATE TABLE statement_lines (
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    group_key TEXT NOT NULL,
    tender_id TEXT NOT NULL REFERENCES tenders(id),
    payments INTEGER NOT NULL CHECK (payments >= 0),
    transaction_amount INTEGER NOT NULL,
    declared INTEGER,
    discrepancy INTEGER NOT NULL DEFAULT 0,
    counted INTEGER NOT NULL,
    counted_manual INTEGER NOT NULL DEFAULT 0 CHECK (counted_manual IN (0, 1)),
    counted_by TEXT REFERENCES staff(id),
    counted_at TEXT,
    counted_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (statement_id, group_key, tender_id),
    CHECK (counted_manual = 0 OR (counted_by IS NOT NULL AND counted_at IS NOT NULL))
) WITHOUT ROWID;
CREATE TABLE sales_orders (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE CHECK (number > 0),
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    kind TEXT NOT NULL CHECK (kind IN ('cash_and_carry', 'customer')),
    order_key TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    business_date TEXT,
    currency TEXT NOT NULL,
    transactions INTEGER NOT NULL CHECK (transactions > 0),
    total INTEGER NOT NULL,
    rounding INTEGER NOT NULL,
    vat_total INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (statement_id, order_key),
    CHECK ((kind = 'cash_and_carry') = (business_date IS NOT NULL))
);
CREATE TABLE sales_order_lines (
    order_id INTEGER NOT NULL REFERENCES sales_orders(id),
    sku TEXT NOT NULL REFERENCES items(sku),
    vat_rate INTEGER NOT NULL,
    qty INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    vat_amount INTEGER NOT NULL,
    PRIMARY KEY (order_id, sku, vat_rate)
) WITHOUT ROWID;
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE CHECK (number > 0),
    order_id INTEGER NOT NULL UNIQUE REFERENCES sales_orders(id),
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    invoice_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    vat_total INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX invoices_statement ON invoices(statement_id);
CREATE INDEX sales_orders_statement ON sales_orders(statement_id);
CREATE TABLE payment_journals (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE CHECK (number > 0),
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    tender_id TEXT NOT NULL REFERENCES tenders(id),
    currency TEXT NOT NULL,
    payments INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    difference INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (statement_id, tender_id),
    CHECK (difference = counted - amount)
);
CREATE TABLE inventory_journals (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE CHECK (number > 0),
    statement_id INTEGER NOT NULL UNIQUE REFERENCES statements(id),
    store_id TEXT NOT NULL REFERENCES stores(id),
    created_at TEXT NOT NULL
);
CREATE TABLE inventory_journal_lines (
    journal_id INTEGER NOT NULL REFERENCES inventory_journals(id),
    sku TEXT NOT NULL REFERENCES items(sku),
    qty INTEGER NOT NULL,
    PRIMARY KEY (journal_id, sku)
) WITHOUT ROWID;
CREATE VIEW inventory_movement_postings AS
SELECT m.id AS movement_id, m.store_id, m.sku, m.qty, m.reason, m.sale_id,
       ss.statement_id, ij.id AS inventory_journal_id
  FROM inventory_movements m
  JOIN statement_sales ss ON ss.sale_id = m.sale_id
  JOIN inventory_journals ij ON ij.statement_id = ss.statement_id;
CREATE TABLE transfer_sessions (
    origin TEXT PRIMARY KEY,
    session_id INTEGER NOT NULL UNIQUE REFERENCES sessions(id)
) WITHOUT ROWID;
CREATE TRIGGER statements_posted_update BEFORE UPDATE ON statements
WHEN OLD.status = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: it cannot change'); END;
CREATE TRIGGER statements_posted_delete BEFORE DELETE ON statements
WHEN OLD.status = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: it cannot be deleted'); END;
CREATE TRIGGER statement_lines_posted_insert BEFORE INSERT ON statement_lines
WHEN (SELECT status FROM statements WHERE id = NEW.statement_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: its lines cannot change'); END;
CREATE TRIGGER statement_lines_posted_update BEFORE UPDATE ON statement_lines
WHEN (SELECT status FROM statements WHERE id = OLD.statement_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: its lines cannot change'); END;
CREATE TRIGGER statement_lines_posted_delete BEFORE DELETE ON statement_lines
WHEN (SELECT status FROM statements WHERE id = OLD.statement_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: its lines cannot change'); END;
CREATE TRIGGER statement_sales_posted_update BEFORE UPDATE ON statement_sales
WHEN (SELECT status FROM statements WHERE id = OLD.statement_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: its transactions cannot change'); END;
CREATE TRIGGER statement_sales_posted_delete BEFORE DELETE ON statement_sales
WHEN (SELECT status FROM statements WHERE id = OLD.statement_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: its transactions cannot change'); END;
CREATE TRIGGER statement_sessions_posted_delete BEFORE DELETE ON statement_sessions
WHEN (SELECT status FROM statements WHERE id = OLD.statement_id) = 'posted'
BEGIN SELECT RAISE(ABORT, 'statement is posted: its sessions cannot change'); END;
CREATE TRIGGER sales_orders_need_calculated BEFORE INSERT ON sales_orders
WHEN (SELECT status FROM statements WHERE id = NEW.statement_id) IS NOT 'calculated'
BEGIN SELECT RAISE(ABORT, 'only a calculated statement posts'); END;
CREATE TRIGGER invoices_need_calculated BEFORE INSERT ON invoices
WHEN (SELECT status FROM statements WHERE id = NEW.statement_id) IS NOT 'calculated'
BEGIN SELECT RAISE(ABORT, 'only a calculated statement posts'); END;
CREATE TRIGGER payment_journals_need_calculated BEFORE INSERT ON payment_journals
WHEN (SELECT status FROM statements WHERE id = NEW.statement_id) IS NOT 'calculated'
BEGIN SELECT RAISE(ABORT, 'only a calculated statement posts'); END;
CREATE TRIGGER inventory_journals_need_calculated BEFORE INSERT ON inventory_journals
WHEN (SELECT status FROM statements WHERE id = NEW.statement_id) IS NOT 'calculated'
BEGIN SELECT RAISE(ABORT, 'only a calculated statement posts'); END
""",
    )


@migrations()
def m004_print_jobs(db: sqlite_utils.Database) -> None:
    """The print queue (SPEC H-4): every receipt, slip and report is stored here,
    rendered, before it is sent, so a printer fault never loses one.

    A job is 'pending' until a till claims it ('printing': claimed_by holds the
    claimant, lease_until how long the claim lasts) and the printer took it
    ('printed'); a failed send puts it back to 'pending' with last_error. At
    most one job per terminal is 'printing' at a time, which keeps the queue's
    order and keeps two processes off one device. 'cancelled' is a job someone
    chose not to print (a day-long outage's backlog). Done jobs keep their bytes
    only for the newest few per terminal (core.printing.claims.KEEP_PAYLOADS); a
    reprint is rebuilt from the sale, marked COPY.
    """
    _run(
        db,
        """
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    payload BLOB NOT NULL,
    text TEXT NOT NULL,
    open_drawer INTEGER NOT NULL DEFAULT 0 CHECK (open_drawer IN (0, 1)),
    copy INTEGER NOT NULL DEFAULT 0 CHECK (copy IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'printing', 'printed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT NOT NULL DEFAULT '',
    last_reason TEXT,
    claimed_by TEXT,
    claimed_at TEXT,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    printed_at TEXT,
    CHECK (status <> 'printing' OR (claimed_by IS NOT NULL AND lease_until IS NOT NULL)),
    CHECK ((status = 'printed') = (printed_at IS NOT NULL))
);
CREATE INDEX print_jobs_queue ON print_jobs(terminal_id, status, id);
CREATE INDEX print_jobs_ref ON print_jobs(ref, id);
CREATE INDEX print_jobs_done_with_payload ON print_jobs(terminal_id, id)
    WHERE status IN ('printed', 'cancelled') AND length(payload) > 0
""",
    )


@migrations()
def m005_item_name_fold(db: sqlite_utils.Database) -> None:
    """C-4: item names searchable the way Nordic staff type, from an index.

    ``name_fold`` is the name case-folded (Unicode: Æ→æ, Ð→ð, Á→á), ``name_key``
    the same with accents and special letters spelt plain (á→a, ø→o, æ→ae, þ→th).
    ``item_name_terms`` holds every suffix of every word of the keys (shared and
    per-store names), so a substring of a word is a range search on its primary
    key. core.catalog.name_search keeps all three in step wherever names are written.
    """
    _run(
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


@migrations()
def m008_till_limits(db: sqlite_utils.Database) -> None:
    """C-7: amount limits as store settings (NULL: the currency's default, see
    core.tills.limits) and the basket a till parks when it quits with one unpaid."""
    _run(
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


@migrations()
def m009_discounts(db: sqlite_utils.Database) -> None:
    """Discounts at the till (SPEC C-5): each role's limit, and every discount given
    with its reason and approver (a basket discount has no line_no; its amount is
    also spread over the lines' own discount column)."""
    _run(
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


@migrations()
def m010_login_lockout(db: sqlite_utils.Database) -> None:
    """Login that resists guessing (SPEC R-10).

    staff.lockouts counts the lockouts since a manager last reset them: each one
    lasts twice the one before (core.staff.auth.lockout_for). stores.min_pin_length is
    the shortest PIN the store accepts when a PIN is set (4 to 8; 6 is wise).
    """
    _run(
        db,
        """
ALTER TABLE staff ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0);
ALTER TABLE stores ADD COLUMN min_pin_length INTEGER NOT NULL DEFAULT 4
    CHECK (min_pin_length BETWEEN 4 AND 8)
""",
    )


@migrations()
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
    _run(
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


@migrations()
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
    _run(
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


_CODE_CLASH = "R-5: a barcode equals the SKU or barcode of another item"


@migrations()
def m013_barcode_clash(db: sqlite_utils.Database) -> None:
    """A barcode never equals another item's SKU or barcode (SPEC R-5).

    A scanner types a code and the till looks it up as a SKU or a barcode: a
    code that is both would sell whichever row came first. core.catalog.items refuses
    it with a message; these triggers make an import or any direct write obey
    too. (Barcode against barcode is the column's UNIQUE constraint.) Each
    trigger is one statement: `_run` splits on ";" at line ends.
    """
    for event, this in (("INSERT", "NEW.sku"), ("UPDATE OF sku, barcode", "OLD.sku")):
        name = "insert" if event == "INSERT" else "update"
        db.execute(
            f"CREATE TRIGGER items_code_clash_{name} BEFORE {event} ON items"
            " WHEN (NEW.barcode IS NOT NULL AND EXISTS (SELECT 1 FROM items"
            f" WHERE sku = NEW.barcode AND sku NOT IN ({this}, NEW.sku)))"
            " OR EXISTS (SELECT 1 FROM items WHERE barcode = NEW.sku"
            f" AND sku NOT IN ({this}, NEW.sku))"
            f" BEGIN SELECT RAISE(ABORT, '{_CODE_CLASH}'); END"
        )


@migrations()
def m014_transfer_heads(db: sqlite_utils.Database) -> None:
    """Transfers that prove the store's history (SPEC R-3, R-8).

    ``database_identity`` names this database in every transfer it exports (a copy
    keeps the name: it is the same history). At the head office, ``transfer_heads``
    is the journal head and cursor last applied per origin database and export
    scope (one store, or '' for all), and ``transfer_entries`` every audit entry
    that origin has sent, as it sent them, so a later file is checked against them.
    The two indexes find a session's close entry: the head its Z report prints.
    """
    _run(
        db,
        """
CREATE TABLE database_identity (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO database_identity (id, created_at)
    VALUES (lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
CREATE TABLE transfer_heads (
    origin TEXT NOT NULL,
    scope TEXT NOT NULL,
    label TEXT NOT NULL,
    head_seq INTEGER NOT NULL CHECK (head_seq >= 0),
    head_hash TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    applied_at TEXT NOT NULL,
    PRIMARY KEY (origin, scope)
) WITHOUT ROWID;
CREATE TABLE transfer_entries (
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    hash TEXT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
CREATE INDEX audit_log_session_close ON audit_log(entity_id) WHERE action = 'session.close';
CREATE INDEX transfer_entries_session_close ON transfer_entries(
    json_extract(entry, '$.terminal_id'), json_extract(entry, '$.entity_id')
) WHERE json_extract(entry, '$.action') = 'session.close'
""",
    )


@migrations()
def m015_preview_store_logo(db: sqlite_utils.Database) -> None:
    """A store's logo as the printer prints it (SPEC P-5).

    One GS v 0 image per paper width in dots, made once when the logo is set
    (hardware/logo.py), so no receipt re-converts the image. ``source_sha256``
    names the file it was made from; ``width``/``height`` are the image's size in
    dots, as the raster's own header says.
    """
    _run(
        db,
        """
CREATE TABLE store_logos (
    store_id TEXT NOT NULL REFERENCES stores(id),
    dots INTEGER NOT NULL CHECK (dots BETWEEN 128 AND 1024),
    width INTEGER NOT NULL CHECK (width BETWEEN 8 AND dots),
    height INTEGER NOT NULL CHECK (height > 0),
    raster BLOB NOT NULL,
    source_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (store_id, dots)
) WITHOUT ROWID
""",
    )


@migrations()
def m016_safe_cash_office(db: sqlite_utils.Database) -> None:
    """The cash office (SPEC K-1..K-3): the store's safe and two store settings.

    ``safe_movements`` is the safe's statement: one row per float issued to a
    till, safe drop, cash returned at a close, bank deposit or safe count.
    ``delta`` is what the row did to the safe's expected balance (a count: the
    discrepancy it found) and ``balance`` the balance after it, written in the
    movement's own transaction; the balance is SUM(delta), the statement reads
    ``balance`` as stored. ``uid`` is the movement's identity in a transfer.
    ``staff_id`` and ``terminal_id`` carry no foreign key: a head office keeps
    other stores' movements as they were sent. ``safe_counts`` holds the
    denominations of a drop, deposit or count. The store index covers the balance,
    the deposits and a statement's totals (a year of movements: index only).
    """
    _run(
        db,
        """
ALTER TABLE stores ADD COLUMN drawer_limit_required INTEGER NOT NULL DEFAULT 0
    CHECK (drawer_limit_required IN (0, 1));
ALTER TABLE stores ADD COLUMN blind_close INTEGER NOT NULL DEFAULT 0
    CHECK (blind_close IN (0, 1));
CREATE TABLE safe_movements (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL REFERENCES stores(id),
    kind TEXT NOT NULL CHECK (kind IN ('float', 'drop', 'return', 'deposit', 'count')),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    delta INTEGER NOT NULL,
    balance INTEGER NOT NULL,
    expected INTEGER,
    blind INTEGER NOT NULL DEFAULT 0 CHECK (blind IN (0, 1)),
    session_id INTEGER REFERENCES sessions(id),
    terminal_id TEXT,
    reference TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    staff_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((kind = 'count') = (expected IS NOT NULL))
);
CREATE INDEX safe_movements_store ON safe_movements(store_id, created_at, kind, amount, delta);
CREATE INDEX safe_movements_session ON safe_movements(session_id) WHERE session_id IS NOT NULL;
CREATE TABLE safe_counts (
    movement_id INTEGER NOT NULL REFERENCES safe_movements(id),
    denomination INTEGER NOT NULL CHECK (denomination > 0),
    count INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (movement_id, denomination)
) WITHOUT ROWID
""",
    )


@migrations()
def m017_printing_sent_status(db: sqlite_utils.Database) -> None:
    """Printed means confirmed (SPEC P-2, P-6): print_jobs gets the status 'sent'.

    'printed' is now only a job the printer confirmed after the data; 'sent' is one
    that went out on a link that cannot answer (a file sink, a device file): "sent,
    unconfirmed". Both have left the queue, so both carry ``printed_at`` (the time
    the job left it; which of the two it was is the status) rather than a second
    timestamp column that every query of done jobs would have to know about.
    ``last_error_at`` says when ``last_error`` was recorded, for `printer status`;
    the error stays on the job after it prints (it says what the job went through);
    the partial index finds a terminal's last error among the few jobs that had one.

    SQLite cannot change a CHECK in place: the table is rebuilt (new table, copy,
    drop, rename) and its indexes made again; no other table references it.
    """
    _run(
        db,
        """
CREATE TABLE print_jobs_m017 (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    payload BLOB NOT NULL,
    text TEXT NOT NULL,
    open_drawer INTEGER NOT NULL DEFAULT 0 CHECK (open_drawer IN (0, 1)),
    copy INTEGER NOT NULL DEFAULT 0 CHECK (copy IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'printing', 'printed', 'sent', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT NOT NULL DEFAULT '',
    last_reason TEXT,
    claimed_by TEXT,
    claimed_at TEXT,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    printed_at TEXT,
    last_error_at TEXT,
    CHECK (status <> 'printing' OR (claimed_by IS NOT NULL AND lease_until IS NOT NULL)),
    CHECK ((status IN ('printed', 'sent')) = (printed_at IS NOT NULL))
);
INSERT INTO print_jobs_m017 (
    id, terminal_id, kind, ref, title, payload, text, open_drawer, copy, status, attempts,
    last_error, last_reason, claimed_by, claimed_at, lease_until, created_at, printed_at
) SELECT
    id, terminal_id, kind, ref, title, payload, text, open_drawer, copy, status, attempts,
    last_error, last_reason, claimed_by, claimed_at, lease_until, created_at, printed_at
  FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs_m017 RENAME TO print_jobs;
CREATE INDEX print_jobs_queue ON print_jobs(terminal_id, status, id);
CREATE INDEX print_jobs_ref ON print_jobs(ref, id);
CREATE INDEX print_jobs_done_with_payload ON print_jobs(terminal_id, id)
    WHERE status IN ('printed', 'sent', 'cancelled') AND length(payload) > 0;
CREATE INDEX print_jobs_last_error ON print_jobs(terminal_id, last_error_at)
    WHERE last_error_at IS NOT NULL
""",
    )


# A measured line's amount is rounded half away from zero (core.money.quantity.gross); this
# is the same figure in SQL for the CHECK (SQLite's integer division truncates).
_LINE_GROSS = (
    "CASE WHEN unit = 'pcs' THEN qty * unit_price"
    " WHEN qty > 0 THEN (qty * unit_price + 500) / 1000"
    " ELSE -((-qty * unit_price + 500) / 1000) END"
)


@migrations()
def m018_weighed_units(db: sqlite_utils.Database) -> None:
    """Weighed and measured goods (SPEC K-8).

    ``items.unit`` is what an item is sold by: ``pcs`` (every existing item), or kg,
    g, l, m; ``items.scale_code`` the item code its scale labels carry (digits, no
    leading zeros: a label's 00123 is 123). ``sale_lines.unit`` is the unit the line
    was sold in, and its ``qty`` is in that unit's step: whole pieces as before, or
    thousandths of a measured unit (0,512 kg is 512). Every existing line is ``pcs``
    with its quantity unchanged, so every existing sum (stock, statements, reports)
    stays what it was. ``sales_order_lines.unit`` and ``inventory_journal_lines.unit``
    carry it into the statements. ``stores.scale_labels`` is the layout of the
    shop's scale labels (core.catalog.scale_labels).

    sale_lines is rebuilt for its CHECK: a measured line's amount is its rounded
    gross (core.money.quantity.gross), and a measured refund taken in parts may differ
    from the parts' own rounded gross by a minor unit, so the discount's sign is
    checked for pieces only. The ids stay, so the journal's covers and the refunds'
    original_line_id still point at the same rows.
    """
    _run(
        db,
        f"""
ALTER TABLE items ADD COLUMN unit TEXT NOT NULL DEFAULT 'pcs'
    CHECK (unit IN ('pcs', 'kg', 'g', 'l', 'm'));
ALTER TABLE items ADD COLUMN scale_code TEXT
    CHECK (scale_code IS NULL OR (scale_code GLOB '[1-9]*' AND scale_code NOT GLOB '*[^0-9]*'
        AND length(scale_code) <= 6));
CREATE UNIQUE INDEX items_scale_code ON items(scale_code) WHERE scale_code IS NOT NULL;
ALTER TABLE stores ADD COLUMN scale_labels TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_order_lines ADD COLUMN unit TEXT NOT NULL DEFAULT 'pcs';
ALTER TABLE inventory_journal_lines ADD COLUMN unit TEXT NOT NULL DEFAULT 'pcs';
ALTER TABLE sale_lines RENAME TO sale_lines_m014;
DROP INDEX sale_lines_sale;
DROP INDEX sale_lines_original;
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
    unit TEXT NOT NULL DEFAULT 'pcs' CHECK (unit IN ('pcs', 'kg', 'g', 'l', 'm')),
    UNIQUE (sale_id, line_no),
    CHECK (line_total = {_LINE_GROSS} - discount),
    CHECK ((qty > 0 AND line_total >= 0 AND (discount >= 0 OR unit <> 'pcs'))
        OR (qty < 0 AND line_total <= 0 AND (discount <= 0 OR unit <> 'pcs')))
);
INSERT INTO sale_lines (id, sale_id, line_no, sku, name, qty, unit_price, discount, line_total,
        vat_rate, vat_amount, original_line_id, unit)
    SELECT id, sale_id, line_no, sku, name, qty, unit_price, discount, line_total,
        vat_rate, vat_amount, original_line_id, 'pcs' FROM sale_lines_m014 ORDER BY id;
DROP TABLE sale_lines_m014;
CREATE INDEX sale_lines_sale ON sale_lines(sale_id);
CREATE INDEX sale_lines_original ON sale_lines(original_line_id)
    WHERE original_line_id IS NOT NULL
""",
    )
