"""Printer settings are validated when given (SPEC P-4): core/printing/settings.py."""

from __future__ import annotations

import json

import pytest

from core.errors import InputError, PermissionDenied
from core.printing import setting_keys
from core.printing import settings as printer_settings
from core.store import stores, terminals
from core.store.db import Db

# A printer model's code pages, as hardware would hand them to core (python-escpos'
# capabilities.json); core's tests never import hardware.
MODELS = {"TM-TEST": {"CP858": 19, "CP437": 0}, "OLD-58": {"CP437": 0, "CP865": 5}}


def lookup(model: str) -> dict[str, int]:
    return MODELS[model]


NET = {"kind": "network", "host": "10.0.0.5"}
FILE = {"kind": "file", "path": "receipts.bin"}

# (setting, the key its message must name) — 16 of 23 of these kinds were once stored.
MALFORMED = [
    ({"kind": "laser"}, "`kind`"),
    ({}, "`kind`"),
    ({"kind": 5}, "`kind`"),
    ({"kind": ["serial"]}, "`kind`"),
    ({"kind": "serial"}, "`device`"),
    ({"kind": "serial", "device": ""}, "`device`"),
    ({"kind": "serial", "device": "   "}, "`device`"),
    ({"kind": "serial", "device": "/dev/ttyS0", "baud": 9601}, "`baud`"),
    ({"kind": "serial", "device": "/dev/ttyS0", "baud": "9600"}, "`baud`"),
    ({"kind": "serial", "device": "/dev/ttyS0", "flow": "hardware"}, "`flow`"),
    ({"kind": "serial", "device": "/dev/ttyS0", "buad": 9600}, "`buad`"),
    ({"kind": "usb", "vendor": "0x04b8"}, "`product`"),
    ({"kind": "usb", "vendor": "0xZZ", "product": 1}, "`vendor`"),
    ({"kind": "usb", "vendor": 0x10000, "product": 1}, "`vendor`"),
    ({"kind": "devfile", "path": ""}, "`path`"),
    ({"kind": "devfile", "path": "/dev/usb/lp0\x00"}, "`path`"),
    ({**NET, "host": ""}, "`host`"),
    ({**NET, "host": "printer one"}, "`host`"),
    ({**NET, "host": {"ip": "10.0.0.5"}}, "`host`"),
    ({**NET, "port": "abc"}, "`port`"),
    ({**NET, "port": 0}, "`port`"),
    ({**NET, "port": 65536}, "`port`"),
    ({**NET, "port": True}, "`port`"),
    ({**NET, "port": 9100.5}, "`port`"),
    ({**NET, "port": [9100]}, "`port`"),
    ({**NET, "timeout": 0}, "`timeout`"),
    ({**NET, "timeout": True}, "`timeout`"),
    ({**NET, "timeout": float("nan")}, "`timeout`"),
    ({**NET, "timeout": float("inf")}, "`timeout`"),
    ({**NET, "timeout": "3"}, "`timeout`"),
    ({**FILE, "width": 10}, "`width`"),
    ({**FILE, "width": 42.0}, "`width`"),
    ({**FILE, "codepage": "CP999"}, "`codepage`"),
    ({**FILE, "codepage": 858}, "`codepage`"),
    ({**FILE, "codepage_slot": 256}, "`codepage_slot`"),
    ({**FILE, "drawer_pin": 3}, "`drawer_pin`"),
    ({**FILE, "drawer_pin": True}, "`drawer_pin`"),
    ({**FILE, "pulse_on_ms": 1000}, "`pulse_on_ms`"),
    ({**FILE, "pulse_off_ms": -1}, "`pulse_off_ms`"),
    ({**FILE, "wait_drawer_closed": "no"}, "`wait_drawer_closed`"),
    ({**FILE, "drawer_open_level": "up"}, "`drawer_open_level`"),
    ({**FILE, "profile": "TM-NOPE"}, "`profile`"),
    ({**FILE, "profile": 7}, "`profile`"),
    ({**FILE, "profile": "OLD-58"}, "`codepage`"),  # that model has no CP858
    ({"kind": "none", "device": "/dev/ttyS0"}, "`device`"),
    ({"kind": "file", "path": "x", "port": 9100}, "`port`"),
    ("serial", "object"),
    (["serial", "/dev/ttyS0"], "object"),
    (42, "object"),
]


