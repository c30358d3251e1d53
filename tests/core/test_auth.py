"""Login that scales and resists guessing (SPEC R-10): the PIN is checked outside the
write lock, lockouts escalate until a manager resets them, PINs have a store minimum,
hashes are peppered with the key outside the database, and an unknown id looks and
costs exactly like a wrong PIN."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import AuthError, InputError, PermissionDenied
from core.staff import auth, pins
from core.store import demo, keyring, staff_members, stores
from core.store.db import Db, parse_iso
from tests.conftest import FakeClock

WRONG = "Wrong staff id or PIN."


def _fail(db: Db, staff_id: str, pin: str) -> str:
    with pytest.raises(AuthError) as err:
        auth.authenticate(db, staff_id, pin)
    return err.value.message


def _lock(db: Db, staff_id: str = "2") -> str:
    for _ in range(auth.MAX_FAILED_PINS - 1):
        assert _fail(db, staff_id, "0000") == WRONG
    return _fail(db, staff_id, "0000")


def _locked_for(db: Db, clock: FakeClock, staff_id: str = "2") -> timedelta:
    until = db.scalar("SELECT locked_until FROM staff WHERE id = ?", (staff_id,))
    return parse_iso(until) - clock.now


@pytest.fixture
def file_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Db:
    monkeypatch.delenv("KASSI_KEY_FILE", raising=False)
    database = Db(tmp_path / "store.db")
    demo.load_demo(database, printer_dir=tmp_path)
    yield database
    database.close()


# -- outside the write lock ------------------------------------------------------------


@pytest.mark.parametrize(
    ("staff_id", "pin"), [("2", "2222"), ("2", "0000"), ("nobody", "1234")], ids=str
)
def test_the_pin_is_checked_while_another_till_can_write(
    file_db: Db, monkeypatch: pytest.MonkeyPatch, staff_id: str, pin: str
) -> None:
    """SPEC R-10: the scrypt check runs outside any transaction: while it runs, another
    connection takes the write lock at once (right PIN, wrong PIN, unknown id)."""
    other = sqlite3.connect(file_db.path, timeout=0, isolation_level=None)
    real = pins._scrypt
    wrote = []

    def scrypt_while_another_writes(*args):
        assert not file_db.in_write and not file_db.conn.in_transaction
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if login held the lock
        other.execute("UPDATE terminals SET name = name")
        other.execute("COMMIT")
        wrote.append(True)
        return real(*args)

    monkeypatch.setattr(pins, "_scrypt", scrypt_while_another_writes)
    with contextlib.suppress(AuthError):
        auth.authenticate(file_db, staff_id, pin)
    other.close()
    assert wrote == [True]


def test_every_path_costs_one_scrypt(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC R-10: an unknown id, an inactive one, a locked one, a wrong and a right PIN
    each cost exactly one scrypt, so timing does not tell which ids exist."""
    calls = []
    real = pins._scrypt
    monkeypatch.setattr(pins, "_scrypt", lambda *a: calls.append(a[3]) or real(*a))
    db.execute("UPDATE staff SET active = 0 WHERE id = '3'")
    for staff_id, pin in [("nobody", "1234"), ("3", "3333"), ("2", "0000"), ("2", "2222")]:
        calls.clear()
        with contextlib.suppress(AuthError):
            auth.authenticate(db, staff_id, pin)
        assert len(calls) == 1, staff_id
    _lock(db)
    calls.clear()
    _fail(db, "2", "2222")
    assert len(calls) == 1
    assert len(set(calls)) == 1  # the dummy hash costs what a real one does (same N)


# -- messages --------------------------------------------------------------------------


