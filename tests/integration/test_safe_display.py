"""R-6: stored text never reaches the terminal raw, whatever the database holds.

The hostile text is written straight into a real database file with SQL, as
data from before the entry rule, an import or a hand edit would be; then each
list and show command runs as a real process and its stdout bytes are checked.
"""

from __future__ import annotations

import ast
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.kassi_command import Kassi

ROOT = Path(__file__).resolve().parents[2]
# the note: clear screen, home, window title, BEL, CR to overwrite the line
HOSTILE = "\x1b[2J\x1b[H\x1b]0;owned\x07\rFAKE TOTAL 0,00"
# plus C1 CSI, a bidi override, DEL, printer reset and cut, and a fake second row
HOSTILE_NAME = "Evil\x9b31m\u202eeman\x7f\x1b@\x1dV\x00\nFAKE ROW"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def obeyed(out: bytes) -> list[str]:
    """What a terminal would act on in `out`: C0 but line ends, DEL, C1, bidi controls."""
    text = out.decode("utf-8")
    bad = [c for c in text if (c < " " and c != "\n") or "\x7f" <= c <= "\x9f" or c in BIDI]
    return sorted(set(bad))


def strings(data: object) -> set[str]:
    """Every string value anywhere in decoded JSON."""
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*map(strings, data.values()))
    if isinstance(data, list):
        return set().union(*map(strings, data))
    return set()


class Raw(Kassi):
    def __init__(self, db: Path) -> None:
        super().__init__(db, env={"KASSI_STAFF": "1", "KASSI_PIN": "1234", "KASSI_LANG": "en"})

    def out(self, *args: str) -> bytes:
        """stdout as bytes: text mode would turn a raw CR into a line end and hide it."""
        result = self.run(*args, text=False)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Raw]:
    path = tmp_path_factory.mktemp("r6") / "kassi.db"
    k = Raw(path)
    k.out("init", "--demo")
    k.out("session", "open", "--terminal", "T1", "--float", "500", "--note", "start")
    k.out("session", "adjust", "--terminal", "T1", "--add", "10", "--note", "benign")
    k.out("sale", "--terminal", "T1", "--item", "1001", "--pay", "cash=100",
          "--customer", "C1001", "--discount", "1001=10%:1")  # fmt: skip
    k.out("session", "close", "--terminal", "T1", "--counted", "1000", "--leave", "500")
    k.out("statement", "create", "--store", "NORREBRO", "--from", "2000-01-01",
          "--to", "2099-12-31")  # fmt: skip
    db = sqlite3.connect(path)
    with db:
        for sql in (
            "UPDATE items SET name = :name WHERE sku = '1001'",
            "UPDATE staff SET name = :name",
            "UPDATE stores SET name = :name",
            "UPDATE terminals SET name = :name",
            "UPDATE customers SET name = :name",
            "UPDATE tenders SET name = :name WHERE id = 'cash'",
            "UPDATE cash_adjustments SET note = :note",
            "UPDATE sessions SET open_note = :note, close_note = :note",
            "UPDATE sale_discounts SET reason = :note",
            "UPDATE sale_lines SET name = :name",
            "UPDATE print_jobs SET title = :name",
            "UPDATE statements SET override_reason = :note",
            "UPDATE statement_lines SET counted_note = :note",
        ):
            db.execute(sql, {"name": HOSTILE_NAME, "note": HOSTILE})
    db.close()
    yield k


LIST_AND_SHOW = [
    ("store", "list"),
    ("terminal", "list"),
    ("staff", "list"),
    ("customer", "list"),
    ("item", "list"),
    ("tender", "list"),
    ("session", "show", "1"),
    ("session", "list"),
    ("report", "sessions", "--store", "NORREBRO", "--from", "2000-01-01", "--to", "2099-12-31"),
    ("statement", "list"),
    ("statement", "show", "1"),
    ("statement", "transactions", "1"),
    ("print", "receipt", "1", "--terminal", "T1", "--text"),
    ("print", "session", "1", "--terminal", "T1", "--text"),
    ("print", "pending", "--terminal", "T1"),
]


@pytest.mark.parametrize("args", LIST_AND_SHOW, ids=" ".join)
def test_list_and_show_commands_write_no_control_characters(hostile_db: Raw, args) -> None:
    """R-6: hostile names and notes come out as visible marks, never as ESC, BEL, CR, C1, bidi."""
    out = hostile_db.out(*args)
    assert obeyed(out) == [], out
    assert b"\r" not in out and b"\x1b" not in out and b"\x07" not in out


@pytest.mark.parametrize(
    "args", [("item", "list"), ("staff", "list"), ("session", "show", "1")], ids=" ".join
)
def test_the_hostile_text_is_shown_not_hidden(hostile_db: Raw, args) -> None:
    """R-6: the marks show that something was there, and a stored line break makes no new row."""
    out = hostile_db.out(*args).decode()
    assert "␛" in out
    assert "\\nFAKE ROW" in out or "FAKE TOTAL" in out
    assert not any(line.startswith("FAKE") for line in out.splitlines())


@pytest.mark.parametrize(
    "args",
    [
        ("item", "list", "--json"),
        ("staff", "list", "--json"),
        ("session", "show", "1", "--json"),
        ("statement", "show", "1", "--json"),
        (
            "report",
            "sessions",
            "--store",
            "NORREBRO",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
            "--json",
        ),  # fmt: skip
    ],
    ids=" ".join,
)
def test_json_output_escapes_controls_and_keeps_the_data(hostile_db: Raw, args) -> None:
    """R-6: JSON is escaped (\\u001b, \\u009b, \\u202e) and still reads back as stored."""
    out = hostile_db.out(*args)
    assert obeyed(out) == [], out
    assert strings(json.loads(out)) & {HOSTILE, HOSTILE_NAME}


def test_the_csv_export_holds_no_terminal_control(hostile_db: Raw) -> None:
    """R-6: `report sessions --csv -` may be read on a terminal; its rows end in CRLF only."""
    out = hostile_db.out(
        "report", "sessions", "--store", "NORREBRO", "--from", "2000-01-01",
        "--to", "2099-12-31", "--csv", "-",
    )  # fmt: skip
    assert obeyed(out.replace(b"\r\n", b"\n")) == []
    assert "␛".encode() in out


def test_the_transfer_export_escapes_c1_and_bidi_controls(hostile_db: Raw) -> None:
    """R-6: the JSON Lines file has no raw control, and head office reads the same text."""
    out = hostile_db.out("export", "transactions")
    assert obeyed(out) == []
    records = [json.loads(line) for line in out.decode().splitlines() if line]
    assert strings(records) & {HOSTILE, HOSTILE_NAME}


def test_no_command_writes_with_click_echo_directly() -> None:
    """R-6: every text a command prints goes through tui.cli.echo (and so safe_text).

    A new command written with click.echo would bypass the sanitizer; this
    fails for it, so the rule holds for commands not written yet.
    """
    offenders = []
    for path in sorted((ROOT / "tui" / "cli").glob("*.py")):
        if path.name == "__init__.py":  # where echo itself lives
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("echo", "secho")
                and isinstance(node.value, ast.Name)
                and node.value.id == "click"
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
