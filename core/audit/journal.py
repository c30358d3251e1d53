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

Databases from before signing: their entries are kept as they are ("legacy",
the unkeyed chain is still checked) and the first signed entry, "journal.start",
names the legacy range, links to its last hash and covers every row that
existed then.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from attrs import frozen

from core.audit import content as audit_content
from core.errors import InputError
from core.store.db import Db
from core.text.i18n import _

GENESIS = "0" * 64
ENTRY_PURPOSE = b"kassi audit entry v1\n"
HEAD_PURPOSE = b"kassi audit head v1\n"
VERIFIED_PURPOSE = b"kassi audit verified v1\n"
START = "journal.start"
ROWS = "journal.rows"
MIGRATED = "journal.migrated"
MAX_LISTED = 20
_ANCHOR = re.compile(r"^([0-9]{1,18}):([0-9a-f]{64})$")


_canon = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _legacy_digest(
    prev_hash: str,
    seq: int,
    at: str,
    staff_id: str | None,
    terminal_id: str | None,
    action: str,
    entity: str,
    entity_id: str,
    amount: int | None,
    details: str,
) -> str:
    """The unkeyed hash of an entry from before signing (kept to check legacy entries)."""
    payload = _canon([seq, at, staff_id, terminal_id, action, entity, entity_id, amount, details])
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _digest(
    prev_hash: str,
    seq: int,
    at: str,
    staff_id: str | None,
    terminal_id: str | None,
    action: str,
    entity: str,
    entity_id: str,
    amount: int | None,
    details: str,
    covers: str,
    key_id: str,
) -> str:
    """The hash of a signed entry: its canonical content including the previous hash."""
    payload = _canon(
        ["v1", seq, at, staff_id, terminal_id, action, entity, entity_id, amount, details]
        + [covers, key_id]
    )
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _head_message(seq: int, digest: str) -> bytes:
    return HEAD_PURPOSE + f"{seq}:{digest}".encode("ascii")


# -- noting the rows an operation writes ----------------------------------------------------


def install(db: Db) -> None:
    """Set up row noting on this connection (temporary: only kassi's connections note)."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS kassi_touched (tbl TEXT NOT NULL, key TEXT NOT NULL)"
    )
    for table, columns in _existing_tables(db).items():
        for ddl in audit_content.trigger_ddl(table, columns):
            db.execute(ddl)


def _existing_tables(db: Db) -> dict[str, set[str]]:
    names = [
        r[0]
        for r in db.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
        if r[0] in audit_content.COVERED
    ]
    return {n: {r[1] for r in db.execute(f'PRAGMA main.table_info("{n}")')} for n in names}


def _hash_rows(db: Db, keys: Iterable[tuple[str, str]]) -> list[list[Any]]:
    """``[table, key, hash]`` of each row as stored now (hash None: the row is gone)."""
    out = []
    for table, key in sorted(set(keys)):
        cover = audit_content.COVERED.get(table)
        if cover is None:
            continue
        values = json.loads(key)
        row = db.one(audit_content.select_one(table), values)
        digest = (
            None
            if row is None
            else audit_content.row_hash(cover.columns, tuple(row)[len(cover.key) :])
        )
        out.append([table, audit_content.canonical_key(values), digest])
    return out


def _take_touched(db: Db) -> list[list[Any]]:
    if not db.journal_ready:
        return []
    touched = [(r[0], r[1]) for r in db.execute("SELECT tbl, key FROM temp.kassi_touched")]
    if not touched:
        return []
    db.execute("DELETE FROM temp.kassi_touched")
    return _hash_rows(db, touched)


def flush(db: Db) -> None:
    """Before a commit: rows written after the transaction's last entry get one of their own."""
    if db.one("SELECT 1 FROM temp.kassi_touched LIMIT 1") is None:
        return
    touched = [r[0] for r in db.execute("SELECT DISTINCT tbl FROM temp.kassi_touched")]
    append(db, ROWS, details={"tables": sorted(touched)})


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
    _register_key(db, ring)
    covers = _take_touched(db) if _covers is None else _covers
    seq = db.next_number("audit")
    prev = db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (seq - 1,)) or GENESIS
    at = db.now_iso()
    text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    covers_text = _canon(covers)
    eid = str(entity_id)
    digest = _digest(
        prev, seq, at, staff_id, terminal_id, action, entity, eid, amount, text, covers_text,
        ring.key_id,
    )  # fmt: skip
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
        (seq, digest, ring.key_id, ring.sign(_head_message(seq, digest))),
    )
    return seq


