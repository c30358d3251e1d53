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

from core.store import dialect, pg_chain, pg_links
from core.store.db import SCHEMA_VERSION, Db, utc_now
from core.store.migrations import m021


@frozen
class Installed:
    url: str
    version: int
    previous: int | None  # None: the database had no kassi schema
    tables_made: int
    columns_added: int


def _scratch() -> tuple[list[tuple[str, str, str]], dict[str, list[tuple]]]:
    """What the migrations make in an empty database: ``(type, name, sql)`` of every
    object, and the rows they seed that a head office needs as well (SEEDED)."""
    scratch = Db(":memory:")
    try:
        objects = [
            (r[0], r[1], r[2])
            for r in scratch.all(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
                " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1"
                " WHEN 'view' THEN 2 ELSE 3 END, name"
            )
        ]
        seeded = {t: [tuple(r) for r in scratch.all(f'SELECT * FROM "{t}"')] for t in SEEDED}
        return objects, seeded
    finally:
        scratch.close()


# Rows the migrations seed, which a head office needs as well (the discount limits).
SEEDED = ("discount_limits",)


def install(url: str, *, clock: Callable = utc_now) -> Installed:
    """Make or migrate the head-office schema at ``url``; then start its audit journal."""
    from core.audit import content as audit_content
    from core.audit import journal as audit
    from core.audit.covered import COVERED
    from core.store.pg import SCHEMA_TABLE, PgDb

    objects, seeded = _scratch()
    schema = dialect.postgres_schema(objects)
    made = added = 0
    db = PgDb(url, clock=clock, migrate=False)
    try:
        previous = db.schema_version()
        # DDL is transactional on PostgreSQL: all of it under the one write lock, or none.
        with db.write():
            db._run("SET LOCAL client_min_messages = warning")
            existing = db.tables()
            for statement in dialect.FUNCTIONS:
                db._run(statement)
            db._run(audit_content.POSTGRES_NOTE_FUNCTION)
            for table in schema["tables"]:
                if table.name not in existing:
                    db._run(table.create())
                    made += 1
                    continue
                have = db.columns(table.name)
                for column in table.columns:
                    if column not in have:
                        db._run(f'ALTER TABLE "{table.name}" ADD COLUMN {table.column_ddl(column)}')
                        added += 1
            for statement in schema["indexes"] + schema["views"] + schema["triggers"]:
                db._run(statement)
            for table in schema["tables"]:
                if table.name in COVERED:
                    for statement in audit_content.postgres_trigger_ddl(
                        table.name, set(table.columns)
                    ):
                        db._run(statement)
            for statement in pg_links.ddl():
                db._run(statement)
            if "statement_sales" in existing:
                _retire_statement_sales(db)
            for statement in pg_chain.ddl():
                db._run(statement)
            if previous is None:
                _seed(db, seeded)
            db._run(
                f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} ("
                " id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL,"
                ' migrated_at TEXT COLLATE "C" NOT NULL)'
            )
            db.execute(
                f"INSERT INTO {SCHEMA_TABLE} (id, version, migrated_at) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version,"
                " migrated_at = EXCLUDED.migrated_at"
                f" WHERE {SCHEMA_TABLE}.version <> EXCLUDED.version",
                (SCHEMA_VERSION, db.now_iso()),
            )
        # The journal's first entry covers the seeded rows, as a new store's does.
        # Run again on a head office of this version, nothing a row's hash is made of
        # changed (only functions and triggers are made again): reading every row of a
        # chain's history to find that out took minutes and gigabytes.
        db.migrate()
        if previous != SCHEMA_VERSION or made or added:
            with db.write():
                audit.after_migrations(db, [f"schema {previous or 0} -> {SCHEMA_VERSION}"])
    finally:
        db.close()
    return Installed(url, SCHEMA_VERSION, previous, made, added)


def _retire_statement_sales(db: Db) -> None:
    """Migration 21 on a head office made before it: the link row per sale becomes the
    ranges of sale ids the statements hold (core.store.migrations.m021), then goes.
    The ranges' triggers are off while they are written: a posted statement's ranges
    are what it held, and the statement is not taking them now."""
    db._run('ALTER TABLE "statement_ranges" DISABLE TRIGGER USER')
    db._run(m021.RANGES_FROM_LINKS)
    db._run('ALTER TABLE "statement_ranges" ENABLE TRIGGER USER')
    for statement in pg_links.retired_ddl():
        db._run(statement)
    db._run('DROP TABLE "statement_sales" CASCADE')


def _seed(db: Db, seeded: dict[str, list[tuple]]) -> None:
    db.execute(
        "INSERT INTO database_identity (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (secrets.token_hex(16), db.now_iso()),
    )
    for table, rows in seeded.items():
        for row in rows:
            marks = ", ".join(["?"] * len(row))
            db.execute(f'INSERT INTO "{table}" VALUES ({marks}) ON CONFLICT DO NOTHING', row)
