"""The till guards itself, in core (SPEC C-7): the drawer opens only through audited,
permitted calls; amounts have sane limits; a parked basket survives; one process
per terminal."""

from __future__ import annotations

import json
import os

import pytest

from core.errors import InputError, PermissionDenied, StateError
from core.money.tendering import TenderInput
from core.store import stores, till_lock
from core.tills import drawer, limits, parked, sales, sessions
from core.tills.basket import LineInput


def _entries(db, action):
    return db.all("SELECT * FROM audit_log WHERE action = ? ORDER BY seq", (action,))


# -- the drawer -----------------------------------------------------------------------


def test_the_close_count_opens_the_drawer_only_for_who_may_close_and_is_audited(
    db, cashier, make_staff, snapshot
):
    """C-7: opening the drawer for the count is its own audited action (drawer.count)."""
    sessions.open_session(db, cashier, "T1", 10000)
    grant = drawer.open_drawer_for_count(db, cashier, "T1")
    (entry,) = _entries(db, "drawer.count")
    assert entry["seq"] == grant and entry["staff_id"] == cashier.id
    assert entry["terminal_id"] == "T1"

    no_close = make_staff(["sale", "session.open"])
    before = snapshot()
    with pytest.raises(PermissionDenied):
        drawer.open_drawer_for_count(db, no_close, "T1")
    assert snapshot() == before


def test_the_close_count_needs_an_open_session(db, cashier):
    """C-7: no session, nothing to count: the drawer stays shut."""
    with pytest.raises(StateError):
        drawer.open_drawer_for_count(db, cashier, "T1")
    assert _entries(db, "drawer.count") == []


def test_an_override_records_the_approver_and_who_asked(db, cashier, supervisor):
    """C-7: the entry is the approver's; the cashier at the till is kept beside it."""
    with pytest.raises(PermissionDenied):
        drawer.no_sale(db, cashier, "T1")
    drawer.no_sale(db, supervisor, "T1", requested_by=cashier)
    (entry,) = _entries(db, "drawer.no_sale")
    assert entry["staff_id"] == supervisor.id
    assert json.loads(entry["details"])["requested_by"] == cashier.id


def test_a_drawer_pulse_needs_the_grant_of_a_drawer_action_of_its_terminal(db, cashier, supervisor):
    """C-7: only the entry of a no sale, a count, a session open or close opens the drawer."""
    session = sessions.open_session(db, cashier, "T1", 10000)
    drawer.check_drawer_grant(db, drawer.no_sale(db, supervisor, "T1"), "T1")
    opened = drawer.session_drawer_grant(db, "T1", session.id, "session.open")
    drawer.check_drawer_grant(db, opened, "T1")
    with pytest.raises(StateError):  # another terminal's no sale
        drawer.check_drawer_grant(db, drawer.no_sale(db, supervisor, "T2"), "T1")
    sale = sales.record_sale(db, cashier, "T1", [LineInput("1001")], [TenderInput("card")])
    sale_entry = db.scalar(
        "SELECT seq FROM audit_log WHERE entity_id = ? AND action LIKE 'sale%'", (sale.sale.id,)
    )
    with pytest.raises(StateError):  # not a drawer action
        drawer.check_drawer_grant(db, sale_entry, "T1")
    with pytest.raises(StateError):  # no such entry
        drawer.check_drawer_grant(db, 10**9, "T1")


# -- amount limits ----------------------------------------------------------------------


def test_cash_giving_a_whole_largest_note_of_change_is_refused(db, cashier, snapshot):
    """C-7: 999.999.999 typed for 18,50 is refused; nothing is recorded."""
    before = snapshot()
    with pytest.raises(InputError, match="999.999.999,00; change is at most 999,99"):
        sales.record_sale(
            db, cashier, "T1", [LineInput("1001")], [TenderInput("cash", 99999999900)]
        )
    assert snapshot() == before
    result = sales.record_sale(
        db, cashier, "T1", [LineInput("1001")], [TenderInput("cash", 100000)]
    )
    assert result.change == 100000 - 3300  # a 1000-kr. note for 33,00: change 967,00


def test_the_change_limit_is_a_store_setting(db, manager, cashier):
    """C-7: `max_change` overrides the default; "default" puts it back."""
    stores.update_store(db, manager, "NORREBRO", max_change="50.00")
    with pytest.raises(InputError, match="change is at most 50,00"):
        sales.record_sale(db, cashier, "T1", [LineInput("1001")], [TenderInput("cash", 10000)])
    sales.record_sale(db, cashier, "T1", [LineInput("1001")], [TenderInput("cash", 5000)])
    stores.update_store(db, manager, "NORREBRO", max_change="default")
    assert stores.get_store(db, "NORREBRO").max_change is None
    sales.record_sale(db, cashier, "T1", [LineInput("1001")], [TenderInput("cash", 100000)])


