"""R-6 on screen: stored names are shown with visible marks, never obeyed, never markup."""

from __future__ import annotations

import unicodedata

from tests.tui.conftest import login, screen_text, type_text

HOSTILE = "Kaffe\x1b[2J\x1b]0;owned\x07\x9b31m\u202eX"
MARKUP = "[red]x[/] [bold]Te"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def rendered(app) -> str:
    """Every line the compositor hands the driver, after the app's line filters."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def obeyed(text: str) -> list[str]:
    return sorted({c for c in text if (unicodedata.category(c) == "Cc" and c != "\n") or c in BIDI})


def make_hostile(db) -> None:
    with db.write():
        for table in ("items", "store_items"):  # the store's own name is the one shown
            db.execute(f"UPDATE {table} SET name = ? WHERE sku = '1001'", (HOSTILE,))
            db.execute(f"UPDATE {table} SET name = ? WHERE sku = '1002'", (MARKUP,))
        db.execute("UPDATE staff SET name = ? WHERE id = '2'", ("Ann\x1b]0;t\x07a",))
        db.execute("UPDATE stores SET name = ? WHERE id = 'NORREBRO'", ("Nør\x1b[5mrebro",))


async def test_basket_and_header_show_hostile_names_as_visible_marks(make_app, till_db):
    """R-6: an item name with ESC, OSC, C1 and bidi shows ␛/�; the header's names too."""
    make_hostile(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "2222")
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "1002")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Kaffe␛␛␛" in text  # CSI, OSC+BEL, 8-bit CSI: one mark each
        assert "Ann␛a" in text and "Nør␛rebro" in text
        # markup-like names show literally, brackets and all
        assert "[red]x[/] [bold]Te" in text
        assert obeyed(rendered(app)) == []


async def test_search_results_show_names_literally(make_app, till_db):
    """R-6: the item search list shows stored names with marks and markup as typed."""
    make_hostile(till_db)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "2", "2222")
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemSearchScreen"
        await type_text(pilot, "1001")  # a SKU typed exactly comes first
        await pilot.pause()
        assert "Kaffe␛␛␛" in screen_text(app)
        assert obeyed(rendered(app)) == []
        await pilot.press("backspace")
        await type_text(pilot, "2")
        await pilot.pause()
        assert "[red]x[/] [bold]Te" in screen_text(app)
        assert obeyed(rendered(app)) == []


async def test_the_line_filter_deletes_controls_a_widget_forgot(make_app, till_db):
    """R-6's last net: a widget given raw stored text still sends no control to the terminal."""
    from textual.widgets import Static

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.mount(Static("raw\x1b[2J\x9b1m\u202eend", markup=False))
        await pilot.pause()
        lines = rendered(app)
        assert "raw[2J1mend" in lines
        assert obeyed(lines) == []
