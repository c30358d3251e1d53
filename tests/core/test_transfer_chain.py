"""Transfers that never roll the head office back (SPEC R-8) and that prove the store's
history extends the one the head office holds (R-3): the journal head and entries in
every file, each origin's heads kept, a rewritten, shortened or gapped journal refused
with the store and the entry number, and nothing applied."""

from __future__ import annotations

import hashlib
import json

import pytest

from core.audit import journal as audit
from core.errors import InputError
from core.store.db import Db
from core.tills import sessions
from core.transfer.chain import ChainRefused
from core.transfer.export import identity
from tests.core.test_statements_support import Shop
from tests.core.transfer_support import export, load

HO_TABLES = (
    "sales",
    "sessions",
    "cash_adjustments",
    "declarations",
    "audit_log",
    "transfer_sessions",
    "transfer_heads",
    "transfer_entries",
)


def state(ho: Shop) -> dict[str, list]:
    return {t: [tuple(r) for r in ho.db.all(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in HO_TABLES}


def cash_actions(side: Shop) -> list[tuple]:
    return [
        tuple(r) for r in side.db.all("SELECT kind, amount, note FROM cash_adjustments ORDER BY id")
    ]


def adjust(shop: Shop, kind: str, amount: int, note: str) -> None:
    sessions.adjust_cash(shop.db, shop.manager, "T1", kind, amount, note)


def forge_from(db: Db, seq: int) -> None:
    """What a forger with write access does: change entry ``seq`` and re-link every later
    entry so the store's own chain still hangs together (any digest will do: the head
    office compares hashes, it cannot recompute them)."""
    db.execute("UPDATE audit_log SET details = '{\"forged\":true}' WHERE seq = ?", (seq,))
    prev = db.scalar("SELECT prev_hash FROM audit_log WHERE seq = ?", (seq,))
    for (n,) in db.all("SELECT seq FROM audit_log WHERE seq >= ? ORDER BY seq", (seq,)):
        old = db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (n,))
        new = hashlib.sha256(f"{prev}{old}forged".encode()).hexdigest()
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, n))
        prev = new


def cut_back_to(db: Db, seq: int) -> None:
    """The newest entries deleted and the counter lowered (so `audit verify` passes)."""
    db.execute("DELETE FROM audit_log WHERE seq > ?", (seq,))
    db.execute("UPDATE number_sequences SET value = ? WHERE name = 'audit'", (seq,))


def refusal(ho: Shop, text: str) -> str:
    before = state(ho)
    with pytest.raises(ChainRefused) as refused:
        load(ho, text)
    assert state(ho) == before, "a refused file changes nothing"
    message = refused.value.message
    assert "\n" not in message and message.endswith("Nothing was imported.")
    return message


# -- never backwards ----------------------------------------------------------------


def test_importing_f1_f2_then_f1_again_keeps_the_newest_state(
    shop: Shop, head_office: Shop
) -> None:
    """R-8: the issue's case: F1, F2, then F1 again; the second cash action stays, and
    the old file is skipped whole with the head already applied."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    adjust(shop, "add", 1000, "first")
    f1, _c1 = export(shop)
    adjust(shop, "remove", 500, "second")
    f2, c2 = export(shop)
    load(head_office, f1)
    load(head_office, f2)
    newest = state(head_office)
    assert cash_actions(head_office) == [("add", 1000, "first"), ("remove", 500, "second")]
    again = load(head_office, f1)
    assert again.already_applied == c2 and (again.sales, again.sessions) == (0, 0)
    assert (again.skipped_sales, again.skipped_sessions) == (1, 1)
    assert state(head_office) == newest
    assert load(head_office, f2).already_applied == c2  # the same file twice: likewise
    assert state(head_office) == newest


def test_an_overlapping_file_applies_only_what_is_new(shop: Shop, head_office: Shop) -> None:
    """R-8: a file exported from an older cursor carries what the head office has and
    what it has not; only the new part is written, the old part is left as it is."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    f1, c1 = export(shop)
    load(head_office, f1)
    shop.sell("T1", [("1004", 1)], "card")
    adjust(shop, "add", 1000, "change")
    f2, c2 = export(shop, since=0)  # overlaps all of F1
    summary = load(head_office, f2)
    assert (summary.sales, summary.skipped_sales) == (1, 1)
    assert summary.sessions == 1  # the session moved forward: one new cash action
    assert cash_actions(head_office) == [("add", 1000, "change")]
    assert head_office.db.scalar("SELECT COUNT(*) FROM sales") == 2
    held = head_office.db.one("SELECT head_seq, head_hash FROM transfer_heads")
    assert tuple(held) == (c2, shop.db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (c2,)))
    entries = head_office.db.scalar("SELECT COUNT(*) FROM transfer_entries")
    assert entries == c2  # every entry the store has, once


