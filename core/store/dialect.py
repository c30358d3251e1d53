"""The SQL differences between the store's SQLite and a head office's PostgreSQL (X-1).

kassi's queries are written once, in SQL both databases run where it can be; what
differs is translated here, and only here:

- queries (``to_postgres``): ``?`` and ``:name`` placeholders become psycopg's ``%s`` and
  ``%(name)s``; ``INSERT OR IGNORE`` / ``OR REPLACE`` become ``ON CONFLICT``; the
  ``main.`` and ``temp.`` schema names become PostgreSQL's; ``CAST(x AS INTEGER)`` casts
  to 64 bits as SQLite's integers are.
- the schema (``postgres_schema``): made from the migrated SQLite schema itself, so the
  two never drift apart. Each table, index, view and trigger is translated statement by
  statement: INTEGER is 64-bit, an INTEGER PRIMARY KEY is an identity column, BLOB is
  bytea, TEXT compares byte by byte (COLLATE "C", as SQLite's BINARY), GLOB is a regular
  expression, and a trigger becomes a PL/pgSQL function and its trigger. The references
  of the bulk link tables are checked per statement instead (core.store.pg_links).
- a few SQLite functions the queries use (``instr``, ``json_extract``) are created as
  SQL functions, so the queries that call them stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from core.store import pg_links

# -- queries --------------------------------------------------------------------------------


def keys_in(columns: Sequence[str], first: Sequence[Any], count: int, *, postgresql: bool) -> str:
    """``(c1, c2) IN (...)`` for ``count`` keys shaped like ``first`` (with ``keys_params``).

    SQLite: a row value per key, as it has no arrays. PostgreSQL: one array per column,
    unnested: psycopg spent longer parsing a query of thousands of placeholders than the
    server took to run it (a posted statement's covered rows, X-6)."""
    names = ", ".join(f'"{c}"' for c in columns)
    if postgresql:
        arrays = ", ".join(
            "CAST(CAST(? AS TEXT[]) AS BIGINT[])" if isinstance(v, int) else "CAST(? AS TEXT[])"
            for v in first
        )
        return f"({names}) IN (SELECT * FROM unnest({arrays}))"
    one = "(" + ",".join("CAST(? AS INTEGER)" if isinstance(v, int) else "?" for v in first) + ")"
    return f"({names}) IN (VALUES {','.join([one] * count)})"


def keys_params(keys: Sequence[Sequence[Any]], *, postgresql: bool) -> list[Any]:
    if postgresql:
        return [
            [None if v is None else str(v) for v in column] for column in zip(*keys, strict=True)
        ]
    return [v for values in keys for v in values]


_NAME_START = re.compile(r"[A-Za-z_]")
_NAME_CHAR = re.compile(r"\w")
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.I)
_OR_REPLACE = re.compile(
    r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\"?\w+\"?)\s*\(([^)]*)\)", re.I | re.S
)
_RETURNING = re.compile(r"\bRETURNING\b", re.I)
_SCHEMA_NAME = re.compile(r"\b(main|temp)\.", re.I)
_CAST_INTEGER = re.compile(r"\bAS\s+INTEGER\s*\)", re.I)


def _placeholders(sql: str, has_params: bool) -> str:
    """``?`` -> ``%s``, ``:name`` -> ``%(name)s`` and ``%`` -> ``%%``, outside literals.

    Without parameters psycopg leaves the text alone, so ``%`` stays as it is then.
    """
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":  # a literal or a quoted name: copied, only its % doubled
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:  # '' inside a literal
                        j += 2
                        continue
                    break
                j += 1
            text = sql[i : j + 1]
            out.append(text.replace("%", "%%") if has_params else text)
            i = j + 1
            continue
        if ch == "?":
            out.append("%s")
        elif ch == ":" and i + 1 < n and _NAME_START.match(sql[i + 1]) and sql[i - 1 : i] != ":":
            j = i + 1
            while j < n and _NAME_CHAR.match(sql[j]):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
            continue
        elif ch == "%" and has_params:
            out.append("%%")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _on_conflict(sql: str, clause: str) -> str:
    """``clause`` after the VALUES of an INSERT, before its RETURNING if it has one."""
    found = _RETURNING.search(sql)
    if found is None:
        return f"{sql.rstrip().rstrip(';')} {clause}"
    return f"{sql[: found.start()]}{clause} {sql[found.start() :]}"


_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?(?=\?|:\w)", re.I)