@pytest.mark.parametrize("setting,key", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_a_malformed_printer_setting_is_refused_naming_the_key_and_nothing_is_stored(
    db: Db, manager, setting, key
) -> None:
    """P-4: every path that stores a setting checks it fully; one line names the key,
    and neither a new terminal nor a changed one is stored (nor audited)."""
    assert len(MALFORMED) >= 25
    before = db.scalar("SELECT COUNT(*) FROM audit_log")
    t1 = db.one("SELECT printer FROM terminals WHERE id = 'T1'")["printer"]
    with pytest.raises(InputError) as added:
        terminals.add_terminal(db, manager, "LZ", "NORREBRO", "Laser", setting, profiles=lookup)
    with pytest.raises(InputError) as changed:
        terminals.set_printer(db, manager, "T1", setting, profiles=lookup)
    for error in (added.value, changed.value):
        assert error.message.startswith("Printer setting: ")
        assert key in error.message
        assert "\n" not in error.message
    assert db.one("SELECT 1 FROM terminals WHERE id = 'LZ'") is None
    assert db.one("SELECT printer FROM terminals WHERE id = 'T1'")["printer"] == t1
    assert db.scalar("SELECT COUNT(*) FROM audit_log") == before


def test_the_port_message_says_what_a_port_is() -> None:
    """P-4: the message names the key, the range and the value given."""
    with pytest.raises(InputError) as error:
        printer_settings.normalize({**NET, "port": "abc"})
    assert error.value.message == (
        "Printer setting: `port` must be a whole number from 1 to 65535, not 'abc'"
    )


def test_a_good_setting_is_stored_in_canonical_form_without_the_defaults(db: Db, manager) -> None:
    """P-4: what is stored is what was given, canonical (hex ids, code page names);
    the defaults are filled in when the setting is used, so `terminal show` can mark them."""
    usb = {"kind": "usb", "vendor": "0x04b8", "product": "0x0202", "codepage": "cp437"}
    terminals.add_terminal(db, manager, "U1", "NORREBRO", "USB till", usb, profiles=lookup)
    stored = json.loads(db.one("SELECT printer FROM terminals WHERE id = 'U1'")["printer"])
    assert stored == {"kind": "usb", "vendor": 0x04B8, "product": 0x0202, "codepage": "CP437"}
    full = printer_settings.validate(stored)
    assert full["timeout"] == 3 and full["width"] == 42 and full["drawer_pin"] == 2


def test_a_code_page_is_checked_against_the_printer_model(db: Db, manager) -> None:
    """P-4: the model's own code page list decides; a slot given by hand overrides it."""
    ok = {**FILE, "profile": "OLD-58", "codepage": "CP865"}
    assert terminals.set_printer(db, manager, "T1", ok, profiles=lookup).printer == ok
    by_slot = {**FILE, "profile": "OLD-58", "codepage_slot": 19}
    assert terminals.set_printer(db, manager, "T1", by_slot, profiles=lookup).printer == by_slot


def test_a_profile_is_never_stored_unchecked(db: Db, manager) -> None:
    """P-4: without the printer models (nobody handed core the lookup), a setting naming
    one is refused, not stored unchecked."""
    printer_settings.use_profiles(None)
    with pytest.raises(InputError) as error:
        terminals.set_printer(db, manager, "T1", {**FILE, "profile": "TM-TEST"})
    assert "`profile`" in error.value.message
    printer_settings.use_profiles(lookup)
    try:
        assert terminals.set_printer(db, manager, "T1", {**FILE, "profile": "TM-TEST"}).printer
    finally:
        printer_settings.use_profiles(None)


@pytest.mark.parametrize(
    "text,words",
    [
        ('{"kind": "file",\n "path": }', "line 2, column 10"),
        ('{"kind": "network", "host": "x", "timeout": NaN}', "NaN"),
        ('{"kind": "network", "host": "x", "timeout": Infinity}', "Infinity"),
        ('{"kind": "network", "host": "x", "timeout": 1e400}', "`timeout`"),
        ('{"kind": "file", "kind": "none"}', "`kind` is given twice"),
        ('{"kind": "file", "path": {"a": 1}}', "`path`"),
        ("[" * 5000, "nested too deeply"),
    ],
)
def test_json_that_is_not_a_setting_says_where(text: str, words: str) -> None:
    """P-4: a JSON syntax error says where; what Python's json would let through
    (NaN, Infinity, a key given twice) is refused."""
    with pytest.raises(InputError) as error:
        printer_settings.normalize(printer_settings.parse(text))
    assert words in error.value.message


def test_a_setting_change_is_audited_with_the_old_and_the_new_value(db: Db, manager) -> None:
    """K-6: one audited transaction; the entry says what the setting was and became."""
    old = terminals.get_terminal(db, "T1").printer
    terminals.update_terminal(db, manager, "T1", name="Kasse Et", printer={**NET, "port": 9101})
    entry = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    details = json.loads(entry["details"])
    assert entry["action"] == "terminal.update" and entry["staff_id"] == manager.id
    assert details["printer"] == {"from": old, "to": {**NET, "port": 9101}}
    assert details["name"]["to"] == "Kasse Et"


def test_only_a_manager_changes_a_printer_setting(db: Db, cashier) -> None:
    """K-6: config.manage is enforced in core."""
    with pytest.raises(PermissionDenied):
        terminals.set_printer(db, cashier, "T1", FILE)
    assert terminals.get_terminal(db, "T1").printer != FILE


@pytest.mark.parametrize(
    "stored", ['{"kind": "laser"}', '"serial"', "[1, 2]", '{"kind": "serial"}']
)
def test_a_database_holding_a_malformed_setting_still_loads_and_says_what_to_fix(
    db: Db, stored: str
) -> None:
    """P-4: settings stored before they were checked: the terminal loads, and core says
    what is wrong and how to correct it."""
    with db.write():
        db.execute("UPDATE terminals SET printer = ? WHERE id = 'T1'", (stored,))
    terminal = terminals.get_terminal(db, "T1")
    problem = printer_settings.problem(terminal.printer)
    assert problem and problem.startswith("Printer setting: ")
    assert "kassi terminal set T1" in printer_settings.fix_hint("T1")


def test_every_key_has_a_meaning_and_every_store_setting_too() -> None:
    """K-6: `terminal show` and `store show` say what each setting means."""
    for kind in setting_keys.KINDS:
        assert all(setting_keys.MEANINGS.get(k) for k in setting_keys.keys_for(kind))
    assert set(stores.STORE_SETTING_MEANINGS) >= stores.STORE_SETTINGS


def test_store_show_lists_every_setting_with_its_value(db: Db) -> None:
    """K-6: every store setting, what it means, its value (defaults marked)."""
    rows = {
        key: (meaning, value)
        for key, meaning, value in stores.describe_store(stores.get_store(db, "NORREBRO"))
    }
    assert set(rows) == stores.STORE_SETTINGS | {"currency"}
    assert rows["cash_rounding"][1] == "0.50"
    assert rows["track_cash"][1] == "on"
    assert rows["max_change"][1].endswith("(default)")
    assert all(meaning for meaning, _value in rows.values())


def test_the_documentation_lists_every_key() -> None:
    """P-4: docs/printer-settings.md names every key a setting can hold."""
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "printer-settings.md").read_text("utf-8")
    for key in setting_keys.MEANINGS:
        assert f"| `{key}` |" in doc, key


def test_only_config_writes_a_terminal_s_printer_setting() -> None:
    """P-4: every stored setting goes through terminals.add_terminal / update_terminal (which
    check it): no other module inserts terminals or updates their printer column."""
    import re
    from pathlib import Path

    root = Path(__file__).parents[2]
    writer = root / "core" / "store" / "terminals.py"
    writes = re.compile(
        r"INSERT\s+INTO\s+terminals|insert\(\s*\"terminals\"|UPDATE\s+terminals\s+SET\s+(?!last_receipt_no)",
        re.I,
    )
    offenders = [
        str(path.relative_to(root))
        for package in ("core", "hardware", "tui")
        for path in sorted((root / package).rglob("*.py"))
        if path != writer and writes.search(path.read_text("utf-8"))
    ]
    assert offenders == []
    source = writer.read_text("utf-8")
    assert source.count("printer_settings.normalize(") == 2  # add_terminal, update_terminal
