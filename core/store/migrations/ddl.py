"""Running a migration's DDL inside the migration's own transaction."""

from __future__ import annotations

import sqlite_utils


def run(db: sqlite_utils.Database, ddl: str) -> None:
    """Each statement of ``ddl`` in turn; statements end with ";" at a line's end."""
    # executescript() would COMMIT our transaction; run statement by statement.
    for statement in ddl.split(";\n"):
        if statement.strip():
            db.execute(statement)
