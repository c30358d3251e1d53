"""The audit journal that proves itself (SPEC R-1, R-2).

Every operation appends one entry in its own write transaction. An entry's hash
covers its fields, the hash of the entry before it, the key id that signs it and
the content hashes of the business rows the operation wrote (core.audit.content);
the hash is signed with the store's Ed25519 key, which lives in the key file
outside the database (core.store.keyring). The database holds only the public key.

Which rows an operation wrote is noted by temporary triggers on kassi's own
connections (core.audit.content.trigger_ddl): the entry takes every row noted
since the last entry. Rows written after the last entry of a transaction (a
print job queued after its sale) get an entry of their own ("journal.rows") just
before the commit, so nothing kassi writes is ever left uncovered, and no entry
changes once appended: a head printed on paper stays valid.

The newest entry's number and hash are also kept signed in ``audit_head`` (with
a different purpose prefix than the entries'), so cutting the newest entries
off and lowering the counter shows: the old head's signature cannot be made
without the key. What no check inside one file can catch is the whole database
put back to an older copy of itself (its head was signed, back then); a head
taken outside — from a Z report, a transfer, ``audit head`` — catches that
(``verify --since-anchor N:HASH``).

How an entry's hash is made is core.audit.hashing; checking the whole journal is
core.audit.verification.

Databases from before signing: their entries are kept as they are ("legacy",
the unkeyed chain is still checked) and the first signed entry, "journal.start",
names the legacy range, links to its last hash and covers every row that
existed then.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from attrs import frozen

from core.audit import content as audit_content
from core.audit.covered import COVERED
from core.audit.hashing import (
    ENTRY_PURPOSE,
    GENESIS,
    canon,
    entry_digest,
    head_message,
    legacy_digest,
)
from core.errors import InputError
from core.store import dialect
from core.store.db import Db
from core.text.i18n import _

START = "journal.start"
ROWS = "journal.rows"
MIGRATED = "journal.migrated"
_ANCHOR = re.compile(r"^([0-9]{1,18}):([0-9a-f]{64})$")


# -- noting the rows an operation writes ----------------------------------------------------


def install(db: Db) -> None:
    """Set up row noting on this connection (temporary: only kassi's connections note)."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS kassi_touched (tbl TEXT NOT NULL, key TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS kassi_hashed (tbl TEXT NOT NULL, key TEXT NOT NULL,"
        " hash TEXT)"
    )
    if db.dialect == "postgresql":
        # PostgreSQL has no temporary triggers: the schema's noting triggers
        # (audit_content.postgres_trigger_ddl) note only on a connection that says so.
        db.execute(f"SELECT set_config('{audit_content.NOTING_SETTING}', 'on', false)")
        return
    for table, columns in covered_tables(db).items():
        for ddl in audit_content.trigger_ddl(table, columns):
            db.execute(ddl)


def covered_tables(db: Db) -> dict[str, set[str]]:
    """The covered tables this database has, each with its columns (older schemas lack some)."""
    return {n: db.columns(n) for n in sorted(db.tables() & COVERED.keys())}


_HASH_CHUNK = 500  # rows read per query (well under SQLite's limit on parameters)
_HASH_CHUNK_PG = 5000  # an array per key column: no limit but memory


def _hash_rows(db: Db, keys: Iterable[tuple[str, str]]) -> list[list[Any]]:
    """``[table, key, hash]`` of each row as stored now (hash None: the row is gone).

    Read a chunk of rows per query, by row value (``(k1, k2) IN (VALUES ...)``, which
    SQLite and PostgreSQL both run): an import of thousands of sales is one entry over
    tens of thousands of rows, and a round trip per row would be most of its time.
    """
    by_table: dict[str, list[list[Any]]] = {}
    for table, key in sorted(set(keys)):
        if table in COVERED:
            by_table.setdefault(table, []).append(json.loads(key))
    found: dict[tuple[str, str], str] = {}
    pg = db.dialect == "postgresql"
    size = _HASH_CHUNK_PG if pg else _HASH_CHUNK
    for table, wanted in by_table.items():
        cover = COVERED[table]
        n = len(cover.key)
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            # Typed: a key's columns have one type each, so the first key says them all.
            match = dialect.keys_in(cover.key, chunk[0], len(chunk), postgresql=pg)
            sql = f"{audit_content.select_all(table)} WHERE {match}"
            for row in db.execute(sql, dialect.keys_params(chunk, postgresql=pg)):
                values = tuple(row)
                key = audit_content.canonical_key(values[:n])
                found[(table, key)] = audit_content.row_hash(cover.columns, values[n:])
    out = []
    for table, wanted in by_table.items():
        for values in wanted:
            key = audit_content.canonical_key(values)
            out.append([table, key, found.get((table, key))])
    return out


