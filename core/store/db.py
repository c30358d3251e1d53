"""Opening the store database: pragmas, migrations, the write transaction, the clock.

Every business operation runs inside ``Db.write()``: one ``BEGIN IMMEDIATE``
transaction, so two tills writing at once queue on the lock (busy timeout)
instead of failing with "database is locked" when a deferred reader tries to
upgrade to a writer.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_S = 10.0
# The number of migrations in core/store/schema.py; stored in PRAGMA user_version once
# they are applied, so opening a current database never imports sqlite-utils and
# the migration machinery (a tenth of the till's start-up time).
SCHEMA_VERSION = 19

Clock = Callable[[], datetime]

# The database this thread works on: the one whose transaction it is in, else the one
# it opened or used last (one Db per thread is the rule). core.staff.auth.require reads the
# actor's row from it, so a staff member deactivated on another till is refused at
# their next operation without every service function passing its Db along (K-5).
_thread = threading.local()


def current() -> Db | None:
    """This thread's database (see above), or None if it has none open."""
    ref = getattr(_thread, "db", None)
    return ref() if ref is not None else None


def _use(db: Db | None) -> None:
    _thread.db = weakref.ref(db) if db is not None else None


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(instant: datetime) -> str:
    """The one text form of an instant in the database: UTC, microseconds, 'Z'.

    Fixed width, so text comparison orders instants correctly.
    """
    if instant.tzinfo is None:
        raise ValueError("naive datetime: kassi stores only aware instants")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: str) -> bool:
    """True for a head office's PostgreSQL address; anything else is an SQLite file (X-1)."""
    return target.startswith(POSTGRES_SCHEMES)


def connect(target: str | Path, **options: Any) -> Db:
    """The database at ``target``: a file (the store's SQLite) or a postgresql:// URL."""
    if is_server_url(str(target)):
        from core.store.pg import PgDb

        return PgDb(str(target), **options)
    return Db(target, **options)