def to_postgres(sql: str, *, has_params: bool, key_of: Callable[[str], Sequence[str]]) -> str:
    """One kassi query as PostgreSQL runs it; ``key_of(table)`` is a table's primary key."""
    if _OR_IGNORE.match(sql):
        sql = _on_conflict(_OR_IGNORE.sub("INSERT INTO", sql, count=1), "ON CONFLICT DO NOTHING")
    elif found := _OR_REPLACE.match(sql):
        table = found.group(1).strip('"')
        columns = [c.strip().strip('"') for c in found.group(2).split(",")]
        key = list(key_of(table))
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        keys = ", ".join(f'"{c}"' for c in key)
        sql = _on_conflict(
            "INSERT INTO" + sql[found.start(1) - 1 :], f"ON CONFLICT ({keys}) {action}"
        )
    sql = _SCHEMA_NAME.sub(lambda m: "pg_temp." if m.group(1).lower() == "temp" else "", sql)
    sql = _CAST_INTEGER.sub("AS BIGINT)", sql)
    # SQLite's null-safe "x IS ?" (a store's own price or the shared one, NULL).
    sql = _IS_PARAM.sub(
        lambda m: "IS DISTINCT FROM " if m.group(1) else "IS NOT DISTINCT FROM ", sql
    )
    return _placeholders(sql, has_params)


# -- the schema -----------------------------------------------------------------------------

# SQLite functions kassi's queries and indexes call, as PostgreSQL functions.
FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos(haystack, needle)'",
    # '$.a.b' paths only: the ones kassi writes (a printer setting's width, an entry's action)
    "CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS"
    " $$SELECT jsonb_extract_path_text(doc::jsonb, VARIADIC string_to_array(substr(path, 3), '.'))$$",
)

_TYPES = (
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\bTEXT\b", re.I), 'TEXT COLLATE "C"'),
)
_GLOB = re.compile(r"(\w+)\s+(NOT\s+)?GLOB\s+'([^']*)'", re.I)
_IS_NOT_LITERAL = re.compile(r"\bIS\s+NOT\s+'", re.I)
_MAX2 = re.compile(r"\bMAX\(([^(),]+),\s*([^(),]+)\)", re.I)
_WITHOUT_ROWID = re.compile(r"\)\s*WITHOUT\s+ROWID\s*$", re.I)
_TABLE_CONSTRAINT = re.compile(r"^(CHECK|UNIQUE|PRIMARY\s+KEY|FOREIGN\s+KEY|CONSTRAINT)\b", re.I)
_REFERENCES = re.compile(r"\bREFERENCES\s+\"?(\w+)\"?", re.I)
_REFERENCES_CLAUSE = re.compile(r"\s+REFERENCES\s+\"?\w+\"?\s*(?:\([^)]*\))?", re.I)
_ROWID_KEY = re.compile(r"^(\"?\w+\"?)\s+INTEGER\s+PRIMARY\s+KEY\b", re.I)


def glob_regex(pattern: str) -> str:
    """A GLOB pattern as an anchored POSIX regular expression (``*``, ``?``, ``[...]``)."""
    out, i = ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.index("]", i + 2 if pattern[i + 1 : i + 2] in ("^", "]") else i + 1)
            out.append(pattern[i : end + 1])
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out) + "$"


def _expression(text: str) -> str:
    """An SQLite expression (CHECK, WHEN, view, index) in PostgreSQL's words."""
    text = _GLOB.sub(
        lambda m: f"{m.group(1)} {'!~' if m.group(2) else '~'} '{glob_regex(m.group(3))}'", text
    )
    text = _IS_NOT_LITERAL.sub("IS DISTINCT FROM '", text)
    return _MAX2.sub(r"GREATEST(\1, \2)", text)


def split_top_level(body: str) -> list[str]:
    """The comma-separated items of a table's body, ignoring commas inside brackets."""
    items, depth, start, quote = [], 0, 0, ""
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    items.append(body[start:].strip())
    return [item for item in items if item]


class Table:
    """One CREATE TABLE of the SQLite schema, read into its columns and constraints."""

    def __init__(self, name: str, sql: str) -> None:
        self.name = name
        body = sql[sql.index("(") + 1 :]
        body = _WITHOUT_ROWID.sub(")", body.rstrip())
        body = body[: body.rindex(")")]
        self.columns: dict[str, str] = {}
        self.constraints: list[str] = []
        for item in split_top_level(body):
            if _TABLE_CONSTRAINT.match(item):
                self.constraints.append(item)
            else:
                column = item.split(None, 1)[0].strip('"')
                self.columns[column] = item
        self.references = {m.group(1) for m in _REFERENCES.finditer(body) if m.group(1) != name}

    def column_ddl(self, column: str) -> str:
        item = self.columns[column]
        if pg_links.is_set_checked(self.name, column):  # its triggers check the reference
            item = _REFERENCES_CLAUSE.sub("", item)
        found = _ROWID_KEY.match(item)
        if found:  # the rowid alias: numbered by the database when not given
            rest = item[found.end() :]
            item = f"{found.group(1)} BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY{rest}"
            return _expression(_translate_types(item))
        name, rest = item.split(None, 1)
        return f'"{name.strip(chr(34))}" ' + _expression(_translate_types(rest))

    def create(self) -> str:
        parts = [self.column_ddl(c) for c in self.columns]
        parts += [_expression(_translate_types(c)) for c in self.constraints]
        return f'CREATE TABLE IF NOT EXISTS "{self.name}" (\n    ' + ",\n    ".join(parts) + "\n)"


