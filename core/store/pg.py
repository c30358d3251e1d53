"""A head office's database on PostgreSQL: the same Db, on a server (SPEC X-1).

PgDb is Db with a psycopg 3 connection underneath. Every query kassi runs is the
same text on both engines; core.store.dialect translates what PostgreSQL spells
differently, once per query text (cached). What stays the same for the code above:

- one write transaction per operation. SQLite's BEGIN IMMEDIATE lets one writer in at
  a time; here every write transaction first takes one transaction-scoped advisory
  lock, so two head-office users posting the same statement at once queue exactly as
  two tills do, and the second sees the first's posting (no double post). Readers
  never wait for it. A lock not had within the busy timeout is the same "database is
  locked" error as SQLite's.
- rows that read by index and by column name, integers that stay integers (a SUM is
  an int, not a Decimal), and errors as the sqlite3 classes the code already catches:
  a constraint or a trigger's refusal is an IntegrityError on both.
- parameters: a Python int goes to the server untyped, as a string does, so the
  server gives it the type of the column it meets, as SQLite's affinity does.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row

from core.store import dialect
from core.store.db import BUSY_TIMEOUT_S, SCHEMA_VERSION, Clock, Db, _use, utc_now

# The one advisory lock every kassi write transaction takes ('kassi' in ASCII).
WRITE_LOCK = 0x6B61737369
SCHEMA_TABLE = "kassi_schema"


class Row(tuple):
    """A result row: ``row[0]``, ``row["name"]``, ``dict(row)``, as sqlite3.Row reads."""

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> Row:
        row = tuple.__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _rows(cursor: Any):
    names: dict[str, int] = {}
    for i, column in enumerate(cursor.description or ()):
        names.setdefault(column.name, i)

    def make(values: Sequence[Any]) -> Row:
        return Row(values, names)

    return make


class _UntypedInt(Dumper):
    """An int sent as text of unknown type: the column it meets gives it its type."""

    def dump(self, obj: int) -> bytes:
        return str(int(obj)).encode("ascii")


class _WholeNumeric(Loader):
    """numeric (what SUM of a bigint returns) as an int when whole, as SQLite gives it;
    kassi's amounts are whole minor units, so a fraction (an AVG) stays exact."""

    def load(self, data: Any) -> int | Decimal:
        value = Decimal(bytes(data).decode("ascii"))
        return int(value) if value == value.to_integral_value() else value


def _message(exc: psycopg.Error) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    lines = str(exc).splitlines()
    return primary or (lines[0] if lines else type(exc).__name__)


def as_sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """The sqlite3 error the code above already handles for this server error."""
    text = _message(exc)
    if isinstance(exc, pg_errors.IntegrityError):
        return sqlite3.IntegrityError(text)
    if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.DeadlockDetected):
        return sqlite3.OperationalError(f"database is locked ({text})")
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(text)
    return sqlite3.DatabaseError(text)


CONNECT_TIMEOUT_S = 10
# "INSERT INTO t (...) VALUES (?, ...)" and nothing after (no ON CONFLICT: a row that
# conflicts with another of the same statement would be an error there).
_PLAIN_INSERT = re.compile(
    r"^(\s*INSERT\s+INTO\s+.+?\bVALUES\s*)(\((?:[^()']|'[^']*')*\))\s*$", re.I | re.S
)
_ROWS_PER_INSERT = 200


