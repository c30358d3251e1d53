"""The store's secret, kept in a file outside the database (SPEC R-1, R-10).

One random 32-byte seed per store database, in a key file of its own (mode
0600). Whoever copies only the database file gets neither the key that signs
the audit journal nor the pepper of the PIN hashes. Both are derived from the
seed with HKDF, each for its own purpose, so one file is all there is to guard
and back up.

Where the file lives: ``KASSI_KEY_FILE`` if set, else the database path with
``.key`` appended (``var/kassi.db`` -> ``var/kassi.db.key``); a shop that keeps
its database on a shared disk points ``KASSI_KEY_FILE`` somewhere else. A head
office on PostgreSQL has no file to put it beside: its key is in the user's
configuration directory, named after the server and database
(``hq-HOST-PORT-DBNAME.key``), and each back-office machine gets a copy, as it
would an SSH key (X-1). An in-memory database (tests) gets a key that lives as
long as the process.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from functools import cached_property
from pathlib import Path

from core.errors import KassiError
from core.store.db import is_server_url
from core.text.i18n import _

SEED_BYTES = 32
_MEMORY = ":memory:"


class KeyFileError(KassiError):
    """The key file is missing, unreadable, too open or malformed."""

    exit_code = 4


def key_path(db_path: str) -> Path | None:
    """Where the key of the database at ``db_path`` lives (None: in memory only)."""
    configured = os.environ.get("KASSI_KEY_FILE")
    if configured:
        return Path(configured)
    if db_path == _MEMORY:
        return None
    if is_server_url(db_path):
        return _server_key_path(db_path)
    return Path(db_path + ".key")


def _server_key_path(url: str) -> Path:
    import re
    from urllib.parse import urlsplit

    import platformdirs

    parts = urlsplit(url)
    name = f"hq-{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.strip('/') or 'kassi'}"
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return Path(platformdirs.user_config_dir("kassi")) / f"{safe}.key"


def _hkdf(seed: bytes, purpose: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(seed)


class KeyRing:
    """The secrets derived from one seed. Nothing here is ever stored in the database."""

    def __init__(self, seed: bytes, path: Path | None) -> None:
        if len(seed) != SEED_BYTES:
            raise KeyFileError(_("The key file {path} is damaged.").format(path=path))
        self._seed = seed
        self.path = path

    @cached_property
    def pepper(self) -> bytes:
        """Mixed into every PIN hash: a copied database alone cannot be cracked offline."""
        return _hkdf(self._seed, b"kassi pin pepper v1")

    @cached_property
    def signing_key(self):  # -> cryptography Ed25519PrivateKey
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(_hkdf(self._seed, b"kassi audit ed25519 v1"))

    @cached_property
    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.signing_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @cached_property
    def key_id(self) -> str:
        """A short public name of the key: the first 16 hex digits of its public key's hash."""
        return hashlib.sha256(self.public_key).hexdigest()[:16]

    def sign(self, data: bytes) -> bytes:
        return self.signing_key.sign(data)


def verify_signature(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is the Ed25519 signature of ``data`` by ``public_key``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


_memory_seed: bytes | None = None


def load(db_path: str, *, create: bool = False) -> KeyRing:
    """The key ring of a database; ``create`` makes the key file when there is none.

    A key file that others can read is refused: the pepper and the signing key
    are only worth anything while they stay secret.
    """
    global _memory_seed
    path = key_path(db_path)
    if path is None:
        if _memory_seed is None:
            _memory_seed = secrets.token_bytes(SEED_BYTES)
        return KeyRing(_memory_seed, None)
    if not path.exists():
        if not create:
            raise KeyFileError(
                _(
                    "The key file {path} is missing; without it the journal cannot be signed."
                ).format(path=path)
            )
        return KeyRing(_create(path), path)
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                _("The key file {path} can be read by others; run: chmod 600 {path}").format(
                    path=path
                )
            )
        text = path.read_text("ascii").strip()
        seed = bytes.fromhex(text)
    except (OSError, UnicodeError, ValueError):
        raise KeyFileError(_("The key file {path} cannot be read.").format(path=path)) from None
    return KeyRing(seed, path)


def _create(path: Path) -> bytes:
    seed = secrets.token_bytes(SEED_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes creating at once never overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text("ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(seed.hex() + "\n")
        f.flush()
        os.fsync(f.fileno())
    return seed
