"""Weighed and measured goods (SPEC K-8, M-1 money rules, C-1 scanner input).

The demo has two weighed items: 2001 cheese by kg (89,95 kr/kg, 2.990 kr/kg in
Reykjavík) and 2002 nuts by g (0,25 kr/g; Icelandic "nammi" at 3 kr/g), with scale
codes 2001 and 2002. Nørrebro's scale prints 21=IIIIIWWWWW (weight) and
22=IIIIIPPPPP (price); Reykjavík's 23=IIIICPPPPP (price with its check digit).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.audit import journal as audit
from core.audit import verification
from core.catalog import units as item_units
from core.catalog.scale_labels import ean_check_digit, price_check_digit
from core.errors import InputError, NotFound
from core.money import quantity
from core.money.tendering import TenderInput
from core.printing import receipts
from core.printing.layout import to_text
from core.statements.posting import post_statement
from core.store.stores import get_store, update_store
from core.store.terminals import get_terminal
from core.tills.basket import LineInput
from core.tills.receipts import load_sale
from core.tills.refunds import preview_refund, record_refund, refundable
from core.tills.sales import record_sale
from tests.core.test_statements_support import Shop, local
from tests.core.transfer_support import export, load

CARD = [TenderInput("card")]


def label(prefix: str, item: str, value: str, check: str = "") -> str:
    """A scale label with a right EAN check digit: prefix, item code, [check,] value."""
    body = prefix + item + check + value
    assert len(body) == 12
    return body + str(ean_check_digit(body))


def store(db, store_id: str = "NORREBRO"):
    return get_store(db, store_id)


# -- quantities (K-8, M-1) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "qty"),
    [
        ("0,512", "kg", 512),
        ("0.512", "kg", 512),
        ("2", "kg", 2000),
        ("1,5", "l", 1500),
        (" 12,005 ", "m", 12005),
        ("250", "g", 250000),
        ("3", "pcs", 3),
        (",5", "kg", 500),
    ],
)
def test_a_quantity_is_read_with_a_comma_or_a_point_into_thousandths(text, unit, qty):
    """K-8: up to three decimals in the item's unit, stored as an integer of thousandths."""
    assert quantity.parse_quantity(text, unit, "da") == qty


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("0,5123", "kg", "has 4 decimals; a quantity has at most 3"),
        ("0", "kg", "cannot be zero"),
        ("0,000", "kg", "cannot be zero"),
        ("-0,5", "kg", "cannot be negative"),
        ("1,5", "pcs", "sold by the piece"),
        ("1.234,5", "kg", "is not a quantity"),
        ("abc", "kg", "is not a quantity"),
        ("1,", "kg", "is not a quantity"),
        ("", "kg", "is not a quantity"),
        ("١٢", "kg", "is not a quantity"),  # Arabic-Indic digits: int() reads them, people not
        ("10000", "kg", "at most 9999.999 kg"),
    ],
)
def test_a_bad_quantity_is_refused_with_one_line(text, unit, message):
    """K-8, R-4: more than three decimals, zero, negatives, decimals on pieces: one line."""
    with pytest.raises(InputError, match=message) as err:
        quantity.parse_quantity(text, unit, "da")
    assert "\n" not in err.value.message


def test_a_quantity_is_written_in_the_languages_number_format():
    assert quantity.format_quantity(512, "kg", "da") == "0,512"
    assert quantity.format_quantity(-1500, "l", "is") == "-1,500"
    assert quantity.format_quantity(512, "kg", "en") == "0.512"
    assert quantity.format_quantity(3, "pcs", "da") == "3"
    assert quantity.from_machine("-0.512", "kg") == -512
    with pytest.raises(InputError):
        quantity.from_machine("0.5", "kg")  # a transfer writes all three decimals


