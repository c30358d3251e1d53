"""`kassi sale --discount`, `kassi discount limit` and refunds by the receipt's barcode,
through the real command (SPEC C-3, C-5): the same checks as the till."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.integration.kassi_command import CASHIER, MANAGER, Kassi

pytestmark = pytest.mark.integration


SUPERVISOR_APPROVES = ("--approve", "3", "--approve-pin", "3333")


def _sale(cli: Kassi, *args: str) -> dict:
    return cli.json("sale", "--terminal", "T1", "--item", "1008x3", "--item", "1001", *args)


def test_a_line_and_a_basket_discount_from_the_command_line(cli: Kassi) -> None:
    """C-5: `SKU=10%:REASON` on a line, `basket=AMOUNT:REASON` on the basket (a reason by
    its number on the short list, or typed); the total is what is paid."""
    sale = _sale(
        cli,
        "--discount",
        "1008=10%:1",
        "--discount",
        "basket=5,00:Stamkunde",
        "--pay",
        "card",
        *MANAGER,  # 11,73 % in all: over a cashier's 10 %
    )
    # 66,00 - 6,60 + 32,95 = 92,35; 5,00 off the basket spread over the lines
    assert sale["total"] == "87.35"
    # 5,00 x 59,40 / 92,35 = 3,216 and x 32,95 / 92,35 = 1,784: the odd øre to the larger remainder
    assert [ln["discount"] for ln in sale["lines"]] == ["9.82", "1.78"]
    assert sale["payments"][0]["amount"] == "87.35"
    con = sqlite3.connect(cli.db)
    given = con.execute(
        "SELECT line_no, kind, value, amount, reason FROM sale_discounts ORDER BY id"
    ).fetchall()
    con.close()
    assert given == [
        (1, "percent", 1000, 660, "Damaged or faulty"),
        (None, "amount", 500, 500, "Stamkunde"),
    ]
    text = cli.ok("print", "receipt", "1", "--terminal", "T1", "--text")
    assert "Rabat 10 %" in text and "Rabat på kurven" in text and "Stamkunde" in text


def test_over_the_limit_is_refused_unless_someone_allowed_approves(cli: Kassi) -> None:
    """C-5: 25 % is over a cashier's 10 %: refused (exit 3) and nothing changes; with a
    supervisor's --approve it is recorded, the override audited."""
    before = cli.snapshot()
    err = cli.fails(3, *_sale_args("--discount", "basket=25%:2", "--pay", "card", *CASHIER))
    assert "Kasper Kasserer må give højst 10 % rabat; 25 % kræver godkendelse." in err
    assert cli.snapshot() == before
    sale = _sale(cli, "--discount", "basket=25%:2", *SUPERVISOR_APPROVES, "--pay", "card", *CASHIER)
    assert sale["total"] == "74.21"
    con = sqlite3.connect(cli.db)
    approvals = con.execute(
        "SELECT staff_id, entity_id FROM audit_log WHERE action = 'override'"
    ).fetchall()
    con.close()
    assert approvals == [("3", "2")]


def _sale_args(*args: str) -> tuple[str, ...]:
    return ("sale", "--terminal", "T1", "--item", "1008x3", "--item", "1001", *args)


def test_bad_discounts_are_refused_and_change_nothing(cli: Kassi) -> None:
    before = cli.snapshot()
    for spec, message in (
        ("1008=10%", "En rabat kræver en årsag"),
        ("1008", "En rabat er SKU=VÆRDI:ÅRSAG"),
        ("9999=10%:1", "9999"),
        ("1008=abc:1", "abc"),
        ("basket=200,00:1", "mellem 0 og linjens beløb"),
    ):
        err = cli.fails(2, *_sale_args("--discount", spec, "--pay", "card", *MANAGER))
        assert message in err, (spec, err)
    assert cli.snapshot() == before


def test_a_manager_changes_the_cashiers_limit(cli: Kassi) -> None:
    """C-5: the limits are configuration a manager changes; a cashier may not."""
    limits = json.loads(cli.ok("discount", "limits", "--json"))
    assert limits == {"cashier": 10, "supervisor": 30, "manager": 100}
    cli.fails(3, "discount", "limit", "cashier", "25", *CASHIER)
    cli.ok("discount", "limit", "cashier", "25%", *MANAGER)
    assert json.loads(cli.ok("discount", "limits", "--json"))["cashier"] == 25
    sale = _sale(cli, "--discount", "basket=25%:2", "--pay", "card", *CASHIER)
    assert sale["total"] == "74.21"


def test_refund_by_the_printed_barcode_pays_back_what_was_paid(cli: Kassi) -> None:
    """C-3, C-5: `--receipt T1-1` as printed; a discounted line refunds what was paid."""
    _sale(cli, "--discount", "1008=10%:1", "--pay", "card", *CASHIER)
    refund = cli.json(
        "refund",
        "--terminal",
        "T1",
        "--receipt",
        "T1-1",
        "--item",
        "1008x3",
        "--pay",
        "card",
        *CASHIER,
    )
    assert refund["total"] == "-59.40"
    err = cli.fails(
        2,
        "refund",
        "--terminal",
        "T1",
        "--receipt",
        "T1/1",
        "--item",
        "1001",
        "--pay",
        "card",
        *CASHIER,
    )
    assert "'T1/1' er ikke en kvittering" in err
