"""Which business rows the audit journal covers, and how a row's content hash is made (R-1, R-2).

Every table of the schema is decided here, once: either COVERED (with the columns
that go into the row's content hash and the columns left out, each with its
reason) or NOT_COVERED (with the reason). tests/core/test_audit_content.py fails
when a table or a column is in neither, so a new column is decided when it is
added, not forgotten.

A row's hash is SHA-256 (first 128 bits, hex) of the canonical JSON of its hashed
columns, sorted by name, as stored. Each audit entry lists the rows its
operation wrote as ``[table, key, hash]`` (``hash`` null for a deleted row), and
``audit verify`` recomputes every row against the newest entry that lists it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from attrs import frozen

ROW_HASH_HEX = 32


@frozen
class Cover:
    """A covered table: its primary key, the columns hashed and those left out (why)."""

    key: tuple[str, ...]
    hashed: tuple[str, ...]
    excluded: dict[str, str] = {}

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(sorted(self.hashed))


def _all(key: Sequence[str], *columns: str, **excluded: str) -> Cover:
    return Cover(tuple(key), tuple(columns), dict(excluded))


_NAME_INDEX = "derived from name by core.catalog.name_search (a search index, rebuilt any time)"
_COUNTER = "a login-lockout counter: changes at every wrong PIN, without an audit entry"

COVERED: dict[str, Cover] = {
    # -- sales --------------------------------------------------------------------------------
    "sales": _all(
        ["id"],
        *[
            "id",
            "uid",
            "kind",
            "store_id",
            "terminal_id",
            "receipt_no",
            "session_id",
            "staff_id",
            "customer_id",
            "original_sale_id",
            "created_at",
            "currency",
            "total",
            "rounding",
            "vat_total",
            "change_given",
        ],
    ),
    "sale_lines": _all(
        ["id"],
        *[
            "id",
            "sale_id",
            "line_no",
            "sku",
            "name",
            "qty",
            "unit_price",
            "discount",
            "line_total",
            "vat_rate",
            "vat_amount",
            "original_line_id",
            "unit",  # K-8: pcs, or a measured unit whose qty is in thousandths
        ],
    ),
    "payments": _all(
        ["id"], *["id", "sale_id", "session_id", "tender_id", "is_cash", "amount", "tendered"]
    ),
    "sale_discounts": _all(
        ["id"], *["id", "sale_id", "line_no", "kind", "value", "amount", "reason", "approved_by"]
    ),
    "inventory": _all(["store_id", "sku"], "store_id", "sku", "on_hand"),
    "inventory_movements": _all(
        ["id"], *["id", "store_id", "sku", "qty", "reason", "sale_id", "created_at"]
    ),
    "parked_baskets": _all(["terminal_id"], "terminal_id", "staff_id", "parked_at", "basket"),
    # -- sessions -------------------------------------------------------------------------------
    "sessions": _all(
        ["id"],
        *[
            "id",
            "terminal_id",
            "store_id",
            "status",
            "opened_at",
            "opened_by",
            "opened_auto",
            "opening_float",
            "open_note",
            "previous_session_id",
            "previous_left",
            "closed_at",
            "closed_by",
            "expected_cash",
            "counted_cash",
            "left_in_drawer",
            "cash_removed",
            "close_note",
            "cash_received",
            "cash_paid_out",
        ],
    ),
    "cash_adjustments": _all(
        ["id"], *["id", "session_id", "kind", "amount", "note", "staff_id", "created_at"]
    ),
    "session_counts": _all(
        ["session_id", "phase", "denomination"], "session_id", "phase", "denomination", "count"
    ),
    "declarations": _all(["session_id", "tender_id"], "session_id", "tender_id", "amount"),
    # -- the safe (K-1) ---------------------------------------------------------------------
    "safe_movements": _all(
        ["id"],
        *[
            "id",
            "uid",
            "store_id",
            "kind",
            "amount",
            "delta",
            "balance",
            "expected",
            "blind",
            "session_id",
            "terminal_id",
            "reference",
            "note",
            "staff_id",
            "created_at",
        ],
    ),
    "safe_counts": _all(["movement_id", "denomination"], "movement_id", "denomination", "count"),
    # -- set-up: stores, terminals, staff, tenders, customers, catalog ------------------------
    "stores": _all(
        ["id"],
        *[
            "id",
            "name",
            "address",
            "vat_number",
            "currency",
            "timezone",
            "locale",
            "track_cash",
            "cash_rounding",
            "default_customer_id",
            "end_of_business_day",
            "post_as_business_day",
            "statement_method",
            "split_by_statement_method",
            "max_posting_difference",
            "drawer_limit",
            "created_at",
            "max_change",
            "max_adjustment",
            "min_pin_length",
            "drawer_limit_required",
            "blind_close",
            "scale_labels",
        ],
    ),
    "terminals": _all(
        ["id"], *["id", "store_id", "name", "printer", "last_receipt_no", "created_at"]
    ),
    "staff": _all(
        ["id"],
        *["id", "name", "role", "permissions", "pin_hash", "active", "created_at"],
        failed_pins=_COUNTER,
        locked_until=_COUNTER,
        lockouts=_COUNTER,
    ),
    "discount_limits": _all(["role"], "role", "max_percent"),
    "tenders": _all(["id"], *["id", "name", "is_cash", "counted_at_close", "sort_order", "active"]),
    "customers": _all(["id"], *["id", "name", "email", "phone", "created_at"]),
    "items": _all(
        ["sku"],
        *["sku", "name", "vat_rate", "barcode", "active", "unit", "scale_code"],
        name_fold=_NAME_INDEX,
        name_key=_NAME_INDEX,
    ),
    "store_items": _all(
        ["store_id", "sku"],
        *["store_id", "sku", "name", "vat_rate"],
        name_fold=_NAME_INDEX,
        name_key=_NAME_INDEX,
    ),
    # -- printing -------------------------------------------------------------------------------
    # P-5: the logo prints at the top of every receipt, so what it looks like is covered (a
    # swapped image shows in `audit verify`); the raster is hashed as stored, in hex.
    "store_logos": _all(
        ["store_id", "dots"],
        *["store_id", "dots", "width", "height", "raster", "source_sha256", "created_at"],
    ),
    "print_jobs": _all(
        ["id"],
        *["id", "terminal_id", "kind", "ref", "title", "open_drawer", "copy", "created_at"],
        payload="the rendered bytes: re-rendered for a reprint, emptied once printed (KEEP_PAYLOADS)",
        text="the rendered text: re-rendered and emptied with the payload",
        status="delivery state, changed by the print worker as it sends",
        attempts="delivery state",
        last_error="delivery state",
        last_reason="delivery state",
        claimed_by="delivery state (the claiming till)",
        claimed_at="delivery state",
        lease_until="delivery state",
        printed_at="delivery state",
        last_error_at="delivery state (when last_error was recorded)",
    ),
    # -- statements (T-*) -----------------------------------------------------------------------
    "statements": _all(
        ["id"],
        *[
            "id",
            "store_id",
            "period_start",
            "period_end",
            "method",
            "split",
            "split_key",
            "source",
            "status",
            "created_at",
            "created_by",
            "calculated_at",
            "calculated_by",
            "posted_at",
            "posted_by",
            "timezone",
            "business_day",
            "end_of_business_day",
            "transactions",
            "override_reason",
        ],
    ),
    "statement_sessions": _all(["session_id"], "session_id", "statement_id"),
    "statement_lines": _all(
        ["statement_id", "group_key", "tender_id"],
        *[
            "statement_id",
            "group_key",
            "tender_id",
            "payments",
            "transaction_amount",
            "declared",
            "discrepancy",
            "counted",
            "counted_manual",
            "counted_by",
            "counted_at",
            "counted_note",
        ],
    ),
    "sales_orders": _all(
        ["id"],
        *[
            "id",
            "number",
            "statement_id",
            "store_id",
            "kind",
            "order_key",
            "customer_id",
            "business_date",
            "currency",
            "transactions",
            "total",
            "rounding",
            "vat_total",
            "created_at",
        ],
    ),
    "sales_order_lines": _all(
        ["order_id", "sku", "vat_rate"],
        "order_id",
        "sku",
        "vat_rate",
        "qty",
        "amount",
        "vat_amount",
        "unit",
    ),
    "invoices": _all(
        ["id"],
        *[
            "id",
            "number",
            "order_id",
            "statement_id",
            "customer_id",
            "invoice_date",
            "currency",
            "amount",
            "vat_total",
            "created_at",
        ],
    ),
    "payment_journals": _all(
        ["id"],
        *[
            "id",
            "number",
            "statement_id",
            "tender_id",
            "currency",
            "payments",
            "amount",
            "counted",
            "difference",
            "created_at",
        ],
    ),
    "inventory_journals": _all(["id"], "id", "number", "statement_id", "store_id", "created_at"),
    "inventory_journal_lines": _all(["journal_id", "sku"], "journal_id", "sku", "qty", "unit"),
    "transfer_sessions": _all(["origin"], "origin", "session_id"),
    # what an item costs, per currency or per store.
    "item_prices": _all(["id"], "id", "sku", "currency", "store_id", "price"),
    # which history this database is, and which store heads the head office holds.
    "database_identity": _all(["id"], "id", "created_at"),
    "transfer_heads": _all(
        ["origin", "scope"],
        "origin",
        "scope",
        "label",
        "head_seq",
        "head_hash",
        "source",
        "applied_at",
    ),
}

NOT_COVERED: dict[str, str] = {
    "audit_log": "the journal itself: signed entry by entry (core.audit.journal)",
    "audit_keys": "the journal's public keys: checked against the key file",
    "audit_head": "the journal's signed head: checked against the last entry",
    "audit_verified": "the signed checkpoint of the last intact verify (only speeds the next)",
    "number_sequences": "counters; the audit counter is checked against the chain, the others "
    "number rows that are covered",
    "item_name_terms": _NAME_INDEX,
    # A statement of a busy month holds a million sales: one covered row each would put a
    # million hashes in the calculate entry (30 s and 800 MB). What a statement says is
    # covered: its figures (statement_lines) and what it posted (orders, invoices,
    # journals); the sales themselves are covered by their own entries.
    "statement_sales": "which statement each sale is in: derived by calculate from the sale's"
    " store and business day; the statement's figures and postings are covered",
    "transfer_entries": "other stores' entries as they sent them, each linked by hash to the "
    "one before; the head that ends them is in transfer_heads, which is covered",
    "_sqlite_migrations": "the migration machinery's bookkeeping",
}


def canonical_key(values: Iterable[Any]) -> str:
    """A row's key as stored in an entry: the JSON array of its primary-key values."""
    return _ENCODE_KEY(list(values))


