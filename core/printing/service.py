"""The print service of the till and the CLI: queue first, then send (SPEC H-4, P-2, P-3).

The sale (or cash action, or close) is already committed when anything here
runs, and a sale's receipt and a cash action's slip were queued by core inside
that same transaction (SPEC R-9), "to render": the first claim renders such a
job's document (core.printing.sources) and keeps the bytes before sending them. Any
other document is rendered for the terminal's printer and stored as a pending
job before a byte goes out; then the terminal's queue is printed oldest first
(core.printing.queue), so receipts kept during an outage come out, in order, as
soon as the printer takes the next one, or on demand with ``retry_pending``.

What prints and when the drawer opens is decided here and in core.printing.sources
(``drawer_opens``), never in hardware: the printer is whatever the injected
``PrinterFactory`` makes of a terminal's printer setting (the tui and the CLI pass
hardware.device.connect_printer; tests pass a scripted fake).

Every call is bounded by the printer's timeout and never raises for a printer
problem: it returns a PrintOutcome whose message says what happened — printed
(confirmed by the printer), sent unconfirmed (a link that cannot answer), or
kept — and what the drawer did. The TUI calls these from worker threads, each
with its own Db.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from attrs import frozen

from core.printing import claims as print_claims
from core.printing import jobs as print_jobs
from core.printing import settings as printer_settings
from core.printing import sources as print_sources
from core.printing.documents import Document
from core.printing.jobs import PrintJob, receipt_ref
from core.printing.layout import to_text
from core.printing.port import (
    DrawerReport,
    Printer,
    PrinterConfigError,
    PrinterFactory,
    PrinterFault,
    PrinterState,
)
from core.printing.queue import POLL_S, Run, run_queue, settle_limbo, terminal_lock
from core.store.db import Db
from core.store.terminals import get_terminal
from core.text.i18n import _

if TYPE_CHECKING:
    from core.printing.status import PrinterStatus


@frozen
class PrintOutcome:
    """What became of one document: printed or sent (ok), or kept as a pending job."""

    job_id: int | None
    ok: bool
    message: str
    reason: str | None = None  # PrinterFault reason, "not_configured", "config", "busy"
    confirmed: bool = False  # the printer confirmed it (P-2); ok and not confirmed: sent
    drawer: DrawerReport | None = None  # the pulse went: "opened" only when it read open
    state: PrinterState | None = None  # the printer's last status in this run, if it gave one

    @property
    def drawer_opened(self) -> bool:
        return self.drawer == "opened"


class NoPrinter(Exception):
    """The terminal has no usable printer setting; carries the outcome's reason and text."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def drawer_text(report: DrawerReport | None) -> str:
    if report == "opened":
        return _("Drawer opened.")
    if report == "pulse_sent":
        return _("Drawer pulse sent, not confirmed.")
    return ""


def kept_message(title: str, fault: PrinterFault | str, drawer_failed: bool) -> str:
    problem = fault.message if isinstance(fault, PrinterFault) else fault
    text = _("{problem} — {title} kept; it prints when the printer is back (Reprint).")
    text = text.format(problem=problem.rstrip(". "), title=title)
    if drawer_failed:
        text += " " + _("The drawer did not open.")
    return text


def done_message(title: str, confirmed: bool) -> str:
    """P-2: "printed" only when the printer confirmed it; else "sent, unconfirmed"."""
    if confirmed:
        return _("Printed (confirmed by the printer): {title}.").format(title=title)
    return _("Sent, unconfirmed: {title}.").format(title=title)


def _label(job: PrintJob) -> str:
    return f"{job.title} ({_('copy')})" if job.copy else job.title


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


