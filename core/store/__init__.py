"""The store database and its configuration: what every other package stands on.

Owns:
- db: opening the database, pragmas (WAL, synchronous=FULL, S-10), migrations, the one write
  transaction per operation, the clock
- schema: the sqlite-utils migrations
- records: frozen attrs records built from rows (Store, Terminal, Staff, Sale, ...)
- config: stores, terminals, tenders, staff, customers: added, shown and changed (K-4, K-6)
- keyring: the key file outside the database that signs and peppers (R-1, R-10)
- till_lock: one live process per terminal (C-7)
- demo: the shipped demo store loaded into an empty database

May import: core.text, core.money, core.audit, core.staff, core.catalog, core.tills, core.printing

Back arrows (each closes a cycle; why it exists):
- core.audit: db's write transaction flushes the journal before it commits, and a migration
  starts or extends it, so no business row is ever written without its entry (R-2); config's
  own changes append their entries. db imports it inside functions: journal is built on db.
- core.staff: config's changes check the actor's permission, and adding staff hashes the PIN
  and refuses to grant more than the actor has (K-5); the PIN rules live in staff.auth.
- core.catalog: demo loads its items through catalog; a migration rebuilds the item name
  index with catalog.name_search's folding (C-4); config checks the scale_labels setting with
  catalog.scale_labels, which owns that format (K-8).
- core.tills: config describes the store's amount limits in the words and units
  tills.limits enforces them with (K-6, C-7).
- core.printing: config validates a terminal's printer setting when it is given (P-4), with
  the one definition of a valid setting, printing.settings.
"""