def test_a_session_state_from_an_older_export_never_replaces_a_newer_one(
    shop: Shop, head_office: Shop
) -> None:
    """R-8, row by row: an export of one store (its own cursor) made before an export of
    all stores arrives after it; it is applied for its scope, but the session it carries
    is older than the one here and is left alone."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    adjust(shop, "add", 1000, "first")
    older, _c = export(shop, store="NORREBRO")
    adjust(shop, "remove", 500, "second")
    newer, _c = export(shop)
    load(head_office, newer)
    summary = load(head_office, older)
    assert summary.already_applied is None and summary.skipped_sessions == 1
    assert cash_actions(head_office) == [("add", 1000, "first"), ("remove", 500, "second")]


def test_the_head_office_keeps_each_origins_head_per_export_scope(
    shop: Shop, head_office: Shop
) -> None:
    """R-3/R-8: the head and cursor last applied, per origin database and scope."""
    shop.sell("T1")
    text, cursor = export(shop, store="NORREBRO")
    header = json.loads(text.splitlines()[0])
    assert header["origin"] == identity(shop.db) and header["cursor"] == cursor
    assert (header["head"]["entry"], header["head"]["hash"]) == tuple(audit.head(shop.db))
    load(head_office, text)
    row = head_office.db.one("SELECT origin, scope, label, head_seq FROM transfer_heads")
    assert tuple(row) == (identity(shop.db), "NORREBRO", "NORREBRO", cursor)


# -- the history must extend the one held -------------------------------------------


def test_a_rewritten_journal_is_refused_naming_the_store_and_the_entry(
    shop: Shop, head_office: Shop
) -> None:
    """R-3: an entry the head office holds arrives with another hash (edited at the store,
    every later link recomputed): refused with the store and the entry's number."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    shop.sell("T1", [("1004", 1)], "card")
    f1, c1 = export(shop)
    load(head_office, f1)
    target = int(
        shop.db.scalar("SELECT MIN(seq) FROM audit_log WHERE action = 'sale' AND entity = 'sale'")
    )
    forge_from(shop.db, target)
    shop.sell("T1", [("1001", 1)], "card")
    message = refusal(head_office, export(shop, since=0)[0])
    assert "NORREBRO, REYKJAVIK" in message and f"rewritten at entry {target}:" in message
    # From the cursor: the first entry the head office can compare is the one it holds.
    message = refusal(head_office, export(shop, since=c1)[0])
    assert f"rewritten at entry {c1}:" in message


