"""Transfer of a store's transactions to the head office as JSON Lines (T-1, R-3, R-8).

Owns:
- export: writing a store's transactions and journal to a transfer file (T-1)
- importing: reading one into the head office database, all or nothing, idempotently (T-1, R-8)
- import_records: one session or sale record of it, checked and written there (T-1, R-8)
- chain: does a file's journal extend the history held? (R-3, R-8)
- safe_records: the safe's movements in a transfer (K-1)

May import: core.text, core.money, core.store, core.audit, core.staff, core.cash
"""
