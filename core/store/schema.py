"""The database schema, as sqlite-utils migrations applied on open, in order.

Invariants live in the schema as well as in code: one open session per terminal
(partial unique index), gapless receipt numbers per terminal (unique pair plus
a counter advanced in the sale's own transaction), foreign keys and CHECKs on
statuses and signs. The migrations themselves are in core/store/migrations/,
grouped by number; a migration's name is its function's name, recorded in the
database once applied, so a name never changes.
"""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from core.store.migrations import m001, m002_m004, m005_m012, m013_m018, m019, m020, m021

migrations = Migrations("kassi")

for _step in (
    m001.m001_initial,
    m002_m004.m002_reports_session_cash,
    m002_m004.m003_statements,
    m002_m004.m004_print_jobs,
    m005_m012.m005_item_name_fold,
    m005_m012.m008_till_limits,
    m005_m012.m009_discounts,
    m005_m012.m010_login_lockout,
    m005_m012.m011_price_currency,
    m005_m012.m012_audit_signing,
    m013_m018.m013_barcode_clash,
    m013_m018.m014_transfer_heads,
    m013_m018.m015_preview_store_logo,
    m013_m018.m016_safe_cash_office,
    m013_m018.m017_printing_sent_status,
    m013_m018.m018_weighed_units,
    m019.m019_session_cash_views,
    m020.m020_terminal_pairings,
    m021.m021_statement_ranges,
):
    migrations()(_step)
