"""Weighed goods on the command line (SPEC K-8, R-4): items by kg, SKU@0,512, scale labels."""

from __future__ import annotations

import pytest

from core.catalog.scale_labels import ean_check_digit
from tests.integration.kassi_command import MANAGER, Kassi

SALE = ("sale", "--terminal", "T1", "--pay", "card", *MANAGER)


def label(prefix: str, item: str, value: str) -> str:
    body = prefix + item + value
    return body + str(ean_check_digit(body))


def misread(code: str) -> str:
    return code[:12] + str((int(code[12]) + 1) % 10)


def test_an_item_added_by_kg_with_a_scale_code_sells_by_its_weight(cli: Kassi) -> None:
    """K-8: `item add --unit kg --scale-code 3001`; `sale --item 3001@0,512` and the label
    21 03001 00250 C each make one line with the quantity in kg."""
    cli.ok(
        *("item", "add", "3001", "--name", "Laks", "--price", "199.95", "--currency", "DKK"),
        *("--vat", "25", "--unit", "kg", "--scale-code", "3001", *MANAGER),
    )
    sale = cli.json(
        *SALE,
        *("--item", "3001@0,512", "--item", label("21", "03001", "00250")),
        *("--item", "1001", "--item", "2001x2"),  # x2 of a weighed item: 2 kg
    )
    lines = [(ln["sku"], ln["qty"], ln["unit"], ln["total"]) for ln in sale["lines"]]
    assert lines == [
        ("3001", "0.512", "kg", "102.37"),  # 199,95 x 0,512 = 102,3744
        ("3001", "0.250", "kg", "49.99"),  # 49,9875 -> 49,99
        ("1001", 1, "pcs", "32.95"),
        ("2001", "2.000", "kg", "179.90"),
    ]
    refund = cli.json(
        *("refund", "--terminal", "T1", "--receipt", f"T1-{sale['receipt']}"),
        *("--item", "3001@0.1", "--pay", "card", *MANAGER),
    )
    assert [(ln["qty"], ln["total"]) for ln in refund["lines"]] == [("-0.100", "-19.99")]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("2001", "give the quantity, e.g. 2001@0,512"),
        ("2001@0,5123", "has 4 decimals"),
        ("2001@0", "cannot be zero"),
        ("2001@-1", "cannot be negative"),
        ("1001@1,5", "sold by the piece"),
        (misread(label("21", "02001", "00512")), "check digit is wrong"),
        (label("21", "99999", "00512"), "no item has scale code 99999"),
    ],
)
def test_a_bad_quantity_or_label_is_refused_in_one_line_and_changes_nothing(
    cli: Kassi, item: str, message: str
) -> None:
    """K-8, R-4: one line naming what is wrong, exit 2, nothing recorded."""
    before = cli.snapshot(ignore_login=True)
    err = cli.fails(2, "--lang", "en", *SALE, "--item", item)
    assert message in err and len(err.strip().splitlines()) == 1
    assert cli.snapshot(ignore_login=True) == before


def test_item_unit_sets_the_unit_and_refuses_a_sold_items_change(cli: Kassi) -> None:
    """K-8: `item unit SKU UNIT --scale-code N`; an item with stock keeps its unit."""
    cli.ok(
        *("item", "add", "3002", "--name", "Saft", "--price", "30.00", "--currency", "DKK"),
        *("--vat", "25", *MANAGER),
    )
    assert "is sold by l" in cli.ok("item", "unit", "3002", "l", "--scale-code", "77", *MANAGER)
    err = cli.fails(2, "item", "unit", "1001", "kg", *MANAGER)
    assert "its unit cannot change" in err
    err = cli.fails(2, "item", "unit", "1002", "--scale-code", "77", *MANAGER)
    assert "already item 3002's" in err
