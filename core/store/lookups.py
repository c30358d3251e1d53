"""Reading records the same way everywhere: one by its id (NotFound when there is none)
and a page of a table, newest first, narrowed by columns that must equal a value."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from core.errors import NotFound
from core.store.db import Db
from core.text.i18n import _


def by_id(db: Db, table: str, record_id: Any, missing: str) -> sqlite3.Row:
    """The row of ``table`` with this id; ``missing`` (an ``N_`` message with ``{id}``)
    translated only when there is none, so a lookup that finds its row pays nothing."""
    row = db.one(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
    if row is None:
        raise NotFound(_(missing).format(id=record_id))
    return row


def newest_first(
    db: Db, table: str, equal: Mapping[str, Any], limit: int, offset: int
) -> list[sqlite3.Row]:
    """A page of ``table`` by descending id; a column whose value is None or empty is
    not a condition (a list "of every store" is the one given no store)."""
    conditions = {column: value for column, value in equal.items() if value}
    where = " AND ".join(f"{column} = ?" for column in conditions)
    sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "")
    return db.all(sql + " ORDER BY id DESC LIMIT ? OFFSET ?", (*conditions.values(), limit, offset))
