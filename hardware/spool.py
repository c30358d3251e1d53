"""The print service of the till and the CLI: queue first, then send (SPEC H-4).

The sale (or adjustment, or close) is already committed when anything here
runs, and a sale's receipt and a cash action's slip were queued by core inside
that same transaction (SPEC R-9), "to render": this module renders such a job's
document (built by core.print_sources) when it first claims it, and keeps the
bytes before sending them. Any other document is rendered for the terminal's
printer and stored as a pending job in ``print_jobs`` before a byte goes out;
then the terminal's queue
is printed oldest first, so receipts kept during an outage come out, in order,
as soon as the printer takes the next one ("automatically when the printer is
back"), or on demand with ``retry_pending``.

Each call is bounded by the printer's timeout (plus the line time of what it
sends) and never raises for a printer problem: it returns a PrintOutcome whose
message says what happened and what will happen to the document. The TUI calls
these from worker threads, each with its own Db.

The drawer pulse rides in the same write as the first document sent in a run
(a cash sale opens the drawer as its receipt starts). A pulse is never queued:
a drawer popping open at some later moment, when the printer comes back, would
be worse than one that did not open now.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from attrs import frozen

from core import print_jobs, print_sources, printer_settings
from core.config import get_terminal
from core.db import Db
from core.documents import Document, to_text
from core.i18n import _
from core.print_jobs import PrintJob, receipt_ref
from core.sales import last_sale, load_sale
from hardware.device import Printer, PrinterConfigError, PrinterFault

LEASE_MARGIN_S = 30.0  # a claim outlives the longest send by this much
POLL_S = 0.05

# One printer run at a time per terminal inside this process (the TUI's workers);
# across processes the claim in print_jobs does the same.
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _terminal_lock(terminal_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(terminal_id, threading.Lock())


@frozen
class PrintOutcome:
    """What became of one document: printed (ok), or kept as a pending job."""

    job_id: int | None
    ok: bool
    message: str
    reason: str | None = None  # PrinterFault reason, "not_configured", "config", "busy"
    drawer_opened: bool = False


@frozen
class PrinterStatus:
    """A terminal's printer as the till shows it: connection, paper, drawer, queue."""

    terminal_id: str
    kind: str
    where: str
    readable: bool
    online: bool
    message: str
    reason: str | None = None
    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    drawer_open: bool | None = None  # None: this connection cannot tell
    pending: int = 0
    last_error: str = ""

    @property
    def ok(self) -> bool:
        return self.online and self.reason is None


class _NoPrinter(Exception):
    """The terminal has no usable printer config; carries the outcome to return."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _printer(db: Db, terminal_id: str) -> Printer:
    """The terminal's Printer; _NoPrinter for kind "none" or a broken config."""
    terminal = get_terminal(db, terminal_id)  # NotFound is the caller's mistake: raise it
    try:
        printer = Printer(terminal.printer)
    except PrinterConfigError as exc:
        raise _NoPrinter(
            "config", f"{exc.message}. {printer_settings.fix_hint(terminal_id)}"
        ) from None
    if printer.kind == "none":
        raise _NoPrinter(
            "not_configured",
            _("No printer is configured for terminal {terminal}.").format(terminal=terminal_id),
        )
    return printer


def _problem(fault: PrinterFault) -> str:
    return fault.message.rstrip(". ")


def _kept_message(title: str, fault: PrinterFault | str, drawer: bool) -> str:
    problem = _problem(fault) if isinstance(fault, PrinterFault) else fault.rstrip(". ")
    text = _("{problem} — {title} kept; it prints when the printer is back (Reprint).")
    text = text.format(problem=problem, title=title)
    if drawer:
        text += " " + _("The drawer did not open.")
    return text


def _lease(printer: Printer, size: int) -> float:
    baud = printer.config.get("baud", 9600)
    return 2 * printer.timeout + size * 10 / baud + LEASE_MARGIN_S


