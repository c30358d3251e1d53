"""How a covered row's content hash is made, and how written rows are noted (R-1, R-2).

Which tables and columns are covered is decided in core.audit.covered. A row's hash is
SHA-256 (first 128 bits, hex) of the canonical JSON of its hashed columns, sorted by name,
as stored. Each audit entry lists the rows its operation wrote as ``[table, key, hash]``
(``hash`` null for a deleted row), and ``audit verify`` recomputes every row against the
newest entry that lists it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from core.audit.covered import COVERED

ROW_HASH_HEX = 32


def canonical_key(values: Iterable[Any]) -> str:
    """A row's key as stored in an entry: the JSON array of its primary-key values."""
    return _ENCODE_KEY(list(values))


_ENCODE_KEY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def row_hash(columns: Sequence[str], values: Sequence[Any]) -> str:
    """The content hash of one row: canonical JSON of its hashed columns (sorted), as stored."""
    doc = dict(zip(columns, values, strict=True))
    for column, value in doc.items():
        if isinstance(value, bytes):  # a BLOB: its hex (JSON has no bytes)
            doc[column] = value.hex()
    return hashlib.sha256(_ENCODE(doc).encode("utf-8")).hexdigest()[:ROW_HASH_HEX]


def select_all(table: str) -> str:
    """Every row of a covered table: key columns first, then the hashed columns (sorted)."""
    cover = COVERED[table]
    cols = ", ".join(f'"{c}"' for c in (*cover.key, *cover.columns))
    return f'SELECT {cols} FROM "{table}"'


def select_one(table: str) -> str:
    cover = COVERED[table]
    where = " AND ".join(f'"{c}" = ?' for c in cover.key)
    return f"{select_all(table)} WHERE {where}"


def trigger_ddl(table: str, existing: set[str]) -> list[str]:
    """Temporary triggers that note every written row of ``table`` for the next audit entry.

    TEMP: they exist only on kassi's own connections, so a row written by any other
    program is never noted, never hashed into an entry, and ``audit verify`` finds it.
    An UPDATE is noted only when it touches a hashed column (a lockout counter is not).
    """
    cover = COVERED[table]
    hashed = [c for c in cover.hashed if c in existing]

    def key(row: str) -> str:
        return "json_array(" + ", ".join(f'{row}."{c}"' for c in cover.key) + ")"

    def note(row: str) -> str:
        return f"INSERT INTO kassi_touched (tbl, key) VALUES ('{table}', {key(row)});"

    of = ", ".join(f'"{c}"' for c in hashed)
    return [
        f'CREATE TEMP TRIGGER IF NOT EXISTS "kassi_j_{table}_i" AFTER INSERT ON main."{table}"'
        f" BEGIN {note('NEW')} END",
        f'CREATE TEMP TRIGGER IF NOT EXISTS "kassi_j_{table}_u" AFTER UPDATE OF {of}'
        f' ON main."{table}" BEGIN {note("OLD")} {note("NEW")} END',
        f'CREATE TEMP TRIGGER IF NOT EXISTS "kassi_j_{table}_d" AFTER DELETE ON main."{table}"'
        f" BEGIN {note('OLD')} END",
    ]


NOTING_SETTING = "kassi.journal"

# One function notes a row of any covered table; its trigger passes the key's columns.
POSTGRES_NOTE_FUNCTION = f"""CREATE OR REPLACE FUNCTION kassi_note_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    k text;
    old_row jsonb;
    new_row jsonb;
    old_key jsonb := '[]';
    new_key jsonb := '[]';
BEGIN
    IF current_setting('{NOTING_SETTING}', true) IS DISTINCT FROM 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    FOREACH k IN ARRAY TG_ARGV LOOP
        IF TG_OP <> 'INSERT' THEN old_key := old_key || jsonb_build_array(old_row -> k); END IF;
        IF TG_OP <> 'DELETE' THEN new_key := new_key || jsonb_build_array(new_row -> k); END IF;
    END LOOP;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO pg_temp.kassi_touched (tbl, key) VALUES (TG_TABLE_NAME, old_key::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO pg_temp.kassi_touched (tbl, key) VALUES (TG_TABLE_NAME, new_key::text);
    END IF;
    RETURN NULL;
END $$"""


def postgres_trigger_ddl(table: str, existing: set[str]) -> list[str]:
    """The head office's noting triggers of ``table`` (X-1): as trigger_ddl's, but part of
    the schema, and noting only on a connection that set ``kassi.journal`` (kassi's).

    Inserted rows are noted once per statement, from its transition table: posting
    writes thousands of order lines in one INSERT, and a PL/pgSQL call per row was a
    third of that INSERT's time (X-6). An UPDATE is noted row by row, as only a row
    trigger can be limited to the hashed columns (``UPDATE OF``)."""
    cover = COVERED[table]
    hashed = [c for c in cover.hashed if c in existing]
    args = ", ".join(f"'{c}'" for c in cover.key)
    of = ", ".join(f'"{c}"' for c in hashed)
    run = f"FOR EACH ROW EXECUTE FUNCTION kassi_note_row({args})"
    key = "jsonb_build_array(" + ", ".join(f'n."{c}"' for c in cover.key) + ")::text"
    return [
        f'CREATE OR REPLACE FUNCTION "kassi_j_{table}_noted"() RETURNS trigger'
        " LANGUAGE plpgsql AS $$\nBEGIN\n"
        f"    IF current_setting('{NOTING_SETTING}', true) IS NOT DISTINCT FROM 'on' THEN\n"
        f"        INSERT INTO pg_temp.kassi_touched (tbl, key) SELECT '{table}', {key}"
        " FROM kassi_new n;\n"
        "    END IF;\n    RETURN NULL;\nEND $$",
        f'DROP TRIGGER IF EXISTS "kassi_j_{table}_i" ON "{table}"',  # row by row, before
        f'CREATE OR REPLACE TRIGGER "kassi_j_{table}_is" AFTER INSERT ON "{table}"'
        " REFERENCING NEW TABLE AS kassi_new FOR EACH STATEMENT"
        f' EXECUTE FUNCTION "kassi_j_{table}_noted"()',
        f'CREATE OR REPLACE TRIGGER "kassi_j_{table}_u" AFTER UPDATE OF {of} ON "{table}" {run}',
        f'CREATE OR REPLACE TRIGGER "kassi_j_{table}_d" AFTER DELETE ON "{table}" {run}',
    ]


def describe_key(key: str) -> str:
    """A row key as a person reads it: ``5`` or ``3/cash``."""
    try:
        values = json.loads(key)
    except ValueError:
        return key
    if not isinstance(values, list):
        return key
    return "/".join(str(v) for v in values)