def test_no_message_names_anyone_before_a_correct_pin(db: Db, manager) -> None:
    """SPEC R-10: an unknown id gets the wrong-PIN message word for word; neither that nor
    the lockout message names the person whose id was typed."""
    staff_members.add_staff(db, manager, "9", "Ingrid Inactive", "9999")
    db.execute("UPDATE staff SET active = 0 WHERE id = '9'")
    unknown = _fail(db, "no-such-id", "1234")
    inactive = _fail(db, "9", "9999")
    wrong = _fail(db, "2", "0000")
    assert unknown == inactive == wrong == WRONG
    locking = _lock(db, "3")
    refused = _fail(db, "3", "3333")
    assert locking.startswith("This account is locked for 5 more minutes.")
    assert refused == locking
    names = [r["name"] for r in db.all("SELECT name FROM staff")]
    for message in (unknown, wrong, locking, refused):
        assert not any(name in message or name.split()[0] in message for name in names)


# -- lockout ---------------------------------------------------------------------------


def test_lockouts_escalate_5_10_20_minutes_and_a_good_pin_keeps_the_escalation(
    db: Db, clock: FakeClock
) -> None:
    """SPEC R-10: five wrong PINs lock for 5 minutes, each further lockout doubles; a
    correct PIN clears the wrong tries but not the escalation (only a manager does)."""
    for minutes in (5, 10, 20):
        assert (
            _lock(db)
            == f"This account is locked for {minutes} more minutes. A manager can unlock it."
        )
        assert _locked_for(db, clock) == timedelta(minutes=minutes)
        assert _fail(db, "2", "2222").startswith("This account is locked")  # right PIN too
        clock.advance(minutes=minutes)
        assert auth.authenticate(db, "2", "2222").id == "2"
    row = db.one("SELECT failed_pins, locked_until, lockouts FROM staff WHERE id = '2'")
    assert tuple(row) == (0, None, 3)
    _lock(db)
    assert _locked_for(db, clock) == timedelta(minutes=40)
    actions = [r[0] for r in db.all("SELECT action FROM audit_log WHERE action LIKE 'login.%'")]
    assert actions.count("login.locked") == 4 and actions.count("login.failed") == 16