def _take_touched(db: Db) -> list[list[Any]]:
    if not db.journal_ready:
        return []
    early: list[list[Any]] = []
    if getattr(db, "_hashed_early", False):
        early = [list(r) for r in db.execute("SELECT tbl, key, hash FROM temp.kassi_hashed")]
        db.execute("DELETE FROM temp.kassi_hashed")
        db._hashed_early = False  # type: ignore[attr-defined]
    touched = [(r[0], r[1]) for r in db.execute("SELECT tbl, key FROM temp.kassi_touched")]
    if touched:
        db.execute("DELETE FROM temp.kassi_touched")
    now = _hash_rows(db, touched) if touched else []
    if not early:
        return now
    # A row written again since it was hashed early is hashed as it is now.
    merged = {(t, k): h for t, k, h in early}
    merged.update({(t, k): h for t, k, h in now})
    return [[t, k, h] for (t, k), h in sorted(merged.items())]


def hash_written(db: Db) -> None:
    """Hash the rows this transaction wrote so far, for its next entry: an operation that
    writes most of its rows before it takes the write lock (posting a statement: its
    order lines) calls it then, so the hashing is not done while every other writer of
    the head office waits. A row written again afterwards is hashed again at the entry;
    the early hashes are the transaction's own (a temporary table), gone on rollback."""
    if not db.journal_ready:
        return
    touched = [(r[0], r[1]) for r in db.execute("SELECT tbl, key FROM temp.kassi_touched")]
    if not touched:
        return
    db.execute("DELETE FROM temp.kassi_touched")
    db.executemany(
        "INSERT INTO temp.kassi_hashed (tbl, key, hash) VALUES (?, ?, ?)",
        [tuple(r) for r in _hash_rows(db, touched)],
    )
    db._hashed_early = True  # type: ignore[attr-defined]


def flush(db: Db) -> None:
    """Before a commit: rows written after the transaction's last entry get one of their own."""
    tables: set[str] = set()
    if getattr(db, "_hashed_early", False):  # none left when their transaction rolled back
        tables = {r[0] for r in db.execute("SELECT DISTINCT tbl FROM temp.kassi_hashed")}
        db._hashed_early = bool(tables)  # type: ignore[attr-defined]
    if not tables and db.one("SELECT 1 FROM temp.kassi_touched LIMIT 1") is None:
        return
    tables |= {r[0] for r in db.execute("SELECT DISTINCT tbl FROM temp.kassi_touched")}
    append(db, ROWS, details={"tables": sorted(tables)})


# -- appending ------------------------------------------------------------------------------


def append(
    db: Db,
    action: str,
    *,
    staff_id: str | None = None,
    terminal_id: str | None = None,
    entity: str = "",
    entity_id: str | int = "",
    amount: int | None = None,
    details: dict[str, Any] | None = None,
    _covers: list[list[Any]] | None = None,
) -> int:
    """Append a signed entry inside the caller's write transaction; returns its number."""
    db.require_write("an audit entry")
    if not (db.journal_ready or _has_signing_tables(db)):
        return _append_legacy(db, action, staff_id, terminal_id, entity, str(entity_id), amount,
                              details)  # fmt: skip
    ring = db.keyring
    covers = _take_touched(db) if _covers is None else _covers
    # The rows are this transaction's own: hashed before the write lock, which only
    # the entry's place in the chain needs (core.store.db.Db.write's scope).
    db.lock_journal()
    _register_key(db, ring)
    seq = db.next_number("audit")
    prev = db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (seq - 1,)) or GENESIS
    at = db.now_iso()
    text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    covers_text = canon(covers)
    eid = str(entity_id)
    fields = (seq, at, staff_id, terminal_id, action, entity, eid, amount, text)
    digest = entry_digest(prev, fields, covers_text, ring.key_id)
    db.execute(
        "INSERT INTO audit_log (seq, at, staff_id, terminal_id, action, entity, entity_id,"
        " amount, details, prev_hash, hash, covers, key_id, signature)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            seq, at, staff_id, terminal_id, action, entity, eid, amount, text, prev, digest,
            covers_text, ring.key_id, ring.sign(ENTRY_PURPOSE + digest.encode("ascii")),
        ),
    )  # fmt: skip
    db.execute(
        "INSERT OR REPLACE INTO audit_head (id, seq, hash, key_id, signature) VALUES (1,?,?,?,?)",
        (seq, digest, ring.key_id, ring.sign(head_message(seq, digest))),
    )
    return seq


def _has_signing_tables(db: Db) -> bool:
    return "audit_keys" in db.tables()


