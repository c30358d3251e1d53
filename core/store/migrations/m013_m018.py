"""Migrations 13 to 18: barcode clashes, transfer heads, store logos, the safe,
print status 'sent', weighed goods.

Applied in the order core/store/schema.py lists them; never change one's meaning.
"""

from __future__ import annotations

import sqlite_utils

from core.store.migrations.ddl import run

_CODE_CLASH = "R-5: a barcode equals the SKU or barcode of another item"


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


def m014_transfer_heads(db: sqlite_utils.Database) -> None:
    """Transfers that prove the store's history (SPEC R-3, R-8).

    ``database_identity`` names this database in every transfer it exports (a copy
    keeps the name: it is the same history). At the head office, ``transfer_heads``
    is the journal head and cursor last applied per origin database and export
    scope (one store, or '' for all), and ``transfer_entries`` every audit entry
    that origin has sent, as it sent them, so a later file is checked against them.
    The two indexes find a session's close entry: the head its Z report prints.
    """
    run(
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


def m015_preview_store_logo(db: sqlite_utils.Database) -> None:
    """A store's logo as the printer prints it (SPEC P-5).

    One GS v 0 image per paper width in dots, made once when the logo is set
    (hardware/logo.py), so no receipt re-converts the image. ``source_sha256``
    names the file it was made from; ``width``/``height`` are the image's size in
    dots, as the raster's own header says.
    """
    run(
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
    run(
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
    run(
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
    run(
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
