"""How an audit entry's hash and the journal's signed messages are made (SPEC R-1).

An entry's hash is SHA-256 of the previous entry's hash followed by the canonical
JSON of its fields (FIELDS, in that order); a signed entry adds a version tag, the
rows it covers and the key id. Each thing the store's key signs starts with its own
purpose prefix, so a signature made for one (an entry) never passes for another (the
head, the verify checkpoint).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

GENESIS = "0" * 64
ENTRY_PURPOSE = b"kassi audit entry v1\n"
HEAD_PURPOSE = b"kassi audit head v1\n"
VERIFIED_PURPOSE = b"kassi audit verified v1\n"

# The audit_log columns an entry's hash covers, in the order they are hashed.
FIELDS = (
    "seq",
    "at",
    "staff_id",
    "terminal_id",
    "action",
    "entity",
    "entity_id",
    "amount",
    "details",
)

canon = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _chained(prev_hash: str, payload: list[Any]) -> str:
    return hashlib.sha256((prev_hash + canon(payload)).encode("utf-8")).hexdigest()


def legacy_digest(prev_hash: str, fields: Sequence[Any]) -> str:
    """The unkeyed hash of an entry from before signing (kept to check legacy entries)."""
    return _chained(prev_hash, list(fields))


def entry_digest(prev_hash: str, fields: Sequence[Any], covers: str, key_id: str) -> str:
    """The hash of a signed entry: its canonical content including the previous hash."""
    return _chained(prev_hash, ["v1", *fields, covers, key_id])


def head_message(seq: int, digest: str) -> bytes:
    """What the key signs for the journal's head (``audit_head``)."""
    return HEAD_PURPOSE + f"{seq}:{digest}".encode("ascii")


def checkpoint_message(seq: int, digest: str) -> bytes:
    """What the key signs for the head an intact verify checked (``audit_verified``)."""
    return VERIFIED_PURPOSE + f"{seq}:{digest}".encode("ascii")
