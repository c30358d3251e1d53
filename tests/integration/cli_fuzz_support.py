"""Running `kassi` in-process on a copy of a demo database, and comparing databases.

Shared by the CLI fuzz test and the explicit bad-input tests (R-4): a command is
run with click's CliRunner (no process start, so hundreds of examples stay
fast), and the database is dumped before and after to show that a refused
command changed nothing.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path

import click
from attrs import frozen
from click.testing import CliRunner

from tui.cli import main

ENV = {"KASSI_STAFF": "1", "KASSI_PIN": "1234", "KASSI_DEBUG": "", "KASSI_LANG": "en"}
# A documented outcome: 0 done, 1 aborted, 2 refused input or state, 3 permission or
# PIN, 4 database or key file. 70 is "internal error": a bug, never accepted here.
EXIT_CODES = {0, 1, 2, 3, 4}
# What a failed PIN try writes on purpose (R-10: counted, audited, in its own transaction).
_LOGIN_COLUMNS = {"failed_pins", "locked_until", "lockouts"}
# A failed PIN's login.* entry moves the journal's signed head; the entries
# themselves are compared, less the login ones.
_LOGIN_TABLES = {"audit_head", "audit_verified"}
# The demo store with some history, so that commands on sessions, receipts and
# statements find something: a closed session with a sale on T2, a statement
# over it, an open session with a card sale on T1.
SETUP = [
    ["init", "--demo"],
    ["session", "open", "--terminal", "T2", "--float", "500.00"],
    ["sale", "--terminal", "T2", "--item", "1001x2", "--pay", "cash=100.00"],
    ["session", "close", "--terminal", "T2", "--counted", "566.00", "--leave", "500.00"],
    ["statement", "create", "--store", "NORREBRO", "--from", "2026-01-01", "--to", "2099-12-31"],
    ["session", "open", "--terminal", "T1", "--float", "500.00"],
    ["sale", "--terminal", "T1", "--item", "1002", "--pay", "card"],
]


@frozen
class Outcome:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def leaf_commands(group: click.Group = main, path: tuple[str, ...] = ()):
    """(path, command) for every command under ``group``, however deep."""
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


def make_template(directory: Path) -> Path:
    """A demo database (and its key file) to copy for every run."""
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "template.db"
    for args in SETUP:
        result = CliRunner().invoke(main, ["--db", str(db), *args], env=ENV)
        assert result.exit_code == 0, (args, result.output)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


_copies = itertools.count()


def copy_db(template: Path, directory: Path) -> Path:
    target = directory / f"run-{next(_copies)}.db"
    shutil.copy(template, target)
    shutil.copy(f"{template}.key", f"{target}.key")
    return target


def run(db: Path, args: list[str], stdin: str | bytes | None = None) -> Outcome:
    result = CliRunner().invoke(main, ["--db", str(db), *args], env=ENV, input=stdin)
    return Outcome(result.exit_code, result.stdout, result.stderr, result.exception)


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, without what a failed PIN try records by design."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {}
        for table in tables:
            if table in _LOGIN_TABLES:
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            keep = [c for c in columns if not (table == "staff" and c in _LOGIN_COLUMNS)]
            where = {
                "audit_log": " WHERE action NOT LIKE 'login.%'",
                "number_sequences": " WHERE name <> 'audit'",  # the audit entries' counter
            }.get(table, "")
            select = ", ".join(f'"{c}"' for c in keep)
            rows = conn.execute(f'SELECT {select} FROM "{table}"{where}').fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def problems(outcome: Outcome) -> list[str]:
    """What is wrong with how a command ended, whatever its input (R-4)."""
    found = []
    if outcome.code not in EXIT_CODES:
        found.append(f"exit code {outcome.code}")
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        found.append("a traceback")
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        found.append(f"an exception escaped: {outcome.exception!r}")
    if outcome.code != 0:
        lines = [ln for ln in outcome.stderr.splitlines() if not ln.startswith("Warning: --pin")]
        if len(lines) != 1:
            found.append(f"{len(lines)} lines on stderr: {outcome.stderr[:300]!r}")
    return found