def test_the_lockout_is_capped_at_a_day() -> None:
    """SPEC R-10: doubling stops at one day (a shop's staff must be able to come back)."""
    assert [auth.lockout_for(n) for n in range(3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert auth.lockout_for(9) == auth.lockout_for(10_000) == timedelta(days=1)


def test_a_manager_resets_a_lockout_and_its_escalation(db: Db, clock: FakeClock, manager) -> None:
    """SPEC R-10: `unlock` (a manager's) clears the lock at once and starts again at 5 min."""
    _lock(db)
    clock.advance(minutes=5)
    _lock(db)
    assert _locked_for(db, clock) == timedelta(minutes=10)
    cashier_3 = auth.authenticate(db, "3", "3333")
    with pytest.raises(PermissionDenied):
        auth.unlock(db, cashier_3, "2")
    auth.unlock(db, manager, "2")
    assert auth.authenticate(db, "2", "2222").id == "2"
    entry = db.one("SELECT * FROM audit_log WHERE action = 'staff.unlock'")
    assert (entry["staff_id"], entry["entity_id"]) == ("1", "2")
    _lock(db)
    assert _locked_for(db, clock) == timedelta(minutes=5)


# -- PIN length ------------------------------------------------------------------------


def test_the_store_minimum_pin_length_is_checked_when_a_pin_is_set(db: Db, manager) -> None:
    """SPEC R-10: min_pin_length (default 4, 6 recommended) holds for every new PIN; the
    strictest store counts, since staff log in at every store."""
    assert stores.get_store(db, "NORREBRO").min_pin_length == 4
    staff_members.add_staff(db, manager, "20", "Four Digits", "1357")
    stores.update_store(db, manager, "REYKJAVIK", min_pin_length="6")
    with pytest.raises(InputError, match=r"A PIN is 6 to 8 digits\."):
        staff_members.add_staff(db, manager, "21", "Too Short", "13579")
    staff_members.add_staff(db, manager, "21", "Long Enough", "135790")
    assert auth.authenticate(db, "21", "135790").id == "21"
    assert auth.authenticate(db, "20", "1357").id == "20"  # set before: still valid
    for bad in ("3", "9", "six", "", True, "٦"):
        with pytest.raises(InputError, match="minimum PIN length"):
            stores.update_store(db, manager, "NORREBRO", min_pin_length=bad)


# -- the pepper ------------------------------------------------------------------------


def test_a_database_copied_without_its_key_file_cannot_check_a_pin(
    file_db: Db, tmp_path: Path
) -> None:
    """SPEC R-10: the hash is peppered with the key outside the database: a copy of the
    file alone cannot verify (nor, offline, crack) any PIN, and a new key does not help."""
    stored = file_db.scalar("SELECT pin_hash FROM staff WHERE id = '1'")
    assert stored.startswith(pins.PEPPERED + "$")
    n, r, p, salt, digest = stored.split("$")[1:]
    unpeppered = pins._scrypt("1234", bytes.fromhex(salt), int(n), int(r), int(p))
    assert unpeppered.hex() != digest  # what an offline search computes never matches
    assert pins.verify(file_db.keyring.pepper, "1234", stored)
    assert not pins.verify(keyring.KeyRing(b"\x01" * 32, None).pepper, "1234", stored)

    copy = tmp_path / "copied" / "store.db"
    copy.parent.mkdir()
    file_db.close()
    shutil.copy(file_db.path, copy)
    with Db(copy) as stolen:
        with pytest.raises(keyring.KeyFileError, match="missing"):
            auth.authenticate(stolen, "1", "1234")
        assert not Path(str(copy) + ".key").exists()  # never replaced silently
        keyring.load(str(copy), create=True)  # a fresh key is no help
        with pytest.raises(AuthError, match="Wrong staff id or PIN"):
            auth.authenticate(stolen, "1", "1234")


def test_an_unpeppered_hash_is_upgraded_at_the_next_good_login(file_db: Db) -> None:
    """SPEC R-10: hashes from before the pepper still log in, and the first good login
    seals every one of them with the pepper (no PIN needed for the others)."""
    for staff_id, pin in (("1", "1234"), ("2", "2222"), ("3", "3333")):
        salt = bytes(range(16))
        digest = pins._scrypt(pin, salt, pins._SCRYPT_N, pins._SCRYPT_R, pins._SCRYPT_P)
        legacy = (
            f"scrypt${pins._SCRYPT_N}${pins._SCRYPT_R}${pins._SCRYPT_P}${salt.hex()}${digest.hex()}"
        )
        file_db.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", (legacy, staff_id))
    assert _fail(file_db, "2", "0000") == WRONG  # a wrong PIN upgrades nothing
    assert file_db.scalar("SELECT COUNT(*) FROM staff WHERE pin_hash LIKE 'scrypt$%'") == 3
    assert auth.authenticate(file_db, "2", "2222").id == "2"
    hashes = [r[0] for r in file_db.all("SELECT pin_hash FROM staff ORDER BY id")]
    assert all(h.startswith(pins.PEPPERED + "$") for h in hashes)
    for staff_id, pin in (("1", "1234"), ("2", "2222"), ("3", "3333")):
        assert auth.authenticate(file_db, staff_id, pin).id == staff_id
    assert _fail(file_db, "3", "1234") == WRONG


def test_hashes_differ_with_the_pepper(file_db: Db, tmp_path: Path, monkeypatch) -> None:
    """SPEC R-10: the same PIN and salt give another hash under another store's key."""
    digest = bytes(32)
    assert pins._seal(file_db.keyring.pepper, digest) != pins._seal(b"\x02" * 32, digest)
    monkeypatch.setenv("KASSI_KEY_FILE", str(tmp_path / "other.key"))
    with Db(tmp_path / "other.db") as other:
        demo.load_demo(other, printer_dir=tmp_path)
        mine = file_db.scalar("SELECT pin_hash FROM staff WHERE id = '1'")
        theirs = other.scalar("SELECT pin_hash FROM staff WHERE id = '1'")
        assert other.keyring.pepper != file_db.keyring.pepper
        assert not pins.verify(other.keyring.pepper, "1234", mine)
        assert pins.verify(other.keyring.pepper, "1234", theirs)
