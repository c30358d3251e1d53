"""Discounts (SPEC C-5): percent or amount, a reason, the permission and each role's
limit, a basket discount allocated to the lines, and every figure from what was paid."""

from __future__ import annotations

import json
import random

import pytest

from core.audit import verification
from core.catalog import items as catalog
from core.errors import InputError, PermissionDenied
from core.money.tendering import TenderInput
from core.tills import discounts, sessions
from core.tills.basket import LineInput, price_basket
from core.tills.discounts import AMOUNT, PERCENT, Discount, DiscountOverLimit
from core.tills.refunds import record_refund
from core.tills.sales import record_sale

CARD = [TenderInput("card")]
REASON = "Price match"


def pct(percent: float, approver=None) -> Discount:
    return Discount(PERCENT, round(percent * 100), REASON, approver)


def off(minor: int, approver=None) -> Discount:
    return Discount(AMOUNT, minor, REASON, approver)


# -- percent, amount, rounding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "bp", "expected"),
    [
        (1995, 1000, 200),  # 199,5 -> 200: half up
        (1994, 1000, 199),  # 199,4 -> 199
        (999, 1250, 125),  # 124,875 -> 125
        (695, 1000, 70),  # ISK 69,5 -> 70 (the minor unit is one krona)
        (3295, 10000, 3295),
        (1, 4999, 0),
    ],
)
def test_a_percent_is_rounded_half_up_to_the_minor_unit(base, bp, expected):
    """C-5, M-1: percent of a line in int minor units, rounded half up."""
    assert discounts.percent_of(base, bp) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("10%", "da", (PERCENT, 1000)),
        (" 12,5 % ", "da", (PERCENT, 1250)),
        ("12.5%", "en", (PERCENT, 1250)),
        ("100%", "en", (PERCENT, 10000)),
        ("5,00", "da", (AMOUNT, 500)),
        ("5.50", "en", (AMOUNT, 550)),
    ],
)
def test_a_discount_is_typed_as_a_percent_or_an_amount(text, locale, expected):
    assert discounts.parse_value(text, "DKK", locale) == expected


@pytest.mark.parametrize("text", ["0%", "101%", "10%%", "abc", "0", "-5", "5,00%x", ""])
def test_bad_discounts_are_refused(text):
    with pytest.raises(InputError):
        discounts.parse_value(text, "DKK", "da")


def test_a_reason_is_required_picked_by_number_or_typed():
    """C-5: the reason is required; 1..5 pick from the short list, else the text typed."""
    assert discounts.parse_discount("10%", "3", "DKK", "da").reason == "Price match"
    assert discounts.parse_discount("10%", "  Birthday  ", "DKK", "da").reason == "Birthday"
    with pytest.raises(InputError, match="A discount needs a reason"):
        discounts.parse_discount("10%", "  ", "DKK", "da")
    with pytest.raises(InputError, match="at most 40 characters"):
        discounts.parse_discount("10%", "x" * 41, "DKK", "da")


def test_core_refuses_a_discount_without_a_reason(db, cashier, snapshot):
    before = snapshot()
    with pytest.raises(InputError, match="A discount needs a reason"):
        record_sale(db, cashier, "T1", [LineInput("1001", 1, Discount(AMOUNT, 100, ""))], CARD)
    assert snapshot() == before


# -- permission and limits ----------------------------------------------------------------------


def test_each_role_has_a_limit_a_manager_can_change_and_it_is_audited(db, manager, cashier):
    """C-5: defaults cashier 10 %, supervisor 30 %, manager 100 %; changed through core by
    someone with "config.manage", audited; others are refused."""
    assert discounts.list_limits(db) == {"cashier": 10, "supervisor": 30, "manager": 100}
    discounts.set_limit(db, manager, "cashier", 15)
    assert discounts.role_limit(db, "cashier") == 15
    entry = db.one("SELECT * FROM audit_log WHERE action = 'discount.limit'")
    assert (entry["staff_id"], entry["entity_id"]) == ("1", "cashier")
    assert json.loads(entry["details"]) == {"from": 10, "to": 15}
    with pytest.raises(PermissionDenied):
        discounts.set_limit(db, cashier, "cashier", 50)
    for role, value in (("cashier", 101), ("cashier", -1), ("boss", 10), ("cashier", 1.5)):
        with pytest.raises(InputError):
            discounts.set_limit(db, manager, role, value)
    assert discounts.role_limit(db, "cashier") == 15


