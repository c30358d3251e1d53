"""The back office of a head office on PostgreSQL, in the TUI (SPEC X-1): pick a store,
log in with a kassi staff PIN, and work its statements and reports at 80x24."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.staff import auth
from core.statements import operations as statements
from core.store.pg import PgDb
from tests.core.test_statements_support import Shop
from tests.core.transfer_support import export, load
from tests.integration.kassi_command import make_demo
from tests.integration.test_statement_cli import record_day
from tests.tui.conftest import login, screen_text
from tui.screens.office import OfficeScreen
from tui.screens.statements import StatementDetailScreen, StatementsScreen

pytestmark = [pytest.mark.tui, pytest.mark.integration]


@pytest.fixture
def head_office(pg_url, tmp_path):
    """Head office with NORREBRO's 31 May imported and a statement for it created."""
    from core.store.db import Db

    path = make_demo(tmp_path / "store.db")
    record_day(path)
    store = Db(path)
    shop = Shop(store, None, auth.get_staff(store, "1"))
    text, _cursor = export(shop, store="NORREBRO")
    store.close()
    db = PgDb(pg_url)
    office = Shop(db, None, auth.get_staff(db, "1"))
    load(office, text)
    made = statements.create_statements(
        db, office.manager, "NORREBRO",
        datetime(2026, 5, 31, 1, tzinfo=UTC), datetime(2026, 6, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    statements.calculate_statement(db, office.manager, made[0].id)
    statements.set_counted(db, office.manager, made[0].id, "cash", 9800, note="safe")
    yield db
    db.close()


async def test_head_office_statement_posted_in_the_tui(head_office) -> None:
    """X-1: `kassi --db postgresql://...` opens the store picker, the login (no terminal:
    "Head office"), the back office without the till's printer options; the statement
    (calculated, its cash counted) is shown with the figures the store gets and posted."""
    from tui.app import KassiApp

    app = KassiApp(head_office, lang="en", idle_lock_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "which store?" in screen_text(app)
        await pilot.press("enter")  # NORREBRO, the first
        await pilot.pause()
        assert "Head office" in screen_text(app)
        await login(pilot, "1", "1234")
        assert isinstance(app.screen, OfficeScreen)
        menu = screen_text(app)
        assert "Retail statements" in menu and "Reprint" not in menu and "Safe" not in menu
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StatementsScreen)
        assert head_office.scalar("SELECT transactions FROM statements") == 3
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StatementDetailScreen)
        text = screen_text(app)
        assert "98.00" in text and "49.45" in text
        await pilot.press("escape", "f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert head_office.scalar("SELECT status FROM statements") == "posted"
        assert "posted" in screen_text(app)


async def test_head_office_report_items_and_staff_screens_open(head_office) -> None:
    """X-1: the session report, the items and the staff screens work on PostgreSQL."""
    from tui.app import KassiApp

    app = KassiApp(head_office, lang="en", idle_lock_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await login(pilot, "1", "1234")
        for downs, expected in ((0, "Terminal all"), (2, "1001"), (3, "Mette Manager")):
            await pilot.press(*(["down"] * downs), "enter")
            await pilot.pause()
            assert expected in screen_text(app), screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, OfficeScreen)
