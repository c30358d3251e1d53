"""The store's sync with head office, run by the till in a worker thread (SPEC X-2).

``kassi --sync-hq URL`` (or KASSI_SYNC_HQ) makes the till start core.sync.service's
service loop beside the sale: on its own database connection, in its own thread, so a
slow or absent head office never holds up a key. Several tills of one store may all run
it: head office's per-store lock lets one round through at a time. Head office being
unreachable is normal at a till (the network comes and goes) and is not shown; a refusal
is, once, because only a manager at head office can resolve it.
"""

from __future__ import annotations

import threading
from typing import Any

from core.text.i18n import _


class TillSync:
    def __init__(self, app: Any, url: str, interval_s: float = 10.0) -> None:
        self.app, self.url, self.interval_s = app, url, interval_s
        self.stopping = threading.Event()
        self.last = ""  # the last round's line (for the log and the tests)

    def start(self) -> None:
        self.app.run_worker(self._work, thread=True, group="sync", exit_on_error=False)

    def stop(self) -> None:
        self.stopping.set()

    def _say(self, line: str) -> None:
        self.last = line
        self.app.log(line)

    def _work(self) -> None:
        from core.errors import KassiError
        from core.store.db import Db
        from core.sync import service

        db = Db(self.app.db.path)
        try:
            service.watch(
                db,
                self.url,
                interval_s=self.interval_s,
                say=self._say,
                stop=self.stopping.is_set,
            )
        except KassiError as exc:  # refused, or the URL itself is wrong: say it once
            self._say(exc.message)
            self.app.call_from_thread(
                self.app.notify,
                _("Sync with head office stopped: {problem}").format(problem=exc.message),
                severity="error",
                timeout=30,
            )
        finally:
            db.close()