class Db:
    """One connection to a kassi database, with the clock the operations use.

    sqlite3 connections belong to the thread that made them: make one Db per
    thread (the TUI's workers open their own). A head office on PostgreSQL is the
    subclass core.store.pg.PgDb: the same operations, the same queries.
    """

    dialect = "sqlite"

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        clock: Clock = utc_now,
        migrate: bool = True,
    ) -> None:
        self.path = str(path)
        self.clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit BEGIN; we open every transaction ourselves.
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.row_factory = sqlite3.Row
        self.conn = conn
        self._sql = None
        self._depth = 0
        self._owner = threading.get_ident()
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        # A sale must survive a power cut: fsync the WAL on every commit.
        conn.execute("PRAGMA synchronous = FULL")
        self.journal_ready = False
        if migrate:
            self.migrate()
        elif self.scalar("PRAGMA user_version") == SCHEMA_VERSION:
            self._install_journal()
        _use(self)

    def _install_journal(self) -> None:
        """Note every business row this connection writes, for the next audit entry (R-2)."""
        from core.audit import journal as audit

        audit.install(self)
        self.journal_ready = True

    @property
    def keyring(self):  # -> core.store.keyring.KeyRing, loaded on first use
        """The store's secrets from the key file beside (never inside) the database."""
        ring = getattr(self, "_keyring", None)
        if ring is None:
            from core.store import keyring

            ring = self._keyring = keyring.load(self.path)
        return ring

    # -- schema -------------------------------------------------------------

    @property
    def sql(self):  # -> sqlite_utils.Database, made on first use
        if self._sql is None:
            import sqlite_utils

            self._sql = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._sql

    def migrate(self) -> None:
        """Apply pending migrations; safe when several processes start at once."""
        if self.scalar("PRAGMA user_version") == SCHEMA_VERSION:
            if not self.journal_ready:
                self._install_journal()
            return
        from core.store.schema import migrations

        with self.write():
            # Under our IMMEDIATE lock, sqlite-utils' per-migration atomic() nests
            # as a savepoint, so two tills starting together cannot both migrate.
            pending = [m.name for m in migrations.pending(self.sql)]
            if pending:
                migrations.apply(self.sql)
            if len(migrations.applied(self.sql)) == SCHEMA_VERSION:
                self.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if pending:
                from core.audit import journal as audit

                # Same transaction: the journal starts, or covers what a migration changed.
                audit.after_migrations(self, pending)
        if not self.journal_ready and self.scalar("PRAGMA user_version") == SCHEMA_VERSION:
            self._install_journal()

    # -- transactions -------------------------------------------------------

    @contextmanager
    def write(self, scope: str | None = None) -> Iterator[Db]:
        """One business operation: BEGIN IMMEDIATE ... COMMIT, rolled back on any error.

        ``scope`` names what the operation works on when that is one part of the
        database (a store's statements): on SQLite nothing changes (BEGIN IMMEDIATE is
        the one write lock); on PostgreSQL the operation locks only that scope and takes
        the database's write lock when it reaches the shared journal or a document
        number (``lock_journal``), so stores calculate and post side by side (X-6).
        """
        if self._depth:
            if scope is not None:
                self._lock_scope(scope)
            # Nested: a savepoint, so an inner failure that the outer code catches
            # undoes the inner work only, never leaves it half-done.
            name = f"kassi_{self._depth}"
            self._run(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                if self._in_transaction():
                    self._run(f"ROLLBACK TO {name}")
                    self._run(f"RELEASE {name}")
                raise
            else:
                self._run(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self._begin_write(scope)
        self._depth = 1
        _use(self)
        try:
            yield self
        except BaseException:
            self._depth = 0
            if self._in_transaction():
                self._run("ROLLBACK")
            raise
        try:
            if self.journal_ready:
                from core.audit import journal as audit

                audit.flush(self)  # rows written after the last entry get their own
        except BaseException:
            self._depth = 0
            if self._in_transaction():
                self._run("ROLLBACK")
            raise
        self._depth = 0
        try:
            self._run("COMMIT")
        except BaseException:
            if self._in_transaction():
                self._run("ROLLBACK")
            raise

    # -- what differs between the engines (core.store.pg overrides these) --------------------

    def _run(self, sql: str) -> None:
        self.conn.execute(sql)

    def _in_transaction(self) -> bool:
        return self.conn.in_transaction

    def _begin_read(self) -> None:
        self.conn.execute("BEGIN")

    def tables(self) -> set[str]:
        """The names of the database's tables."""
        return {
            r[0]
            for r in self.conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
        }

    def columns(self, table: str) -> set[str]:
        """The column names of ``table`` (empty when there is no such table)."""
        return {r[1] for r in self.conn.execute(f'PRAGMA main.table_info("{table}")')}

    def stream(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), size: int = 500
    ) -> Iterator[tuple]:
        """The rows of a query as plain tuples, ``size`` at a time (constant memory)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: cheaper than sqlite3.Row for 100,000s of rows
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(size):
                yield from batch
        finally:
            cursor.close()

    def _begin_write(self, scope: str | None = None) -> None:
        self._begin_immediate()

    def _lock_scope(self, scope: str) -> None:
        """A nested operation's scope: SQLite's write lock covers it already."""

    def lock_journal(self) -> None:
        """Before the journal or a global number sequence is touched: SQLite's write
        transaction holds the database's one write lock from its BEGIN."""

    def _begin_immediate(self) -> None:
        """Take the write lock, retrying in short random sleeps up to the busy timeout.

        SQLite's own busy handler backs off to 100 ms sleeps, so under steady load
        the process that just committed keeps winning and a till can wait seconds;
        short jittered retries share the lock fairly (measured: worst wait of a
        closer among four busy sellers 3.3 s -> 0.12 s).
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() >= deadline:
                        raise
                time.sleep(random.uniform(0.0002, 0.002))
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    @contextmanager
    def read(self) -> Iterator[Db]:
        """A consistent snapshot for a report made of several queries."""
        if self._in_transaction():
            yield self
            return
        self._begin_read()
        _use(self)
        try:
            yield self
        finally:
            if self._in_transaction():
                self._run("COMMIT")

    @property
    def in_write(self) -> bool:
        return self._depth > 0

    # -- queries ------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    # one/all/scalar go through execute: PgDb's execute translates and maps errors.
    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """Writes whose answers nobody reads, sent together: on SQLite they simply run
        (no round trips to save); a server takes them in one (core.store.pg)."""
        yield

    def insert(self, table: str, values: dict[str, Any]) -> int:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values())
        )
        return int(cur.lastrowid or 0)

    def now(self) -> datetime:
        return self.clock()

    def now_iso(self) -> str:
        return iso(self.clock())

    def next_number(self, sequence: str) -> int:
        """Next value of a global number sequence (T-7); call inside write()."""
        self.require_write("a number sequence advance")
        self.lock_journal()
        row = self.one(
            "INSERT INTO number_sequences (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = number_sequences.value + 1 RETURNING value",
            (sequence,),
        )
        if row is None:  # RETURNING after an upsert always has a row
            raise RuntimeError(f"number sequence {sequence!r} returned nothing")
        return int(row[0])

    def require_write(self, what: str) -> None:
        """Refuse to go on outside a write transaction (an invariant, kept under python -O)."""
        if not self.in_write:
            raise RuntimeError(f"{what} belongs inside the operation's write transaction")

    def close(self) -> None:
        if current() is self:
            _use(None)
        self.conn.close()

    def __enter__(self) -> Db:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
