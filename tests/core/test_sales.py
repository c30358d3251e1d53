"""Sales and refunds: lines, VAT, tenders, receipts, stock, audit (core/tills/*).

DKK prices (øre, VAT 25 % unless said): 1001 Rugbrød 32,95; 1007 Kaffe 59,00;
1008 Æbler 22,00 (barcode 5701234000080); 1017 Avis 35,00 (VAT 0).
ISK prices: 1001 Rúgbrauð 690 (11 %); 1017 Dagblað 750 (24 %); 1019 Skyr 598 (11 %);
1022 Blómvöndur 3490 (24 %).
"""

from __future__ import annotations

import pytest

from core.catalog import items as catalog
from core.errors import InputError, NotFound, PermissionDenied
from core.money.tendering import TenderInput
from core.staff import auth
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput
from core.tills.discounts import Discount


def off(amount, approver=None):
    """An amount off a line, with a reason (C-5)."""
    return Discount("amount", amount, "Damaged or faulty", approver)


def pay(*entries):
    return [TenderInput(t, a) for t, a in entries]


def lines_of(db, sale_id):
    return [
        (
            r["line_no"],
            r["sku"],
            r["qty"],
            r["unit_price"],
            r["discount"],
            r["line_total"],
            r["vat_rate"],
            r["vat_amount"],
        )
        for r in db.all("SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale_id,))
    ]


def payments_of(db, sale_id):
    return [
        (r["tender_id"], r["amount"], r["tendered"])
        for r in db.all("SELECT * FROM payments WHERE sale_id = ? ORDER BY id", (sale_id,))
    ]


def sale_row(db, sale_id):
    return db.one("SELECT * FROM sales WHERE id = ?", (sale_id,))


def receipt_nos(db, terminal):
    return [
        r["receipt_no"]
        for r in db.all(
            "SELECT receipt_no FROM sales WHERE terminal_id = ? ORDER BY id", (terminal,)
        )
    ]


# -- lines and VAT -----------------------------------------------------------------------


def test_sale_lines_quantity_price_discount_and_vat_25(db, cashier):
    """M-1, T-10 (lines feed the sales orders): lines keep qty, unit price, discount, total and the
    VAT each contains (25 % / 0 %)."""
    result = sales.record_sale(
        db,
        cashier,
        "T1",
        [
            LineInput("1001", 2, discount=off(590)),
            LineInput("1017", 1),
            LineInput("5701234000080", 3),
        ],
        pay(("card", None)),
    )
    assert lines_of(db, result.sale.id) == [
        # 2 x 32,95 = 65,90 - 5,90 = 60,00; VAT 60,00 * 25/125 = 12,00
        (1, "1001", 2, 3295, 590, 6000, 2500, 1200),
        (2, "1017", 1, 3500, 0, 3500, 0, 0),
        # scanned by barcode; 66,00 * 25/125 = 13,20
        (3, "1008", 3, 2200, 0, 6600, 2500, 1320),
    ]
    row = sale_row(db, result.sale.id)
    assert (row["kind"], row["total"], row["vat_total"], row["currency"]) == (
        "sale",
        16100,
        2520,
        "DKK",
    )
    assert (row["terminal_id"], row["staff_id"], row["store_id"]) == ("T1", "2", "NORREBRO")
    assert row["customer_id"] is None
    assert result.sale.lines[0].name == "Rugbrød"


def test_vat_per_line_icelandic_rates(db, manager):
    """M-1, seed 004 store (ISK): Icelandic VAT 11 % and 24 %, contained in the ISK shelf price,
    rounded per line."""
    result = sales.record_sale(
        db,
        manager,
        "R1",
        [
            LineInput("1001", 1),  # 690 * 11/111 = 68,38 -> 68
            LineInput("1019", 2),  # 1196 * 11/111 = 118,52 -> 119
            LineInput("1017", 1),  # 750 * 24/124 = 145,16 -> 145
            LineInput("1022", 1),  # 3490 * 24/124 = 675,48 -> 675
        ],
        pay(("cash", 10000)),
    )
    got = [
        (sku, total, rate, vat)
        for _, sku, _, _, _, total, rate, vat in lines_of(db, result.sale.id)
    ]
    assert got == [
        ("1001", 690, 1100, 68),
        ("1019", 1196, 1100, 119),
        ("1017", 750, 2400, 145),
        ("1022", 3490, 2400, 675),
    ]
    row = sale_row(db, result.sale.id)
    assert (row["currency"], row["total"], row["vat_total"]) == ("ISK", 6126, 68 + 119 + 145 + 675)
    assert (row["rounding"], row["change_given"]) == (0, 10000 - 6126)


def test_line_discount_needs_discount_permission(db, make_staff, snapshot):
    """A-2 style permission in core: a line discount is refused to staff without "discount"; the
    plain sale is allowed."""
    seller = make_staff(["sale"], name="Nina Nodiscount")
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Nina Nodiscount is not allowed to give discounts"):
        sales.record_sale(db, seller, "T1", [LineInput("1001", 1, off(100))], pay(("card", None)))
    assert snapshot() == before
    result = sales.record_sale(db, seller, "T1", [LineInput("1001", 1)], pay(("card", None)))
    assert sale_row(db, result.sale.id)["total"] == 3295


def test_discount_larger_than_line_is_refused(db, cashier, snapshot):
    """M-1: a line discount is 0 to the line amount."""
    before = snapshot()
    with pytest.raises(InputError, match="discount must be between 0 and the line amount"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008", 1, off(2201))], pay(("card", None)))
    with pytest.raises(InputError, match="discount must be between 0 and the line amount"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008", 1, off(-1))], pay(("card", None)))
    assert snapshot() == before


# -- tenders ------------------------------------------------------------------------------


def test_split_tender_and_change(db, cashier):
    """S-7/S-11: card part exact, cash covers the rest and gives change; both rows stored."""
    result = sales.record_sale(
        db, cashier, "T1", [LineInput("1007", 2)], pay(("card", 5000), ("cash", 10000))
    )
    # 118,00: 50,00 on card, 68,00 in cash from 100,00 -> 32,00 change.
    assert result.change == 3200
    assert payments_of(db, result.sale.id) == [("card", 5000, 5000), ("cash", 6800, 10000)]
    row = sale_row(db, result.sale.id)
    assert (row["total"], row["change_given"], row["rounding"]) == (11800, 3200, 0)
    session_id = row["session_id"]
    assert {p["session_id"] for p in db.all("SELECT session_id FROM payments")} == {session_id}


def test_card_overpayment_is_refused(db, cashier, snapshot):
    """M-3/S-7: a card gives no change: paying more than the total on card is refused."""
    before = snapshot()
    with pytest.raises(InputError, match="they give no change"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008", 1)], pay(("card", 3000)))
    assert snapshot() == before


def test_customer_attached_to_sale(db, cashier, snapshot):
    """T-10: a sale can carry a customer id; an unknown customer records nothing."""
    result = sales.record_sale(
        db, cashier, "T1", [LineInput("1008", 1)], pay(("card", None)), customer_id="C1001"
    )
    assert sale_row(db, result.sale.id)["customer_id"] == "C1001"
    before = snapshot()
    with pytest.raises(NotFound, match="No customer with id NOPE"):
        sales.record_sale(
            db, cashier, "T1", [LineInput("1008", 1)], pay(("card", None)), customer_id="NOPE"
        )
    assert snapshot() == before


# -- receipt numbers ----------------------------------------------------------------------


def test_receipts_numbered_per_terminal_independently(db, cashier, supervisor, manager):
    """DESIGN numbering (gapless receipt numbers per terminal): receipt numbers run 1, 2, 3 on each
    terminal, interleaved, without gaps; refunds take the next number too."""
    order = ["T1", "T2", "T1", "R1", "T2", "T1"]
    got = []
    for terminal in order:
        actor = manager if terminal == "R1" else cashier
        got.append(
            sales.record_sale(
                db, actor, terminal, [LineInput("1008", 1)], pay(("card", None))
            ).sale.receipt_no
        )
    assert got == [1, 1, 2, 1, 2, 3]
    refund = refunds.record_refund(
        db, supervisor, "T2", [LineInput("1008", 1)], pay(("card", None)), receipt=("T1", 1)
    )
    assert refund.sale.receipt_no == 3
    assert receipt_nos(db, "T1") == [1, 2, 3]
    assert receipt_nos(db, "T2") == [1, 2, 3]
    assert receipt_nos(db, "R1") == [1]
    last = dict(db.all("SELECT id, last_receipt_no FROM terminals"))
    assert last == {"T1": 3, "T2": 3, "R1": 1}


def test_failed_sale_consumes_no_receipt_number(db, cashier, snapshot):
    """DESIGN numbering, H-4: gapless: a sale refused for too little cash leaves no number, no rows,
    no session."""
    before = snapshot()
    with pytest.raises(InputError, match=r"Cash 10,00 is less than the 66,00 due"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008", 3)], pay(("cash", 1000)))
    assert snapshot() == before
    first = sales.record_sale(db, cashier, "T1", [LineInput("1008", 3)], pay(("cash", 7000)))
    with pytest.raises(InputError):
        sales.record_sale(db, cashier, "T1", [LineInput("1008", 3)], pay(("cash", 1000)))
    second = sales.record_sale(db, cashier, "T1", [LineInput("1008", 1)], pay(("cash", None)))
    assert (first.sale.receipt_no, second.sale.receipt_no) == (1, 2)
    assert receipt_nos(db, "T1") == [1, 2]


# -- refunds ------------------------------------------------------------------------------


def _sell_discounted_apples(db, actor, customer=None):
    """3 x Æbler 22,00 with 10,00 off the line: 56,00 paid in cash."""
    return sales.record_sale(
        db,
        actor,
        "T1",
        [
            # 10,00 off 66,00 is over a cashier's 10 %: a supervisor approved it.
            LineInput("1008", 3, discount=off(1000, auth.authenticate(db, "3", "3333"))),
            LineInput("1007", 1),
        ],
        pay(("cash", None)),
        customer_id=customer,
    )


def test_refund_against_receipt_at_original_price_with_pro_rata_discount(db, cashier, manager):
    """A-4 refunds, T-10 customer: a refund takes the original receipt's prices (not today's), its
    discount pro rata, links each line to the original line and inherits the customer."""
    sessions.open_session(db, cashier, "T1", 20000)
    original = _sell_discounted_apples(db, cashier, customer="C1001")
    # The shelf price changes after the sale: refunds still use 22,00 less the discount.
    catalog.import_catalog(
        db, manager, "sku,name,price,vat\n1008,Æbler 1 kg,30.00,25\n", "DKK", store_id="NORREBRO"
    )
    apple_line = db.scalar(
        "SELECT id FROM sale_lines WHERE sale_id = ? AND sku = '1008'", (original.sale.id,)
    )

    r1 = refunds.record_refund(
        db, cashier, "T1", [LineInput("1008", 1)], pay(("cash", None)), receipt=("T1", 1)
    )
    row = sale_row(db, r1.sale.id)
    assert (row["kind"], row["original_sale_id"], row["customer_id"]) == (
        "refund",
        original.sale.id,
        "C1001",
    )
    # 56,00 / 3 = 18,66 (floored); 22,00 - 18,66 = 3,34 of discount goes back with it.
    assert lines_of(db, r1.sale.id) == [(1, "1008", -1, 2200, -334, -1866, 2500, -373)]
    assert db.scalar(
        "SELECT original_line_id FROM sale_lines WHERE sale_id = ?", (r1.sale.id,)
    ) == (apple_line)
    # 18,66 paid out in cash rounds to 18,50: the customer gets 0,16 less (M-3).
    assert (row["total"], row["vat_total"], row["rounding"]) == (-1866, -373, 16)
    assert payments_of(db, r1.sale.id) == [("cash", -1850, -1850)]

    r2 = refunds.record_refund(
        db, cashier, "T1", [LineInput("1008", 2)], pay(("card", None)), receipt=("T1", 1)
    )
    # The last refund takes what is left, so the three refunds add up to the 56,00 paid.
    assert lines_of(db, r2.sale.id) == [(1, "1008", -2, 2200, -666, -3734, 2500, -747)]
    refunded = db.scalar(
        "SELECT -SUM(line_total) FROM sale_lines WHERE original_line_id = ?", (apple_line,)
    )
    assert refunded == 5600


def test_refunds_cannot_exceed_what_was_sold(db, cashier, snapshot):
    """A-4 refunds: across several refunds, never more than the receipt sold of an item."""
    _sell_discounted_apples(db, cashier)
    refunds.record_refund(
        db, cashier, "T1", [LineInput("1008", 2)], pay(("card", None)), receipt=("T1", 1)
    )
    before = snapshot()
    with pytest.raises(
        InputError, match=r"Receipt T1-1: only 1 × Æbler 1 kg can still be refunded, not 2"
    ):
        refunds.record_refund(
            db, cashier, "T1", [LineInput("1008", 2)], pay(("card", None)), receipt=("T1", 1)
        )
    with pytest.raises(InputError, match="Rugbrød is not on receipt T1-1"):
        refunds.record_refund(
            db, cashier, "T1", [LineInput("1001", 1)], pay(("card", None)), receipt=("T1", 1)
        )
    assert snapshot() == before
    refunds.record_refund(
        db, cashier, "T1", [LineInput("1008", 1)], pay(("card", None)), receipt=("T1", 1)
    )
    with pytest.raises(InputError, match="only 0 ×"):
        refunds.record_refund(
            db, cashier, "T1", [LineInput("1008", 1)], pay(("card", None)), receipt=("T1", 1)
        )
    assert db.scalar("SELECT -SUM(qty) FROM sale_lines WHERE qty < 0 AND sku = '1008'") == 3


def test_refund_by_barcode_and_sku_across_lines_of_the_same_item(db, cashier):
    """A-4 refunds: a refund may scan one item and type the SKU of another of the same kind; it is
    spread over the receipt's lines of that SKU, each at its own price and discount."""
    sold = sales.record_sale(
        db,
        cashier,
        "T1",
        [LineInput("1008", 1), LineInput("1001"), LineInput("5701234000080", 2, discount=off(100))],
        pay(("card", None)),
    )
    refund = refunds.record_refund(
        db,
        cashier,
        "T1",
        [LineInput("1008", 2), LineInput("5701234000080", 1)],
        pay(("card", None)),
        receipt=("T1", sold.sale.receipt_no),
    )
    first, _, third = (ln.id for ln in sold.sale.lines)
    got = [
        (r["sku"], r["qty"], r["discount"], r["line_total"], r["original_line_id"])
        for r in db.all(
            "SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (refund.sale.id,)
        )
    ]
    assert got == [("1008", -1, 0, -2200, first), ("1008", -2, -100, -4300, third)]
    with pytest.raises(InputError, match="only 0 ×"):
        refunds.record_refund(
            db,
            cashier,
            "T1",
            [LineInput("5701234000080", 1)],
            pay(("card", None)),
            receipt=("T1", sold.sale.receipt_no),
        )


def test_refund_returns_stock(db, cashier):
    """T-10 inventory: a refund puts the items back on hand, with a 'refund' movement."""
    start = catalog.on_hand(db, "NORREBRO", "1008")
    sold = _sell_discounted_apples(db, cashier)
    assert catalog.on_hand(db, "NORREBRO", "1008") == start - 3
    refund = refunds.record_refund(
        db, cashier, "T1", [LineInput("1008", 2)], pay(("card", None)), receipt=("T1", 1)
    )
    assert catalog.on_hand(db, "NORREBRO", "1008") == start - 1
    moves = db.all(
        "SELECT sale_id, sku, qty, reason FROM inventory_movements WHERE sale_id IN (?, ?)"
        " ORDER BY id",
        (sold.sale.id, refund.sale.id),
    )
    assert [tuple(m) for m in moves] == [
        (sold.sale.id, "1008", -3, "sale"),
        (sold.sale.id, "1007", -1, "sale"),
        (refund.sale.id, "1008", 2, "refund"),
    ]


def test_refund_without_receipt_needs_its_own_permission(db, cashier, supervisor, snapshot):
    """A-2 style permission in core: without a receipt, "refund.no_receipt" is required; then
    today's price is paid back."""
    sessions.open_session(db, supervisor, "T1", 10000)
    before = snapshot()
    with pytest.raises(
        PermissionDenied, match="Kasper Kasserer is not allowed to make refunds without a receipt"
    ):
        refunds.record_refund(db, cashier, "T1", [LineInput("1007", 1)], pay(("cash", None)))
    assert snapshot() == before
    result = refunds.record_refund(
        db, supervisor, "T1", [LineInput("1007", 1)], pay(("cash", None))
    )
    row = sale_row(db, result.sale.id)
    assert (row["kind"], row["original_sale_id"], row["total"], row["vat_total"]) == (
        "refund",
        None,
        -5900,
        -1180,
    )
    assert lines_of(db, result.sale.id) == [(1, "1007", -1, 5900, 0, -5900, 2500, -1180)]
    assert payments_of(db, result.sale.id) == [("cash", -5900, -5900)]
    assert catalog.on_hand(db, "NORREBRO", "1007") == 45 + 1


def test_refund_of_receipt_from_another_store_is_refused(db, manager, snapshot):
    """A-1 (per store): a receipt refunds only in its own store; an unknown receipt is NotFound."""
    sales.record_sale(db, manager, "R1", [LineInput("1001", 1)], pay(("card", None)))
    before = snapshot()
    with pytest.raises(InputError, match="is from Kassi Búð Laugavegi: refund it there"):
        refunds.record_refund(
            db, manager, "T1", [LineInput("1001", 1)], pay(("card", None)), receipt=("R1", 1)
        )
    with pytest.raises(NotFound, match="No receipt 7 on terminal T1"):
        refunds.record_refund(
            db, manager, "T1", [LineInput("1001", 1)], pay(("card", None)), receipt=("T1", 7)
        )
    assert snapshot() == before


def test_cash_refund_larger_than_drawer_is_refused(db, cashier, snapshot):
    """S-7: the drawer (float 0 + card sales) cannot pay out 59,00 in cash; card can."""
    sold = sales.record_sale(db, cashier, "T1", [LineInput("1007", 1)], pay(("card", None)))
    assert sessions.expected_cash(db, sold.session_id) == 0
    before = snapshot()
    with pytest.raises(InputError, match=r"should hold 0,00; it cannot pay out 59,00 in cash"):
        refunds.record_refund(
            db, cashier, "T1", [LineInput("1007", 1)], pay(("cash", None)), receipt=("T1", 1)
        )
    assert snapshot() == before
    refund = refunds.record_refund(
        db, cashier, "T1", [LineInput("1007", 1)], pay(("card", None)), receipt=("T1", 1)
    )
    assert refund.sale.receipt_no == 2
    assert sessions.expected_cash(db, sold.session_id) == 0


# -- stock and audit ----------------------------------------------------------------------


def test_inventory_on_hand_and_movements_per_sale(db, cashier):
    """T-10 inventory: each sale lowers on_hand and writes one movement per SKU (lines of one SKU
    merged)."""
    before = {sku: catalog.on_hand(db, "NORREBRO", sku) for sku in ("1001", "1008")}
    result = sales.record_sale(
        db,
        cashier,
        "T1",
        [LineInput("1008", 1), LineInput("1001", 2), LineInput("5701234000080", 2)],
        pay(("card", None)),
    )
    assert catalog.on_hand(db, "NORREBRO", "1008") == before["1008"] - 3
    assert catalog.on_hand(db, "NORREBRO", "1001") == before["1001"] - 2
    moves = db.all(
        "SELECT store_id, sku, qty, reason, created_at FROM inventory_movements WHERE sale_id = ?"
        " ORDER BY sku",
        (result.sale.id,),
    )
    assert [tuple(m)[:4] for m in moves] == [
        ("NORREBRO", "1001", -2, "sale"),
        ("NORREBRO", "1008", -3, "sale"),
    ]
    assert {m["created_at"] for m in moves} == {sale_row(db, result.sale.id)["created_at"]}
    # The other store's stock of the same SKU is untouched.
    assert catalog.on_hand(db, "REYKJAVIK", "1008") == 60


def test_every_sale_has_one_audit_entry_in_its_transaction(db, cashier, monkeypatch, snapshot):
    """Audit log (SPEC beyond the sources), DESIGN: one audit entry per sale and refund, written
    between the same BEGIN and COMMIT as the sale rows; if the audit write fails, the sale is not
    stored either."""
    sessions.open_session(db, cashier, "T1", 10000)
    trace: list[str] = []
    db.conn.set_trace_callback(trace.append)
    sale = sales.record_sale(db, cashier, "T1", [LineInput("1008", 2)], pay(("cash", None)))
    refund = refunds.record_refund(
        db, cashier, "T1", [LineInput("1008", 1)], pay(("cash", None)), receipt=("T1", 1)
    )
    db.conn.set_trace_callback(None)

    for kind, result in (("sale", sale), ("refund", refund)):
        entries = db.all(
            "SELECT * FROM audit_log WHERE entity = 'sale' AND entity_id = ?",
            (str(result.sale.id),),
        )
        assert len(entries) == 1
        assert (entries[0]["action"], entries[0]["amount"]) == (kind, result.sale.total)
        assert entries[0]["staff_id"] == "2"
        assert entries[0]["terminal_id"] == "T1"

    # Split the trace into transactions: each holds its sale insert and one audit insert.
    transactions, current = [], None
    for statement in trace:
        if statement.startswith("BEGIN IMMEDIATE"):
            current = []
        elif statement.startswith("COMMIT"):
            transactions.append(current)
            current = None
        elif current is not None:
            current.append(statement)
    assert len(transactions) == 2
    for statements in transactions:
        # A set: SQLite's trace repeats a statement once per trigger it fires (the journal's).
        assert len({s for s in statements if s.startswith("INSERT INTO sales")}) == 1
        assert sum(s.startswith("INSERT INTO audit_log") for s in statements) == 1

    def broken_append(*args, **kwargs):
        raise RuntimeError("disk full while auditing")

    monkeypatch.setattr(sales.audit, "append", broken_append)
    before = snapshot()
    with pytest.raises(RuntimeError, match="disk full"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008", 1)], pay(("cash", None)))
    assert snapshot() == before