def _has_signing_tables(db: Db) -> bool:
    return db.one("SELECT 1 FROM sqlite_master WHERE name = 'audit_keys'") is not None


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
    digest = _legacy_digest(prev, seq, at, staff_id, terminal_id, action, entity, eid, amount, text)
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
    if "audit_head" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}:
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
    for table in _existing_tables(db):
        cover = audit_content.COVERED[table]
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


# -- verifying ------------------------------------------------------------------------------


@frozen
class Verification:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None
    problems: tuple[str, ...] = ()
    legacy: tuple[int, int] | None = None
    rows: int = 0
    signatures: int = 0


class _Broken(Exception):
    def __init__(self, message: str, seq: int | None) -> None:
        super().__init__(message)
        self.message, self.seq = message, seq


def verify(db: Db, *, since_anchor: Head | None = None, full: bool = False) -> Verification:
    """Check every signature, the chain, the head and every covered row (R-2).

    The chain is walked first; at its first break nothing after it can be trusted,
    so that break is the answer. With the chain whole, every business row is
    recomputed against the newest entry covering it and every bad row is named.

    An intact verify leaves a signed checkpoint (the head it checked). The next one
    still recomputes every entry's hash and link, but checks Ed25519 signatures only
    after the checkpoint: an entry before it whose content changed changes every
    hash up to the checkpoint's, and then the whole journal's signatures are checked
    again. ``full`` checks every signature regardless.
    """
    ring = db.keyring  # outside the snapshot: a missing key file is its own clear error
    with db.read():  # one snapshot: the count, the chain and the rows must agree
        checkpoint = None if full else _checkpoint(db, ring)
        walk = _Walk(db, ring)
        try:
            try:
                walk.run(since_anchor, checkpoint)
            except (_Recheck, _Broken):
                if checkpoint is None:
                    raise
                # Broken somewhere: with every signature checked, the first bad entry is named.
                walk = _Walk(db, ring)
                walk.run(since_anchor, None)
        except _Broken as broken:
            return Verification(
                False, walk.checked, broken.message, broken.seq, (broken.message,), walk.legacy,
                signatures=walk.signatures,
            )  # fmt: skip
        problems, first_seq, rows = _check_rows(db, walk.latest)
        if problems and walk.checked == 0:
            problems.insert(
                0,
                _(
                    "The audit log is empty, but the database holds business rows: its entries"
                    " were deleted."
                ),
            )
            first_seq = 1
        last = head(db)
    if problems:
        return Verification(False, walk.checked, problems[0], first_seq, tuple(problems),
                            walk.legacy, rows, walk.signatures)  # fmt: skip
    if last.seq and (checkpoint is None or last.seq > checkpoint.seq):
        _save_checkpoint(db, ring, last)
    return Verification(True, walk.checked, legacy=walk.legacy, rows=rows,
                        signatures=walk.signatures)  # fmt: skip


def _checkpoint_message(point: Head) -> bytes:
    return VERIFIED_PURPOSE + str(point).encode("ascii")


def _checkpoint(db: Db, ring) -> Head | None:
    """The head the last intact verify checked, if its signature holds."""
    row = db.one("SELECT seq, hash, signature FROM audit_verified WHERE id = 1")
    if row is None:
        return None
    point = Head(row["seq"], row["hash"])
    from core.store import keyring

    if not keyring.verify_signature(ring.public_key, bytes(row["signature"]),
                                    _checkpoint_message(point)):  # fmt: skip
        return None  # forged or damaged: simply check everything
    return point


def _save_checkpoint(db: Db, ring, point: Head) -> None:
    try:
        with db.write():
            db.execute(
                "INSERT OR REPLACE INTO audit_verified (id, seq, hash, signature) VALUES (1,?,?,?)",
                (point.seq, point.hash, ring.sign(_checkpoint_message(point))),
            )
    except sqlite3.OperationalError:
        pass  # a read-only copy: the next verify checks every signature, nothing is lost


