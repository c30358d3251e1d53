"""What a chain's head office on PostgreSQL has that a store database does not (X-2, X-3).

* ``sync_deliveries``: what each store's sync delivered (core.sync.push), one row per
  delivery: a transfer file's text (docs/transfer-format.md) and its journal head. The
  head office applies them in order (core.sync.receive) with its own key and rights; a
  store's role can do nothing else there.
* ``store_roles``: which PostgreSQL role is which store's. Row-level security reads it:
  a store's role sees and inserts only its own deliveries, and reads only the master
  data that is its store's (its store row, terminals, prices, store items) or the
  chain's (items, tenders, staff without their PIN hashes, customers).

Everything here is made by ``kassi hq init`` (core.store.pg_schema), again on every
run, so it only adds what is missing.
"""

from __future__ import annotations

DELIVERIES = "sync_deliveries"
ROLES = "store_roles"

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {ROLES} (
    role_name TEXT COLLATE "C" PRIMARY KEY,
    store_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES stores(id)
)""",
    f"""CREATE TABLE IF NOT EXISTS {DELIVERIES} (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id TEXT COLLATE "C" NOT NULL REFERENCES stores(id),
    origin TEXT COLLATE "C" NOT NULL CHECK (length(origin) BETWEEN 1 AND 200),
    since BIGINT NOT NULL CHECK (since >= 0),
    head_seq BIGINT NOT NULL CHECK (head_seq >= 1),
    head_hash TEXT COLLATE "C" NOT NULL DEFAULT '',
    sales BIGINT NOT NULL DEFAULT 0 CHECK (sales >= 0),
    committed_from TEXT COLLATE "C",
    body TEXT COLLATE "C" NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    state TEXT COLLATE "C" NOT NULL DEFAULT 'new'
        CHECK (state IN ('new', 'applied', 'skipped', 'refused')),
    problem TEXT NOT NULL DEFAULT '',
    applied_at TIMESTAMPTZ,
    UNIQUE (store_id, origin, head_seq)
)""",
    # Columns added after the table was first made (CREATE ... IF NOT EXISTS keeps it).
    f'ALTER TABLE {DELIVERIES} ADD COLUMN IF NOT EXISTS head_hash TEXT COLLATE "C" NOT NULL'
    " DEFAULT ''",
    f"CREATE INDEX IF NOT EXISTS {DELIVERIES}_waiting ON {DELIVERIES} (id) WHERE state = 'new'",
    # session_user: a store's login role, which SET ROLE cannot change.
    f"""CREATE OR REPLACE FUNCTION kassi_role_store() RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT store_id FROM {ROLES} WHERE role_name = session_user $$""",
)

# A counter that every change to master data moves (a statement trigger on each table
# a store pulls): a store's sync service pulls again only when it moved.
VERSION = "master_version"
MASTER_TABLES = (
    "customers", "stores", "tenders", "discount_limits", "items", "item_prices",
    "store_items", "terminals", "staff",
)  # fmt: skip

# (table, the condition a store's role sees rows under); a role that is no store's
# (head office staff, tools) sees what its grants allow.
_OWN = "kassi_role_store() IS NULL OR {column} = kassi_role_store()"
POLICIES = (
    (DELIVERIES, _OWN.format(column="store_id")),
    ("stores", _OWN.format(column="id")),
    ("terminals", _OWN.format(column="store_id")),
    ("store_items", _OWN.format(column="store_id")),
    ("item_prices", "store_id IS NULL OR " + _OWN.format(column="store_id")),
)

# What a store's role may read: the master data it pulls (core.sync.master_data).
READ = (
    "kassi_schema", VERSION, "customers", "tenders", "discount_limits", "items", "item_prices",
)  # fmt: skip
READ_OWN = ("stores", "terminals", "store_items")
STAFF_COLUMNS = ("id", "name", "role", "permissions", "active", "created_at")
DELIVERY_COLUMNS = (
    "store_id", "origin", "since", "head_seq", "head_hash", "sales", "committed_from", "body",
)  # fmt: skip


def ddl() -> list[str]:
    """Every statement, idempotent, for the install's one transaction."""
    out = list(DDL)
    out += [
        f"CREATE TABLE IF NOT EXISTS {VERSION} (id BIGINT PRIMARY KEY CHECK (id = 1),"
        " version BIGINT NOT NULL)",
        f"INSERT INTO {VERSION} (id, version) VALUES (1, 1) ON CONFLICT DO NOTHING",
        "CREATE OR REPLACE FUNCTION kassi_master_changed() RETURNS trigger LANGUAGE plpgsql AS"
        f" $$ BEGIN UPDATE {VERSION} SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
    ]
    for table in MASTER_TABLES:
        out.append(
            f"CREATE OR REPLACE TRIGGER kassi_master_changed AFTER INSERT OR UPDATE OR DELETE"
            f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION kassi_master_changed()'
        )
    for table, condition in POLICIES:
        out += [
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'DROP POLICY IF EXISTS kassi_store_reads ON "{table}"',
            f'CREATE POLICY kassi_store_reads ON "{table}" FOR SELECT USING ({condition})',
        ]
    out += [
        f"DROP POLICY IF EXISTS kassi_store_delivers ON {DELIVERIES}",
        f"CREATE POLICY kassi_store_delivers ON {DELIVERIES} FOR INSERT"
        " WITH CHECK (store_id = kassi_role_store() AND state = 'new')",
    ]
    return out