class PrintService:
    """Printing for one process: ``PrintService(hardware.device.connect_printer)``."""

    def __init__(self, printers: PrinterFactory) -> None:
        self.printers = printers

    # -- the terminal's printer ----------------------------------------------------------

    def printer(self, db: Db, terminal_id: str) -> tuple[Printer, dict]:
        """The terminal's Printer and its setting; NoPrinter for kind "none" or a bad one."""
        terminal = get_terminal(db, terminal_id)  # NotFound is the caller's mistake: raise it
        cfg = terminal.printer
        if not print_jobs.has_printer(cfg):
            raise NoPrinter(
                "not_configured",
                _("No printer is configured for terminal {terminal}.").format(terminal=terminal_id),
            )
        try:
            return self.printers(cfg), cfg
        except PrinterConfigError as exc:
            hint = printer_settings.fix_hint(terminal_id)
            raise NoPrinter("config", f"{exc.message}. {hint}") from None

    def _run(self, db: Db, terminal_id: str, printer: Printer, cfg: dict, pulse: bool) -> Run:
        return run_queue(db, terminal_id, printer, int(cfg.get("baud", 9600)), pulse=pulse)

    def _outcome(self, db: Db, job: PrintJob, run: Run, drawer: bool) -> PrintOutcome:
        now = print_jobs.get(db, job.id)
        title = _label(job)
        report = run.drawer if drawer else None
        if now.status in print_jobs.DONE:
            confirmed = now.status == "printed"
            msg = _join(done_message(title, confirmed), drawer_text(report))
            return PrintOutcome(job.id, True, msg, None, confirmed, report, run.state)
        if run.fault is not None:
            msg = _join(
                kept_message(title, run.fault, drawer and report is None), drawer_text(report)
            )
            return PrintOutcome(job.id, False, msg, run.fault.reason, False, report, run.state)
        if run.busy:
            msg = _(
                "Another till process is printing on {terminal}; {title} is queued and prints next."
            ).format(terminal=job.terminal_id, title=title)
            return PrintOutcome(job.id, False, msg, "busy", False, report)
        # Not printed, no fault seen now: the last recorded one says why.
        why = now.last_error or _("not printed yet")
        return PrintOutcome(job.id, False, kept_message(title, why, False), now.last_reason)

    # -- the API -------------------------------------------------------------------------

    def print_document(
        self,
        db: Db,
        terminal_id: str,
        doc: Document,
        *,
        ref: str,
        open_drawer: bool = False,
        copy: bool = False,
    ) -> PrintOutcome:
        """Queue `doc` for the terminal's printer, then print the queue (older jobs first).

        Call it after the operation's transaction committed, never inside one.
        """
        _outside_write(db)
        try:
            printer, cfg = self.printer(db, terminal_id)
        except NoPrinter as no:
            return PrintOutcome(None, False, no.message, no.reason)
        payload = printer.render(doc)
        job = print_jobs.enqueue(
            db,
            terminal_id,
            kind=doc.kind,
            ref=ref,
            title=doc.title,
            payload=payload,
            text=to_text(doc, printer.width),
            open_drawer=open_drawer,
            copy=copy,
        )
        run = self._run(db, terminal_id, printer, cfg, open_drawer)
        return self._outcome(db, job, run, open_drawer)

    def print_unkept(self, db: Db, terminal_id: str, doc: Document) -> PrintOutcome:
        """Print `doc` now, or not at all: nothing of it is stored, no job is queued.

        For a document that carries a secret (a thin client's pairing slip, W-2): a
        pending job would keep its bytes in the database, in clear. A fault is said and
        the caller decides what then (the pairing's URL was shown anyway).
        """
        _outside_write(db)
        try:
            printer, _cfg = self.printer(db, terminal_id)
        except NoPrinter as no:
            return PrintOutcome(None, False, no.message, no.reason)
        title = doc.title
        lock = terminal_lock(terminal_id)
        try:
            if not lock.acquire(timeout=printer.timeout):
                msg = _("Another print on {terminal} is under way; {title} did not print.")
                return PrintOutcome(None, False, msg.format(terminal=terminal_id, title=title))
            try:
                fault = settle_limbo(db, printer) or printer.status().fault()
                if fault is None:
                    delivery = printer.deliver(printer.render(doc))
            except PrinterFault as exc:
                fault = exc
            finally:
                lock.release()
        finally:
            printer.close()
        if fault is not None:
            reason = fault.message.rstrip(".")
            msg = _("{title} did not print: {reason}.").format(title=title, reason=reason)
            return PrintOutcome(None, False, msg, fault.reason)
        msg = done_message(title, delivery.confirmed)
        return PrintOutcome(None, True, msg, None, delivery.confirmed)

    def print_job(self, db: Db, job: PrintJob) -> PrintOutcome:
        """Print the terminal's queue up to and past `job` (queued with its operation).

        The drawer opens as the job's document starts when the job says so (a cash
        sale) and it has not printed yet; a job already printed is not printed again.
        """
        _outside_write(db)
        try:
            printer, cfg = self.printer(db, job.terminal_id)
        except NoPrinter as no:
            return PrintOutcome(
                job.id, False, kept_message(_label(job), no.message, False), no.reason
            )
        pulse = job.open_drawer and job.waiting
        run = self._run(db, job.terminal_id, printer, cfg, pulse)
        return self._outcome(db, job, run, pulse)

    def print_sale(self, db: Db, sale_id: int, *, reprint: bool = False) -> PrintOutcome:
        """Print a sale's or refund's receipt; the drawer opens when cash moved.

        A reprint is marked COPY and never opens the drawer. A reprint of a receipt
        whose original is still waiting in the queue prints that original instead
        (one receipt on paper, not an original and a copy).
        """
        from core.tills.receipts import load_sale

        sale = load_sale(db, sale_id)
        ref = receipt_ref(sale.terminal_id, sale.receipt_no)
        if reprint:
            jobs = print_jobs.for_ref(db, ref)
            waiting = [j for j in jobs if j.waiting]
            if waiting:
                outcomes = {o.job_id: o for o in self.retry_pending(db, sale.terminal_id)}
                if waiting[0].id in outcomes:
                    return outcomes[waiting[0].id]
            if not jobs:
                # Never printed nor queued (rung up with no printer, or from the CLI):
                # this is the original, not a copy. It still does not open the drawer.
                doc = print_sources.sale_document(db, sale_id)[0]
                return self.print_document(db, sale.terminal_id, doc, ref=ref)
        elif (queued := _original(db, ref)) is not None:
            return self.print_job(db, queued)  # queued with the sale: that one, not a second
        doc = print_sources.sale_document(db, sale_id, reprint=reprint)[0]
        opens = print_sources.drawer_opens(sale) and not reprint
        return self.print_document(
            db, sale.terminal_id, doc, ref=ref, open_drawer=opens, copy=reprint
        )

    def reprint_last(self, db: Db, terminal_id: str) -> PrintOutcome:
        """'Reprint last receipt' of a terminal."""
        from core.tills.receipts import last_sale

        sale = last_sale(db, terminal_id)
        if sale is None:
            return PrintOutcome(None, False, _("No receipt to reprint yet."), "nothing")
        return self.print_sale(db, sale.id, reprint=True)

    def print_adjustment(self, db: Db, adjustment_id: int) -> PrintOutcome:
        """Print a cash action's slip; the drawer opens (cash goes in or out)."""
        ref = print_sources.adjustment_ref(adjustment_id)
        queued = _original(db, ref)
        if queued is not None:
            return self.print_job(db, queued)  # queued with the cash action
        doc, terminal_id = print_sources.adjustment_document(db, adjustment_id)
        return self.print_document(db, terminal_id, doc, ref=ref, open_drawer=True)

    def open_drawer(self, db: Db, terminal_id: str) -> PrintOutcome:
        """Kick the drawer now (no sale, counting at close). Never queued."""
        try:
            printer, _cfg = self.printer(db, terminal_id)
        except NoPrinter as no:
            return PrintOutcome(None, False, no.message, no.reason)
        lock = terminal_lock(terminal_id)
        deadline = time.monotonic() + printer.timeout
        busy_msg = _("The printer of {terminal} is busy printing; the drawer did not open.")
        if not lock.acquire(timeout=printer.timeout):
            return PrintOutcome(None, False, busy_msg.format(terminal=terminal_id), "busy")
        try:
            # Another process printing on this device: a pulse in the middle of its
            # stream could land inside a command. Wait for it (bounded).
            while print_claims.busy(db, terminal_id) is not None:
                if time.monotonic() >= deadline:
                    return PrintOutcome(None, False, busy_msg.format(terminal=terminal_id), "busy")
                time.sleep(POLL_S)
            stuck = settle_limbo(db, printer)
            if stuck is not None:
                raise stuck
            report = printer.pulse_drawer()
        except PrinterFault as fault:
            msg = _("Drawer: {problem} — the drawer did not open.").format(
                problem=fault.message.rstrip(". ")
            )
            return PrintOutcome(None, False, msg, fault.reason)
        finally:
            printer.close()
            lock.release()
        return PrintOutcome(None, True, drawer_text(report), None, report == "opened", report)

    def retry_pending(self, db: Db, terminal_id: str | None = None) -> list[PrintOutcome]:
        """Print the waiting jobs of one terminal (or of all), oldest first.

        One outcome per job that was waiting: printed, sent, or still kept (with
        why). Never opens a drawer.
        """
        _outside_write(db)
        terminals = [terminal_id] if terminal_id else print_jobs.waiting_terminals(db)
        outcomes: list[PrintOutcome] = []
        for tid in terminals:
            jobs = print_jobs.pending(db, tid)
            if not jobs:
                continue
            try:
                printer, cfg = self.printer(db, tid)
            except NoPrinter as no:
                for job in jobs:
                    msg = kept_message(_label(job), no.message, False)
                    outcomes.append(PrintOutcome(job.id, False, msg, no.reason))
                continue
            run = self._run(db, tid, printer, cfg, False)
            outcomes.extend(self._outcome(db, job, run, False) for job in jobs)
        return outcomes

    def printer_status(self, db: Db, terminal_id: str) -> PrinterStatus:
        """The printer as the operator sees it (P-6); see core.printing.status."""
        from core.printing.status import printer_status

        return printer_status(self, db, terminal_id)

    def wait_for_drawer_closed(self, db: Db, terminal_id: str, timeout: float) -> bool:
        """Whether the next sale may start (the drawer reads closed); see core.printing.status."""
        from core.printing.status import wait_for_drawer_closed

        return wait_for_drawer_closed(self, db, terminal_id, timeout)


def _outside_write(db: Db) -> None:
    if db.in_write:
        raise RuntimeError("print after the operation commits, not inside its transaction")


def _original(db: Db, ref: str) -> PrintJob | None:
    """The first job of a document that is not a copy (the one its operation queued)."""
    return next((j for j in print_jobs.for_ref(db, ref) if not j.copy), None)
