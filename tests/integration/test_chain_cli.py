"""A chain set up and synced through the command line (SPEC X-2, X-3, X-7): the commands
the README's "A chain" section gives, as a shop's administrator types them."""

from __future__ import annotations

import json
import os
import secrets
import subprocess

import pytest

from tests.integration.kassi_command import clean_env, kassi_command

pytestmark = pytest.mark.integration

MANAGER = {"KASSI_STAFF": "1", "KASSI_PIN": "1234"}


def kassi(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = clean_env(XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"], KASSI_LANG="en", **env)
    return subprocess.run(
        [*kassi_command(), *args], capture_output=True, text=True, env=full, timeout=120
    )


def ok(*args: str, **env: str) -> str:
    done = kassi(*args, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_store_is_set_up_from_head_office_and_syncs_from_the_command_line(
    pg_server, pg_url, tmp_path
) -> None:
    """X-7: head office gives the store its role; the store's first `kassi sync` fills
    its database; its manager sets the first PIN; a sale is delivered; head office
    applies it (`hq receive`) and shows it in `hq status`; a sync with nothing new says
    so."""
    role = f"kassi_store_cli_{secrets.token_hex(3)}"
    out = ok(
        "--db", pg_url, "hq", "store-role", "NORREBRO", "--role", role,
        KASSI_STORE_PASSWORD="a long store password", **MANAGER,
    )  # fmt: skip
    assert out == f"Role {role} made for store NORREBRO.\n"
    store = str(tmp_path / "store.db")
    hq = pg_server.url(pg_url.rsplit("/", 1)[1], user=role)
    first = ok("--db", store, "sync", "--hq", hq)
    assert first.startswith("Store NORREBRO: ") and "delivered entries 1-" in first
    assert ok("--db", store, "staff", "first-pin", "1", KASSI_NEW_PIN="4321") == (
        "Staff member 1 has a PIN.\n"
    )
    ok("--db", store, "sale", "--terminal", "T1", "--item", "1002", "--pay", "card",
       KASSI_STAFF="1", KASSI_PIN="4321")  # fmt: skip
    waited = ok("--db", store, "sync", "--hq", hq, "--wait", "1")
    assert "(1 sale), not applied yet (is kassi hq receive running?)" in waited
    assert ok("--db", pg_url, "hq", "receive") == (
        "Applied 2 deliveries (1 sales), 0 already here, 0 refused.\n"
    )
    status = {s["store"]: s for s in json.loads(ok("--db", pg_url, "hq", "status", "--json"))}
    assert status["NORREBRO"]["waiting"] == 0 and status["NORREBRO"]["problem"] == ""
    assert status["NORREBRO"]["applied_head"] > 0 and status["REYKJAVIK"]["applied_head"] is None
    table = ok("--db", pg_url, "hq", "status")
    assert table.splitlines()[0].split()[:2] == ["Store", "Applied"]
    assert "nothing new to deliver" in ok("--db", store, "sync", "--hq", hq)
    assert ok("--db", pg_url, "hq", "retry", "NORREBRO", **MANAGER) == (
        "Store NORREBRO has no refused delivery.\n"
    )


def test_sync_mistakes_get_one_line_and_change_nothing(pg_server, pg_url, tmp_path) -> None:
    """R-4: an unreachable head office, a file given as head office, sync run on head
    office, a short store password, hq commands on a store file: one line each."""
    store = str(tmp_path / "store.db")
    cases = [
        (("--db", store, "sync", "--hq", f"postgresql://x@127.0.0.1:{pg_server.port + 1}/x"), 4,
         "Error: Head office cannot be reached: "),
        (("--db", store, "sync", "--hq", store), 2, "Error: Head office is a postgresql:// URL"),
        (("--db", pg_url, "sync", "--hq", pg_url), 2,
         "Error: kassi sync runs on a store's own database"),
        (("--db", store, "hq", "status"), 2, "Error: Give the head office with --db"),
    ]  # fmt: skip
    for args, code, start in cases:
        done = kassi(*args)
        assert (done.returncode, done.stdout) == (code, ""), done
        assert done.stderr.startswith(start) and done.stderr.count("\n") == 1, done.stderr
    short = kassi("--db", pg_url, "hq", "store-role", "NORREBRO", "--role", "kassi_short",
                  KASSI_STORE_PASSWORD="short", **MANAGER)  # fmt: skip
    assert short.returncode == 2
    assert "at least 12 characters" in short.stderr
    import psycopg

    with psycopg.connect(pg_url) as conn:
        assert (
            conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'kassi_short'").fetchone() is None
        )


def test_head_office_staff_work_with_their_own_role_and_pin(pg_server, pg_url) -> None:
    """X-3: a person's own database role joins the back office (`hq office-role`) and
    works it with their kassi PIN on top; without the PIN nothing; it cannot drop a
    table, and a store's role cannot be made one."""
    import psycopg

    person = f"alice_{secrets.token_hex(3)}"
    pg_server.admin(f'CREATE ROLE "{person}" LOGIN')
    assert "may work head office's back office" in ok(
        "--db", pg_url, "hq", "office-role", person, **MANAGER
    )
    own = pg_server.url(pg_url.rsplit("/", 1)[1], user=person)
    assert json.loads(ok("--db", own, "statement", "list", "--json", **MANAGER)) == []
    assert "NORREBRO" in ok("--db", own, "hq", "status")
    wrong = kassi("--db", own, "statement", "list", KASSI_STAFF="1", KASSI_PIN="9999")
    assert wrong.returncode != 0 and "PIN" in wrong.stderr
    with (
        psycopg.connect(own, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("DROP TABLE sales")
    missing = kassi("--db", pg_url, "hq", "office-role", "nobody_here", **MANAGER)
    assert missing.returncode == 2 and "There is no database role nobody_here" in missing.stderr
