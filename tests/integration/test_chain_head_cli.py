"""The journal head where a manager reads an X or Z report on the command line (SPEC
R-3): `kassi session show`, `kassi print x --text` and `kassi print z --text`, run as
real processes on a database file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.integration.kassi_command import kassi_command

pytestmark = pytest.mark.integration


class Kassi:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KASSI_")}
        self.env.update(KASSI_DB=str(db), KASSI_STAFF="1", KASSI_PIN="1234")

    def ok(self, *args: str) -> str:
        result = subprocess.run(
            [*kassi_command(), "--lang", "en", *args],
            capture_output=True,
            text=True,
            env=self.env,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def one(self, query: str, params: tuple = ()) -> tuple:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(query, params).fetchone()
        finally:
            con.close()


def test_session_show_and_the_x_and_z_text_carry_the_journal_head(tmp_path: Path) -> None:
    kassi = Kassi(tmp_path / "store.db")
    kassi.ok("init", "--demo")
    kassi.ok("sale", "--terminal", "T1", "--item", "1001x2", "--pay", "cash=100")
    seq, digest = kassi.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    short = f"{seq}:{digest[:16]}"
    shown = kassi.ok("session", "show", "--terminal", "T1")
    assert any(line.startswith("Journal head") and short in line for line in shown.splitlines())
    assert short in kassi.ok("print", "x", "--terminal", "T1", "--text")
    kassi.ok("session", "close", "--terminal", "T1", "--counted", "65.90", "--leave", "0")
    seq, digest = kassi.one(
        "SELECT seq, hash FROM audit_log WHERE action = 'session.close' AND entity_id = '1'"
    )
    kassi.ok("sale", "--terminal", "T1", "--item", "1001x1", "--pay", "card")  # moves on
    z = kassi.ok("print", "z", "1", "--text")
    assert f"{seq}:{digest[:16]}" in z
    assert digest in "".join(z.split())  # the full hash, in groups
    data = json.loads(kassi.ok("session", "show", "1", "--json"))
    assert data["journal_head"] == {"seq": seq, "hash": digest}