def test_a_cashier_gives_up_to_the_limit_and_no_more(db, cashier, snapshot):
    """C-5: 10 % of 19,95 is 2,00 (rounded): allowed as 10 % and as 2,00; 2,01 is over."""
    line = "1016"
    price = catalog.find_item(db, line, "NORREBRO").price
    allowed = discounts.percent_of(price, 1000)
    for given in (pct(10), off(allowed)):
        basket = price_basket(db, cashier, "NORREBRO", [LineInput(line, 1, given)])
        assert basket.total == price - allowed
    before = snapshot()
    with pytest.raises(DiscountOverLimit, match="Kasper Kasserer may give at most 10 % off"):
        record_sale(db, cashier, "T1", [LineInput(line, 1, off(allowed + 1))], CARD)
    assert snapshot() == before


def test_an_approver_lifts_the_limit_to_their_own(db, cashier, supervisor):
    """C-5: over the cashier's limit, a supervisor's approval allows up to 30 %, not more."""
    sold = record_sale(db, cashier, "T1", [LineInput("1008", 1, pct(30, supervisor))], CARD)
    assert sold.sale.total == 2200 - 660
    row = db.one("SELECT * FROM sale_discounts WHERE sale_id = ?", (sold.sale.id,))
    assert (row["approved_by"], row["amount"], row["reason"]) == ("3", 660, REASON)
    details = json.loads(db.scalar("SELECT details FROM audit_log WHERE action = 'sale'"))
    assert details["discounts"][0]["approved_by"] == "3"
    with pytest.raises(DiscountOverLimit, match="Sigrún Vaktstjóri may give at most 30 % off"):
        price_basket(db, cashier, "NORREBRO", [LineInput("1008", 1, pct(31, supervisor))])


def test_stacked_discounts_count_together_against_the_limit(db, cashier, supervisor):
    """C-5: 10 % on the line and 10 % on the basket come to 19 % of the sale: over a
    cashier's 10 % though each is within it."""
    with pytest.raises(DiscountOverLimit):
        price_basket(db, cashier, "NORREBRO", [LineInput("1008", 1, pct(10))], pct(10))
    basket = price_basket(
        db, cashier, "NORREBRO", [LineInput("1008", 1, pct(10))], pct(10, supervisor)
    )
    assert basket.total == 2200 - 220 - 198


def test_without_the_discount_permission_no_discount_at_all(db, make_staff):
    seller = make_staff(["sale"], name="Nina Nodiscount")
    with pytest.raises(PermissionDenied, match="not allowed to give discounts"):
        price_basket(db, seller, "NORREBRO", [LineInput("1008")], pct(1))


# -- a basket discount over the lines -------------------------------------------------------


def test_allocation_sums_exactly_to_the_discount():
    """C-5: largest remainder; every share within its line; the sum is exact."""
    assert discounts.allocate(100, [300, 300, 300]) == [34, 33, 33]  # tie: the earlier line
    assert discounts.allocate(1668, [6600, 3295, 1225]) == [990, 494, 184]
    assert discounts.allocate(0, [5, 7]) == [0, 0]
    assert discounts.allocate(12, [0, 12]) == [0, 12]
    rng = random.Random(9)
    for _ in range(2000):
        bases = [rng.randint(0, 50000) for _ in range(rng.randint(1, 12))]
        amount = rng.randint(0, sum(bases))
        shares = discounts.allocate(amount, bases)
        assert sum(shares) == amount
        assert all(0 <= s <= b for s, b in zip(shares, bases, strict=True))
    with pytest.raises(InputError):
        discounts.allocate(11, [5, 5])


def test_a_basket_discount_is_carried_by_the_lines_and_vat_follows(db, cashier, supervisor):
    """C-5: 15 % off 3 x 22,00 + 32,95 + 12,25 = 111,20 -> 16,68; the lines carry shares
    summing to it, the total is what is paid, VAT is from each line's net."""
    lines = [LineInput("1008", 3), LineInput("1001"), LineInput("1003")]
    sold = record_sale(db, cashier, "T1", lines, CARD, basket_discount=pct(15, supervisor))
    sale = sold.sale
    assert sum(ln.discount for ln in sale.lines) == 1668
    assert sale.total == 11120 - 1668 == sum(ln.line_total for ln in sale.lines)
    for ln in sale.lines:
        assert ln.line_total == ln.qty * ln.unit_price - ln.discount
    assert sale.vat_total == sum(ln.vat_amount for ln in sale.lines)
    assert [(d.line_no, d.amount) for d in sale.discounts] == [(None, 1668)]
    assert sale.payments[0].amount == sale.total


