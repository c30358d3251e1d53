"""Thin clients paired with their terminal (SPEC W-2): a revocable token per terminal.

`kassi terminal pair T3` makes a token and prints the URL a thin client opens; the
browser till (`kassi serve`) gives a till only to a request whose token is a live
pairing, and that till is always the pairing's terminal. Only the token's SHA-256 is
stored: the token itself is shown once, to the manager who paired. Pairing a terminal
again revokes its pairing before (one thin client per terminal); every pairing and
revocation is in the audit journal.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
from urllib.parse import urlsplit

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError, NotFound
from core.staff.auth import require
from core.store.db import Db
from core.store.records import Staff
from core.store.terminals import get_terminal
from core.text.i18n import _

PERMISSION = "config.manage"
# What secrets.token_urlsafe makes; anything else is not a token and is never hashed.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


@frozen
class Pairing:
    id: int
    terminal_id: str
    created_at: str
    created_by: str | None
    revoked_at: str | None
    revoked_by: str | None

    @property
    def live(self) -> bool:
        return self.revoked_at is None


@frozen
class NewPairing:
    """A pairing just made, with its token: the only time the token is known."""

    pairing: Pairing
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _revoke_live(db: Db, actor: Staff, terminal_id: str, reason: str) -> int | None:
    row = db.one(
        "SELECT id FROM terminal_pairings WHERE terminal_id = ? AND revoked_at IS NULL",
        (terminal_id,),
    )
    if row is None:
        return None
    db.execute(
        "UPDATE terminal_pairings SET revoked_at = ?, revoked_by = ? WHERE id = ?",
        (db.now_iso(), actor.id, row[0]),
    )
    audit.append(
        db,
        "terminal.unpair",
        staff_id=actor.id,
        terminal_id=terminal_id,
        entity="terminal_pairing",
        entity_id=row[0],
        details={"reason": reason},
    )
    return int(row[0])


def pair(db: Db, actor: Staff, terminal_id: str) -> NewPairing:
    """A new pairing for the terminal; its pairing before, if any, is revoked with it."""
    token = secrets.token_urlsafe(32)
    with db.write():
        require(actor, PERMISSION)
        get_terminal(db, terminal_id)
        replaced = _revoke_live(db, actor, terminal_id, "paired again")
        cur = db.execute(
            "INSERT INTO terminal_pairings (terminal_id, token_hash, created_at, created_by)"
            " VALUES (?, ?, ?, ?)",
            (terminal_id, token_hash(token), db.now_iso(), actor.id),
        )
        pairing_id = int(cur.lastrowid)
        audit.append(
            db,
            "terminal.pair",
            staff_id=actor.id,
            terminal_id=terminal_id,
            entity="terminal_pairing",
            entity_id=pairing_id,
            details={"replaces": replaced} if replaced else {},
        )
        made = _get(db, pairing_id)
    return NewPairing(made, token)


def unpair(db: Db, actor: Staff, terminal_id: str) -> int:
    """Revoke the terminal's pairing: its thin client gets the refusal page from now on."""
    with db.write():
        require(actor, PERMISSION)
        get_terminal(db, terminal_id)
        revoked = _revoke_live(db, actor, terminal_id, "revoked")
        if revoked is None:
            raise NotFound(
                _("Terminal {id} has no thin client paired with it.").format(id=terminal_id)
            )
    return revoked


def paired_terminal(db: Db, token: str | None) -> str | None:
    """The terminal a token is the live pairing of; None for anything else."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    row = db.one(
        "SELECT terminal_id FROM terminal_pairings WHERE token_hash = ? AND revoked_at IS NULL",
        (token_hash(token),),
    )
    return row[0] if row is not None else None


def _get(db: Db, pairing_id: int) -> Pairing:
    row = db.one("SELECT * FROM terminal_pairings WHERE id = ?", (pairing_id,))
    return _from_row(row)


def _from_row(row) -> Pairing:
    return Pairing(
        id=row["id"],
        terminal_id=row["terminal_id"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        revoked_at=row["revoked_at"],
        revoked_by=row["revoked_by"],
    )


def list_pairings(db: Db, terminal_id: str | None = None) -> list[Pairing]:
    """Every pairing, newest first (live and revoked), of one terminal or all."""
    if terminal_id:
        get_terminal(db, terminal_id)
        rows = db.all(
            "SELECT * FROM terminal_pairings WHERE terminal_id = ? ORDER BY id DESC",
            (terminal_id,),
        )
    else:
        rows = db.all("SELECT * FROM terminal_pairings ORDER BY id DESC")
    return [_from_row(r) for r in rows]


def check_base_url(url: str) -> str:
    """The address thin clients reach `kassi serve` at: http(s)://host[:port][/path]."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise InputError(
            _("The address of `kassi serve` is http://HOST:PORT (got {url!r}).").format(
                url=url[:80]
            )
        )
    return url.strip().rstrip("/")


DEFAULT_PORT = 8000


def default_base_url() -> str:
    """Where thin clients reach `kassi serve` when nobody said: KASSI_SERVE_URL, else
    this machine's name and KASSI_SERVE_PORT (8000)."""
    url = os.environ.get("KASSI_SERVE_URL")
    if url:
        return url
    port = os.environ.get("KASSI_SERVE_PORT", str(DEFAULT_PORT))
    return f"http://{socket.gethostname()}:{port}"


def pairing_url(base_url: str, token: str) -> str:
    return f"{check_base_url(base_url)}/?t={token}"
