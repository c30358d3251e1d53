"""How the integration tests run the installed `kassi` command: one helper for every file."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from core.staff import auth
from core.store import demo, terminals
from core.store.db import Db

MANAGER = ("--staff", "1", "--pin", "1234")
CASHIER = ("--staff", "2", "--pin", "2222")
SUPERVISOR = ("--staff", "3", "--pin", "3333")

# JSON keys that hold money; everything numeric that is not a count or an id is money.
AMOUNT_KEYS = {
    "amount",
    "cash_added",
    "discounts_total",
    "cash_payments",
    "cash_refunds",
    "cash_removed",
    "cash_removed_during",
    "cash_rounding",
    "change",
    "closing_discrepancy",
    "counted_cash",
    "declared",
    "difference",
    "discount",
    "drawer_limit",
    "expected_cash",
    "left_in_drawer",
    "max_posting_difference",
    "opening_discrepancy",
    "opening_float",
    "previous_left_in_drawer",
    "price",
    "refunds_total",
    "rounding",
    "rounding_total",
    "sales_total",
    "tendered",
    "total",
    "unit_price",
    "vat",
    "vat_rate",
}
COUNT_KEYS = {
    "id",
    "min_pin_length",
    "receipt",
    "session",
    "count",
    "qty",
    "sales_count",
    "refunds_count",
    "discounts_count",
    "checked",
    "seq",
    "last_receipt_no",
    "width",
    "sort_order",
}


def check_amounts(data: Any, key: str = "") -> None:
    """Amounts are decimal strings; the only JSON numbers are counts and ids."""
    if isinstance(data, dict):
        for k, v in data.items():
            check_amounts(v, k)
    elif isinstance(data, list):
        for v in data:
            check_amounts(v, key)
    elif isinstance(data, float):
        pytest.fail(f"{key}: float {data!r} in JSON")
    elif isinstance(data, int) and not isinstance(data, bool):
        assert key in COUNT_KEYS, f"{key}: JSON number {data!r} (amounts are strings)"
    elif key in AMOUNT_KEYS and data is not None:
        assert isinstance(data, str) and re.fullmatch(r"-?\d+(\.\d+)?", data), (key, data)


def kassi_command() -> list[str]:
    """The console script beside this interpreter, else on PATH, else the module."""
    exe = Path(sys.executable).parent / "kassi"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("kassi")
    return [found] if found else [sys.executable, "-c", "from tui.cli import main; main()"]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any KASSI_ setting the developer may have."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KASSI_")}
    env.update(extra)
    return env


def without_pin_warning(stderr: str, args: Iterable[str]) -> str:
    """stderr less the warning that --pin earns (R-10): these tests pass PINs as flags."""
    if "--pin" not in args:
        return stderr
    first, _sep, rest = stderr.partition("\n")
    return rest if "--pin" in first and "KASSI_PIN" in first else stderr


class Kassi:
    """Runs `kassi` with KASSI_DB pointing at one database file.

    ``quiet``: a command that succeeds must say nothing on stderr, and one that fails
    nothing on stdout (the --pin warning aside). ``check_json`` sees every --json answer.
    """

    def __init__(
        self,
        db: Path,
        *,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        timeout: float = 60,
        quiet: bool = False,
        check_json: Callable[[Any], None] | None = None,
    ) -> None:
        # A head office on PostgreSQL is a URL, which Path would mangle.
        self.db = db if str(db).startswith("postgresql://") else Path(db)
        self.db_path = self.db
        self.args = args
        self.env = clean_env(KASSI_DB=str(db), **(env or {}))
        self.timeout = timeout
        self.quiet = quiet
        self.check_json = check_json

    def run(
        self, *args: str, env: dict[str, str] | None = None, text: bool = True
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*kassi_command(), *self.args, *args],
            capture_output=True,
            text=text,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            timeout=self.timeout,
        )

    def ok(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = self.run(*args, env=env)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        if self.quiet:
            assert without_pin_warning(result.stderr, args) == "", (args, result.stderr)
        return result.stdout

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        data = json.loads(self.ok(*args, "--json", env=env))
        if self.check_json:
            self.check_json(data)
        return data

    def fails(self, code: int, *args: str, env: dict[str, str] | None = None) -> str:
        """Run a command that must fail with ``code``; returns its stderr."""
        result = self.run(*args, env=env)
        assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
        assert result.stderr.strip(), args
        if not self.quiet:
            return result.stderr
        assert result.stdout == "", (args, result.stdout)
        return without_pin_warning(result.stderr, args)

    def refused(self, *args: str) -> str:
        """A command that must fail in one line on stderr; returns that line."""
        done = self.run(*args)
        assert done.returncode != 0, (args, done.stdout)
        lines = [ln for ln in done.stderr.splitlines() if not ln.startswith("Warning: --pin")]
        assert len(lines) == 1, done.stderr
        return lines[0]

    def tables(self, leave_out: Iterable[str] = ()) -> dict[str, list]:
        """Every row of every table but ``leave_out``, to show what a command changed."""
        skip = set(leave_out)
        if isinstance(self.db, str):
            return _server_tables(self.db, skip)
        con = sqlite3.connect(self.db)
        try:
            names = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {
                t: sorted(map(repr, con.execute(f"SELECT * FROM {t}")))
                for t in names
                if t not in skip
            }
        finally:
            con.close()

    def snapshot(self, ignore_login: bool = False) -> dict[str, list]:
        """Every row of every table, to show that a failed command changed nothing.

        With ``ignore_login``: a wrong PIN is meant to leave a trace (the failed
        count and its audit entry), so those are left out of the comparison.
        """
        login = ("audit_log", "audit_head", "number_sequences", "staff")
        return self.tables(login if ignore_login else ())

    def one(self, query: str, params: tuple = ()) -> tuple:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(query, params).fetchone()
        finally:
            con.close()

    def open_db(self) -> Db:
        return Db(self.db)


def cli_kassi(path: Path) -> Kassi:
    """The strict flavour: nothing on stderr when it works, decimal strings in JSON."""
    return Kassi(path, quiet=True, check_json=check_amounts)


def _server_tables(url: str, skip: set[str]) -> dict[str, list]:
    import psycopg

    with psycopg.connect(url) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ]
        return {
            t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"')))
            for t in names
            if t not in skip
        }


def make_demo(path: Path) -> Path:
    """`kassi init --demo` into ``path``, checkpointed so that a file copy is whole."""
    cli_kassi(path).ok("init", "--demo")
    sqlite3.connect(path).close()  # last connection out: WAL checkpointed into the file
    return path


def copy_db(template: Path, path: Path) -> Path:
    """A copy of a database and of its key file (the PIN pepper lives beside it, R-10)."""
    shutil.copy(template, path)
    shutil.copy(f"{template}.key", f"{path}.key")
    return path


def demo_with_printers(root: Path) -> Path:
    """The demo stores with each terminal printing to a file under ``root``."""
    path = root / "store.db"
    with Db(path) as db:
        demo.load_demo(db, printer_dir=root)
    return path


class Till(Kassi):
    """The demo stores, each terminal printing to a file under ``root``."""

    def __init__(self, root: Path) -> None:
        super().__init__(demo_with_printers(root), args=("--lang", "en"))
        self.root = root

    def sink(self, terminal: str = "T1") -> Path:
        return self.root / f"printer-{terminal}.bin"

    def printed(self, terminal: str = "T1") -> bytes:
        path = self.sink(terminal)
        return path.read_bytes() if path.exists() else b""

    def set_printer(self, cfg: dict, terminal: str = "T1") -> None:
        with Db(self.db_path) as db:
            terminals.set_printer(db, auth.authenticate(db, "1", "1234"), terminal, cfg)


def at_a_terminal(
    env: dict[str, str], args: list[str], answers: list[tuple[bytes, str]]
) -> tuple[int, str]:
    """Run kassi on a pseudo-terminal (its controlling terminal) and answer its prompts in
    order; the exit code and everything the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        try:
            os.execve(kassi_command()[0], [*kassi_command(), "--lang", "en", *args], env)
        finally:
            os._exit(127)
    shown, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        if pending and shown.rstrip().endswith(pending[0][0]):
            os.write(fd, pending.pop(0)[1].encode() + b"\r")
    _pid, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")
