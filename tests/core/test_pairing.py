"""Thin clients paired with their terminal (SPEC W-2): tokens, revocation, audit."""

from __future__ import annotations

import pytest

from core.audit import verification
from core.errors import InputError, NotFound, PermissionDenied
from core.tills import pairing


def _entries(db, action: str) -> list:
    return db.all("SELECT * FROM audit_log WHERE action = ? ORDER BY seq", (action,))


def test_a_paired_token_names_its_terminal_and_nothing_else_does(db, manager):
    """W-2: the token a pairing printed is that terminal's; a wrong, cut, padded or
    malformed token, and no token, name no terminal."""
    made = pairing.pair(db, manager, "T1")
    assert pairing.paired_terminal(db, made.token) == "T1"
    other = pairing.pair(db, manager, "T2")
    assert pairing.paired_terminal(db, other.token) == "T2"
    for wrong in (
        None,
        "",
        made.token[:-1],
        made.token + "A",
        made.token.upper() if made.token.upper() != made.token else made.token.lower(),
        "x" * 40,
        made.token + "\x1b[2J",
        "' OR 1=1 --",
        "A" * 100_000,
    ):
        assert pairing.paired_terminal(db, wrong) is None, wrong


def test_only_the_tokens_hash_is_stored(db, manager):
    """W-2: a copy of the database gives nobody a till: the token is not in it."""
    made = pairing.pair(db, manager, "T1")
    rows = db.all("SELECT * FROM terminal_pairings")
    assert all(made.token not in str(tuple(r)) for r in rows)
    assert rows[0]["token_hash"] == pairing.token_hash(made.token)


def test_pairing_again_revokes_the_pairing_before(db, manager):
    """W-2: one thin client per terminal: a new pairing revokes the old token."""
    first = pairing.pair(db, manager, "T1")
    second = pairing.pair(db, manager, "T1")
    assert pairing.paired_terminal(db, first.token) is None
    assert pairing.paired_terminal(db, second.token) == "T1"
    listed = pairing.list_pairings(db, "T1")
    assert [p.live for p in listed] == [True, False]
    assert listed[1].revoked_by == manager.id


def test_a_revoked_token_gets_no_till_and_revoking_twice_is_one_line(db, manager):
    """W-2: revoking ends the pairing; there is then nothing left to revoke."""
    made = pairing.pair(db, manager, "T1")
    pairing.unpair(db, manager, "T1")
    assert pairing.paired_terminal(db, made.token) is None
    with pytest.raises(NotFound, match="no thin client paired"):
        pairing.unpair(db, manager, "T1")


def test_pairing_needs_config_manage_and_a_known_terminal(db, cashier, manager):
    """W-2: a cashier cannot pair a thin client; an unknown terminal changes nothing."""
    with pytest.raises(PermissionDenied):
        pairing.pair(db, cashier, "T1")
    with pytest.raises(NotFound):
        pairing.pair(db, manager, "NOPE")
    assert db.scalar("SELECT COUNT(*) FROM terminal_pairings") == 0


def test_every_pairing_and_revocation_is_audited_and_verify_catches_a_slipped_in_one(db, manager):
    """W-2 / R-2: pair, pair again and revoke each leave an entry; a pairing written into
    the file outside kassi (a token hash of someone's own) is named by `audit verify`."""
    pairing.pair(db, manager, "T1")
    pairing.pair(db, manager, "T1")
    pairing.unpair(db, manager, "T1")
    assert len(_entries(db, "terminal.pair")) == 2
    assert len(_entries(db, "terminal.unpair")) == 2
    assert verification.verify(db).ok
    db.execute(
        "INSERT INTO terminal_pairings (terminal_id, token_hash, created_at) VALUES (?, ?, ?)",
        ("T1", pairing.token_hash("x" * 43), "2026-01-01T00:00:00Z"),
    )
    db.execute("DELETE FROM temp.kassi_touched")  # as another program's connection would be
    result = verification.verify(db)
    assert not result.ok
    assert "terminal_pairings" in result.problem


def test_the_pairing_url_needs_an_http_address(db):
    """W-2: `kassi terminal pair --url` takes http(s)://HOST:PORT, nothing else."""
    assert pairing.pairing_url("http://till-pc:8000/", "abc") == "http://till-pc:8000/?t=abc"
    for bad in ("till-pc:8000", "ftp://x", "http://", "http://x/?a=1", "javascript:alert(1)"):
        with pytest.raises(InputError):
            pairing.check_base_url(bad)
