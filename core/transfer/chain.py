"""At the head office: does a transfer file's journal extend the history held? (R-3, R-8)

A version-2 file names its origin (the store database's identity), carries the
store's journal head and every audit entry from the export's ``since`` on (that
entry included: it is the one the head office already holds). The head office
keeps every entry an origin sent (``transfer_entries``) and, per origin and export
scope, the head last applied (``transfer_heads``, the R-8 cursor). A file is

* refused when an entry it carries differs from the one held under the same
  number (rewritten; *shortened* when the file also ends before the held head),
  when its numbers have a gap, when an entry does not link to the one before it,
  or when it starts after the head applied for its scope (the file in between is
  missing; the first file of a scope starts at 0);
* skipped, changing nothing, when its head is not newer than what was applied
  for its scope (an older or the same file imported again);
* applied otherwise, and only what is new is written (core.transfer.importing).

Entries are checked as they stream in; the first refusal ends the import, whose
transaction then keeps nothing.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from attrs import frozen

from core.errors import KassiError
from core.store.db import Db
from core.text.i18n import _
from core.transfer.export import MAX_CURSOR, Bad, need

SEP = (",", ":")
BATCH = 1000


class ChainRefused(KassiError):
    """The file's journal does not extend the store's history as the head office holds it."""

    exit_code = 5


@frozen
class Header:
    origin: str
    scope: str  # the store exported, '' for all
    label: str  # how messages name the store(s)
    since: int
    head_seq: int
    head_hash: str


def parse_header(rec: dict[str, Any]) -> Header:
    origin = need(rec, "origin", str)
    if not origin.strip() or len(origin) > 200:
        raise Bad(_("'origin' is not a database identity"))
    stores = need(rec, "stores", list)
    if not all(isinstance(s, str) for s in stores):
        raise Bad(_("'stores' has the wrong type"))
    store = need(rec, "store", str, True)
    since = need(rec, "since", int)
    head = need(rec, "head", dict)
    head_seq = need(head, "entry", int)
    head_hash = need(head, "hash", str)
    if not (0 <= since <= MAX_CURSOR and 1 <= head_seq <= MAX_CURSOR) or not head_hash:
        raise Bad(_("'since' or 'head' is out of range"))
    if need(rec, "cursor", int) != head_seq:
        raise Bad(_("'cursor' is not the head's entry"))
    label = store or ", ".join(stores) or origin[:8]
    return Header(origin, store or "", label, since, head_seq, head_hash)


class ChainCheck:
    """One file's journal against what the head office holds of its origin."""

    def __init__(self, db: Db, header: Header) -> None:
        self.db, self.h = db, header
        span = db.one(
            "SELECT MIN(seq), MAX(seq) FROM transfer_entries WHERE origin = ?", (header.origin,)
        )
        self.low, self.held = (span[0], span[1]) if span else (None, None)
        self.applied: int | None = db.scalar(
            "SELECT head_seq FROM transfer_heads WHERE origin = ? AND scope = ?",
            (header.origin, header.scope),
        )
        self.expected = max(header.since, 1)
        self.prev_hash: str | None = None
        self.new: list[tuple[str, int, str, str]] = []  # entries to hold, written in batches
        self.last_hash: str | None = None
        n = header.head_seq
        # Per scope: every record of the scope arrived, so the file must start where the
        # scope's last one ended, or before (another scope's files carry other stores).
        if self.applied is None and header.since > 0:
            self.refuse(
                _(
                    "Journal of {store}: the head office has nothing from it yet and this file"
                    " starts at entry {since}: import the first transfer (--since 0) first."
                ).format(store=header.label, since=header.since)
            )
        if self.applied is not None and n > self.applied and header.since > self.applied:
            self.refuse(
                _(
                    "Journal of {store}: the head office holds entries up to {held} and this"
                    " file starts at entry {since}: import the transfers in between first."
                ).format(store=header.label, held=self.applied, since=header.since)
            )
        self.compare(n, header.head_hash)
        # not newer than what this scope has applied: an older or the same file.
        self.skip = self.applied is not None and n <= self.applied

    @property
    def applied_up_to(self) -> int:
        return int(self.applied or 0)

    def refuse(self, problem: str) -> NoReturn:
        raise ChainRefused(problem)

    def compare(self, seq: int, digest: str) -> None:
        """Refuse when the head office holds another entry under this number."""
        if self.held is None or not self.low <= seq <= self.held:
            return  # beyond what is held: nothing to compare (and no query per entry)
        held_hash = self.db.scalar(
            "SELECT hash FROM transfer_entries WHERE origin = ? AND seq = ?", (self.h.origin, seq)
        )
        if held_hash is None or held_hash == digest:
            return
        if self.h.head_seq < self.held:
            self.refuse(
                _(
                    "Journal of {store}: shortened: this file ends at entry {seq}, the head"
                    " office holds entries up to {held} (entry {first} differs)."
                ).format(store=self.h.label, seq=self.h.head_seq, held=self.held, first=seq)
            )
        self.refuse(
            _(
                "Journal of {store}: rewritten at entry {seq}: the head office holds"
                " another entry {seq}."
            ).format(store=self.h.label, seq=seq)
        )

    def entry(self, rec: dict[str, Any]) -> None:
        entry = need(rec, "entry", dict)
        seq = need(entry, "seq", int)
        digest = need(entry, "hash", str)
        if seq > self.h.head_seq or seq < 1:
            self.head_differs()
        if seq > self.expected:
            self.gap(self.expected)
        if seq < self.expected:
            self.refuse(
                _("Journal of {store}: entry {seq} is out of order in this file.").format(
                    store=self.h.label, seq=seq
                )
            )
        prev = entry.get("prev_hash")
        if self.prev_hash is not None and prev is not None and prev != self.prev_hash:
            self.refuse(
                _(
                    "Journal of {store}: rewritten at entry {seq}: it does not follow entry {prev}."
                ).format(store=self.h.label, seq=seq, prev=seq - 1)
            )
        self.compare(seq, digest)
        if not self.skip:
            self.new.append(
                (self.h.origin, seq, digest, json.dumps(entry, ensure_ascii=False, separators=SEP))
            )
            if len(self.new) >= BATCH:
                self.flush()
        self.prev_hash = self.last_hash = digest
        self.expected = seq + 1

    def flush(self) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO transfer_entries (origin, seq, hash, entry) VALUES (?,?,?,?)",
            self.new,
        )
        self.new.clear()

    def gap(self, seq: int) -> NoReturn:
        self.refuse(
            _("Journal of {store}: entry {seq} is missing from this file.").format(
                store=self.h.label, seq=seq
            )
        )

    def finish(self) -> None:
        """After the last entry: the file's entries reach its head, and end in it."""
        n = self.h.head_seq
        if self.h.since > n:
            # A cursor from beyond the store's own head: no entries, and the head was
            # compared with the one held (a cut journal is refused there).
            return
        if self.expected <= n:
            self.gap(self.expected)
        if self.last_hash != self.h.head_hash:
            self.head_differs()

    def head_differs(self) -> NoReturn:
        self.refuse(
            _("Journal of {store}: rewritten at entry {seq}: the head does not match it.").format(
                store=self.h.label, seq=self.h.head_seq
            )
        )

    def commit(self, source: str) -> None:
        """Hold the file's head as the scope's cursor; only ever forward (R-8)."""
        if self.skip:
            return
        self.flush()
        h = self.h
        self.db.execute(
            "INSERT INTO transfer_heads (origin, scope, label, head_seq, head_hash, source,"
            " applied_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(origin, scope) DO UPDATE SET"
            " label = excluded.label, head_seq = excluded.head_seq,"
            " head_hash = excluded.head_hash, source = excluded.source,"
            " applied_at = excluded.applied_at WHERE excluded.head_seq > transfer_heads.head_seq",
            (h.origin, h.scope, h.label, h.head_seq, h.head_hash, source, self.db.now_iso()),
        )
