"""Payment types ready on init and managed afterwards (SPEC K-4): a plain database gets
cash, card, mobile pay and gift card, named in the store's language, counted at close
as a shop expects; `tender set` renames, sets counted and takes one out of use."""

from __future__ import annotations

import pytest

from core.errors import InputError, PermissionDenied, StateError
from core.money.tendering import TenderInput
from core.staff import auth
from core.store import demo
from core.store.db import Db
from core.store.staff_members import add_staff
from core.store.stores import add_store
from core.store.tenders import get_tender, list_tenders, tender_label, update_tender
from core.store.terminals import add_terminal
from core.text.i18n import set_language
from core.tills import session_views
from core.tills.basket import LineInput
from core.tills.sales import record_sale
from tests.conftest import FakeClock


@pytest.fixture
def plain(clock: FakeClock) -> Db:
    """What `kassi init` (no demo), a manager, a store, a terminal and an item make."""
    database = Db(":memory:", clock=clock)
    demo.init_defaults(database)
    add_staff(database, None, "1", "Anna", "1234", "manager")
    manager = auth.authenticate(database, "1", "1234")
    add_store(
        database,
        manager,
        "S1",
        "Butik",
        currency="DKK",
        timezone="Europe/Copenhagen",
        locale="da",
    )
    add_terminal(database, manager, "T1", "S1")
    from core.catalog import items as catalog

    catalog.add_item(database, manager, "1001", "Mælk", 1250, 2500, None, currency="DKK")
    yield database
    database.close()
    set_language("en")


def _manager(db: Db):
    return auth.authenticate(db, "1", "1234")


def test_init_creates_the_usual_payment_types_counted_as_a_shop_expects(plain: Db) -> None:
    """SPEC K-4: cash and gift vouchers are counted in the drawer; card and mobile pay are
    checked against the terminal's settlement, not counted."""
    tenders = {t.id: t for t in list_tenders(plain)}
    assert list(tenders) == ["cash", "card", "mobile", "giftcard"]
    assert tenders["cash"].is_cash and tenders["cash"].counted_at_close
    assert not tenders["card"].counted_at_close and not tenders["mobile"].counted_at_close
    assert tenders["giftcard"].counted_at_close and not tenders["giftcard"].is_cash
    assert all(t.active for t in tenders.values())


def test_a_first_sale_on_a_plain_init_works_in_cash(plain: Db) -> None:
    """SPEC K-4: no "Unknown payment type cash" on a shop set up without the demo."""
    result = record_sale(
        plain, _manager(plain), "T1", [LineInput("1001", 1)], [TenderInput("cash", 2000)]
    )
    assert result.sale.receipt_no == 1 and result.change == 750


def test_init_adds_nothing_to_a_database_already_set_up(plain: Db) -> None:
    """SPEC K-4: a second `kassi init` leaves the shop's own payment types alone."""
    update_tender(plain, _manager(plain), "card", name="Dankort")
    assert demo.init_defaults(plain) == []
    assert get_tender(plain, "card").name == "Dankort"


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("en", ["Cash", "Card", "Mobile pay", "Gift card"]),
        ("da", ["Kontant", "Kort", "Mobilbetaling", "Gavekort"]),
        ("is", ["Reiðufé", "Kort", "Farsímagreiðsla", "Gjafakort"]),
    ],
)
def test_the_payment_type_names_are_shown_in_the_stores_language(
    plain: Db, lang: str, names: list[str]
) -> None:
    """SPEC K-4: kassi's own names follow the language; a shop's own name is as typed."""
    set_language(lang)
    assert [tender_label(t) for t in list_tenders(plain)] == names
    update_tender(plain, _manager(plain), "mobile", name="MobilePay")
    assert tender_label(get_tender(plain, "mobile")) == "MobilePay"


def test_tender_set_changes_name_counted_and_active_audited(plain: Db) -> None:
    """SPEC K-4: each change is one audited transaction (config.manage)."""
    changed = update_tender(
        plain, _manager(plain), "card", name="Dankort", counted=True, active=False
    )
    assert (changed.name, changed.counted_at_close, changed.active) == ("Dankort", True, False)
    [entry] = plain.all("SELECT * FROM audit_log WHERE action = 'tender.update'")
    assert entry["entity_id"] == "card" and entry["staff_id"] == "1"


def test_an_inactive_tender_takes_no_new_payment_but_stays_in_old_sessions(plain: Db) -> None:
    """SPEC K-4: refused with a clear line; the session that took it still shows it."""
    manager = _manager(plain)
    done = record_sale(plain, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")])
    update_tender(plain, manager, "card", active=False)
    before = plain.scalar("SELECT COUNT(*) FROM sales")
    with pytest.raises(InputError, match="Payment type card is no longer in use"):
        record_sale(plain, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")])
    assert plain.scalar("SELECT COUNT(*) FROM sales") == before
    summary = session_views.cash_summary(plain, done.session_id)
    assert {t.tender_id: t.amount for t in summary.by_tender}["card"] == 1250
    update_tender(plain, manager, "card", active=True)
    record_sale(plain, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")])


def test_the_only_cash_tender_cannot_be_made_inactive_nor_uncounted(plain: Db) -> None:
    """SPEC K-4: floats and change are cash; cash is always counted at close."""
    manager = _manager(plain)
    with pytest.raises(StateError, match="only cash payment type"):
        update_tender(plain, manager, "cash", active=False)
    with pytest.raises(InputError, match="always counted"):
        update_tender(plain, manager, "cash", counted=False)
    cash = get_tender(plain, "cash")
    assert cash.active and cash.counted_at_close


def test_tender_set_needs_config_manage_and_something_to_change(plain: Db) -> None:
    """SPEC K-4: a cashier cannot; an empty change is one line."""
    add_staff(plain, _manager(plain), "2", "Kim", "2222", "cashier")
    with pytest.raises(PermissionDenied):
        update_tender(plain, auth.authenticate(plain, "2", "2222"), "card", active=False)
    with pytest.raises(InputError, match="Give --name"):
        update_tender(plain, _manager(plain), "card")
    with pytest.raises(InputError):
        update_tender(plain, _manager(plain), "card", name="")
    assert get_tender(plain, "card").active
