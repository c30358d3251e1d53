"""Printing and the drawer for the till, always in worker threads.

The sale is already committed when any of this runs, and so is its receipt's
print job: core queued it in the sale's own transaction (SPEC R-9), as it does a
cash action's slip, and ``after_sale`` prints that job rather than queueing a
second one. Each worker opens its own database connection (sqlite connections
belong to their thread) and calls core's print service (core.printing.service) with the
terminal's printer from hardware.device.connect_printer; it queues any other
document before sending, so a fault leaves a pending job that prints when the
printer is back. Results come back to the UI as messages ("attributes down,
messages up").

The status bar's printer warning (P-6: "Paper low", "Cover open", "Paper out",
"Printer offline") comes from the printer's status: from the print that just
happened when there was one, else from a poll every RETRY_SECONDS, in a worker
(one at a time, bounded by the printer's timeout), never on the UI thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from textual.message import Message

from core.printing import settings as printer_settings
from core.printing import sources as print_sources
from core.printing.port import PrinterFactory
from core.printing.service import PrintOutcome, PrintService
from core.printing.status import state_warning
from core.store.db import connect
from core.store.records import CashAdjustment, Sale, Terminal
from core.text.i18n import _, ngettext
from hardware._escpos import profile_codepages
from tui.widgets.safe import shown
from tui.widgets.status_bar import refresh_every_status_bar


class PrintFinished(Message):
    """Posted to the active screen when a print or drawer job has an outcome."""

    def __init__(self, ok: bool, message: str) -> None:
        super().__init__()
        self.ok = ok
        self.message = message


RETRY_SECONDS = 30
DRAWER_WAIT_SECONDS = 120


def default_printers() -> PrinterFactory:
    """The printers of a real till: hardware's implementation of core's Printer."""
    from hardware.device import connect_printer

    return connect_printer


class TillHardware:
    def __init__(self, app, terminal: Terminal, printers: PrinterFactory | None = None) -> None:
        self.app = app
        self.terminal = terminal
        self.service = PrintService(printers or default_printers())
        self.last_sale_id: int | None = None
        # Set while the terminal is configured to wait for the drawer to close
        # after a cash movement; the sale screen holds the next sale until then.
        self.drawer_open = False
        printer = terminal.printer if isinstance(terminal.printer, dict) else {}
        self.wait_for_drawer = bool(printer.get("wait_drawer_closed"))
        # What the status bar says about the printer ("" when all is well).
        self.printer_warning = ""
        app.set_interval(RETRY_SECONDS, self._auto_retry)
        app.call_later(self._poll_status)
        # A setting stored before settings were checked (P-4): say so at once, and how
        # to correct it, rather than at the first receipt that does not print.
        problem = printer_settings.problem(terminal.printer, profiles=profile_codepages)
        if problem:
            hint = printer_settings.fix_hint(terminal.id)
            app.notify(shown(f"{problem}. {hint}"), severity="error", timeout=15, markup=False)

    # -- what screens call ------------------------------------------------------------

    def after_sale(self, sale: Sale) -> None:
        self.last_sale_id = sale.id
        self._run(lambda service, db: service.print_sale(db, sale.id))
        if self.wait_for_drawer and print_sources.drawer_opens(sale):
            self._await_drawer()

    def after_adjustment(self, adj: CashAdjustment) -> None:
        self._run(lambda service, db: service.print_adjustment(db, adj.id))

    def print_document(self, doc, ref: str | None = None) -> None:
        ref = ref or f"{doc.kind}:{doc.title}"
        self._run(lambda service, db: service.print_document(db, self.terminal.id, doc, ref=ref))

    def open_drawer(self, grant: int) -> bool:
        """Pulse the drawer after core said yes (C-7): ``grant`` is the audit entry of
        the permitted drawer action (a no sale, the count at close, a session's open
        or close). Without one the drawer stays shut and the till says so."""
        from core.errors import KassiError
        from core.tills import drawer

        try:
            drawer.check_drawer_grant(self.app.db, grant, self.terminal.id)
        except KassiError as exc:
            self._tell(False, exc.message)
            return False
        self._run(lambda service, db: service.open_drawer(db, self.terminal.id), quiet=True)
        return True

    def reprint_last(self) -> None:
        from core.tills import receipts

        sale_id = self.last_sale_id
        if sale_id is None:
            last = receipts.last_sale(self.app.db, self.terminal.id)
            sale_id = last.id if last else None
        if sale_id is None:
            self._tell(False, _("No receipt to reprint yet."))
            return
        self._run(lambda service, db: service.print_sale(db, sale_id, reprint=True))

    def retry_pending(self) -> None:
        def job(service, db):
            outcomes = service.retry_pending(db, self.terminal.id)
            first = _first_failure(outcomes)
            if first is not None and not first.ok:
                return first
            state = outcomes[-1].state if outcomes else None
            return PrintOutcome(None, True, _retried(outcomes), state=state)

        self._run(job)

    def _auto_retry(self) -> None:
        """Print waiting jobs once the printer is back, without waiting for a new sale;
        with nothing waiting, ask the printer how it is (the status bar's warning)."""
        from core.printing import jobs as print_jobs

        if not print_jobs.pending(self.app.db, self.terminal.id):
            self._poll_status()
            return
        self._run(
            lambda service, db: _first_failure(service.retry_pending(db, self.terminal.id)),
            quiet=True,
        )

    def _poll_status(self) -> None:
        """Ask the printer in a worker (never the UI thread); one poll at a time."""
        path = self.app.db.path

        def work() -> None:
            try:
                with connect(path) as db:
                    status = self.service.printer_status(db, self.terminal.id)
            except Exception:
                return  # the next poll or print tells
            if status.reason in ("not_configured", "config"):
                return  # a till without a printer is a choice; a bad setting is told on print
            with contextlib.suppress(RuntimeError):  # the till closed meanwhile
                self.app.call_from_thread(self._warn, status.warning)

        self.app.run_worker(
            work, thread=True, group="printer-status", exclusive=True, exit_on_error=False
        )

    def _warn(self, warning: str) -> None:
        if warning != self.printer_warning:
            self.printer_warning = warning
            refresh_every_status_bar(self.app)

    def _await_drawer(self) -> None:
        path = self.app.db.path
        self.drawer_open = True

        def work() -> None:
            try:
                with connect(path) as db:
                    closed = self.service.wait_for_drawer_closed(
                        db, self.terminal.id, DRAWER_WAIT_SECONDS
                    )
            except Exception:
                closed = True  # a printer fault never blocks selling (H-4)
            self.app.call_from_thread(self._drawer_done, closed)

        self.app.run_worker(work, thread=True, group="drawer", exclusive=True)

    def _drawer_done(self, closed: bool) -> None:
        self.drawer_open = False
        if not closed:
            self._tell(False, _("The drawer is still open."))

    # -- plumbing -------------------------------------------------------------------------

    def _run(self, job: Callable, quiet: bool = False) -> None:
        path = self.app.db.path

        def work() -> None:
            try:
                with connect(path) as db:
                    outcome = job(self.service, db)
            except Exception as exc:  # the till must keep selling whatever the printer does
                self.app.call_from_thread(
                    self._tell, False, _("Printer problem: {error}").format(error=exc)
                )
                return
            if outcome is None or getattr(outcome, "reason", None) == "not_configured":
                return  # a till without a printer is a choice, not a fault
            if isinstance(outcome, PrintOutcome) and outcome.reason not in ("busy", "config"):
                # The print just told how the printer is: no separate poll needed.
                warning = state_warning(outcome.state, outcome.reason)
                self.app.call_from_thread(self._warn, warning)
            if not quiet or not outcome.ok:
                self.app.call_from_thread(self._tell, outcome.ok, outcome.message)

        self.app.run_worker(work, thread=True, group="printing", exclusive=False)

    def _tell(self, ok: bool, message: str) -> None:
        self.app.screen.post_message(PrintFinished(ok, message))
        if not ok:
            self.app.notify(shown(message), severity="error", timeout=8, markup=False)


def _retried(outcomes: list) -> str:
    """What a retry did, saying which were confirmed and which only sent (SPEC P-2)."""
    if not outcomes:
        return _("Nothing is waiting to print.")
    printed = sum(o.confirmed for o in outcomes)
    sent = len(outcomes) - printed
    parts = []
    if printed:
        text = ngettext(
            "{n} pending print job printed (confirmed by the printer).",
            "{n} pending print jobs printed (confirmed by the printer).",
            printed,
        )
        parts.append(text.format(n=printed))
    if sent:
        text = ngettext(
            "{n} pending print job sent, unconfirmed (this printer cannot confirm).",
            "{n} pending print jobs sent, unconfirmed (this printer cannot confirm).",
            sent,
        )
        parts.append(text.format(n=sent))
    return " ".join(parts)


def _first_failure(outcomes: list):
    failed = [o for o in outcomes if not o.ok]
    return failed[0] if failed else (outcomes[-1] if outcomes else None)
