"""`kassi serve` at the HTTP and websocket level (W-1, W-2, C-7), without a browser:
what a client that skips the page (a script, a stolen URL cut short) gets."""

from __future__ import annotations

import re
import time

import aiohttp
import pytest

from core.store import till_lock
from tests.e2e.browser import Served, kassi

pytestmark = pytest.mark.integration

_ESC = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")


@pytest.fixture
def store(tmp_path):
    db_path = tmp_path / "store.db"
    kassi(db_path, "init", "--demo")
    return db_path


@pytest.fixture
def served(store, tmp_path):
    server = Served(store, tmp_path / "serve.log")
    yield server
    server.stop()


def pair(db_path, served, terminal="T1") -> str:
    out = kassi(
        db_path, "terminal", "pair", terminal, "--url", served.url, "--staff", "1", pin="1234"
    )
    return out.strip().splitlines()[-1].split("?t=", 1)[1]


async def _screen_until(ws, needle: bytes, timeout: float = 20) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in _ESC.sub(b"", seen):
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} never came; got {_ESC.sub(b'', seen)[-300:]!r}"
        msg = await ws.receive(timeout=left)
        if msg.type == aiohttp.WSMsgType.BINARY:
            seen += msg.data
        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            raise AssertionError(f"closed before {needle!r}: {_ESC.sub(b'', seen)[-300:]!r}")
    return seen


async def test_the_websocket_refuses_a_wrong_cut_or_revoked_token_before_any_till(store, served):
    """W-2: the websocket checks the token itself (a client need not load the page first):
    no token, a wrong or shortened one and a revoked one are refused at the handshake."""
    token = pair(store, served)
    async with aiohttp.ClientSession() as http:
        for bad in ("A" * 43, token[:-1], "x"):
            async with http.get(f"{served.url}/claim/{bad}/1-2") as answer:
                assert answer.status == 403
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{served.url}/ws/{bad}/1-2")
            assert refused.value.status == 403
        async with http.get(f"{served.url}/?t={token[:-1]}") as answer:
            assert answer.status == 403
            assert "not paired" in await answer.text()
        kassi(store, "terminal", "unpair", "T1", "--staff", "1", pin="1234")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{served.url}/ws/{token}/1-2")
        assert refused.value.status == 403


async def test_a_paired_socket_gets_its_terminals_till_and_a_second_tab_is_refused(store, served):
    """W-1 / W-2 / C-7: the pairing's socket gets T1's till (the login names Kasse 1 [T1]);
    another tab's socket for T1 is refused while it is connected; the same tab's socket
    (a reload) takes the till over, and the first socket is closed."""
    token = pair(store, served)
    async with aiohttp.ClientSession() as http:
        first = await http.ws_connect(f"{served.url}/ws/{token}/1-1?width=80&height=24")
        screen = await _screen_until(first, b"Staff id")
        assert b"[T1]" in _ESC.sub(b"", screen)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{served.url}/ws/{token}/2-2")
        assert refused.value.status == 409
        async with http.get(f"{served.url}/claim/{token}/2-2") as answer:
            assert answer.status == 409
            assert "open in another window" in await answer.text()
        again = await http.ws_connect(f"{served.url}/ws/{token}/1-1?width=80&height=24")
        await _screen_until(again, b"Staff id")
        assert first.closed or (await first.receive(timeout=10)).type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
        )
        await again.close()
        await first.close()


async def test_a_till_of_the_terminal_running_elsewhere_keeps_the_browser_out(store, served):
    """C-7: while another process runs T1's till (a terminal, an SSH session), the page's
    claim says so in one line and no till is started for the browser."""
    token = pair(store, served)
    held = till_lock.acquire(store, "T1")
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{served.url}/claim/{token}/1-1") as answer:
                assert answer.status == 409
                assert "already runs in process" in await answer.text()
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await http.ws_connect(f"{served.url}/ws/{token}/1-1")
    finally:
        held.release()
    async with aiohttp.ClientSession() as http, http.get(f"{served.url}/claim/{token}/1-1") as ok:
        assert ok.status == 200


async def test_a_malformed_tab_id_is_refused(store, served):
    """W-2: the tab id is the page's own (digits and dashes); anything else is refused."""
    token = pair(store, served)
    async with aiohttp.ClientSession() as http:
        for tab in ("abc", "1;2", "9" * 61):
            async with http.get(f"{served.url}/claim/{token}/{tab}") as answer:
                assert answer.status == 400


async def test_stopping_kassi_serve_parks_each_browsers_unpaid_basket(store, served):
    """W-2 / C-7: `systemctl stop kassi-serve` (SIGTERM) quits every browser's till as a
    closed tab does: the unpaid basket is parked for the terminal, nothing is sold."""
    import sqlite3

    token = pair(store, served)
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{served.url}/ws/{token}/1-1?width=80&height=24")
        await _screen_until(ws, b"Staff id")
        await ws.send_json(["stdin", "2\t2222\r"])
        await _screen_until(ws, b"Item / scan")
        await ws.send_json(["stdin", "1001\r1002\r"])
        await _screen_until(ws, b"2 lines")
        served.stop()
        await ws.close()
    con = sqlite3.connect(store)
    try:
        parked = con.execute("SELECT COUNT(*) FROM parked_baskets WHERE terminal_id = 'T1'")
        assert parked.fetchone()[0] == 1
        assert con.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 0
    finally:
        con.close()


async def test_the_till_page_speaks_the_stores_language(store, tmp_path):
    """W-1 / M-2: without --lang, a Danish store's thin client gets its page in Danish,
    as its till is (an Icelandic store's in Icelandic)."""
    server = Served(store, tmp_path / "serve-da.log", lang=None)
    try:
        danish = pair(store, server, "T1")
        icelandic = pair(store, server, "R1")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{server.url}/?t={danish}") as answer:
                page = await answer.text()
            assert '<html lang="da">' in page and "Forbind igen" in page
            assert "<title>kassi — Kassi Købmand Nørrebro · Kasse 1</title>" in page
            async with http.get(f"{server.url}/?t={icelandic}") as answer:
                page = await answer.text()
            assert '<html lang="is">' in page and "Tengjast aftur" in page
    finally:
        server.stop()
