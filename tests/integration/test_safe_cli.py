"""`kassi safe drop|deposit|count|show` and `kassi session open --from-safe` through the
real command (SPEC K-1..K-3): the same checks as core, one line for bad input, nothing
changed; the head office shows the stores' safes after an import."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.kassi_command import CASHIER, MANAGER, Kassi, cli_kassi, copy_db

pytestmark = pytest.mark.integration


def _cash_day(cli: Kassi) -> None:
    cli.ok("safe", "count", "--store", "NORREBRO", "2000,00", *MANAGER)
    cli.ok("session", "open", "--terminal", "T1", "--float", "500,00", "--from-safe", *MANAGER)


def test_a_drop_from_the_command_line_moves_cash_to_the_safe(cli: Kassi) -> None:
    """K-1: `safe drop` lowers the drawer's expected cash and raises the safe's."""
    cli.ok("session", "open", "--terminal", "T1", "--float", "500,00", *CASHIER)
    drop = cli.json("safe", "drop", "--terminal", "T1", "300,00", "--bag", "B-1", *CASHIER)
    assert (drop["kind"], drop["amount"], drop["reference"], drop["balance"]) == (
        "drop",
        "300.00",
        "B-1",
        "300.00",
    )
    session = cli.json("session", "show", "--terminal", "T1", *CASHIER)
    assert session["expected_cash"] == "200.00" and session["safe_drops"] == "300.00"
    assert [s["reference"] for s in session["safe"]] == ["B-1"]
    text = cli.ok("session", "show", "--terminal", "T1", *CASHIER)
    assert "B-1" in text


def test_a_drop_counted_by_denomination(cli: Kassi) -> None:
    """K-1: the drop may be a count of notes; the amount is their sum."""
    cli.ok("session", "open", "--terminal", "T1", "--float", "500,00", *CASHIER)
    drop = cli.json("safe", "drop", "--terminal", "T1", "--count", "200=2", "--bag", "7", *CASHIER)
    assert drop["amount"] == "400.00"


def test_bad_drops_say_what_is_wrong_and_change_nothing(cli: Kassi) -> None:
    """K-1, R-4: no bag, too much, no session: one line, nothing changed."""
    cli.ok("session", "open", "--terminal", "T1", "--float", "100,00", *CASHIER)
    before = cli.snapshot()
    assert "--bag" in cli.fails(2, "safe", "drop", "--terminal", "T1", "10,00", *CASHIER)
    err = cli.fails(2, "safe", "drop", "--terminal", "T1", "200,00", "--bag", "1", *CASHIER)
    assert err.count("\n") == 1 and "200,00" in err
    assert cli.fails(2, "safe", "drop", "--terminal", "T2", "1,00", "--bag", "1", *CASHIER)
    assert cli.snapshot() == before


def test_the_float_from_the_safe_and_the_cash_returned_at_close(cli: Kassi) -> None:
    """K-1: the open takes its float from the safe; the close puts the cash back."""
    _cash_day(cli)
    assert cli.json("safe", "show", "--store", "NORREBRO", *MANAGER)["balance"] == "1500.00"
    cli.ok("session", "close", "--terminal", "T1", "--counted", "500,00", "--leave", "0", *MANAGER)
    shown = cli.json("safe", "show", "--store", "NORREBRO", *MANAGER)
    assert shown["balance"] == "2000.00"
    assert [m["kind"] for m in shown["movements"]] == ["count", "float", "return"]


def test_a_deposit_prints_its_slip_and_the_count_records_the_discrepancy(cli: Kassi) -> None:
    """K-1: deposit with a slip number (the slip as text), then a blind count."""
    _cash_day(cli)
    slip = cli.ok(
        "safe", "deposit", "--store", "NORREBRO", "1000,00", "--slip", "DS-9", "--text", *MANAGER
    )
    assert "DS-9" in slip and "1.000,00" in slip
    count = cli.json("safe", "count", "--store", "NORREBRO", "490,00", "--blind", *MANAGER)
    assert (count["expected"], count["discrepancy"], count["blind"]) == ("500.00", "-10.00", True)
    shown = cli.json("safe", "show", "--store", "NORREBRO", *MANAGER)
    assert (shown["balance"], shown["deposited"]) == ("490.00", "1000.00")


def test_the_safe_commands_need_the_safe_permission(cli: Kassi) -> None:
    """K-1: a cashier cannot deposit, count or read the safe's statement."""
    _cash_day(cli)
    before = cli.snapshot(ignore_login=True)
    for args in (
        ("safe", "deposit", "--store", "NORREBRO", "1,00", "--slip", "1"),
        ("safe", "count", "--store", "NORREBRO", "1,00"),
        ("safe", "show", "--store", "NORREBRO"),
    ):
        assert "pengeskabet" in cli.fails(3, *args, *CASHIER)  # Danish: the store language
    assert cli.snapshot(ignore_login=True) == before


