"""`kassi serve`: the till for thin clients' browsers (SPEC W-1, W-2, C-7).

textual-serve starts one fixed command per websocket and checks nothing; kassi's
routes wrap its AppService instead: the page and the websocket each check the pairing
token (core.tills.pairing), the command started is always the pairing's own terminal
in kiosk mode, and a terminal has at most one live till process. A browser tab claims
its terminal with an id kept across its reloads: a reload (or a connection come back)
of the same tab stops the old process, which parks an unpaid basket as a quit does,
and starts the next; another tab is refused while the first is connected. The till
process itself also holds the terminal's lock (core.store.till_lock), so a till in a
terminal or SSH session on that terminal keeps the browser out too.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
import sqlite3
import sys
from pathlib import Path

import textual_serve
from aiohttp import web
from attrs import define, field
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from core.errors import KassiError, StateError
from core.store import till_lock
from core.store.db import Db, connect
from core.store.stores import get_store
from core.store.terminals import get_terminal
from core.tills import pairing
from tui.web import pages

log = logging.getLogger("kassi.serve")

STATIC = Path(textual_serve.__file__).parent / "static"
_TAB = re.compile(r"[0-9-]{1,60}")
HTML = "text/html"
# How often a connected thin client's pairing is looked at again: a revoked one loses
# its till within this many seconds (W-2).
PAIRING_CHECK_SECONDS = 2.0


@define
class _Live:
    """The till process a tab holds for a terminal."""

    tab: str
    service: AppService | None = None
    ended: asyncio.Event = field(factory=asyncio.Event)


class TillServer(Server):
    """One paired thin client, one till: its terminal's, in kiosk mode."""

    def __init__(
        self,
        db_path: str,
        *,
        host: str,
        port: int,
        public_url: str | None = None,
        lang: str | None = None,
        font_size: int = 16,
    ) -> None:
        super().__init__("kassi", host=host, port=port, public_url=public_url)
        self.title = "kassi"
        self.db_path = db_path
        self.lang = lang
        self.font_size = font_size
        self._db: Db | None = None
        self._live: dict[str, _Live] = {}

    # -- what a request is ----------------------------------------------------------------

    @property
    def db(self) -> Db:
        if self._db is None:
            self._db = connect(self.db_path)
        return self._db

    def terminal_of(self, token: str | None) -> str | None:
        return pairing.paired_terminal(self.db, token)

    def till_command(self, terminal_id: str) -> str:
        args = [sys.executable, "-m", "tui.cli", "--db", self.db_path]
        if self.lang:
            args += ["--lang", self.lang]
        return shlex.join([*args, "--kiosk", "--terminal", terminal_id])

    def initialize_logging(self) -> None:
        # Plain lines, no local variables in tracebacks and no access log: a request's
        # path carries its pairing token, which must not end up in a log file.
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    def _language(self, terminal_id: str) -> str:
        return self.lang or get_store(self.db, get_terminal(self.db, terminal_id).store_id).locale

    def _refused(self, message: str, status: int = 403) -> web.Response:
        return web.Response(text=pages.refusal_page(message), status=status, content_type=HTML)

    # -- routes ---------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/claim/{token}/{tab}", self.handle_claim),
                web.get("/ws/{token}/{tab}", self.handle_websocket),
                web.static("/static", STATIC),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"kassi serve: {self.public_url}", highlight=False)

    async def on_shutdown(self, app: web.Application) -> None:
        # Each till quits as on a closed tab: an unpaid basket is parked (C-7).
        for live in list(self._live.values()):
            if live.service is not None:
                await live.service.stop()
        if self._db is not None:
            self._db.close()

    async def handle_index(self, request: web.Request) -> web.Response:
        token = request.query.get("t")
        terminal_id = self.terminal_of(token)
        if terminal_id is None:
            return self._refused(pages.not_paired())
        terminal = get_terminal(self.db, terminal_id)
        store = get_store(self.db, terminal.store_id)
        socket_base = self.public_url.replace("http", "ws", 1) + f"/ws/{token}"
        lang = self.lang or store.locale  # the till's own language, as at the counter
        page = pages.till_page(
            lang=lang,
            page_title=pages.title(store.name, terminal.name, lang),
            static=f"{self.public_url}/static",
            socket_base=socket_base,
            claim_base=f"{self.public_url}/claim/{token}",
            font_size=to_int(request.query.get("fontsize", str(self.font_size)), 16),
        )
        return web.Response(text=page, content_type=HTML, headers={"Cache-Control": "no-store"})

    def _claim(self, request: web.Request) -> tuple[str, str] | web.Response:
        """(terminal, tab) when this tab may have the terminal's till; else the refusal."""
        terminal_id = self.terminal_of(request.match_info["token"])
        if terminal_id is None:
            return web.Response(text=pages.not_paired(), status=403)
        tab = request.match_info["tab"]
        if not _TAB.fullmatch(tab):
            return web.Response(text=pages.not_paired(), status=400)
        live = self._live.get(terminal_id)
        if live is not None and live.tab != tab:
            return web.Response(text=pages.in_use(self._language(terminal_id)), status=409)
        if live is None:
            # A till of this terminal in a terminal or SSH session holds its lock: say so
            # here, not with a till that starts and closes at once.
            try:
                till_lock.acquire(self.db_path, terminal_id).release()
            except StateError as exc:
                return web.Response(text=exc.message, status=409)
        return terminal_id, tab

    async def handle_claim(self, request: web.Request) -> web.Response:
        claim = self._claim(request)
        if isinstance(claim, web.Response):
            return claim
        return web.Response(text="ok")

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        claim = self._claim(request)
        if isinstance(claim, web.Response):
            return claim
        terminal_id, tab = claim
        previous = self._live.get(terminal_id)
        # Registered before the first await: two sockets at once cannot both start a till.
        live = self._live[terminal_id] = _Live(tab)
        try:
            if previous is not None:
                if previous.service is not None:
                    await previous.service.stop()
                await previous.ended.wait()
            websocket = web.WebSocketResponse(heartbeat=15)
            await websocket.prepare(request)
            live.service = service = _TillService(
                self.till_command(terminal_id),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            await service.start(
                to_int(request.query.get("width", "80"), 80),
                to_int(request.query.get("height", "24"), 24),
            )
            watch = asyncio.ensure_future(
                self._watch_pairing(request.match_info["token"], terminal_id, websocket)
            )
            try:
                await self._process_messages(websocket, service)
            finally:
                watch.cancel()
            return websocket
        finally:
            if live.service is not None:
                await live.service.stop()  # the till quits (and parks), its process gone
            if self._live.get(terminal_id) is live:
                del self._live[terminal_id]
            live.ended.set()

    async def _watch_pairing(
        self, token: str, terminal_id: str, websocket: web.WebSocketResponse
    ) -> None:
        """A pairing revoked (or paired anew) while its thin client is connected ends the
        connection: the till quits as on a closed tab (an unpaid basket is parked) and the
        page's "connect again" gets the refusal (W-2)."""
        while not websocket.closed:
            await asyncio.sleep(PAIRING_CHECK_SECONDS)
            try:
                paired = self.terminal_of(token) == terminal_id
            except (sqlite3.Error, KassiError) as exc:  # a busy database: look again later
                log.warning("terminal %s: pairing not checked: %s", terminal_id, exc)
                continue
            if not paired:
                log.info("terminal %s: its pairing was revoked; its till stops", terminal_id)
                await websocket.close()
                return


class _TillService(AppService):
    """textual-serve's AppService, waiting for its process to be gone when stopped: the
    next till of the terminal starts only once the terminal's lock is free."""

    async def exited(self) -> None:
        process = self._process
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def stop(self) -> None:
        await super().stop()
        await self.exited()
