"""A throwaway PostgreSQL server for the tests (SPEC X-5): nothing runs beforehand.

The system's own binaries (Debian's ``postgresql`` package, which `make test` installs
where it can), ``initdb`` into a temporary directory, a free port on 127.0.0.1 and a
socket directory of its own, so two test runs on one machine never meet. As root,
the server runs as the unprivileged ``postgres`` user (PostgreSQL refuses root).

Each test gets a database of its own, copied from a template that has the schema
(``kassi hq init``'s) and the demo master data, with the template's key file beside.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL's server binaries (initdb, pg_ctl) were not found: install the "
    "'postgresql' package (Debian/Ubuntu: apt-get install postgresql), or set "
    "KASSI_PG_BINDIR to the directory that has them"
)


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: KASSI_PG_BINDIR, Debian's versioned dir, or PATH."""
    configured = os.environ.get("KASSI_PG_BINDIR")
    candidates = [configured] if configured else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temporary directory, stopped and removed by ``stop``."""

    def __init__(self, root: Path | None = None, options: str = "") -> None:
        """``root``: a directory kept between runs (the benchmarks' cached data set),
        its cluster made the first time; otherwise a temporary one, removed by ``stop``."""
        found = bindir()
        if found is None:
            raise RuntimeError(INSTALL_HINT)
        self.bin = found
        self.keep = root is not None
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        self.root = root or Path(tempfile.mkdtemp(prefix="kassi-pg-"))
        self.data = self.root / "data"
        self.options = options
        self.port = free_port()
        self.user = "kassi"
        self._as: list[str] = []
        self._names = itertools.count(1)
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
                owner = "postgres"
            except KeyError:
                owner = "nobody"
            shutil.chown(self.root, owner)
            self._as = ["runuser", "-u", owner, "--"]
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb", "-D", str(self.data), "-A", "trust", "-U", self.user,
                "--no-locale", "-E", "UTF8", "--no-sync",
            )  # fmt: skip
        self.resume()

    def resume(self) -> None:
        """Start the server (again, after ``pause``) on its port."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            f" {self.options}"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
            "-w", "start",
        )  # fmt: skip

    def pause(self) -> None:
        """Stop the server at once, as a power cut at head office would, keeping its data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as, str(self.bin / program), *args], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stderr.strip() or done.stdout.strip()}")

    def url(self, database: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{user or self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template: str | None = None) -> str:
        name = f"kassi_t{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def stop(self) -> None:
        if self.keep:  # a cluster kept for the next run: shut down cleanly
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            return
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
