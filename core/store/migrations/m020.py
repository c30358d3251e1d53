"""Migration 20: thin clients paired with their terminal (issue 15, SPEC W-2).

Applied in the order core/store/schema.py lists them; never change one's meaning.
"""

from __future__ import annotations

import sqlite_utils

from core.store.migrations import ddl


def m020_terminal_pairings(db: sqlite_utils.Database) -> None:
    """``terminal_pairings``: which thin client may be which terminal's till in a browser.

    Only a hash of the pairing token is stored (a copy of the database does not give
    anyone a till). A terminal has at most one live pairing (partial unique index):
    pairing it again revokes the one before. A revoked pairing stays, with who revoked it
    and when, so the history of pairings is there to read beside their audit entries.
    """
    ddl.run(
        db,
        """CREATE TABLE terminal_pairings (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at TEXT NOT NULL,
    created_by TEXT REFERENCES staff(id),
    revoked_at TEXT,
    revoked_by TEXT REFERENCES staff(id)
);
CREATE UNIQUE INDEX terminal_pairings_live ON terminal_pairings(terminal_id)
    WHERE revoked_at IS NULL;
""",
    )
