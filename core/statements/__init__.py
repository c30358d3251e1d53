"""Retail statements at the head office: create, calculate, count and post (T-1..T-10).

Owns:
- operations: create, list transactions, calculate, count, delete (T-2..T-5, T-9)
- selection: which transactions and sessions a statement takes, as SQL (T-3, T-4, T-9)
- ranges: the sales a statement holds, as ranges of its store's sale ids (T-4, X-6)
- periods: business days and statement periods in the store's time zone (T-8)
- posting: posting in one write transaction: orders, invoices, journals (T-6, T-7, T-10)
- batch: the nightly batch for all stores, safe to repeat (T-2)
- views: one statement, a list, and the details a screen shows (T-5)
- records: frozen statement records built from rows

May import: core.text, core.money, core.store, core.audit, core.staff
"""
