"""C-2: payments in any order and any split, the amount still due, change only from cash.

core.money.tendering.progress is the rule the payment screen shows and the sale is
committed with (allocate, with the store's change limit)."""

from __future__ import annotations

import pytest

from core.errors import InputError
from core.money.tendering import TenderInput, allocate, progress
from core.store.records import Tender

TENDERS = {
    "cash": Tender("cash", "Cash", True, True, 1, True),
    "card": Tender("card", "Card", False, False, 2, True),
    "mobile": Tender("mobile", "MobilePay", False, False, 3, True),
}
DKK = 50  # cash rounds to 0,50


def step(total, *entries, increment=DKK, refund=False, max_change=None):
    return progress(
        total,
        [TenderInput(t, a) for t, a in entries],
        TENDERS,
        increment,
        "DKK",
        "da",
        refund=refund,
        max_change=max_change,
    )


def test_cash_first_covers_part_and_the_card_takes_the_rest():
    """C-2: 100 in cash of 197,95, then the card for the rest; what is due is shown."""
    first = step(19795, ("cash", 10000))
    assert not first.complete
    assert (first.remaining, first.cash_remaining) == (9795, 9800)
    done = step(19795, ("cash", 10000), ("card", None))
    assert done.entries == (TenderInput("cash", 10000), TenderInput("card", 9795))
    assert done.complete and done.allocation.change == 0 and done.allocation.rounding == 0
    assert done.allocation == allocate(
        19795, list(done.entries), TENDERS, DKK, "DKK", "da"
    )  # the same settlement the sale is recorded with


def test_card_first_then_cash_rounds_only_the_cash_share_and_gives_change():
    """C-2: card 97,95, then cash 200 for the 100,00 left: change 100 from the cash."""
    part = step(19795, ("card", 9795))
    assert (part.remaining, part.cash_remaining, part.complete) == (10000, 10000, False)
    done = step(19795, ("card", 9795), ("cash", 20000))
    assert done.allocation.change == 10000
    odd = step(19795, ("card", 5000), ("cash", None))  # the cash share 147,95 rounds to 148
    assert odd.entries[-1] == TenderInput("cash", 14800)
    assert odd.allocation.rounding == 5


def test_a_card_never_takes_more_than_is_still_due():
    """C-2: change comes only from cash; a card over what is due is refused."""
    with pytest.raises(InputError, match="still due"):
        step(19795, ("cash", 10000), ("card", 19795))
    with pytest.raises(InputError, match="still due"):
        step(19795, ("card", 19796))


def test_partial_amounts_on_several_tenders_add_up_in_the_order_given():
    """C-2: any split: card 50, MobilePay 40, cash 50, cash for the rest."""
    state = step(19795, ("card", 5000), ("mobile", 4000), ("cash", 5000))
    assert (state.paid_other, state.paid_cash, state.remaining) == (9000, 5000, 5795)
    assert state.cash_remaining == 5800
    done = step(19795, ("card", 5000), ("mobile", 4000), ("cash", 5000), ("cash", None))
    assert done.complete and done.allocation.due == 19800


def test_nothing_more_is_taken_once_the_total_is_covered():
    """C-2: a tender after the basket is paid is refused, not added."""
    with pytest.raises(InputError, match="Nothing is left"):
        step(1000, ("card", 1000), ("cash", 500))


def test_the_change_limit_applies_to_a_split_as_to_the_commit():
    """C-2/C-7: the screen's preview uses the store's max_change, as record_sale does."""
    with pytest.raises(InputError, match="Too much cash"):
        step(19795, ("card", 9795), ("cash", 200000), max_change=99999)
    assert step(19795, ("card", 9795), ("cash", 50000), max_change=99999).complete


def test_icelandic_cash_has_no_rounding_in_a_split():
    """C-2: ISK (no increment): the cash share is exact."""
    state = step(1990, ("cash", 1000), increment=0)
    assert (state.remaining, state.cash_remaining) == (990, 990)
    assert step(1990, ("cash", 1000), ("card", None), increment=0).entries[-1].amount == 990


def test_a_refund_pays_out_cash_first_then_card_but_never_more_cash_than_due():
    """C-2: a refund splits the same way; cash paid out beyond what is due is refused."""
    done = step(10000, ("cash", 4000), ("card", None), refund=True)
    assert done.complete and [p.amount for p in done.allocation.payments] == [-6000, -4000]
    with pytest.raises(InputError, match="Pay out exactly"):
        step(10000, ("cash", 10050), refund=True)