@frozen
class _Run:
    printed: tuple[int, ...] = ()
    fault: PrinterFault | None = None
    busy: bool = False
    drawer_opened: bool = False


# A write to a file or device file that outlived its timeout stays blocked in the
# kernel holding the job's bytes, and goes out when the device unblocks (a USB
# printer given paper): sending that job again would print it twice. So the
# spool remembers which job such a write carries (device path -> job id, write)
# and settles it when the write ends: printed if it went out, else sent again.
_limbo: dict[str, tuple[int, threading.Thread]] = {}


def _stuck_write(printer: Printer) -> threading.Thread | None:
    if printer.kind not in ("file", "devfile"):
        return None
    from hardware import _links

    thread = _links._pending.get(printer.where)
    return thread if thread is not None and thread.is_alive() else None


def _settle_limbo(db: Db, printer: Printer) -> PrinterFault | None:
    """The write_timeout fault while a blocked write still holds a job, else None."""
    entry = _limbo.get(printer.where)
    if entry is None:
        return None
    job_id, thread = entry
    if thread.is_alive():
        return PrinterFault("write_timeout", printer.where)
    del _limbo[printer.where]
    if "error" not in getattr(thread, "result", {"error": None}):
        print_jobs.mark_printed(db, job_id, "")  # the blocked write delivered it
    return None


def _run_queue(db: Db, terminal_id: str, printer: Printer, *, pulse: bool) -> _Run:
    """Print the terminal's pending jobs, oldest first, until none is left or one fails.

    Checks the printer's status once before the first job (where the connection
    can read): paper out or a cover left open keeps the jobs pending with that
    reason instead of pushing them into a printer that cannot print them.
    """
    printed: list[int] = []
    lock = _terminal_lock(terminal_id)
    wait_until = time.monotonic() + printer.timeout
    if not lock.acquire(timeout=printer.timeout):
        return _Run(busy=True)
    claimant = print_jobs.new_claimant()
    checked = drawer_opened = False
    try:
        stuck = _settle_limbo(db, printer)
        if stuck is not None:
            print_jobs.note_fault(db, terminal_id, stuck.message, stuck.reason)
            return _Run(fault=stuck)
        while True:
            # The claim is taken with the biggest job's size unknown: lease the oldest's.
            head = db.one(
                "SELECT length(payload) FROM print_jobs WHERE terminal_id = ?"
                " AND status = 'pending' ORDER BY id LIMIT 1",
                (terminal_id,),
            )
            lease = _lease(printer, head[0] if head else 0)
            claim = print_jobs.claim_next(db, terminal_id, claimant, lease)
            if claim.busy_with is not None:
                # Another process is printing on this terminal: it prints the rest of
                # the queue too; wait for it (bounded), then look again.
                if time.monotonic() >= wait_until:
                    return _Run(tuple(printed), busy=True, drawer_opened=drawer_opened)
                time.sleep(POLL_S)
                continue
            job = claim.job
            if job is None:
                break
            before = None
            try:
                if job.to_render:
                    job = _render(db, printer, job, claimant)
                if not checked and printer.readable:
                    fault = printer.status().fault()
                    if fault is not None:
                        raise fault
                checked = True
                data = (
                    printer.drawer_pulse() if pulse and not drawer_opened else b""
                ) + job.payload
                before = _stuck_write(printer)
                printer.send(data)
            except PrinterFault as fault:
                after = _stuck_write(printer)
                if after is not None and after is not before:
                    _limbo[printer.where] = (job.id, after)
                print_jobs.mark_failed(db, job.id, claimant, fault.message, fault.reason)
                return _Run(tuple(printed), fault=fault, drawer_opened=drawer_opened)
            except Exception as exc:  # never let a bug in a printer path stop the till
                fault = PrinterFault("io_error", str(exc) or type(exc).__name__)
                print_jobs.mark_failed(db, job.id, claimant, fault.message, fault.reason)
                return _Run(tuple(printed), fault=fault, drawer_opened=drawer_opened)
            except BaseException:  # Ctrl-C mid-send: back to pending, then stop
                print_jobs.mark_failed(db, job.id, claimant, _("Interrupted."), "interrupted")
                raise
            drawer_opened = drawer_opened or pulse
            print_jobs.mark_printed(db, job.id, claimant)
            printed.append(job.id)
        if pulse and not drawer_opened:
            # Someone else printed our job before we got the printer: the drawer
            # still has to open for this cash sale, now.
            printer.open_drawer()
            drawer_opened = True
    except PrinterFault as fault:
        return _Run(tuple(printed), fault=fault, drawer_opened=drawer_opened)
    finally:
        printer.close()
        lock.release()
    return _Run(tuple(printed), drawer_opened=drawer_opened)


