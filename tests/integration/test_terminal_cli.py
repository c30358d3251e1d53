"""`kassi terminal add|set|show` and `kassi store show` as subprocesses (SPEC P-4, K-6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.store.db import Db
from tests.hardware.escpos_decoder import decode, texts
from tests.integration.kassi_command import CASHIER, MANAGER, Till

pytestmark = pytest.mark.integration


class Shop(Till):
    def state(self) -> tuple:
        with Db(self.db_path) as db:
            return (
                [tuple(r) for r in db.all("SELECT id, name, printer FROM terminals ORDER BY id")],
                db.scalar("SELECT COUNT(*) FROM audit_log"),
            )


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return Shop(tmp_path)


# A few of the settings `terminal add` once took; core's table has the rest.
BAD_SETTINGS = [
    ('{"kind":"laser"}', "`kind`"),
    ('{"kind": "network", "host": "10.0.0.5", "port": "abc"}', "`port` must be a whole number"),
    ('{"kind": "serial"}', "`device`"),
    ('{"kind": "file", "path": "x", "timeout": NaN}', "NaN"),
    ('{"kind": "file", "path": "x", "profile": "TM-T88II"}', "`codepage`"),
    ('{"kind": "file", "path": "x", "profile": "NO-SUCH-MODEL"}', "`profile`"),
    ('"serial"', "object"),
]


@pytest.mark.parametrize("setting,words", BAD_SETTINGS)
def test_terminal_add_and_set_refuse_a_bad_printer_setting_and_store_nothing(
    shop: Shop, setting: str, words: str
) -> None:
    """P-4: the setting is checked when given, one line names the key, nothing changes."""
    before = shop.state()
    added = shop.refused(
        "terminal", "add", "LZ", "--store", "NORREBRO", "--printer", setting, *MANAGER
    )
    changed = shop.refused("terminal", "set", "T1", "--printer", setting, *MANAGER)
    for err in (added, changed):
        assert err.startswith("Error: ") and words in err
    assert shop.state() == before


def test_a_json_syntax_error_says_where(shop: Shop) -> None:
    """P-4: the CLI says where the JSON is wrong."""
    err = shop.refused(
        "terminal", "set", "T1", "--printer", '{"kind": "file",\n"path": }', *MANAGER
    )
    assert "line 2, column 9" in err


def test_terminal_set_changes_name_and_setting_and_says_try_it(shop: Shop) -> None:
    """K-6/P-4: name and printer setting in one audited change; the next step is the test page,
    which prints on the new setting."""
    sink = shop.root / "front.bin"
    out = shop.ok(
        "terminal",
        "set",
        "T1",
        "--name",
        "Front till",
        "--printer",
        json.dumps({"kind": "file", "path": str(sink), "width": 48}),
        *MANAGER,
    )
    assert "Terminal T1 updated." in out
    assert "Try it: kassi print test --terminal T1" in out
    shown = json.loads(shop.ok("terminal", "show", "T1", "--json"))
    assert shown["name"] == "Front till"
    assert shown["printer"] == {"kind": "file", "path": str(sink), "width": 48}
    assert shown["problem"] is None
    keys = {k["key"]: k for k in shown["keys"]}
    assert keys["width"]["value"] == 48 and not keys["width"]["default"]
    assert keys["timeout"]["value"] == 3 and keys["timeout"]["default"]
    assert all(k["meaning"] for k in shown["keys"])
    shop.ok("print", "test", "--terminal", "T1")
    assert any("T1" in line for line in texts(decode(sink.read_bytes())))


def test_key_value_changes_one_key_and_an_empty_value_restores_the_default(shop: Shop) -> None:
    """K-6: KEY=VALUE edits one key of the stored setting, typed as the key's kind of value;
    a new kind keeps only what still applies."""
    shop.ok("terminal", "set", "T1", "width=48", "wait_drawer_closed=true", *MANAGER)
    printer = json.loads(shop.ok("terminal", "show", "T1", "--json"))["printer"]
    assert printer["width"] == 48 and printer["wait_drawer_closed"] is True
    shop.ok("terminal", "set", "T1", "width=", *MANAGER)
    assert "width" not in json.loads(shop.ok("terminal", "show", "T1", "--json"))["printer"]
    out = shop.ok("terminal", "set", "T1", "kind=network", "host=10.0.0.5", "port=9101", *MANAGER)
    assert "Not kept for a network printer: path." in out
    printer = json.loads(shop.ok("terminal", "show", "T1", "--json"))["printer"]
    assert printer == {
        "kind": "network",
        "codepage": "CP858",
        "wait_drawer_closed": True,
        "host": "10.0.0.5",
        "port": 9101,
    }
    err = shop.refused("terminal", "set", "T1", "port=abc", *MANAGER)
    assert "Printer setting: `port` must be a whole number from 1 to 65535, not 'abc'" in err


def test_store_settings_are_not_set_per_terminal(shop: Shop) -> None:
    """K-6: no store setting applies to one till alone; the command says where it is set."""
    before = shop.state()
    err = shop.refused("terminal", "set", "T1", "drawer_limit=2000", *MANAGER)
    assert "store setting" in err and "kassi store set" in err
    assert shop.state() == before


def test_only_a_manager_changes_a_terminal(shop: Shop) -> None:
    """K-6: config.manage, checked in core; nothing changes for a cashier."""
    before = shop.state()
    done = shop.run("terminal", "set", "T1", "--name", "Mine", *CASHIER)
    assert done.returncode == 3 and "not allowed" in done.stderr
    assert shop.state() == before


def test_terminal_show_names_a_stored_malformed_setting_and_how_to_fix_it(shop: Shop) -> None:
    """P-4: a database from before settings were checked still loads; show and print say
    what is wrong and how to correct it."""
    with Db(shop.db_path) as db, db.write():
        db.execute("UPDATE terminals SET printer = ? WHERE id = 'T2'", ('{"kind": "laser"}',))
    out = shop.ok("terminal", "show", "T2")
    assert "Printer setting: `kind` must be one of" in out
    assert "kassi terminal set T2 --printer JSON" in out
    done = shop.run("print", "test", "--terminal", "T2")
    assert done.returncode == 5 and "kassi terminal set T2" in done.stderr
    # A sale on that till is kept, its receipt waits, and prints once the setting is right.
    shop.ok("session", "open", "--terminal", "T2", "--float", "500", *MANAGER)
    shop.ok("sale", "--terminal", "T2", "--item", "1001", "--pay", "cash", *MANAGER)
    sink = shop.root / "fixed.bin"
    shop.ok(
        "terminal",
        "set",
        "T2",
        "--printer",
        json.dumps({"kind": "file", "path": str(sink)}),
        *MANAGER,
    )
    assert "T2-1" in shop.ok("print", "pending", "--retry")


def test_store_show_lists_every_setting_its_meaning_and_value(shop: Shop) -> None:
    """K-6: every store setting with what it means and its current value."""
    out = shop.ok("store", "show", "NORREBRO")
    for key in ("currency", "track_cash", "cash_rounding", "drawer_limit", "max_change"):
        assert f"  {key} " in out
    data = json.loads(shop.ok("store", "show", "NORREBRO", "--json"))
    rows = {r["key"]: r for r in data["settings"]}
    assert rows["cash_rounding"]["value"] == "0.50"
    assert rows["max_change"]["value"].endswith("(default)")
    assert all(r["meaning"] for r in rows.values())
    assert "No store" in shop.refused("store", "show", "NOPE")