def test_a_shortened_journal_is_refused_naming_the_store_and_the_entry(
    shop: Shop, head_office: Shop
) -> None:
    """R-3: the newest entries deleted and the counter lowered at the store; its next
    export ends before the head the head office holds: refused, naming both numbers."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    f1, c1 = export(shop, store="NORREBRO")
    shop.sell("T1", [("1004", 1)], "card")
    shop.sell("T1", [("1001", 1)], "card")
    f2, c2 = export(shop, store="NORREBRO")
    load(head_office, f1)
    load(head_office, f2)
    cut_back_to(shop.db, c1)
    message = refusal(head_office, export(shop, since=c2, store="NORREBRO")[0])
    assert message.startswith("t.jsonl: Journal of NORREBRO: shortened")
    assert f"ends at entry {c1 + 1}," in message and f"up to {c2}" in message
    message = refusal(head_office, export(shop, since=c1, store="NORREBRO")[0])
    assert "shortened" in message and f"up to {c2}" in message


def test_a_gap_in_the_journal_is_refused_naming_the_missing_entry(
    shop: Shop, head_office: Shop
) -> None:
    """R-3: an entry left out of the file, or a file that starts after the head held
    (the transfer in between not imported): refused, naming the first missing number."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    lines = export(shop)[0].splitlines(keepends=True)
    entry_lines = [i for i, x in enumerate(lines) if json.loads(x)["type"] == "entry"]
    gone = entry_lines[3]
    missing = json.loads(lines[gone])["entry"]["seq"]
    message = refusal(head_office, "".join(lines[:gone] + lines[gone + 1 :]))
    assert f"entry {missing} is missing" in message and "NORREBRO" in message
    last = entry_lines[-1]
    head = json.loads(lines[last])["entry"]["seq"]
    message = refusal(head_office, "".join(lines[:last] + lines[last + 1 :]))
    assert f"entry {head} is missing" in message
    load(head_office, "".join(lines))
    _f2, c2 = export(shop, since=0)
    shop.sell("T1", [("1004", 1)], "card")
    f3, _c3 = export(shop, since=c2)
    message = refusal(head_office, f3)
    assert f"entries up to {c2 - 1} and this file starts at entry {c2}" in message


def test_an_entry_that_does_not_follow_the_one_before_is_refused(
    shop: Shop, head_office: Shop
) -> None:
    """R-3: inside the file, each entry's link names the entry before it."""
    shop.sell("T1")
    lines = export(shop)[0].splitlines(keepends=True)
    at = next(i for i, x in enumerate(lines) if json.loads(x)["type"] == "entry") + 2
    record = json.loads(lines[at])
    record["entry"]["prev_hash"] = "0" * 64
    lines[at] = json.dumps(record) + "\n"
    message = refusal(head_office, "".join(lines))
    assert f"rewritten at entry {record['entry']['seq']}: it does not follow" in message


def test_a_head_that_is_not_the_files_last_entry_is_refused(shop: Shop, head_office: Shop) -> None:
    """R-3: the header's head must be the entry the file ends with."""
    shop.sell("T1")
    lines = export(shop)[0].splitlines(keepends=True)
    header = json.loads(lines[0])
    header["head"]["hash"] = "f" * 64
    lines[0] = json.dumps(header) + "\n"
    message = refusal(head_office, "".join(lines))
    assert f"rewritten at entry {header['head']['entry']}: the head does not match" in message


def test_a_version_1_file_is_refused_clearly(shop: Shop, head_office: Shop) -> None:
    """R-3: a file without a journal head cannot be checked; it says how to get one."""
    shop.sell("T1")
    lines = export(shop)[0].splitlines(keepends=True)
    header = json.loads(lines[0])
    header["version"] = 1
    lines = [json.dumps(header) + "\n"] + [x for x in lines[1:] if '"type":"entry"' not in x]
    with pytest.raises(InputError, match="line 1: format version 1 carries no journal head"):
        load(head_office, "".join(lines))
    assert head_office.count("sales") == 0