def _render(db: Db, printer: Printer, job: PrintJob, claimant: str) -> PrintJob:
    """Make and keep the bytes of a job queued with its operation, before sending them."""
    doc = print_sources.document_for(db, job)
    payload = printer.render(doc)
    return print_jobs.set_rendered(db, job.id, claimant, payload, to_text(doc, printer.width))


def _label(job: PrintJob) -> str:
    return f"{job.title} ({_('copy')})" if job.copy else job.title


def _outcome(db: Db, job: PrintJob, run: _Run, terminal_id: str, drawer: bool) -> PrintOutcome:
    now = print_jobs.get(db, job.id)
    title = _label(job)
    opened = drawer and run.drawer_opened
    if now.status == "printed":
        msg = _("Printed: {title}.").format(title=title)
        if opened:
            msg += " " + _("Drawer opened.")
        return PrintOutcome(job.id, True, msg, drawer_opened=opened)
    if run.fault is not None:
        return PrintOutcome(
            job.id,
            False,
            _kept_message(title, run.fault, drawer and not opened),
            run.fault.reason,
            drawer_opened=opened,
        )
    if run.busy:
        msg = _(
            "Another till process is printing on {terminal}; {title} is queued and prints next."
        ).format(terminal=terminal_id, title=title)
        return PrintOutcome(job.id, False, msg, "busy", drawer_opened=opened)
    # Not printed, no fault seen now: the last recorded one says why.
    why = now.last_error or _("not printed yet")
    return PrintOutcome(job.id, False, _kept_message(title, why, False), now.last_reason)


# -- the API ---------------------------------------------------------------------------


