"""PIN rules and PIN hashing (SPEC R-10); logging in with a PIN is core.staff.auth's.

- A PIN is 4 to 8 digits; the stores' ``min_pin_length`` raises the minimum.
- A hash is scrypt of the PIN with its salt, then HMAC-SHA256 with the store's
  pepper (core.store.keyring, kept in a key file outside the database). A copied
  database file alone cannot test a single guess; a 4-digit PIN space no longer
  falls to an offline search. Hashes from before the pepper ("scrypt$...") are
  upgraded in place on the next successful login: the HMAC goes over the stored
  scrypt digest, so every one can be upgraded without knowing its PIN.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from core.audit import journal as audit
from core.errors import InputError
from core.store.db import Db
from core.text.i18n import _

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
PEPPERED = "scrypt-hmac"  # scrypt, then HMAC-SHA256 keyed with the pepper
LEGACY = "scrypt"  # before the pepper: scrypt alone, salt in the same row
PIN_MIN, PIN_MAX = 4, 8
DEFAULT_MIN_PIN_LENGTH, RECOMMENDED_MIN_PIN_LENGTH = 4, 6


# -- PIN rules -------------------------------------------------------------------------


def check_pin_format(pin: str, minimum: int = PIN_MIN) -> None:
    if not (
        isinstance(pin, str) and pin.isascii() and pin.isdigit() and minimum <= len(pin) <= PIN_MAX
    ):
        raise InputError(_("A PIN is {min} to {max} digits.").format(min=minimum, max=PIN_MAX))


def check_min_pin_length(value: object) -> int:
    """The store setting min_pin_length: a whole number of digits, 4 to 8."""
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not (
        text.isascii() and text.isdigit() and len(text) <= 2 and PIN_MIN <= int(text) <= PIN_MAX
    ):
        raise InputError(
            _(
                "The minimum PIN length is a number of digits from {min} to {max} (6 is wise)."
            ).format(min=PIN_MIN, max=PIN_MAX)
        )
    return int(text)


def min_pin_length(db: Db) -> int:
    """The strictest store's minimum: staff can log in at every store of the database."""
    if "min_pin_length" not in db.columns("stores"):
        return DEFAULT_MIN_PIN_LENGTH  # a database opened before its migration (m010)
    value = db.scalar("SELECT MAX(min_pin_length) FROM stores")
    return value if value is not None else DEFAULT_MIN_PIN_LENGTH


# -- hashing ---------------------------------------------------------------------------


def pepper_of(db: Db) -> bytes:
    """The store's pepper; the key file is made here only for a database with no peppered hash.

    A database that already holds peppered hashes and has lost its key file must
    not get a fresh key silently: every PIN would then fail. It says so instead
    (core.store.keyring.KeyFileError).
    """
    from core.store import keyring

    try:
        return db.keyring.pepper
    except keyring.KeyFileError:
        path = keyring.key_path(db.path)
        if path is None or path.exists():
            raise
        if db.one("SELECT 1 FROM staff WHERE pin_hash LIKE ? LIMIT 1", (PEPPERED + "$%",)):
            raise
        return keyring.load(db.path, create=True).pepper


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=2**26)


def _seal(pepper: bytes, digest: bytes) -> bytes:
    return hmac.new(pepper, digest, hashlib.sha256).digest()


def hash_pin(db: Db, pin: str) -> str:
    """A peppered hash of a new PIN, checked against the stores' minimum length."""
    check_pin_format(pin, min_pin_length(db))
    salt = secrets.token_bytes(16)
    digest = _seal(pepper_of(db), _scrypt(pin, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P))
    return f"{PEPPERED}${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify(pepper: bytes, pin: str, stored: str) -> bool:
    """One scrypt whatever `stored` is, so a bad row costs what a good one does."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        params = int(n), int(r), int(p)
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        scheme, params, salt, digest = "", (_SCRYPT_N, _SCRYPT_R, _SCRYPT_P), b"\0" * 16, b""
    candidate = _scrypt(pin, salt, *params)
    if scheme == PEPPERED:
        candidate = _seal(pepper, candidate)
    elif scheme != LEGACY:
        return False
    return hmac.compare_digest(candidate, digest)


def pin_matches(db: Db, pin: str, stored: str) -> bool:
    return verify(pepper_of(db), pin, stored)


UNSET = "unset"  # a staff member who came from head office without a PIN (core.sync)


def unset_hash() -> str:
    """What a PIN-less staff member's row holds: no PIN matches it (``verify``)."""
    return f"{UNSET}${secrets.token_hex(8)}"


def is_unset(stored: str) -> bool:
    return stored.startswith(UNSET + "$")


def dummy_hash() -> str:
    """A hash no PIN matches, at today's cost: what an unknown id is checked against."""
    salt = secrets.token_bytes(16).hex()
    return f"{PEPPERED}${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt}${secrets.token_hex(32)}"


def _upgraded(pepper: bytes, stored: str) -> str | None:
    """A pre-pepper hash sealed with the pepper (no PIN needed); None if not legacy."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != LEGACY:
        return None
    sealed = _seal(pepper, bytes.fromhex(parts[5]))
    return "$".join([PEPPERED, *parts[1:5], sealed.hex()])


def upgrade_legacy_hashes(db: Db) -> int:
    """Seal every pre-pepper hash with the pepper, in the caller's transaction; how many."""
    pepper = pepper_of(db)
    rows = db.all("SELECT id, pin_hash FROM staff WHERE pin_hash LIKE ?", (LEGACY + "$%",))
    for row in rows:
        new = _upgraded(pepper, row["pin_hash"])
        if new is not None:
            db.execute(
                "UPDATE staff SET pin_hash = ? WHERE id = ? AND pin_hash = ?",
                (new, row["id"], row["pin_hash"]),
            )
    if rows:
        # The hash is a covered column: the journal records the new one.
        audit.append(
            db,
            "staff.pin_upgrade",
            entity="staff",
            details={"staff": [row["id"] for row in rows]},
        )
    return len(rows)