def _append_legacy(
    db: Db,
    action: str,
    staff_id: str | None,
    terminal_id: str | None,
    entity: str,
    eid: str,
    amount: int | None,
    details: dict[str, Any] | None,
) -> int:
    """An unsigned entry, in a database opened before the journal's migration (m012)."""
    seq = db.next_number("audit")
    prev = db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (seq - 1,)) or GENESIS
    at = db.now_iso()
    text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = legacy_digest(
        prev, (seq, at, staff_id, terminal_id, action, entity, eid, amount, text)
    )
    db.execute(
        "INSERT INTO audit_log (seq, at, staff_id, terminal_id, action, entity, entity_id,"
        " amount, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (seq, at, staff_id, terminal_id, action, entity, eid, amount, text, prev, digest),
    )
    return seq


def _register_key(db: Db, ring) -> None:
    if getattr(db, "_journal_key_known", None) == ring.key_id:
        return
    db.execute(
        "INSERT OR IGNORE INTO audit_keys (key_id, public_key, created_at) VALUES (?,?,?)",
        (ring.key_id, ring.public_key, db.now_iso()),
    )
    db._journal_key_known = ring.key_id


# -- after migrations -----------------------------------------------------------------------


def after_migrations(db: Db, applied: list[str]) -> None:
    """In the migrating transaction: start the journal, or cover what the migrations changed.

    A database without signed entries gets "journal.start" (its legacy range and every
    row as it is). One that has them gets "journal.migrated" for the rows whose content
    hash a migration changed (a new column, a default filled in).
    """
    if "audit_head" not in db.tables():
        return  # older than the journal's own migration (tests open such databases)
    signed = db.one("SELECT 1 FROM audit_log WHERE signature IS NOT NULL LIMIT 1")
    current = _current_hashes(db)
    if signed is None:
        legacy = db.scalar("SELECT MAX(seq) FROM audit_log") or 0
        if not legacy and not current:
            return
        _ensure_key(db)
        covers = [[t, k, h] for (t, k), h in sorted(current.items())]
        details = {"legacy": [1, legacy]} if legacy else {}
        append(db, START, details=details, _covers=covers)
        return
    latest = _latest_covers(db)
    changed = [
        [t, k, current.get((t, k))]
        for (t, k) in sorted(set(current) | {k for k, v in latest.items() if v[0] is not None})
        if current.get((t, k)) != latest.get((t, k), (None, 0))[0]
    ]
    if changed:
        append(db, MIGRATED, details={"migrations": applied}, _covers=changed)


def _ensure_key(db: Db) -> None:
    """The key file, made here for a database that never had one (its first migration)."""
    from core.store import keyring

    try:
        db.keyring  # noqa: B018 (loading it is the check)
    except keyring.KeyFileError:
        path = keyring.key_path(db.path)
        if path is None or path.exists():
            raise
        # Peppered PIN hashes say a key existed: never replace it silently.
        if db.one("SELECT 1 FROM staff WHERE pin_hash LIKE 'scrypt-hmac$%' LIMIT 1"):
            raise
        db._keyring = keyring.load(db.path, create=True)


def _current_hashes(db: Db) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for table in covered_tables(db):
        cover = COVERED[table]
        n = len(cover.key)
        columns = cover.columns
        for row in db.execute(audit_content.select_all(table)):
            out[(table, audit_content.canonical_key(row[:n]))] = audit_content.row_hash(
                columns, row[n:]
            )
    return out


def _latest_covers(db: Db) -> dict[tuple[str, str], tuple[str | None, int]]:
    latest: dict[tuple[str, str], tuple[str | None, int]] = {}
    for seq, covers in db.execute(
        "SELECT seq, covers FROM audit_log WHERE covers <> '[]' ORDER BY seq"
    ):
        for table, key, digest in json.loads(covers):
            latest[(table, key)] = (digest, seq)
    return latest


# -- the head -------------------------------------------------------------------------------


@frozen
class Head:
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    def __iter__(self):
        """``seq, digest = head``: the pair a transfer file carries."""
        return iter((self.seq, self.hash))


def head(db: Db) -> Head:
    """The chain head, ``N:HASH``: the newest entry's number and hash (0 and zeros when empty)."""
    row = db.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    return Head(0, GENESIS) if row is None else Head(row["seq"], row["hash"])


def parse_anchor(text: str) -> Head:
    """A head taken from paper: ``N:HASH`` (64 hex digits); a clear error otherwise."""
    match = _ANCHOR.match(text.strip().lower())
    if match is None:
        raise InputError(
            _("An anchor is an entry number and its hash, like 42:{example}.").format(
                example="ab12…"
            )
        )
    return Head(int(match.group(1)), match.group(2))
