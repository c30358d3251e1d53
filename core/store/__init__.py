"""The store database and its configuration: what every other package stands on.

Owns:
- db: opening the database, pragmas (WAL, synchronous=FULL, S-10), migrations, the one write
  transaction per operation, the clock
- schema: the order the migrations are applied in
- migrations: the sqlite-utils migrations themselves (m019: the S-7 and A-3 views; m021:
  statement ranges)
- records: frozen attrs records (Store, Terminal, Staff, Sale, ...) (M-1)
- rows: the one generic from_row, read from each record's attrs fields
- record_changes: who may change configuration, new ids, rows written with their audit entry
- lookups: reading a record by its id (NotFound when there is none) and a page of a table
- stores: stores and their settings: meanings, checks, changes (K-6, K-2, K-3)
- terminals: terminals, their names and printer settings (K-6, P-4)
- tenders: payment types: the shipped ones, added, renamed, counted, retired (K-4)
- staff_members: staff members added with a role and permissions, listed (K-5)
- customers: customers added, found and listed
- keyring: the key file outside the database that signs and peppers (R-1, R-10)
- till_lock: one live process per terminal (C-7)
- demo: the shipped demo store loaded into an empty database
- dialect: what PostgreSQL spells differently from SQLite, queries and schema, in one place (X-1)
- pg: a head office's database on PostgreSQL, the same Db on a psycopg connection (X-1)
- pg_schema: `kassi hq init`: the head-office schema made and migrated from the migrations (X-1)
- pg_chain: a head office's own tables and row-level security: deliveries, store roles (X-2, X-3)
- pg_links: the bulk tables' references checked per statement on PostgreSQL (X-6)

May import: core.text, core.money, core.audit, core.staff, core.catalog, core.tills, core.printing

Back arrows (each closes a cycle; why it exists):
- core.audit: db's write transaction flushes the journal before it commits, and a migration
  starts or extends it, so no business row is ever written without its entry (R-2);
  record_changes and terminals append the entries of configuration changes; stores takes
  its settings from audit.covered's stores entry, so every setting is covered. db imports
  it inside functions: journal is built on db.
- core.staff: record_changes and each configuration module check the actor's permission
  (staff.auth); staff_members hashes a new member's PIN with staff.pins, gives the role's
  default permissions from staff.permissions and refuses to grant more than the actor has
  (staff.admin, K-5); stores checks the minimum PIN length with staff.pins.
- core.catalog: demo loads its items through catalog; a migration rebuilds the item name
  index with catalog.name_search's folding (C-4); stores checks the scale_labels setting with
  catalog.scale_labels, which owns that format (K-8).
- core.tills: stores describes the store's amount limits in the words and units
  tills.limits enforces them with (K-6, C-7).
- core.printing: terminals validates a terminal's printer setting when it is given (P-4),
  with the one definition of a valid setting, printing.settings.
"""