def test_refunds_of_a_discounted_sale_pay_back_what_was_paid(db, cashier, supervisor):
    """C-5, C-3: the basket discount's shares go back with the lines: a refund of
    everything, in parts, pays exactly the sale's total."""
    lines = [LineInput("1008", 3, off(300)), LineInput("1001"), LineInput("1003", 2)]
    sale = record_sale(db, cashier, "T1", lines, CARD, basket_discount=pct(5, supervisor)).sale
    parts = [
        [LineInput("1008", 1)],
        [LineInput("1008", 2), LineInput("1003")],
        [
            LineInput("1001"),
            LineInput("1003"),
        ],
    ]
    paid_back = 0
    for part in parts:
        refund = record_refund(db, cashier, "T1", part, CARD, receipt=("T1", 1)).sale
        paid_back += -refund.total
    assert paid_back == sale.total
    assert db.scalar("SELECT SUM(total) FROM sales") == 0


def test_session_and_statement_figures_come_from_what_was_paid(db, clock, manager, supervisor):
    """C-5 "in every figure": the session's sales total, its card payments and the
    statement line all show the discounted amount, and agree."""
    from datetime import UTC, datetime

    from core.statements import operations as statements

    clock.set(datetime(2026, 5, 31, 8, 0, tzinfo=UTC))
    session = sessions.open_session(db, manager, "T1", 0)
    sold = record_sale(
        db, manager, "T1", [LineInput("1008", 2, pct(50))], CARD, basket_discount=off(100)
    ).sale
    assert sold.total == 4400 - 2200 - 100
    details = sessions.session_details(db, manager, session.id)
    card = next(t for t in details.summary.by_tender if t.tender_id == "card")
    assert details.summary.sales_total == card.amount == sold.total
    sessions.close_session(db, manager, "T1", 0, 0, {"card": sold.total})
    start = datetime(2026, 5, 31, 1, 0, tzinfo=UTC)
    made = statements.create_statements(
        db, manager, "NORREBRO", start, start.replace(day=1, month=6)
    )
    statements.calculate_statement(db, manager, made[0].id)
    st = statements.statement_details(db, manager, made[0].id)
    amounts = {ln.tender_id: ln.transaction_amount for ln in st.lines}
    assert amounts.get("cash", 0) == 0 and amounts["card"] == sold.total
    assert verification.verify(db).ok


def test_the_sale_screen_preview_and_the_sale_agree(db, cashier, supervisor):
    """C-5: price_basket (what the screen shows) and record_sale (what is paid) are one
    computation."""
    lines = [LineInput("1008", 3, pct(10)), LineInput("1001", 2, off(95))]
    preview = price_basket(db, None, "NORREBRO", lines, pct(5, supervisor))
    sold = record_sale(db, cashier, "T1", lines, CARD, basket_discount=pct(5, supervisor))
    assert preview.total == sold.sale.total
    assert [ln.line_total for ln in preview.lines] == [ln.line_total for ln in sold.sale.lines]


def test_the_session_figures_and_reports_show_the_discounts_given(db, clock, manager):
    """C-5 "in the session figures": the summary counts the discounted sales and what was
    given off, net of what a refund took back; the X report prints it."""
    from core.printing import receipts
    from core.printing.layout import to_text

    session = sessions.open_session(db, manager, "T1", 0)
    record_sale(db, manager, "T1", [LineInput("1008", 2, pct(10))], CARD)  # 4,40 off
    record_sale(db, manager, "T1", [LineInput("1001")], CARD, basket_discount=off(95))
    record_sale(db, manager, "T1", [LineInput("1003")], CARD)  # no discount
    record_refund(db, manager, "T1", [LineInput("1008")], CARD, receipt=("T1", 1))
    summary = sessions.session_details(db, manager, session.id).summary
    assert (summary.discounts_count, summary.discounts_total) == (2, 440 + 95 - 220)
    details = sessions.session_details(db, manager, session.id)
    text = to_text(receipts.x_report(details, clock.now, lang="en"), 42)
    assert "Discounts given (2)                  -3.15" in text
