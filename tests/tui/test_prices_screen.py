"""R-7 at the till: an item the store has no price for in its currency is refused when
it is scanned, with the item and the currency named, in one line that fits 80x24."""

from __future__ import annotations

import pytest

from core.catalog import items as catalog
from core.staff import auth
from tests.tui.conftest import login, screen_text, type_text
from tui.screens.sale import SaleScreen

pytestmark = pytest.mark.tui


async def test_scanning_an_item_without_a_price_in_the_stores_currency_is_refused(
    make_app, till_db
):
    """R-7, C-9: 9001 priced only in ISK, scanned at a Nørrebro (DKK) till: the notice
    names it and DKK, the basket stays empty; an item with a DKK price still adds."""
    manager = auth.authenticate(till_db, "1", "1234")
    catalog.add_item(till_db, manager, "9001", "Widget", 1250, 2500, currency="ISK")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "9001")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SaleScreen) and screen.lines == []
        text = screen_text(app)
        assert "Widget (9001) has no price in DKK: a manager must set one." in text
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await pilot.pause()
        assert [ln.sku for ln in screen.lines] == ["1001"]
