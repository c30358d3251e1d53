"""Checking the audit journal end to end: signatures, chain, head and rows (SPEC R-1, R-2).

``verify`` walks every entry in order (its hash, its link, its signature), then the
signed head, then recomputes every covered row against the newest entry that lists
it. The first break in the chain is the answer, as nothing after it can be trusted;
with the chain whole, every bad row is named. What the entries and hashes are is
core.audit.journal and core.audit.hashing.
"""

from __future__ import annotations

import json
import sqlite3

from attrs import frozen

from core.audit import content as audit_content
from core.audit.covered import COVERED
from core.audit.hashing import (
    ENTRY_PURPOSE,
    GENESIS,
    checkpoint_message,
    entry_digest,
    head_message,
    legacy_digest,
)
from core.audit.journal import START, Head, covered_tables, head
from core.store.db import Db
from core.text.i18n import _

# How many problems ``audit verify`` lists after the first.
MAX_LISTED = 20


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


def _checkpoint(db: Db, ring) -> Head | None:
    """The head the last intact verify checked, if its signature holds."""
    row = db.one("SELECT seq, hash, signature FROM audit_verified WHERE id = 1")
    if row is None:
        return None
    point = Head(row["seq"], row["hash"])
    from core.store import keyring

    if not keyring.verify_signature(ring.public_key, bytes(row["signature"]),
                                    checkpoint_message(point.seq, point.hash)):  # fmt: skip
        return None  # forged or damaged: simply check everything
    return point


def _save_checkpoint(db: Db, ring, point: Head) -> None:
    try:
        with db.write():
            db.execute(
                "INSERT OR REPLACE INTO audit_verified (id, seq, hash, signature) VALUES (1,?,?,?)",
                (point.seq, point.hash, ring.sign(checkpoint_message(point.seq, point.hash))),
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
                    recomputed = legacy_digest(row[9], row[0:9])
                else:
                    recomputed = entry_digest(row[9], row[0:9], row[11], row[12])
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
            public.verify(bytes(row["signature"]), head_message(row["seq"], row["hash"]))
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
    for table in sorted(covered_tables(db)):
        cover = COVERED[table]
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
