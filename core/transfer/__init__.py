"""Transfer of a store's transactions to the head office as JSON Lines (T-1, R-3, R-8).

Owns:
- export: writing a store's transactions and journal to a transfer file (T-1)
- importing: reading one into the head office database, idempotently (T-1, R-8)
- chain: does a file's journal extend the history held? (R-3, R-8)
- safe_records: the safe's movements in a transfer (K-1)

May import: core.text, core.money, core.store, core.audit, core.staff, core.cash
"""
