"""Printing and the drawer for the till, always in worker threads.

The sale is already committed when any of this runs. Each worker opens its
own database connection (sqlite connections belong to their thread) and calls
hardware.spool, which queues the job before sending, so a fault leaves a
pending job that prints when the printer is back. Results come back to the UI
as messages ("attributes down, messages up").
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from core.db import Db
from core.i18n import _
from core.model import CashAdjustment, Sale, Terminal


class PrintFinished(Message):
    """Posted to the active screen when a print or drawer job has an outcome."""

    def __init__(self, ok: bool, message: str) -> None:
        super().__init__()
        self.ok = ok
        self.message = message


class TillHardware:
    def __init__(self, app, terminal: Terminal) -> None:
        self.app = app
        self.terminal = terminal
        self.last_sale_id: int | None = None

    # -- what screens call ------------------------------------------------------------

    def after_sale(self, sale: Sale) -> None:
        self.last_sale_id = sale.id
        self._run(lambda spool, db: spool.print_sale(db, sale.id))

    def after_adjustment(self, adj: CashAdjustment) -> None:
        self._run(lambda spool, db: spool.print_adjustment(db, adj.id))

    def print_document(self, doc, ref: str | None = None) -> None:
        ref = ref or f"{doc.kind}:{doc.title}"
        self._run(lambda spool, db: spool.print_document(db, self.terminal.id, doc, ref=ref))

    def open_drawer(self) -> None:
        self._run(lambda spool, db: spool.open_drawer(db, self.terminal.id), quiet=True)

    def reprint_last(self) -> None:
        from core import sales

        sale_id = self.last_sale_id
        if sale_id is None:
            last = sales.last_sale(self.app.db, self.terminal.id)
            sale_id = last.id if last else None
        if sale_id is None:
            self._tell(False, _("No receipt to reprint yet."))
            return
        self._run(lambda spool, db: spool.print_sale(db, sale_id, reprint=True))

    def retry_pending(self) -> None:
        def job(spool, db):
            outcomes = spool.retry_pending(db, self.terminal.id)
            failed = [o for o in outcomes if not o.ok]
            if failed:
                return failed[0]
            return _Outcome(True, _("{n} pending print job(s) printed.").format(n=len(outcomes)))

        self._run(job)

    # -- plumbing -------------------------------------------------------------------------

    def _run(self, job: Callable, quiet: bool = False) -> None:
        path = self.app.db.path

        def work() -> None:
            try:
                from hardware import spool

                with Db(path) as db:
                    outcome = job(spool, db)
            except Exception as exc:  # the till must keep selling whatever the printer does
                self.app.call_from_thread(
                    self._tell, False, _("Printer problem: {error}").format(error=exc)
                )
                return
            if outcome is not None and (not quiet or not outcome.ok):
                self.app.call_from_thread(self._tell, outcome.ok, outcome.message)

        self.app.run_worker(work, thread=True, group="printing", exclusive=False)

    def _tell(self, ok: bool, message: str) -> None:
        self.app.screen.post_message(PrintFinished(ok, message))
        if not ok:
            self.app.notify(message, severity="error", timeout=8)


class _Outcome:
    def __init__(self, ok: bool, message: str) -> None:
        self.ok = ok
        self.message = message
