"""The back office's Items screen (K-7) at 80x24: find, edit, add, prices; audited."""

from __future__ import annotations

import pytest

from core.catalog import items as catalog
from core.catalog import prices
from tests.tui.conftest import login, screen_text, type_text
from tui.screens.items import ItemsScreen

pytestmark = pytest.mark.tui


async def open_items(pilot) -> None:
    await pilot.press("f9", "f9")  # the terminal screen, then the back office
    await pilot.pause()
    menu = pilot.app.screen.query_one("#office-menu")
    menu.highlighted = [o.id for o in menu.options].index("items")
    await pilot.press("enter")
    await pilot.pause()


async def replace(pilot, field: str, text: str) -> None:
    widget = pilot.app.screen.query_one(f"#f-{field}")
    widget.focus()
    widget.value = ""
    await type_text(pilot, text)


async def test_a_manager_edits_an_item_and_its_price_at_80x24(make_app, till_db):
    """K-7: search by name, edit name, VAT and the store's own price, F2 saves; the
    till sells at the new price; the audit has the old and new values."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await open_items(pilot)
        assert isinstance(app.screen, ItemsScreen)
        await type_text(pilot, "rugbr")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#f-sku").value == "1001"
        await replace(pilot, "name", "Rugbrød grov")
        await replace(pilot, "store-price", "34.95")
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(app)
        assert "Item 1001 saved." in text, text
    item = catalog.find_item(till_db, "1001", "NORREBRO")
    assert (item.name, item.price) == ("Rugbrød grov", 3495)
    entry = till_db.one(
        "SELECT details FROM audit_log WHERE action = 'item.price' ORDER BY seq DESC LIMIT 1"
    )
    assert '"old":3295' in entry["details"] and '"price":3495' in entry["details"]


async def test_a_new_item_is_added_with_a_price_and_a_wrong_field_saves_nothing(make_app, till_db):
    """K-7, R-4: F3, a bad VAT rate says why under the field and nothing is saved; put
    right, F2 adds the item with its DKK price, and the till can sell it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await open_items(pilot)
        await pilot.press("f3")
        await pilot.pause()
        await replace(pilot, "sku", "9001")
        await replace(pilot, "name", "Widget")
        await replace(pilot, "vat", "250")
        await replace(pilot, "base-price", "12.50")

        def snapshot():
            return [till_db.all(f"SELECT * FROM {t}") for t in ("items", "item_prices")]

        before = snapshot()
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(app)
        assert "VAT rate must be between 0 and 100 %." in text, text
        assert "Nothing was saved" in text
        assert snapshot() == before
        await replace(pilot, "vat", "25")
        await pilot.press("f2")
        await pilot.pause()
        assert "Item 9001 added." in screen_text(app)
        assert app.screen.query_one("#f-sku").disabled  # now editing the saved item
    item = catalog.find_item(till_db, "9001", "NORREBRO", priced=True)
    assert (item.name, item.vat_rate, item.price) == ("Widget", 2500, 1250)
    assert prices.prices_of(till_db, ["9001"])["9001"] == [prices.ItemPrice("9001", "DKK", 1250)]


async def test_a_cashier_saves_an_item_only_with_a_managers_pin(make_app, till_db):
    """K-7, C-3: saving needs config.manage: a cashier's F2 asks for a manager's PIN and
    the change is audited under the manager."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)  # staff 2, a cashier
        await open_items(pilot)
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await pilot.pause()
        await replace(pilot, "barcode", "5709999")
        await pilot.press("f2")
        await pilot.pause()
        assert "Needs someone allowed to" in screen_text(app)
        await login(pilot, "1", "1234")
        assert "Item 1001 saved." in screen_text(app)
    assert catalog.find_item(till_db, "5709999", "NORREBRO").sku == "1001"
    row = till_db.one("SELECT staff_id, details FROM audit_log WHERE action = 'item.barcode'")
    assert row["staff_id"] == "1" and '"new":"5709999"' in row["details"]


@pytest.mark.parametrize("lang", ["en", "da", "is"])
async def test_the_items_screen_fits_80x24_in_every_language(make_app, lang):
    """C-6, K-7: the list, the form with an error under a field, and the footer keys
    fit at 80x24 in en, da and is; nothing is cut."""
    from tests.tui.fit import cut_texts

    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", "1234")
        await open_items(pilot)
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await pilot.pause()
        await replace(pilot, "vat", "x")
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen.query_one("#e-vat").display
        assert cut_texts(app) == []


async def test_an_inactive_item_scanned_at_the_till_is_refused_in_one_line(make_app, till_db):
    """K-7, C-9: made inactive in the back office, 1001 scanned at the till is refused
    by name in one line that fits; the basket stays empty; another item still adds."""
    from core.staff import auth
    from tui.screens.sale import SaleScreen

    catalog.update_item(till_db, auth.authenticate(till_db, "1", "1234"), "1001", active=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "5701234000011")  # its barcode, as the scanner types it
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SaleScreen) and screen.lines == []
        assert "Rugbrød (1001) is no longer sold: a manager can make it active again." in (
            screen_text(app)
        )
        await type_text(pilot, "1002")
        await pilot.press("enter")
        await pilot.pause()
        assert [ln.sku for ln in screen.lines] == ["1002"]
