"""The chain's master data, pulled from head office into a store's database (X-2).

A chain is set up once, at head office: its customers, the store's own row (its
settings), tenders, discount limits, items with their prices and the store's own
items, the store's terminals, and staff with their roles and permissions. ``read``
takes what the store's role may see there (core.store.pg_chain) in one snapshot;
``apply`` writes what differs into the store's database in one short transaction,
audited as one ``sync.pull`` entry (nothing is written, and no entry made, when
nothing changed), so the tills are never held up by the network.

What stays the store's own:

* a terminal's printer and its receipt counter (the hardware beside it, and R-1's
  gapless numbers, are the store's);
* a staff member's PIN and login lockout. A PIN hash is sealed with the pepper of the
  database's own key file (R-10): one made at head office cannot be checked at a store.
  A new staff member arrives without a PIN (core.staff.pins.unset_hash, which no PIN
  matches); a manager at the store sets it (``kassi staff reset-pin``), and in a new
  store database, where nobody has a PIN yet, ``kassi staff first-pin`` sets the
  first manager's. Deactivation and permissions do
  travel: a staff member deactivated at head office is refused at every till from the
  next sync on.

Rows the store has and head office does not are kept (history refers to them), except
prices: a store's prices are exactly head office's for it.
"""

from __future__ import annotations

from attrs import frozen

from core.audit import journal as audit
from core.catalog import name_search
from core.staff.pins import unset_hash
from core.store.db import Db
from core.store.pg_chain import STAFF_COLUMNS, VERSION


@frozen
class Table:
    name: str
    key: tuple[str, ...]
    where: str = ""  # SQL with one ? for the store's id, when the store has only its own
    columns: tuple[str, ...] | None = None  # None: every column the store's table has
    replace: bool = False  # the store's rows are exactly head office's (deleted otherwise)


# In the order their references need them (a store names its default customer).
TABLES = (
    Table("customers", ("id",)),
    Table("stores", ("id",), "id = ?"),
    Table("tenders", ("id",)),
    Table("discount_limits", ("role",)),
    Table("items", ("sku",)),
    Table("item_prices", ("id",), "store_id IS NULL OR store_id = ?", replace=True),
    Table("store_items", ("store_id", "sku"), "store_id = ?"),
    Table("terminals", ("id",), "store_id = ?", ("id", "store_id", "name", "created_at")),
    Table("staff", ("id",), "", STAFF_COLUMNS),
)

# What a new row gets for the columns that are the store's own.
_LOCAL_DEFAULTS = {"staff": {"pin_hash": unset_hash}}


@frozen
class MasterData:
    store_id: str
    rows: dict[str, tuple[tuple[str, ...], list[tuple]]]  # table -> (columns, rows)
    version: int | None = None  # head office's master_version at the snapshot


@frozen
class PullSummary:
    changed: dict[str, int]  # table -> rows inserted, updated or deleted

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def _columns(db: Db, table: Table) -> tuple[str, ...]:
    if table.columns is not None:
        return table.columns
    return tuple(sorted(db.columns(table.name)))


def _select(table: Table, columns: tuple[str, ...]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    where = f" WHERE {table.where}" if table.where else ""
    order = ", ".join(f'"{c}"' for c in table.key)
    return f'SELECT {cols} FROM "{table.name}"{where} ORDER BY {order}'


def version(hq: Db) -> int | None:
    """Head office's master data version (None: a head office from before it)."""
    if VERSION not in hq.tables():
        return None
    return int(hq.scalar(f"SELECT version FROM {VERSION}"))


def read(hq: Db, local: Db, store_id: str) -> MasterData:
    """Everything the store pulls, from one snapshot at head office."""
    out: dict[str, tuple[tuple[str, ...], list[tuple]]] = {}
    with hq.read():
        at = version(hq)
        for table in TABLES:
            columns = _columns(local, table)
            params = (store_id,) if "?" in table.where else ()
            out[table.name] = (columns, [tuple(r) for r in hq.all(_select(table, columns), params)])
    return MasterData(store_id, out, at)


def apply(db: Db, data: MasterData) -> PullSummary:
    """Write what differs into the store's database, in one audited transaction.

    What differs is worked out in a read snapshot first, so the write lock, which the
    tills wait on, is held only for the rows that change (none, most rounds)."""
    with db.read():
        plans = {t.name: _plan(db, t, *data.rows[t.name], data.store_id) for t in TABLES}
    changed = {name: len(plan.writes) for name, plan in plans.items() if plan.writes}
    if not changed:
        return PullSummary({})
    with db.write():
        for table in TABLES:
            plan = plans[table.name]
            for sql, params in plan.writes:
                db.execute(sql, params)
            if plan.skus:
                name_search.reindex(db, plan.skus)
        audit.append(
            db,
            "sync.pull",
            entity="store",
            entity_id=data.store_id,
            details={"changed": changed},
        )
    return PullSummary(changed)


@frozen
class _Plan:
    writes: list[tuple[str, tuple]]  # in order: deletions first
    skus: list[str]  # items whose name index must follow


def _plan(
    db: Db, table: Table, columns: tuple[str, ...], rows: list[tuple], store_id: str
) -> _Plan:
    key_at = [columns.index(k) for k in table.key]
    params = (store_id,) if "?" in table.where else ()
    here: dict[tuple, tuple] = {}
    for row in db.all(_select(table, columns), params):
        values = tuple(row)
        here[tuple(values[i] for i in key_at)] = values
    cols = ", ".join(f'"{c}"' for c in columns)
    match = " AND ".join(f'"{k}" = ?' for k in table.key)
    rest = [c for c in columns if c not in table.key]
    writes: list[tuple[str, tuple]] = []
    skus: list[str] = []
    if table.replace:  # first: a price may come back under another id
        theirs = {tuple(values[i] for i in key_at) for values in rows}
        for key in sorted(set(here) - theirs):
            writes.append((f'DELETE FROM "{table.name}" WHERE {match}', key))
            del here[key]
    for values in rows:
        key = tuple(values[i] for i in key_at)
        mine = here.get(key)
        if mine == values:
            continue
        if table.name in ("items", "store_items"):
            skus.append(values[columns.index("sku")])
        if mine is None:
            extra = {c: make() for c, make in _LOCAL_DEFAULTS.get(table.name, {}).items()}
            names = cols + "".join(f', "{c}"' for c in extra)
            marks = ",".join("?" * (len(columns) + len(extra)))
            writes.append(
                (
                    f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                    (*values, *extra.values()),
                )
            )
        else:
            sets = ", ".join(f'"{c}" = ?' for c in rest)
            new = tuple(values[columns.index(c)] for c in rest)
            writes.append((f'UPDATE "{table.name}" SET {sets} WHERE {match}', (*new, *key)))
    return _Plan(writes, skus)