def test_a_measured_amount_rounds_half_away_from_zero_to_the_minor_unit():
    """K-8, M-1: price per unit x quantity, Decimal inside, quantized half up (as the
    scale's label), mirrored for refunds; ISK rounds to whole krónur."""
    assert quantity.gross(512, 8995, "kg") == 4605  # 46,0544 -> 46,05
    assert quantity.gross(500, 1001, "kg") == 501  # 500,5 øre -> 501 (half up, not to even)
    assert quantity.gross(-500, 1001, "kg") == -501  # a refund mirrors the sale
    assert quantity.gross(512, 2990, "kg") == 1531  # ISK: 1.530,88 kr -> 1.531 kr
    assert quantity.gross(3, 3295, "pcs") == 9885
    assert isinstance(quantity.gross(333, 1999, "kg"), int)


# -- scale labels (K-8, C-1) ----------------------------------------------------------------


def test_the_gs1_price_check_digits_match_the_general_specifications():
    """GS1 General Specifications 7.9.3: the worked 4-digit example (2875 -> 9); a
    changed digit changes the check digit."""
    assert price_check_digit("2875") == 9
    assert price_check_digit("2876") != 9
    assert len({price_check_digit(f"{n:05d}") for n in range(100)}) == 10
    assert ean_check_digit("400638133393") == 1  # 4006381333931, a printed EAN-13


def test_a_weight_label_adds_the_item_with_its_weight(db):
    """K-8: 21 02001 00512 C sells 0,512 kg of cheese at 46,05 kr."""
    scan = item_units.read_scan(db, label("21", "02001", "00512"), store(db))
    assert (scan.item.sku, scan.qty, scan.label.kind) == ("2001", 512, "weight")
    grams = item_units.read_scan(db, label("21", "02002", "00250"), store(db))
    assert (grams.item.sku, grams.qty) == ("2002", 250000)  # nuts by g: 250,000 g


def test_a_price_label_sells_the_quantity_its_price_buys(db):
    """K-8: 22 02001 04605 C: 46,05 kr of cheese at 89,95 kr/kg is 0,512 kg; a price no
    weight gives at the till's price per kg (the scale's price differs) is refused."""
    scan = item_units.read_scan(db, label("22", "02001", "04605"), store(db))
    assert (scan.item.sku, scan.qty) == ("2001", 512)
    assert quantity.gross(scan.qty, scan.item.price, "kg") == 4605
    with pytest.raises(InputError, match="does not come from the till's price"):
        item_units.read_scan(db, label("22", "02001", "04601"), store(db))


def test_a_price_label_with_its_price_check_digit_is_read_and_a_wrong_one_refused(db):
    """K-8: Reykjavík prints 23 IIII C PPPPP: the GS1 price check digit over the price."""
    price = "01531"  # 0,512 kg of cheese at 2.990 kr/kg
    good = label("23", "2001", price, str(price_check_digit(price)))
    scan = item_units.read_scan(db, good, store(db, "REYKJAVIK"))
    assert (scan.item.sku, scan.qty) == ("2001", 512)
    bad = label("23", "2001", price, str((price_check_digit(price) + 1) % 10))
    with pytest.raises(InputError, match="price check digit is wrong"):
        item_units.read_scan(db, bad, store(db, "REYKJAVIK"))


def test_a_label_with_a_bad_check_digit_is_refused_with_one_line(db):
    """C-1, K-8: a misread is refused, never guessed."""
    code = label("21", "02001", "00512")
    wrong = code[:12] + str((int(code[12]) + 1) % 10)
    with pytest.raises(InputError, match="check digit is wrong") as err:
        item_units.read_scan(db, wrong, store(db))
    assert "\n" not in err.value.message


def test_a_label_naming_no_item_is_refused_and_ordinary_codes_are_no_labels(db):
    """K-8: an unknown item code says so; a prefix the store does not use, or a code of
    another length, is an ordinary barcode."""
    with pytest.raises(NotFound, match="no item has scale code 99999"):
        item_units.read_scan(db, label("21", "99999", "00512"), store(db))
    assert item_units.read_scan(db, label("25", "02001", "00512"), store(db)) is None
    assert item_units.read_scan(db, "5701234000011", store(db)) is None
    assert item_units.read_scan(db, "1001", store(db)) is None


