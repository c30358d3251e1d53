"""A head office's schema on PostgreSQL, made from the store's own (SPEC X-1).

``install`` is what ``kassi hq init --dsn URL`` runs. The schema is not written twice:
the sqlite-utils migrations are applied to an empty in-memory SQLite database and what
they made is translated by core.store.dialect, so a head office always has exactly the
tables, checks, views and triggers of the stores that sync into it.

Running it again migrates: every statement makes only what is missing (a new table,
a new column, index, view or trigger), all in one transaction that takes the write
lock, so two people running it at once cannot interleave and a failure changes
nothing. A change the translation cannot make by adding (a column's type, a dropped
column) is refused with the object's name rather than half-done.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from attrs import frozen

from core.store import dialect
from core.store.db import SCHEMA_VERSION, Db, utc_now


@frozen
class Installed:
    url: str
    version: int
    previous: int | None  # None: the database had no kassi schema
    tables_made: int
    columns_added: int


def sqlite_objects() -> list[tuple[str, str, str]]:
    """``(type, name, sql)`` of every object the migrations make, from a scratch database."""
    scratch = Db(":memory:")
    try:
        return [
            (r[0], r[1], r[2])
            for r in scratch.all(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
                " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1"
                " WHEN 'view' THEN 2 ELSE 3 END, name"
            )
        ]
    finally:
        scratch.close()


# Rows the migrations seed, which a head office needs as well (the discount limits).
SEEDED = ("discount_limits",)


def _seed_rows() -> dict[str, list[tuple]]:
    scratch = Db(":memory:")
    try:
        return {t: [tuple(r) for r in scratch.all(f'SELECT * FROM "{t}"')] for t in SEEDED}
    finally:
        scratch.close()


def install(url: str, *, clock: Callable = utc_now) -> Installed:
    """Make or migrate the head-office schema at ``url``; then start its audit journal."""
    import psycopg

    from core.audit import content as audit_content
    from core.audit.covered import COVERED
    from core.store.pg import SCHEMA_TABLE, WRITE_LOCK, as_sqlite_error

    schema = dialect.postgres_schema(sqlite_objects())
    made = added = 0
    previous: int | None = None
    try:
        with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
            conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            conn.execute("SET LOCAL client_min_messages = warning")
            existing = {
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema()"
                )
            }
            if SCHEMA_TABLE in existing:
                row = conn.execute(f"SELECT version FROM {SCHEMA_TABLE}").fetchone()
                previous = None if row is None else int(row[0])
            for statement in dialect.FUNCTIONS:
                conn.execute(statement)
            conn.execute(audit_content.POSTGRES_NOTE_FUNCTION)
            for table in schema["tables"]:
                if table.name not in existing:
                    conn.execute(table.create())
                    made += 1
                    continue
                have = {
                    r[0]
                    for r in conn.execute(
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND table_name = %s",
                        (table.name,),
                    )
                }
                for column in table.columns:
                    if column not in have:
                        conn.execute(
                            f'ALTER TABLE "{table.name}" ADD COLUMN {table.column_ddl(column)}'
                        )
                        added += 1
            for statement in schema["indexes"] + schema["views"] + schema["triggers"]:
                conn.execute(statement)
            for table in schema["tables"]:
                if table.name in COVERED:
                    for statement in audit_content.postgres_trigger_ddl(
                        table.name, set(table.columns)
                    ):
                        conn.execute(statement)
            if previous is None:
                _seed(conn, clock)
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} ("
                " id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL,"
                ' migrated_at TEXT COLLATE "C" NOT NULL)'
            )
            conn.execute(
                f"INSERT INTO {SCHEMA_TABLE} (id, version, migrated_at) VALUES (1, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version,"
                " migrated_at = EXCLUDED.migrated_at"
                f" WHERE {SCHEMA_TABLE}.version <> EXCLUDED.version",
                (SCHEMA_VERSION, _iso(clock)),
            )
    except psycopg.Error as exc:
        raise as_sqlite_error(exc) from None
    _start_journal(url, clock, previous)
    return Installed(url, SCHEMA_VERSION, previous, made, added)


def _iso(clock: Callable) -> str:
    from core.store.db import iso

    return iso(clock())


def _seed(conn, clock: Callable) -> None:
    conn.execute(
        "INSERT INTO database_identity (id, created_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (secrets.token_hex(16), _iso(clock)),
    )
    for table, rows in _seed_rows().items():
        for row in rows:
            marks = ", ".join(["%s"] * len(row))
            conn.execute(f'INSERT INTO "{table}" VALUES ({marks}) ON CONFLICT DO NOTHING', row)


def _start_journal(url: str, clock: Callable, previous: int | None) -> None:
    """The journal's first entry covers the seeded rows, as a new store's does (R-2)."""
    from core.audit import journal as audit
    from core.store.pg import PgDb

    db = PgDb(url, clock=clock)
    try:
        with db.write():
            applied = [f"schema {previous or 0} -> {SCHEMA_VERSION}"]
            audit.after_migrations(db, applied)
    finally:
        db.close()
