"""Migrations 2 to 4: per-session cash totals, retail statements, the print queue.

Applied in the order core/store/schema.py lists them; never change one's meaning.
"""

from __future__ import annotations

import sqlite_utils

from core.store.migrations.ddl import run


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
    run(
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
    run(
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