def test_a_scale_code_comes_before_a_sku_of_the_same_digits(db, manager):
    """K-8: the label's item code is the item's scale code; only when no item has it is
    it read as a SKU (here 2002, nuts by g, has no scale code left)."""
    item_units.set_unit(db, manager, "2002", scale_code="")
    item_units.set_unit(db, manager, "2001", scale_code="2002")
    scan = item_units.read_scan(db, label("21", "02002", "00512"), store(db))
    assert scan.item.sku == "2001"
    item_units.set_unit(db, manager, "2001", scale_code="")
    scan = item_units.read_scan(db, label("21", "02002", "00512"), store(db))
    assert (scan.item.sku, scan.qty) == ("2002", 512000)


def test_a_label_for_an_item_sold_by_the_piece_is_refused(db, manager):
    """K-8: a weight on an item sold by the piece would sell grams as pieces."""
    item_units.set_unit(db, manager, "1001", scale_code="1001")
    with pytest.raises(InputError, match="sold by the piece"):
        item_units.read_scan(db, label("21", "01001", "00512"), store(db))


@pytest.mark.parametrize(
    "setting",
    [
        "21=IIIIIWWWW",
        "19=IIIIIWWWWW",
        "21=IIIIIWWPPP",
        "21=IIICWWWWWW",
        "21=WWWWWIIIII,21=IIIIIPPPPP",
        "21=IIWWWWWIII",
        "21:IIIIIWWWWW",
    ],
)
def test_a_scale_layout_that_cannot_be_read_is_refused(db, manager, setting):
    """K-8, R-4: the store setting is checked when it is given; nothing changes."""
    with pytest.raises(InputError):
        update_store(db, manager, "NORREBRO", scale_labels=setting)
    assert store(db).scale_labels == "21=IIIIIWWWWW,22=IIIIIPPPPP"


# -- items -------------------------------------------------------------------------------


def test_a_unit_cannot_change_once_the_item_was_sold(db, manager):
    """K-8: stored quantities would change meaning (pieces into thousandths of a kg)."""
    with pytest.raises(InputError, match="its unit cannot change"):
        item_units.set_unit(db, manager, "1001", "kg")  # it has stock
    item_units.set_unit(db, manager, "2002", "kg")  # nuts by kg: never sold yet
    with pytest.raises(InputError, match="already item 2001's"):
        item_units.set_unit(db, manager, "1002", scale_code="02001")
    with pytest.raises(InputError, match="Unknown unit"):
        item_units.set_unit(db, manager, "1002", "lb")


# -- a sale and its refund -------------------------------------------------------------------


def test_a_weighed_sale_and_its_refund_carry_the_quantity_in_the_unit(db, manager):
    """K-8: the line stores 512 thousandths of a kg and the rounded amount; stock falls by
    the same; a refund takes back up to what was sold, at what was paid."""
    before = db.scalar("SELECT COALESCE(SUM(on_hand), 0) FROM inventory WHERE sku = '2001'")
    lines = [LineInput("2001", 512), LineInput("1001", 2), LineInput("2002", 250000)]
    sale = record_sale(db, manager, "T1", lines, CARD).sale
    cheese, bread, nuts = sale.lines
    assert (cheese.qty, cheese.unit, cheese.unit_price, cheese.line_total) == (
        512,
        "kg",
        8995,
        4605,
    )
    assert (bread.qty, bread.unit, bread.line_total) == (2, "pcs", 6590)
    assert (nuts.qty, nuts.unit, nuts.line_total) == (250000, "g", 6250)
    assert sale.total == 4605 + 6590 + 6250
    after = db.scalar("SELECT on_hand FROM inventory WHERE store_id = 'NORREBRO' AND sku = '2001'")
    assert after == before - 512
    ref = ("T1", sale.receipt_no)
    with pytest.raises(InputError, match="only 0.512 kg × Danbo"):
        record_refund(db, manager, "T1", [LineInput("2001", 600)], CARD, receipt=ref)
    part = record_refund(db, manager, "T1", [LineInput("2001", 200)], CARD, receipt=ref)
    assert [(ln.qty, ln.unit, ln.line_total) for ln in part.sale.lines] == [(-200, "kg", -1799)]
    assert refundable(db, sale)["2001"] == 312
    rest = record_refund(db, manager, "T1", [LineInput("2001", 312)], CARD, receipt=ref)
    assert rest.sale.lines[0].line_total == -(4605 - 1799)  # all of it is what was paid
    assert verification.verify(db).ok