def test_a_card_never_pays_more_than_is_due(db, cashier):
    """C-7: a card gives no change at all."""
    with pytest.raises(InputError, match="give no change"):
        sales.record_sale(db, cashier, "T1", [LineInput("1001")], [TenderInput("card", 3400)])


def test_a_cash_adjustment_over_the_limit_is_refused(db, manager, cashier, snapshot):
    """C-7: one add or remove is at most fifty largest notes, or the store's max_adjustment."""
    sessions.open_session(db, cashier, "T1", 10000)
    before = snapshot()
    with pytest.raises(InputError, match="50.000,00 limit"):
        sessions.adjust_cash(db, cashier, "T1", "add", 5000001, "typo")
    assert snapshot() == before
    sessions.adjust_cash(db, cashier, "T1", "add", 5000000, "float from the safe")
    stores.update_store(db, manager, "NORREBRO", max_adjustment="100.00")
    with pytest.raises(InputError, match="100,00 limit"):
        sessions.adjust_cash(db, cashier, "T1", "remove", 10001, "drop")


def test_limits_default_from_the_currency(db):
    """C-7: the defaults follow the currency's largest note (ISK 10.000, no decimals)."""
    dkk, isk = stores.get_store(db, "NORREBRO"), stores.get_store(db, "REYKJAVIK")
    assert (limits.max_change(dkk), limits.max_adjustment(dkk)) == (99999, 5000000)
    assert (limits.max_change(isk), limits.max_adjustment(isk)) == (9999, 500000)


@pytest.mark.parametrize("value", ["0", "-5", "abc"])
def test_a_limit_must_be_a_positive_amount(db, manager, value):
    """C-7: a limit of nothing would refuse every sale; a bad value changes nothing."""
    with pytest.raises(InputError):
        stores.update_store(db, manager, "NORREBRO", max_change=value)
    assert stores.get_store(db, "NORREBRO").max_change is None


# -- parked baskets -------------------------------------------------------------------


def test_a_parked_basket_comes_back_once_on_its_terminal(db, cashier):
    """C-7: quitting with an unpaid basket can park it; the next start takes it back."""
    lines = [LineInput("1001", 2), LineInput("1008", 1)]
    parked.park(db, cashier, "T1", lines, "C1")
    assert parked.take(db, "T2") is None
    basket = parked.take(db, "T1")
    assert basket.lines == tuple(lines) and basket.customer_id == "C1"
    assert basket.staff_id == cashier.id
    assert parked.take(db, "T1") is None
    assert [
        e["action"] for e in db.all("SELECT action FROM audit_log WHERE action LIKE 'basket.%'")
    ] == [
        "basket.park",
        "basket.restore",
    ]


def test_parking_refuses_an_empty_basket_and_a_second_one(db, cashier):
    """C-7: one parked basket per terminal; nothing to park is said, not stored."""
    with pytest.raises(InputError):
        parked.park(db, cashier, "T1", [])
    parked.park(db, cashier, "T1", [LineInput("1001")])
    with pytest.raises(StateError):
        parked.park(db, cashier, "T1", [LineInput("1002")])
    assert parked.parked(db, "T1").lines == (LineInput("1001"),)


# -- one process per terminal ------------------------------------------------------------


def test_a_terminal_lock_is_held_until_released(tmp_path):
    """C-7: a second holder of the same terminal is refused, naming the holder's pid."""
    db_path = tmp_path / "till.db"
    first = till_lock.acquire(db_path, "T1")
    with pytest.raises(StateError, match=f"process {os.getpid()}"):
        till_lock.acquire(db_path, "T1")
    other = till_lock.acquire(db_path, "T2")  # another terminal is another lock
    first.release()
    till_lock.acquire(db_path, "T1").release()
    other.release()


@pytest.mark.parametrize("lang", ["en", "da", "is"])
def test_a_terminal_in_use_is_refused_on_one_line_that_fits_80_columns(tmp_path, lang):
    """C-7, C-9: the refusal names the holder's process and says what to do, and fits one
    80-column line after the CLI's "Error: " in every language."""
    from core.text.i18n import set_language, translate

    first = till_lock.acquire(tmp_path / "till.db", "KASSE-10")
    set_language(lang)
    try:
        with pytest.raises(StateError) as refused:
            till_lock.acquire(tmp_path / "till.db", "KASSE-10")
    finally:
        set_language("en")
        first.release()
    message = refused.value.message.replace(str(os.getpid()), "4194304")  # the largest pid
    assert "KASSE-10" in message and "4194304" in message
    assert len(translate("Error: {message}", lang).format(message=message)) <= 80, message


@pytest.mark.parametrize("lang", ["en", "da", "is"])
def test_the_change_refusal_fits_the_payment_dialog_in_every_language(lang):
    """C-9: the largest typed amount still gives one line of the 60-column pay dialog."""
    from core.text.i18n import set_language

    set_language(lang)
    try:
        with pytest.raises(InputError) as refused:
            limits.check_change(99999999999, 3300, 99999, "DKK", lang)
    finally:
        set_language("en")
    assert len(refused.value.message) <= 60, refused.value.message