def test_every_export_ends_at_a_head_of_its_own(shop: Shop) -> None:
    """R-3: an export is itself a journal entry, so no two files share a head and a
    journal cut back to an old head cannot pass for an old file."""
    _t1, c1 = export(shop)
    _t2, c2 = export(shop, since=c1)
    assert c2 == c1 + 1
    assert shop.db.scalar("SELECT action FROM audit_log WHERE seq = ?", (c2,)) == "transfer.export"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda h: {**h, "head": {"entry": 2**63, "hash": "a"}}, "'entry' is too large"),
        (lambda h: {**h, "since": 10**30}, "'since' is too large"),
        (lambda h: {**h, "since": -1}, "'since' or 'head' is out of range"),
        (lambda h: {**h, "head": [1]}, "'head' has the wrong type"),
        (lambda h: {**h, "cursor": h["cursor"] - 1}, "'cursor' is not the head's entry"),
        (lambda h: {k: v for k, v in h.items() if k != "origin"}, "'origin' is missing"),
    ],
)
def test_a_damaged_header_is_refused_on_line_1(shop: Shop, head_office: Shop, damage, message):
    """R-3: the head and origin a file names are checked before anything else."""
    shop.sell("T1")
    lines = export(shop)[0].splitlines(keepends=True)
    lines[0] = json.dumps(damage(json.loads(lines[0]))) + "\n"
    before = state(head_office)
    with pytest.raises(InputError, match=f"line 1: {message}"):
        load(head_office, "".join(lines))
    assert state(head_office) == before


def test_a_cursor_out_of_range_is_refused_before_the_export_is_recorded(shop: Shop) -> None:
    """R-4 at the export: a message, and no export entry appended."""
    before = audit.head(shop.db)
    with pytest.raises(InputError, match="out of range"):
        export(shop, since=2**63)
    assert audit.head(shop.db) == before


def test_the_first_file_from_a_store_must_start_at_its_first_entry(
    shop: Shop, head_office: Shop
) -> None:
    """R-8: nothing is held yet, so a file from a later cursor would leave out what came
    before it for good; refused, and the full export goes in."""
    shop.sell("T1")
    _t, cursor = export(shop)
    shop.sell("T1", [("1004", 1)])
    message = refusal(head_office, export(shop, since=cursor)[0])
    assert f"has nothing from it yet and this file starts at entry {cursor}" in message
    assert load(head_office, export(shop)[0]).sales == 2


def test_a_store_file_that_skips_one_of_its_own_is_refused_whatever_other_scopes_hold(
    shop: Shop, head_office: Shop
) -> None:
    """R-8 per scope: Reykjavík's files carry the numbers, not Nørrebro's sales, so a
    Nørrebro file starting after Nørrebro's last one applied is refused."""
    shop.sell("T1")
    f1, c1 = export(shop, store="NORREBRO")
    load(head_office, f1)
    shop.sell("T1", [("1004", 1)])
    _lost, c2 = export(shop, store="NORREBRO", since=c1)  # never imported
    shop.sell("R1", [("1001", 1)])
    load(head_office, export(shop, store="REYKJAVIK")[0])
    shop.sell("T1", [("1002", 3)])
    message = refusal(head_office, export(shop, store="NORREBRO", since=c2)[0])
    assert f"holds entries up to {c1} and this file starts at entry {c2}" in message


def test_the_head_offices_z_report_of_a_store_session_prints_the_stores_close_entry(
    shop: Shop, head_office: Shop
) -> None:
    """R-3 at the head office: an imported closed session's Z report shows the head the
    store printed on its own Z (the store's close entry, as the store sent it)."""
    from core.printing import receipts
    from core.printing.layout import to_text

    sale = shop.sell("T1", [("1002", 2)], "cash")
    shop.close("T1")
    load(head_office, export(shop)[0])
    seq, digest = shop.db.one(
        "SELECT seq, hash FROM audit_log WHERE action = 'session.close' AND entity_id = ?",
        (str(sale.session_id),),
    )
    here = head_office.db.scalar("SELECT session_id FROM transfer_sessions")
    d = sessions.session_details(head_office.db, head_office.manager, here)
    assert (d.head.seq, d.head.hash) == (seq, digest)
    assert f"{seq}:{digest[:16]}" in to_text(receipts.z_report(d, "en"), 42)