def test_a_weighed_line_refunded_gram_by_gram_never_pays_back_more_than_was_paid(db, manager):
    """K-8: 6 g of cheese at 5,00 kr/kg is 0,03 kr; refunded one gram at a time, each
    part pays its running share (half up), never more in all than the 0,03 paid."""
    from core.catalog import prices

    prices.set_price(db, manager, "2001", 500, "DKK", "NORREBRO")  # 5,00 kr/kg
    sale = record_sale(db, manager, "T1", [LineInput("2001", 6)], CARD).sale
    assert sale.total == 3
    ref = ("T1", sale.receipt_no)
    paid = []
    for _gram in range(6):
        back = preview_refund(db, "NORREBRO", [LineInput("2001", 1)], ref)
        pay = CARD if back[0].line_total else []
        refund = record_refund(db, manager, "T1", [LineInput("2001", 1)], pay, receipt=ref)
        paid.append(-refund.sale.total)
        assert sum(paid) <= 3
    assert sum(paid) == 3 and all(p >= 0 for p in paid)


def test_a_scale_label_at_the_command_line_path_makes_one_line(db, manager):
    """K-8, C-1: a label read by core.catalog.units.basket_line is the item and its weight."""
    line = item_units.basket_line(db, store(db), label("21", "02001", "00512"), None, "da")
    assert line == LineInput("2001", 512)
    assert item_units.basket_line(db, store(db), "2001", "0,512", "da") == LineInput("2001", 512)
    with pytest.raises(InputError, match="give the quantity"):
        item_units.basket_line(db, store(db), "2001", None, "da")


@pytest.mark.parametrize(
    ("lang", "text"),
    [("da", "0,512 kg × 89,95 kr/kg"), ("en", "0.512 kg × DKK 89.95/kg")],
)
def test_the_receipt_prints_the_quantity_times_the_price_per_unit(db, manager, lang, text):
    """K-8: "0,512 kg × 89,95 kr/kg" and the amount, in the store's language and format."""
    sale = record_sale(db, manager, "T1", [LineInput("2001", 512)], CARD).sale
    doc = receipts.sale_receipt(
        sale, store(db), get_terminal(db, "T1"), "Mette", {"card": "Card"}, lang=lang
    )
    line = next(ln for ln in to_text(doc, 42).splitlines() if text in ln)
    assert line.rstrip().endswith("46,05" if lang == "da" else "46.05")


def test_an_icelandic_receipt_has_no_decimals_in_the_price(db, manager):
    sale = record_sale(db, manager, "R1", [LineInput("2001", 512)], CARD).sale
    doc = receipts.sale_receipt(
        sale, store(db, "REYKJAVIK"), get_terminal(db, "R1"), "Sigrún", {"card": "Kort"}
    )
    assert "0,512 kg × 2.990 kr/kg" in to_text(doc, 48)
    assert sale.total == 1531


# -- property: amounts stay integers, the total is the sum (M-1) ----------------------------


