"""The till syncs with head office in a worker while it sells (SPEC X-2): the sale is
never held up, the delivery reaches head office, and a refusal is told once."""

from __future__ import annotations

import pytest

from tests.integration.chain_support import STORE_PIN, Chain
from tests.tui.conftest import login

pytestmark = [pytest.mark.tui, pytest.mark.integration]


@pytest.fixture
def chain(pg_server, pg_url, tmp_path):
    made = Chain(pg_server, pg_url, tmp_path)
    yield made
    made.close()


async def wait_until(pilot, condition, seconds: float = 30.0) -> bool:
    for _ in range(int(seconds / 0.2)):
        if condition():
            return True
        await pilot.pause(0.2)
    return False


async def test_the_till_delivers_its_sales_while_it_sells(chain: Chain) -> None:
    """X-2: a till started with --sync-hq delivers a sale rung up at it, in the
    background, and keeps selling; a refusal at head office is said in a notice."""
    from tui.app import KassiApp

    shop = chain.store("NORREBRO")
    chain.receive()
    app = KassiApp(
        shop.db, terminal_id="T1", idle_lock_seconds=0, lang="en",
        sync_hq=chain.role_url("NORREBRO"),
    )  # fmt: skip
    app.sync.interval_s = 0.3
    waiting = "SELECT COUNT(*) FROM sync_deliveries WHERE state = 'new' AND sales > 0"
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1", STORE_PIN)
        shop.sell("T2", [("1002", 1)], tender="card")  # another till of the store
        assert await wait_until(pilot, lambda: chain.hq.scalar(waiting) == 1), app.sync.last
        assert chain.receive().sales == 1
        chain.hq.execute(
            "UPDATE sync_deliveries SET state = 'refused', problem = 'Made up.'"
            " WHERE store_id = 'NORREBRO'"
        )
        shop.sell("T2", [("1003", 1)], tender="card")
        assert await wait_until(pilot, lambda: "Made up." in app.sync.last), app.sync.last
        assert "refused delivery" in app.sync.last
        await pilot.pause()
        assert app.is_running
