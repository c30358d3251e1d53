"""Which business rows the audit journal covers (R-2): every table of the schema, decided once.

Each table is either COVERED (with the columns that go into the row's content hash and the
columns left out, each with its reason) or NOT_COVERED (with the reason).
tests/core/test_audit_content.py fails when a table or a column is in neither, so a new
column is decided when it is added, not forgotten. How the hash is made, and the triggers
that note written rows, are in core.audit.content.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen


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
    # Every column but id, currency and created_at is a store setting: core.store.stores
    # builds STORE_SETTINGS from this entry, so each setting a manager changes is covered.
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
            "scale_labels",  # K-8: core.catalog.scale_labels
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
    # Which sales a statement holds: a few ranges of ids (core.statements.ranges).
    "statement_ranges": _all(["store_id", "lo"], "store_id", "lo", "hi", "statement_id"),
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
    # W-2: which thin client may be which terminal's till; a pairing slipped into the file
    # (its token hash) shows in `audit verify`.
    "terminal_pairings": _all(
        ["id"],
        *["id", "terminal_id", "token_hash", "created_at", "created_by", "revoked_at"],
        "revoked_by",
    ),
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
    "transfer_entries": "other stores' entries as they sent them, each linked by hash to the "
    "one before; the head that ends them is in transfer_heads, which is covered",
    "_sqlite_migrations": "the migration machinery's bookkeeping",
}