class _Recheck(Exception):
    """The checkpoint's entry is not what was verified: check every signature."""


class _Walk:
    """One pass over the entries in order, in batches."""

    def __init__(self, db: Db, ring) -> None:
        self.db, self.ring = db, ring
        self.checked = 0
        self.signatures = 0
        self.legacy: tuple[int, int] | None = None
        self.latest: dict[tuple[str, str], tuple[str | None, int]] = {}

    def run(self, anchor: Head | None, checkpoint: Head | None) -> None:
        db, ring = self.db, self.ring
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        public = Ed25519PublicKey.from_public_bytes(ring.public_key)
        keys = {r[0]: bytes(r[1]) for r in db.execute("SELECT key_id, public_key FROM audit_keys")}
        stored = keys.get(ring.key_id)
        if keys and stored != ring.public_key:
            raise _Broken(
                _("The journal's keys are not this store's key file ({path}).").format(
                    path=ring.path
                ),
                None,
            )
        legacy_last = self._legacy_last()
        issued = db.scalar("SELECT value FROM number_sequences WHERE name = 'audit'") or 0
        expected_prev, expected_seq = GENESIS, 1
        anchor_seen = False
        trusted = checkpoint.seq if checkpoint is not None else 0
        cursor = db.execute(
            "SELECT seq, at, staff_id, terminal_id, action, entity, entity_id, amount, details,"
            " prev_hash, hash, covers, key_id, signature FROM audit_log ORDER BY seq"
        )
        latest = self.latest
        while batch := cursor.fetchmany(2000):
            for row in batch:
                seq = row[0]
                if seq > issued:
                    raise _Broken(
                        _("Audit entry {seq} was inserted: kassi issued only {issued} entries.")
                        .format(seq=seq, issued=issued),
                        seq,
                    )  # fmt: skip
                if seq > expected_seq:
                    raise _Broken(_deleted(expected_seq, seq - 1), expected_seq)
                signature = row[13]
                if signature is None:
                    if seq > legacy_last:
                        raise _Broken(_("Audit entry {seq} is not signed.").format(seq=seq), seq)
                    recomputed = _legacy_digest(row[9], seq, *row[1:9])
                else:
                    recomputed = _digest(row[9], seq, *row[1:9], row[11], row[12])
                if recomputed != row[10]:
                    raise _Broken(_("Audit entry {seq} was changed.").format(seq=seq), seq)
                if row[9] != expected_prev:
                    raise _Broken(
                        _(
                            "Audit entry {seq} was inserted or re-linked: it does not follow"
                            " entry {prev}."
                        ).format(seq=seq, prev=seq - 1),
                        seq,
                    )
                if signature is not None:
                    if row[12] != ring.key_id:
                        raise _Broken(
                            _(
                                "Audit entry {seq} is signed with key {key}, not with this"
                                " store's key."
                            ).format(seq=seq, key=row[12]),
                            seq,
                        )
                    try:
                        if seq > trusted:
                            self.signatures += 1
                            public.verify(bytes(signature), ENTRY_PURPOSE + row[10].encode("ascii"))
                    except InvalidSignature:
                        raise _Broken(
                            _(
                                "Audit entry {seq} has a wrong signature: it was rewritten"
                                " without the store's key."
                            ).format(seq=seq),
                            seq,
                        ) from None
                    if row[11] != "[]":
                        for table, key, digest in json.loads(row[11]):
                            latest[(table, key)] = (digest, seq)
                if anchor is not None and seq == anchor.seq:
                    anchor_seen = True
                    if row[10] != anchor.hash:
                        raise _Broken(
                            _(
                                "Audit entry {seq} does not match the anchor: the journal was"
                                " rewritten."
                            ).format(seq=seq),
                            seq,
                        )
                if seq == trusted and row[10] != checkpoint.hash:
                    raise _Recheck  # changed before the checkpoint: trust no earlier check
                expected_prev, expected_seq = row[10], seq + 1
                self.checked += 1
        last = expected_seq - 1
        if trusted > last:
            raise _Recheck  # the checkpoint's entry is gone
        if legacy_last:
            self.legacy = (1, legacy_last)
        if issued > last:
            raise _Broken(_deleted(expected_seq, issued), expected_seq)
        self._check_head(last, expected_prev, public, InvalidSignature, bool(keys))
        if anchor is not None and not anchor_seen:
            raise _Broken(
                _(
                    "The journal ends at entry {last}, before the anchor's entry {seq}:"
                    " it was shortened."
                ).format(last=last, seq=anchor.seq),
                last + 1,
            )

    def _legacy_last(self) -> int:
        start = self.db.one(
            "SELECT seq, details, signature FROM audit_log WHERE action = ? ORDER BY seq LIMIT 1",
            (START,),
        )
        if start is None or start["signature"] is None:
            return 0
        legacy = json.loads(start["details"]).get("legacy") or [1, 0]
        # Its signature is checked in the walk: a widened range breaks it there.
        return min(int(legacy[1]), start["seq"] - 1)

    def _check_head(self, last: int, last_hash: str, public, invalid, had_keys: bool) -> None:
        row = self.db.one("SELECT seq, hash, key_id, signature FROM audit_head WHERE id = 1")
        if row is None:
            if last == 0 and not had_keys:
                return  # nothing was ever signed here
            if last == 0:
                raise _Broken(
                    _("Every audit entry was deleted: this database's key signed entries before."),
                    1,
                )
            if self.legacy == (1, last):
                raise _Broken(_("The journal has no signed entry after its legacy part."), last)
            raise _Broken(_("The journal's signed head is missing."), last)
        try:
            public.verify(bytes(row["signature"]), _head_message(row["seq"], row["hash"]))
        except invalid:
            raise _Broken(
                _("The journal's signed head has a wrong signature: it was rewritten."),
                row["seq"],
            ) from None
        if row["seq"] > last:
            raise _Broken(_deleted(last + 1, row["seq"]), last + 1)
        if (row["seq"], row["hash"]) != (last, last_hash):
            raise _Broken(
                _("The journal's signed head is entry {head}, but the journal ends at {last}.")
                .format(head=row["seq"], last=last),
                last,
            )  # fmt: skip