def _link(url: str) -> dict[str, int]:
    """A server that does not answer, or a network that went quiet, is noticed within
    about a minute (a store's sync must not hang on it), unless the URL says otherwise."""
    wanted = {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    return {k: v for k, v in wanted.items() if k not in url}


class PgDb(Db):
    """One connection to a head office's PostgreSQL database (``postgresql://...``)."""

    dialect = "postgresql"

    def __init__(self, url: str, *, clock: Clock = utc_now, migrate: bool = True) -> None:
        self.path = url
        self.clock = clock
        self._sql = None
        self._depth = 0
        self._owner = threading.get_ident()
        self._queries: dict[tuple[str, bool], str] = {}
        self._keys: dict[str, tuple[str, ...]] | None = None
        try:
            conn = psycopg.connect(url, autocommit=True, row_factory=_rows, **_link(url))
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from None
        conn.adapters.register_dumper(int, _UntypedInt)
        conn.adapters.register_dumper(bool, _UntypedInt)
        conn.adapters.register_loader("numeric", _WholeNumeric)
        self.conn = conn
        self._run(f"SET lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")
        self._run("SET TIME ZONE 'UTC'")
        # kassi's big queries are per store and statement: compiling one with JIT took
        # longer than running it (a store's order lines: 0.43 s with, 0.19 s without).
        self._run("SET jit = off")
        # PostgreSQL's default random_page_cost (4) prices a read through an index as a
        # spinning disk's: with a chain's sales in memory or on SSD that had it read all ten
        # million lines of the chain for one store's 50,000 (3.2 s instead of 0.1 s). An
        # administrator's own setting is kept.
        source = self.conn.execute(
            "SELECT source FROM pg_settings WHERE name = 'random_page_cost'"
        ).fetchone()
        if source is not None and source[0] == "default":
            self._run("SET random_page_cost = 1.1")
        self.journal_ready = False
        self._journal_locked = False
        if migrate:
            self.migrate()
        elif self.schema_version() == SCHEMA_VERSION:
            self._install_journal()
        _use(self)

    # -- schema -------------------------------------------------------------------------

    @property
    def sql(self):
        raise RuntimeError("sqlite-utils works on the store's SQLite database only")

    def schema_version(self) -> int | None:
        """The kassi schema this database has (None: it is not a kassi head office yet)."""
        if SCHEMA_TABLE not in self.tables():
            return None
        return self.scalar(f"SELECT version FROM {SCHEMA_TABLE}")

    def migrate(self) -> None:
        """Check the schema is this kassi's; ``kassi hq init`` makes and migrates it."""
        from core.errors import KassiError
        from core.text.i18n import _

        version = self.schema_version()
        if version != SCHEMA_VERSION:
            raise KassiError(
                _(
                    "This PostgreSQL database is not a kassi head office of this version"
                    " (schema {found}, needs {wanted}); run: kassi hq init --dsn URL"
                ).format(found=version if version is not None else "none", wanted=SCHEMA_VERSION)
            )
        if not self.journal_ready:
            self._install_journal()

    def tables(self) -> set[str]:
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        }

    def columns(self, table: str) -> set[str]:
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s",
                (table,),
            )
        }

    def key_of(self, table: str) -> tuple[str, ...]:
        """A table's primary-key columns, in order (for INSERT OR REPLACE)."""
        if self._keys is None:
            keys: dict[str, list[tuple[int, str]]] = {}
            for name, column, position in self.conn.execute(
                "SELECT tc.table_name, k.column_name, k.ordinal_position"
                " FROM information_schema.table_constraints tc"
                " JOIN information_schema.key_column_usage k"
                "   ON k.constraint_name = tc.constraint_name"
                "  AND k.table_schema = tc.table_schema"
                " WHERE tc.constraint_type = 'PRIMARY KEY'"
                "   AND tc.table_schema = current_schema()"
            ):
                keys.setdefault(name, []).append((position, column))
            self._keys = {t: tuple(c for _p, c in sorted(cols)) for t, cols in keys.items()}
        return self._keys.get(table, ())

    # -- transactions -------------------------------------------------------------------

    def _run(self, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from None

    def _in_transaction(self) -> bool:
        return self.conn.info.transaction_status != TransactionStatus.IDLE

    def _begin_write(self, scope: str | None = None) -> None:
        self._run("BEGIN ISOLATION LEVEL READ COMMITTED")
        self._journal_locked = False
        try:
            if scope is None:
                self.lock_journal()
            else:
                self._lock_scope(scope)
        except BaseException:
            self._run("ROLLBACK")
            raise

    def _lock_scope(self, scope: str) -> None:
        """A scope's own lock (a store's statements). Always taken before the write lock,
        never after it: a transaction holding the write lock and waiting for a scope
        whose holder waits for the write lock would deadlock."""
        if self._journal_locked:
            raise RuntimeError(f"{scope!r} is locked after the write lock; lock it first")
        self.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (scope,))

    def lock_journal(self) -> None:
        """The head office's write lock, held to the end of the transaction: one writer
        at a time appends to the journal and draws document numbers, in commit order."""
        if not self._journal_locked:
            self._run(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            self._journal_locked = True

    def _begin_read(self) -> None:
        self._run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    # -- queries ------------------------------------------------------------------------

    def _translate(self, sql: str, has_params: bool) -> str:
        key = (sql, has_params)
        text = self._queries.get(key)
        if text is None:
            text = dialect.to_postgres(sql, has_params=has_params, key_of=self.key_of)
            self._queries[key] = text
        return text

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        has = bool(params)
        try:
            return self.conn.execute(self._translate(sql, has), params if has else None)
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        rows = list(rows)
        if not rows:
            return None
        if len(rows) == 1:
            return self.execute(sql, rows[0])
        found = _PLAIN_INSERT.match(sql)
        if found:
            # One INSERT of many VALUES rows per round trip: an import writes a handful
            # of lines per sale, and a pipeline per handful costs more than the rows.
            head, group = found.group(1), found.group(2)
            cursor = None
            for start in range(0, len(rows), _ROWS_PER_INSERT):
                chunk = rows[start : start + _ROWS_PER_INSERT]
                cursor = self.execute(
                    head + ",".join([group] * len(chunk)), [v for row in chunk for v in row]
                )
            return cursor
        cursor = self.conn.cursor()
        try:
            cursor.executemany(self._translate(sql, True), rows)
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from None
        return cursor

    def insert(self, table: str, values: dict[str, Any]) -> int:
        cols = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" for _ in values)
        key = self.key_of(table)
        returning = f' RETURNING "{key[0]}"' if len(key) == 1 else ""
        cur = self.execute(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks}){returning}', tuple(values.values())
        )
        if not returning:
            return 0
        value = cur.fetchone()[0]
        return value if isinstance(value, int) else 0

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """psycopg's pipeline mode: the statements go out together and are answered in
        one round trip; an error surfaces when the block ends, as the sqlite3 error."""
        try:
            with self.conn.pipeline():
                yield
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from None

    def listen(self, channel: str) -> Listener:
        return Listener(self.path, channel)

    def stream(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), size: int = 500
    ) -> Iterator[tuple]:
        # libpq's single-row mode: rows arrive as the server sends them, never all held
        has = bool(params)
        cursor = self.conn.cursor(row_factory=tuple_row)
        try:
            yield from cursor.stream(self._translate(sql, has), params if has else None)
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from None
        finally:
            cursor.close()


class Listener:
    """A second connection that waits for a channel's NOTIFY (the head office's
    receiver, core.sync.service, waits for deliveries so)."""

    def __init__(self, url: str, channel: str) -> None:
        if not channel.isidentifier():
            raise ValueError(f"not a channel name: {channel!r}")
        try:
            self.conn = psycopg.connect(url, autocommit=True)
            self.conn.execute(f"LISTEN {channel}")
        except psycopg.Error as exc:
            raise as_sqlite_error(exc) from None

    def wait(self, timeout_s: float, stop: Any = None) -> bool:
        """Wait up to ``timeout_s`` (checking ``stop()`` each second) for a notice."""
        import time

        end = time.monotonic() + timeout_s
        while (left := end - time.monotonic()) > 0:
            if stop is not None and stop():
                return False
            try:
                for _notice in self.conn.notifies(timeout=min(1.0, left), stop_after=1):
                    return True
            except psycopg.Error as exc:
                raise as_sqlite_error(exc) from None
        return False

    def close(self) -> None:
        self.conn.close()