@settings(max_examples=40, deadline=None)
@given(
    qtys=st.lists(st.integers(1, quantity.MAX_MEASURED // 4), min_size=1, max_size=4),
    price=st.integers(0, 10**7),
    parts=st.integers(1, 4),
)
def test_measured_line_amounts_are_integers_and_the_total_is_their_sum(qtys, price, parts):
    """M-1, K-8: whatever the quantities and the price per unit, every line amount is an
    int of minor units, the sale total is the sum of its lines, and a refund taken in
    parts pays back exactly what was paid (the schema's CHECKs hold throughout)."""
    from datetime import UTC, datetime

    from core.catalog import prices
    from core.staff import auth
    from core.store import demo
    from core.store.db import Db
    from tests.conftest import FakeClock

    db = Db(":memory:", clock=FakeClock(datetime(2026, 1, 15, 8, 0, tzinfo=UTC)))
    demo.load_demo(db)
    manager = auth.get_staff(db, "1")
    prices.set_price(db, manager, "2001", price, "DKK", "NORREBRO")
    lines = [LineInput("2001", q) for q in qtys]
    pay = CARD if sum(quantity.gross(q, price, "kg") for q in qtys) else []  # 0,001 kg at 0,01
    sale = record_sale(db, manager, "T1", lines, pay).sale
    assert all(isinstance(ln.line_total, int) for ln in sale.lines)
    assert [ln.line_total for ln in sale.lines] == [quantity.gross(q, price, "kg") for q in qtys]
    assert sale.total == sum(ln.line_total for ln in sale.lines)
    total_qty = sum(qtys)
    pieces = [total_qty // parts + (1 if n < total_qty % parts else 0) for n in range(parts)]
    paid_back = 0
    for part in (p for p in pieces if p):
        ref = ("T1", sale.receipt_no)
        back = preview_refund(db, "NORREBRO", [LineInput("2001", part)], ref)
        pay = CARD if sum(ln.line_total for ln in back) else []
        refund = record_refund(db, manager, "T1", [LineInput("2001", part)], pay, receipt=ref)
        assert refund.sale.total == sum(ln.line_total for ln in refund.sale.lines)
        paid_back -= refund.sale.total
    assert paid_back == sale.total
    db.close()


# -- statements and the transfer (T-10, K-8) --------------------------------------------------


def test_statements_carry_the_quantity_in_the_unit(shop: Shop) -> None:
    """K-8, T-10: the sales order line of a weighed item sums its thousandths with its unit;
    the inventory journal counts pieces apart from kilograms."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("2001", 512), ("1002", 2)])
    shop.sell("T1", [("2001", 1250)])
    first = shop.db.scalar("SELECT MAX(receipt_no) FROM sales WHERE terminal_id = 'T1'") - 1
    shop.refund("T1", [("2001", 200)], receipt=("T1", first))
    shop.close_all()
    sid = shop.create_one("NORREBRO", local(2026, 5, 31, 3), local(2026, 6, 1, 3))
    shop.calculate(sid)
    post_statement(shop.db, shop.manager, sid)
    rows = shop.db.all(
        "SELECT l.sku, l.qty, l.unit, l.amount FROM sales_order_lines l"
        " JOIN sales_orders o ON o.id = l.order_id WHERE o.statement_id = ? ORDER BY l.sku",
        (sid,),
    )
    cheese = quantity.gross(512, 8995, "kg") + quantity.gross(1250, 8995, "kg") - 1799
    assert [tuple(r) for r in rows] == [("1002", 2, "pcs", 4900), ("2001", 1562, "kg", cheese)]
    journal = shop.details(sid).inventory_journal
    assert (journal.qty_out, journal.qty_in) == (2, 0)
    assert journal.measured == (("kg", 1562, 0),)


def test_the_transfer_carries_the_unit_and_the_head_office_stores_it(
    shop: Shop, head_office: Shop
) -> None:
    """K-8: a weighed line travels as "qty": "0.512", "unit": "kg" and is stored as 512."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("2001", 512), ("1002", 1)])
    text, _cursor = export(shop)
    sale = next(
        json.loads(x) for x in text.splitlines() if '"type": "sale"' in x or '"type":"sale"' in x
    )
    assert [(ln["qty"], ln["unit"]) for ln in sale["lines"]] == [("0.512", "kg"), (1, "pcs")]
    load(head_office, text)
    rows = head_office.db.all("SELECT sku, qty, unit, line_total FROM sale_lines ORDER BY id")
    assert [tuple(r) for r in rows] == [("2001", 512, "kg", 4605), ("1002", 1, "pcs", 2450)]


# -- the migration (K-8) ---------------------------------------------------------------------


def test_the_migration_keeps_every_line_of_an_older_database_as_pieces(tmp_path, clock):
    """K-8: m015 rebuilds sale_lines for its CHECK: every line keeps its id, quantity and
    amount as pieces, a refund still points at its line, stock and sums are unchanged,
    and the journal covers the rebuilt rows (audit verify is intact)."""
    import sqlite3

    from core.staff import auth
    from core.store import demo
    from core.store.db import Db
    from core.store.schema import migrations

    db = Db(tmp_path / "old.db", clock=clock, migrate=False)
    with db.write():
        migrations.apply(db.sql, stop_before="m018_weighed_units")
    demo.load_demo(db, printer_dir=tmp_path)
    with db.write():  # a sale of 3 and a refund of 1, as the till of m014 wrote them
        for sale_id, kind, qty, original in ((1, "sale", 3, None), (2, "refund", -1, 1)):
            db.execute(
                "INSERT INTO sales (id, uid, kind, store_id, terminal_id, receipt_no, staff_id,"
                " original_sale_id, created_at, currency, total, vat_total)"
                " VALUES (?, ?, ?, 'NORREBRO', 'T1', ?, '1', ?, ?, 'DKK', ?, 0)",
                (sale_id, f"u{sale_id}", kind, sale_id, original, db.now_iso(), qty * 3295),
            )
            db.execute(
                "INSERT INTO sale_lines (id, sale_id, line_no, sku, name, qty, unit_price,"
                " line_total, vat_rate, vat_amount, original_line_id)"
                " VALUES (?, ?, 1, '1001', 'Rugbrød', ?, 3295, ?, 2500, 0, ?)",
                (sale_id, sale_id, qty, qty * 3295, original),
            )
        db.execute("UPDATE terminals SET last_receipt_no = 2 WHERE id = 'T1'")
        audit.append(db, "sale", staff_id="1", entity="sale", entity_id=1)
    before = [tuple(r) for r in db.all("SELECT * FROM sale_lines ORDER BY id")]
    db.migrate()
    after = db.all("SELECT * FROM sale_lines ORDER BY id")
    assert [tuple(r)[:-1] for r in after] == before
    assert [r["unit"] for r in after] == ["pcs", "pcs"]
    assert db.all("PRAGMA foreign_key_check") == []
    assert verification.verify(db).ok
    sold = load_sale(db, 1)
    assert refundable(db, sold) == {"1001": 2}
    with pytest.raises(sqlite3.IntegrityError):  # the rebuilt table keeps its CHECK
        db.execute(
            "INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price, line_total,"
            " vat_rate, vat_amount, unit) VALUES (1, 2, '2001', 'x', 512, 8995, 4606, 2500, 0, 'kg')"
        )
    manager = auth.get_staff(db, "1")
    item_units.set_unit(db, manager, "2001", "kg", "2001")
    record_refund(db, manager, "T1", [LineInput("1001", 2)], CARD, receipt=("T1", 1))
    assert verification.verify(db).ok
    db.close()


def test_an_empty_scale_layout_reads_no_labels(db, manager):
    """K-8: scale_labels empty: a 2x code is an ordinary barcode again (here: unknown)."""
    update_store(db, manager, "NORREBRO", scale_labels="")
    assert item_units.read_scan(db, label("21", "02001", "00512"), store(db)) is None