def test_the_statement_is_paged_and_starts_where_asked(cli: Kassi) -> None:
    """K-1: `safe show --limit/--offset/--since` and the text form say there is more."""
    _cash_day(cli)
    for n in range(3):
        cli.ok("safe", "drop", "--terminal", "T1", "10,00", "--bag", f"B{n}", *MANAGER)
    page = cli.json(
        "safe", "show", "--store", "NORREBRO", "--limit", "2", "--offset", "1", *MANAGER
    )
    assert page["count"] == 5 and [m["reference"] for m in page["movements"]] == ["", "B0"]
    text = cli.ok("safe", "show", "--store", "NORREBRO", "--limit", "2", *MANAGER)
    assert "--offset 2" in text
    later = cli.json("safe", "show", "--store", "NORREBRO", "--since", "2099-01-01", *MANAGER)
    assert later["movements"] == [] and later["balance"] == "1530.00"


def test_the_drawer_limit_shows_and_can_stop_the_next_sale(cli: Kassi) -> None:
    """K-2: over the limit `session show` says so; required, the next sale is refused."""
    cli.ok("store", "set", "NORREBRO", "drawer_limit=400.00", "drawer_limit_required=on", *MANAGER)
    cli.ok("session", "open", "--terminal", "T1", "--float", "500,00", *CASHIER)
    assert (
        cli.json("session", "show", "--terminal", "T1", *CASHIER)["over_drawer_limit"] == "100.00"
    )
    err = cli.fails(2, "sale", "--terminal", "T1", "--item", "1007", "--pay", "card", *CASHIER)
    assert "pengeskabet før næste salg" in err  # Danish: the store language
    cli.ok("safe", "drop", "--terminal", "T1", "100,00", "--bag", "1", *CASHIER)
    cli.ok("sale", "--terminal", "T1", "--item", "1007", "--pay", "card", *CASHIER)


def test_blind_close_hides_the_expected_cash_from_a_cashier(cli: Kassi) -> None:
    """K-3: `session show` of the open session, for a cashier, has no expected cash."""
    cli.ok("store", "set", "NORREBRO", "blind_close=on", *MANAGER)
    cli.ok("session", "open", "--terminal", "T1", "--float", "500,00", *CASHIER)
    shown = cli.json("session", "show", "--terminal", "T1", *CASHIER)
    assert shown["blind"] and shown["expected_cash"] is None and shown["cash_payments"] is None
    assert cli.json("session", "show", "--terminal", "T1", *MANAGER)["expected_cash"] == "500.00"
    cli.ok("sale", "--terminal", "T1", "--item", "1007", "--pay", "cash", *CASHIER)
    x = cli.ok("print", "x", "--terminal", "T1", "--text", *CASHIER)
    assert "500,00" in x and "559,00" not in x  # the starting amount, not the expected cash
    assert "559,00" in cli.ok("print", "x", "--terminal", "T1", "--text", *MANAGER)


def test_the_head_office_shows_the_stores_safe_after_an_import(
    cli: Kassi, tmp_path: Path, demo_template: Path
) -> None:
    """K-1: the transfer carries the safe; `safe show` at the head office shows it."""
    _cash_day(cli)
    cli.ok("safe", "deposit", "--store", "NORREBRO", "700,00", "--slip", "S1", *MANAGER)
    path = tmp_path / "t.jsonl"
    exported = cli.run("export", "transactions", "--store", "NORREBRO", "-o", str(path), *MANAGER)
    assert exported.returncode == 0, exported.stderr
    office = cli_kassi(copy_db(demo_template, tmp_path / "office.db"))
    imported = office.run("import", "transactions", str(path), *MANAGER)
    assert imported.returncode == 0, imported.stderr
    shown = office.json("safe", "show", "--store", "NORREBRO", *MANAGER)
    assert (shown["balance"], shown["deposited"]) == ("800.00", "700.00")