def _translate_types(text: str) -> str:
    for pattern, replacement in _TYPES:
        text = pattern.sub(replacement, text)
    return text


_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?\s+(BEFORE|AFTER)\s+"
    r"(INSERT|DELETE|UPDATE(?:\s+OF\s+[\w\s,\"]+?)?)\s+ON\s+\"?(\w+)\"?\s*"
    r"(?:WHEN\s+(.*?)\s*)?BEGIN\s+(.*)\s*END\s*$",
    re.I | re.S,
)
_RAISE = re.compile(r"SELECT\s+RAISE\s*\(\s*ABORT\s*,\s*'((?:[^']|'')*)'\s*\)\s*;", re.I)


def trigger(sql: str) -> list[str]:
    """An SQLite trigger as a PL/pgSQL function and the PostgreSQL trigger that calls it.

    RAISE(ABORT, ...) becomes an integrity-constraint error (SQLSTATE 23000), as SQLite
    reports it, so the code that catches one catches both.
    """
    found = _TRIGGER.match(sql.strip())
    if found is None:
        raise ValueError(f"a trigger this dialect cannot translate: {sql[:80]!r}")
    name, timing, event, table, when, body = found.groups()
    body = _RAISE.sub(
        lambda m: f"RAISE EXCEPTION USING MESSAGE = '{m.group(1)}', ERRCODE = '23000';", body
    )
    body = _expression(body.strip())
    if not body.endswith(";"):
        body += ";"
    kind = event.split()[0].upper()
    result = "NULL" if timing.upper() == "AFTER" else ("OLD" if kind == "DELETE" else "NEW")
    logic = f"IF {_expression(when)} THEN {body} END IF;" if when else body
    return [
        f'CREATE OR REPLACE FUNCTION "{name}_fn"() RETURNS trigger LANGUAGE plpgsql AS $$\n'
        f"BEGIN\n    {logic}\n    RETURN {result};\nEND $$",
        f'CREATE OR REPLACE TRIGGER "{name}" {timing.upper()} {event} ON "{table}"'
        f' FOR EACH ROW EXECUTE FUNCTION "{name}_fn"()',
    ]


def index(sql: str) -> str:
    text = re.sub(r"^CREATE\s+(UNIQUE\s+)?INDEX\s+", r"CREATE \1INDEX IF NOT EXISTS ", sql.strip(),
                  flags=re.I)  # fmt: skip
    return _expression(text)


def view(sql: str) -> str:
    text = re.sub(r"^CREATE\s+VIEW\s+", "CREATE OR REPLACE VIEW ", sql.strip(), flags=re.I)
    if text.endswith(")"):  # PostgreSQL (before 16) names every subquery in FROM
        text += " AS sub"
    return _expression(text)


def tables_in_order(tables: Iterable[Table]) -> list[Table]:
    """Every table after the tables it references (PostgreSQL checks REFERENCES at once)."""
    pending = {t.name: t for t in tables}
    ordered: list[Table] = []
    while pending:
        ready = [t for t in pending.values() if not (t.references & pending.keys())]
        if not ready:
            raise ValueError(f"tables reference each other in a cycle: {sorted(pending)}")
        for t in sorted(ready, key=lambda t: t.name):
            ordered.append(t)
            del pending[t.name]
    return ordered


SKIPPED = ("_sqlite_migrations", "sqlite_sequence", "sqlite_stat1")


def postgres_schema(objects: Iterable[tuple[str, str, str]]) -> dict[str, list]:
    """The PostgreSQL statements of an SQLite schema's ``(type, name, sql)`` objects.

    Returns ``tables`` (Table, in reference order), ``indexes``, ``views`` and
    ``triggers`` (statements): every statement can run again on a database that has it.
    """
    tables, indexes, views, triggers = [], [], [], []
    for kind, name, sql in objects:
        if not sql or name in SKIPPED or name.startswith("sqlite_"):
            continue
        if kind == "table":
            tables.append(Table(name, sql))
        elif kind == "index":
            if "_sqlite_migrations" not in sql:
                indexes.append(index(sql))
        elif kind == "view":
            views.append(view(sql))
        elif kind == "trigger":
            triggers.extend(trigger(sql))
    return {
        "tables": tables_in_order(tables),
        "indexes": indexes,
        "views": views,
        "triggers": triggers,
    }