def print_document(
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
    if db.in_write:
        raise RuntimeError("print after the operation commits, not inside its transaction")
    try:
        printer = _printer(db, terminal_id)
    except _NoPrinter as no:
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
    run = _run_queue(db, terminal_id, printer, pulse=open_drawer)
    return _outcome(db, job, run, terminal_id, open_drawer)


def sale_document(db: Db, sale_id: int, *, reprint: bool = False) -> tuple[Document, Any]:
    """The receipt of a sale or refund as printed (store language), and the sale."""
    return print_sources.sale_document(db, sale_id, reprint=reprint)


def print_job(db: Db, job: PrintJob) -> PrintOutcome:
    """Print the terminal's queue up to and past `job` (queued with its operation).

    The drawer opens as the job's document starts when the job says so (a cash
    sale) and it has not printed yet; a job already printed is not printed again.
    """
    if db.in_write:
        raise RuntimeError("print after the operation commits, not inside its transaction")
    try:
        printer = _printer(db, job.terminal_id)
    except _NoPrinter as no:
        return PrintOutcome(job.id, False, _kept_message(_label(job), no.message, False), no.reason)
    pulse = job.open_drawer and job.waiting
    run = _run_queue(db, job.terminal_id, printer, pulse=pulse)
    return _outcome(db, job, run, job.terminal_id, pulse)


def _original(db: Db, ref: str) -> PrintJob | None:
    """The first job of a document that is not a copy (the one its operation queued)."""
    return next((j for j in print_jobs.for_ref(db, ref) if not j.copy), None)


def print_sale(db: Db, sale_id: int, *, reprint: bool = False) -> PrintOutcome:
    """Print a sale's or refund's receipt; the drawer opens when cash moved.

    A reprint is marked COPY and never opens the drawer. A reprint of a receipt
    whose original is still waiting in the queue prints that original instead
    (one receipt on paper, not an original and a copy).
    """
    sale = load_sale(db, sale_id)
    ref = receipt_ref(sale.terminal_id, sale.receipt_no)
    if reprint:
        jobs = print_jobs.for_ref(db, ref)
        waiting = [j for j in jobs if j.waiting]
        if waiting:
            outcomes = {o.job_id: o for o in retry_pending(db, sale.terminal_id)}
            if waiting[0].id in outcomes:
                return outcomes[waiting[0].id]
        if not jobs:
            # Never printed nor queued (rung up with no printer, or from the CLI):
            # this is the original, not a copy. It still does not open the drawer.
            return print_document(db, sale.terminal_id, sale_document(db, sale_id)[0], ref=ref)
    elif (queued := _original(db, ref)) is not None:
        return print_job(db, queued)  # queued with the sale: print that one, not a second
    doc = sale_document(db, sale_id, reprint=reprint)[0]
    cash_moved = any(p.is_cash and p.amount != 0 for p in sale.payments)
    return print_document(
        db, sale.terminal_id, doc, ref=ref, open_drawer=cash_moved and not reprint, copy=reprint
    )


def reprint_last(db: Db, terminal_id: str) -> PrintOutcome:
    """'Reprint last receipt' of a terminal."""
    sale = last_sale(db, terminal_id)
    if sale is None:
        return PrintOutcome(None, False, _("No receipt to reprint yet."), "nothing")
    return print_sale(db, sale.id, reprint=True)


def adjustment_document(db: Db, adjustment_id: int) -> tuple[Document, str]:
    return print_sources.adjustment_document(db, adjustment_id)


def print_adjustment(db: Db, adjustment_id: int) -> PrintOutcome:
    """Print a cash action's slip; the drawer opens (cash goes in or out)."""
    ref = print_sources.adjustment_ref(adjustment_id)
    queued = _original(db, ref)
    if queued is not None:
        return print_job(db, queued)  # queued with the cash action
    doc, terminal_id = adjustment_document(db, adjustment_id)
    return print_document(db, terminal_id, doc, ref=ref, open_drawer=True)


def open_drawer(db: Db, terminal_id: str) -> PrintOutcome:
    """Kick the drawer now (no sale, counting at close). Never queued."""
    try:
        printer = _printer(db, terminal_id)
    except _NoPrinter as no:
        return PrintOutcome(None, False, no.message, no.reason)
    lock = _terminal_lock(terminal_id)
    deadline = time.monotonic() + printer.timeout
    busy_msg = _("The printer of {terminal} is busy printing; the drawer did not open.")
    if not lock.acquire(timeout=printer.timeout):
        return PrintOutcome(None, False, busy_msg.format(terminal=terminal_id), "busy")
    try:
        # Another process printing on this device: a pulse in the middle of its
        # stream could land inside a command. Wait for it (bounded).
        while print_jobs.busy(db, terminal_id) is not None:
            if time.monotonic() >= deadline:
                return PrintOutcome(None, False, busy_msg.format(terminal=terminal_id), "busy")
            time.sleep(POLL_S)
        printer.open_drawer()
    except PrinterFault as fault:
        msg = _("Drawer: {problem} — the drawer did not open.").format(problem=_problem(fault))
        return PrintOutcome(None, False, msg, fault.reason)
    finally:
        printer.close()
        lock.release()
    return PrintOutcome(None, True, _("Drawer opened."), drawer_opened=True)


def retry_pending(db: Db, terminal_id: str | None = None) -> list[PrintOutcome]:
    """Print the waiting jobs of one terminal (or of all), oldest first.

    One outcome per job that was waiting: printed, or still kept (with why).
    Never opens a drawer.
    """
    if db.in_write:
        raise RuntimeError("print after the operation commits, not inside its transaction")
    terminals = [terminal_id] if terminal_id else print_jobs.waiting_terminals(db)
    outcomes: list[PrintOutcome] = []
    for tid in terminals:
        jobs = print_jobs.pending(db, tid)
        if not jobs:
            continue
        try:
            printer = _printer(db, tid)
        except _NoPrinter as no:
            for job in jobs:
                msg = _kept_message(_label(job), no.message, False)
                outcomes.append(PrintOutcome(job.id, False, msg, no.reason))
            continue
        run = _run_queue(db, tid, printer, pulse=False)
        outcomes.extend(_outcome(db, job, run, tid, False) for job in jobs)
    return outcomes


def printer_status(db: Db, terminal_id: str) -> PrinterStatus:
    """Ask the terminal's printer how it is (bounded by its timeout) and count its queue."""
    waiting = print_jobs.pending(db, terminal_id)
    last_error = next((j.last_error for j in reversed(waiting) if j.last_error), "")
    common: dict[str, Any] = {"pending": len(waiting), "last_error": last_error}
    try:
        printer = _printer(db, terminal_id)
    except _NoPrinter as no:
        kind = "none" if no.reason == "not_configured" else "?"
        return PrinterStatus(terminal_id, kind, "", False, False, no.message, no.reason, **common)
    where, kind = printer.where, printer.kind
    if not printer.readable:
        fault = None
        if kind == "devfile" and not os.path.exists(where):
            fault = PrinterFault("device_missing", where)
        elif _stuck_write(printer) is not None:
            fault = PrinterFault("write_timeout", where)
        if fault is not None:
            return PrinterStatus(
                terminal_id, kind, where, False, False, fault.message, fault.reason, **common
            )
        return PrinterStatus(terminal_id, kind, where, False, True, _("Ready."), **common)
    printing = PrinterStatus(terminal_id, kind, where, True, True, _("Printing."), **common)
    lock = _terminal_lock(terminal_id)
    if not lock.acquire(timeout=printer.timeout):
        return printing  # this process is printing on it: do not talk across the job
    try:
        if print_jobs.busy(db, terminal_id) is not None:
            return printing  # another process is
        st = printer.status()
    finally:
        printer.close()
        lock.release()
    fault = st.fault()
    if fault is not None:
        message, reason = fault.message, fault.reason
    elif st.paper_near_end:
        message, reason = _("Ready; the paper is running low."), None
    else:
        message, reason = _("Ready."), None
    return PrinterStatus(
        terminal_id,
        kind,
        where,
        True,
        st.online and fault is None,
        message,
        reason,
        paper_out=st.paper_out,
        paper_near_end=st.paper_near_end,
        cover_open=st.cover_open,
        drawer_open=st.drawer_open if st.error is None else None,
        **common,
    )


def wait_for_drawer_closed(db: Db, terminal_id: str, timeout: float) -> bool:
    """Whether the next sale may start: True once the drawer reads closed.

    Only where the terminal's config asks for it ("wait_drawer_closed": true) and
    the connection can read; otherwise, and when the printer does not answer,
    True at once — a printer fault never blocks selling (H-4). False only when
    the drawer still reads open after `timeout` seconds.
    """
    try:
        printer = _printer(db, terminal_id)
    except _NoPrinter:
        return True
    if not printer.config["wait_drawer_closed"] or not printer.readable:
        return True
    end = time.monotonic() + timeout
    lock = _terminal_lock(terminal_id)
    try:
        while True:
            if lock.acquire(timeout=max(0.0, min(printer.timeout, end - time.monotonic()))):
                try:
                    st = printer.status()
                finally:
                    printer.close()
                    lock.release()
                if st.error is not None or not st.drawer_open:
                    return True
            if time.monotonic() + 0.2 > end:
                return False
            time.sleep(0.2)
    finally:
        printer.close()
