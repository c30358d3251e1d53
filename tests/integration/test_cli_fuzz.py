"""Every `kassi` command with random arguments: no traceback, one line, nothing changed (R-4).

The commands are found by walking the click tree, so a command added later is
fuzzed too. Arguments mix values the demo database knows (T1, NORREBRO, 1001)
with hostile ones: huge and negative integers, Unicode digits, control and
escape characters, bidi overrides, empty and very long strings, dates outside
any calendar a shop uses, deeply nested JSON, files in the wrong encoding.

KASSI_FUZZ_EXAMPLES raises the number of examples per command (default 40:
the suite stays fast; each example copies a small database and most log in);
KASSI_FUZZ_RANDOM=1 draws new examples on every run instead of the fixed ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.cli_fuzz_support import (
    copy_db,
    dump,
    leaf_commands,
    make_template,
    problems,
    run,
)

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("KASSI_FUZZ_EXAMPLES", "40"))

# Commands that start something long-running instead of answering (a server, the TUI).
LONG_RUNNING = {("serve",)}
COMMANDS = [(path, cmd) for path, cmd in leaf_commands() if path not in LONG_RUNNING]

HUGE = [str(2**63), str(2**64), "9" * 25, "-" + "9" * 25, "9" * 5000, "1e400"]
UNICODE_DIGITS = ["١٢٣", "1001x٣", "１２", "٣", "²", "𝟗", "12,٥0"]
CONTROLS = ["\x1b[2J\x1b[H", "a\x00b", "\x07", "\x7f", "\u202eevil", "x\u200by", "\x85", "\r"]
WEIRD_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "1999-12-31", "2100-01-01", "2026-1-1"]
NESTED = ["[" * 3000 + "]" * 3000, '{"a":' * 50 + "1" + "}" * 50, "[" * 100000]
KNOWN = ["T1", "T2", "R1", "NORREBRO", "REYKJAVIK", "1001", "1002", "5701234000028", "1", "2"]
OTHER = [
    "",
    " ",
    "0",
    "-1",
    "x" * 100_001,
    "cash",
    "card",
    "on",
    "TRUE",
    "maybe",
    "track_cash=TRUE",
    "track_cash=maybe",
    "name=",
    "200=" + "9" * 30,
    "200=3",
    "1001x3",
    "basket=10%:1",
    "12,50",
    "12.50",
    "2026-01-15",
    "2026-01-15T10:00",
    '{"kind": "none"}',
    '{"kind": "file", "path": "out.bin"}',
    "cashier",
    "manager",
    "T1-1",
    "last",
    "-",
]
VALUES = st.one_of(
    st.sampled_from(KNOWN + OTHER + HUGE + UNICODE_DIGITS + CONTROLS + WEIRD_DATES + NESTED),
    st.text(max_size=30),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.from_regex(r"[0-9]{1,30}", fullmatch=True),
)


def _files(directory: Path) -> list[str]:
    """Input files a path parameter gets: good, badly encoded, hostile, missing."""
    directory.mkdir(exist_ok=True)
    contents = {
        "good.csv": b"sku,name,price,vat\n9001,Juice,12.50,25\n",
        "latin1.csv": "sku,name,price,vat\n9001,Pærejuice,12.50,25\n".encode("latin-1"),
        "bom.csv": "\ufeffsku,name,price,vat\n9002,Kaffe,12.50,25\n".encode(),
        "dupes.csv": b"sku,name,price,vat,barcode\n9001,A,1,25,77\n9002,B,1,25,77\n",
        "negative.csv": b"sku,name,price,vat,on_hand\n9001,A,1,25,-5\n",
        "nested.jsonl": ("[" * 100000 + "\n").encode(),
        "huge.jsonl": b'{"type": "header", "format": "kassi-transfer", "version": 1, "cursor": '
        + b"9" * 40
        + b"}\n",
        "binary.bin": bytes(range(256)),
        "empty.txt": b"",
    }
    for name, data in contents.items():
        (directory / name).write_bytes(data)
    return [str(directory / name) for name in contents] + [str(directory / "missing.csv")]


# Values the template database knows, by parameter name: most runs give one, so
# that the hostile value in another parameter reaches kassi's own checks.
PLAUSIBLE = {
    "terminal_id": ["T1", "T2", "R1"],
    "store_id": ["NORREBRO", "REYKJAVIK"],
    "store_ids": ["NORREBRO"],
    "session_id": ["1", "2"],
    "statement_id": ["1"],
    "receipt": ["1", "T1-1", "last"],
    "items": ["1001", "1002x2", "5701234000028"],
    "pays": ["cash", "card", "cash=100.00"],
    "date_from": ["2026-01-01"],
    "date_to": ["2026-12-31"],
    "day": ["2026-01-15"],
    "start_text": ["2026-01-01"],
    "end_text": ["2026-12-31"],
    "float_text": ["500.00"],
    "counted_text": ["566.00"],
    "leave_text": ["500.00"],
    "add_text": ["10.00"],
    "remove_text": ["10.00"],
    "amount_text": ["100.00"],
    "price": ["12.50"],
    "vat": ["25"],
    "currency": ["DKK", "ISK"],
    "counts": ["200=3", "0.50=4"],
    "declares": ["card=24.50"],
    "settings": ["track_cash=on", "name=Shop", "cash_rounding=0.50"],
    "name": ["Juice", "Kasse 9"],
    "note": ["float top-up"],
    "reason": ["change"],
    "tender_id": ["cash", "card"],
    "role": ["cashier"],
    "percent": ["15"],
    "new_pin": ["4321"],
    "sku": ["9001"],
    "barcode": ["9001001"],
}
# Left to KASSI_STAFF / KASSI_PIN unless the run is about them.
LOGIN = {"staff_id", "pin"}


def _hostile(param: click.Parameter, files: list[str]) -> st.SearchStrategy[str]:
    """The nastiest values for a parameter's kind: a number gets huge and Unicode
    digits, a date impossible days, JSON deep nesting, a path bad files."""
    kind = param.type.name
    every = [HUGE, UNICODE_DIGITS, CONTROLS, WEIRD_DATES, NESTED, OTHER]
    if kind == "integer":
        every = [HUGE, HUGE, UNICODE_DIGITS, ["0", "-1", "", " 1", "1.5"]]
    elif kind == "date":
        every = [WEIRD_DATES, UNICODE_DIGITS, HUGE]
    elif kind == "json":
        every = [NESTED, NESTED, ['"x"', "[]", "{", '{"kind": 1}', "1" * 100_000]]
    elif isinstance(param.type, (click.Path, click.File)):
        every = [files, files, files, CONTROLS]
    return st.one_of(*[st.sampled_from(values) for values in every], VALUES)


def _plausible(param: click.Parameter, files: list[str]) -> st.SearchStrategy[str]:
    if isinstance(param.type, (click.Path, click.File)):
        return st.sampled_from(files)
    if isinstance(param.type, click.Choice):
        return st.sampled_from([str(c) for c in param.type.choices])
    if param.name in PLAUSIBLE:
        return st.sampled_from(PLAUSIBLE[param.name])
    return VALUES


def _param_values(
    param: click.Parameter, files: list[str], hostile: bool
) -> st.SearchStrategy[list[str]]:
    """argv pieces for one parameter: absent, or given (once or more) a value; the
    hostile parameter of a run is always given, the others mostly a plausible value."""
    values = _hostile(param, files) if hostile else _plausible(param, files)
    if isinstance(param, click.Argument):
        count = 1 if param.nargs == 1 else 3
        least = 1 if param.required or hostile else 0
        return st.lists(values, min_size=least, max_size=count)
    flag = param.opts[0]
    if param.is_flag:
        return st.just([flag]) if hostile else st.sampled_from([[], [flag]])
    given_once = values.map(lambda v: [flag, v])
    if param.name in LOGIN and not hostile:
        return st.just([])  # KASSI_STAFF / KASSI_PIN: a random one only fails the login
    if param.multiple:
        least = 1 if param.required or hostile else 0
        pairs = st.lists(given_once, min_size=least, max_size=3)
        return pairs.map(lambda xs: [x for pair in xs for x in pair])
    return given_once if param.required or hostile else st.just([]) | given_once


@st.composite
def _argv(draw, command: click.Command, files: list[str]) -> list[str]:
    """One parameter gets a hostile value, the others plausible ones (so that the run
    gets past them to the check under test), or all are random."""
    params = command.params
    target = draw(st.sampled_from([None, *params])) if params else None
    options: list[str] = []
    arguments: list[str] = []
    for param in params:
        piece = draw(_param_values(param, files, hostile=target is None or param is target))
        (arguments if isinstance(param, click.Argument) else options).extend(piece)
    # "--" keeps a value that starts with "-" an argument, not an unknown option.
    return options + (["--", *arguments] if arguments else [])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("fuzz-template"))


@pytest.mark.parametrize("path,command", COMMANDS, ids=["-".join(path) for path, _cmd in COMMANDS])
def test_no_input_to_any_command_gives_a_traceback_or_changes_a_refused_run(
    path, command, template, tmp_path, monkeypatch
):
    """R-4: whatever the arguments, a command ends with a documented exit code; when it
    fails, with one line on stderr, no traceback, and the database as it was."""
    monkeypatch.chdir(tmp_path)  # a path argument that is written lands here
    files = _files(tmp_path / "files")
    before = dump(template)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not os.environ.get("KASSI_FUZZ_RANDOM"),
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(argv=_argv(command, files))
    def check(argv: list[str]) -> None:
        db = copy_db(template, tmp_path)
        outcome = run(db, [*path, *argv])
        found = problems(outcome)
        assert not found, f"kassi {' '.join(path)} {[a[:60] for a in argv]}: {found}"
        if outcome.code != 0:
            assert dump(db) == before, f"a refused run changed the database: {argv}"
        for suffix in ("", ".key", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    check()


def test_the_fuzz_finds_every_command():
    """R-4: the fuzz walks the click tree: every group's commands are in it."""
    names = {" ".join(path) for path, _cmd in COMMANDS}
    assert {"item add", "store set", "session show", "statement create", "sale"} <= names
    assert len(names) >= 40
