"""The journal head where a manager reads an X or Z report on the command line (SPEC
R-3): `kassi session show`, `kassi print x --text` and `kassi print z --text`, run as
real processes on a database file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.kassi_command import Kassi

pytestmark = pytest.mark.integration


def test_session_show_and_the_x_and_z_text_carry_the_journal_head(tmp_path: Path) -> None:
    manager = {"KASSI_STAFF": "1", "KASSI_PIN": "1234"}
    kassi = Kassi(tmp_path / "store.db", args=("--lang", "en"), env=manager, timeout=120)
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