_ENCODE_KEY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def row_hash(columns: Sequence[str], values: Sequence[Any]) -> str:
    """The content hash of one row: canonical JSON of its hashed columns (sorted), as stored."""
    doc = dict(zip(columns, values, strict=True))
    for column, value in doc.items():
        if isinstance(value, bytes):  # a BLOB: its hex (JSON has no bytes)
            doc[column] = value.hex()
    return hashlib.sha256(_ENCODE(doc).encode("utf-8")).hexdigest()[:ROW_HASH_HEX]


def select_all(table: str) -> str:
    """Every row of a covered table: key columns first, then the hashed columns (sorted)."""
    cover = COVERED[table]
    cols = ", ".join(f'"{c}"' for c in (*cover.key, *cover.columns))
    return f'SELECT {cols} FROM "{table}"'


def select_one(table: str) -> str:
    cover = COVERED[table]
    where = " AND ".join(f'"{c}" = ?' for c in cover.key)
    return f"{select_all(table)} WHERE {where}"


def trigger_ddl(table: str, existing: set[str]) -> list[str]:
    """Temporary triggers that note every written row of ``table`` for the next audit entry.

    TEMP: they exist only on kassi's own connections, so a row written by any other
    program is never noted, never hashed into an entry, and ``audit verify`` finds it.
    An UPDATE is noted only when it touches a hashed column (a lockout counter is not).
    """
    cover = COVERED[table]
    hashed = [c for c in cover.hashed if c in existing]

    def key(row: str) -> str:
        return "json_array(" + ", ".join(f'{row}."{c}"' for c in cover.key) + ")"

    def note(row: str) -> str:
        return f"INSERT INTO kassi_touched (tbl, key) VALUES ('{table}', {key(row)});"

    of = ", ".join(f'"{c}"' for c in hashed)
    return [
        f'CREATE TEMP TRIGGER IF NOT EXISTS "kassi_j_{table}_i" AFTER INSERT ON main."{table}"'
        f" BEGIN {note('NEW')} END",
        f'CREATE TEMP TRIGGER IF NOT EXISTS "kassi_j_{table}_u" AFTER UPDATE OF {of}'
        f' ON main."{table}" BEGIN {note("OLD")} {note("NEW")} END',
        f'CREATE TEMP TRIGGER IF NOT EXISTS "kassi_j_{table}_d" AFTER DELETE ON main."{table}"'
        f" BEGIN {note('OLD')} END",
    ]


def describe_key(key: str) -> str:
    """A row key as a person reads it: ``5`` or ``3/cash``."""
    try:
        values = json.loads(key)
    except ValueError:
        return key
    if not isinstance(values, list):
        return key
    return "/".join(str(v) for v in values)