def _deleted(first: int, last: int) -> str:
    return _("Audit entries {first} to {last} were deleted.").format(first=first, last=last)


def _check_rows(
    db: Db, latest: dict[tuple[str, str], tuple[str | None, int]]
) -> tuple[list[str], int | None, int]:
    """Every covered row against the newest entry covering it: changed, deleted, inserted.

    Named in entry order (the earliest entry whose row no longer matches first), then
    the rows no entry covers.
    """
    unrecorded = 1 << 62  # sorts after every entry number
    found_bad: list[tuple[int, str]] = []
    checked = 0
    pending = dict(latest)
    for table in sorted(_existing_tables(db)):
        cover = audit_content.COVERED[table]
        n = len(cover.key)
        columns = cover.columns
        for row in db.execute(audit_content.select_all(table)):
            checked += 1
            key = audit_content.canonical_key(row[:n])
            digest = audit_content.row_hash(columns, row[n:])
            found = pending.pop((table, key), None)
            if found is not None and found[0] == digest:
                continue
            shown = audit_content.describe_key(key)
            if found is None:
                text = _("{table} row {key}: no audit entry records it (written outside kassi).")
                found_bad.append((unrecorded, text.format(table=table, key=shown)))
                continue
            if found[0] is None:
                text = _(
                    "{table} row {key}: audit entry {seq} recorded it deleted, but it is there."
                )
            else:
                text = _("{table} row {key}: changed since audit entry {seq} recorded it.")
            found_bad.append((found[1], text.format(table=table, key=shown, seq=found[1])))
    for (table, key), (digest, seq) in pending.items():
        if digest is not None:
            text = _("{table} row {key}: deleted; audit entry {seq} recorded it.")
            shown = audit_content.describe_key(key)
            found_bad.append((seq, text.format(table=table, key=shown, seq=seq)))
    found_bad.sort(key=lambda item: item[0])
    first = found_bad[0][0] if found_bad else None
    first_seq = first if first is not None and first != unrecorded else None
    return [text for _seq, text in found_bad], first_seq, checked
