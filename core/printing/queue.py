"""One print run: the terminal's queue, oldest first, through a Printer (SPEC H-4, P-2).

core/printing/service.py decides what is queued and what each outcome says; this module
sends the queue. A job leaves it as 'printed' only when the printer confirmed it
(Delivery.confirmed), as 'sent' when the link cannot answer, and stays 'pending'
with the reason on a PrinterFault.

One run at a time per terminal inside this process (the till's workers share a
lock); across processes the claim in print_jobs does the same. The drawer pulse
rides with the first document a run sends (a cash sale opens the drawer as its
receipt starts) and is never queued: a drawer popping open when the printer comes
back, long after the sale, would be worse than one that did not open now.
"""

from __future__ import annotations

import threading
import time

from attrs import frozen

from core.printing import claims as print_claims
from core.printing import sources as print_sources
from core.printing.jobs import PrintJob
from core.printing.layout import to_text
from core.printing.port import DrawerReport, Printer, PrinterFault, PrinterState
from core.store.db import Db
from core.text.i18n import _

LEASE_MARGIN_S = 30.0  # a claim outlives the longest send by this much
POLL_S = 0.05

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()

# A write to a device file that outlived its timeout stays blocked in the kernel
# holding the job's bytes, and goes out when the device unblocks (a USB printer
# given paper): sending that job again would print it twice. So core remembers
# which job such a write carries (the printer's `where` -> job id) and settles it
# when Printer.blocked_write() says the write ended: sent if it went, else pending.
_limbo: dict[str, int] = {}


def terminal_lock(terminal_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(terminal_id, threading.Lock())


@frozen
class Run:
    """What one run did: the jobs that left the queue, and why it stopped early."""

    done: tuple[int, ...] = ()
    fault: PrinterFault | None = None
    busy: bool = False
    drawer: DrawerReport | None = None  # the pulse went (and whether it read open)
    state: PrinterState | None = None  # the last status the printer gave


def settle_limbo(db: Db, printer: Printer) -> PrinterFault | None:
    """The write_timeout fault while a blocked write is still inside the OS, else None.

    The only caller of blocked_write() besides a failed send: it tells "went" or
    "failed" once, and the job that write carries is settled here.
    """
    blocked = printer.blocked_write()
    if blocked == "blocked":
        return PrinterFault("write_timeout", printer.where)
    job_id = _limbo.pop(printer.where, None)
    if job_id is not None and blocked == "went":
        print_claims.mark_printed(db, job_id, "", confirmed=False)  # the blocked write delivered it
    return None


def lease_seconds(printer: Printer, baud: int, size: int) -> float:
    return 2 * printer.timeout + size * 10 / baud + LEASE_MARGIN_S


def _render(db: Db, printer: Printer, job: PrintJob, claimant: str) -> PrintJob:
    """Make and keep the bytes of a job queued with its operation, before sending them."""
    doc = print_sources.document_for(db, job)
    payload = printer.render(doc)
    return print_claims.set_rendered(db, job.id, claimant, payload, to_text(doc, printer.width))


def run_queue(db: Db, terminal_id: str, printer: Printer, baud: int, *, pulse: bool) -> Run:
    """Print the terminal's pending jobs, oldest first, until none is left or one fails.

    Checks the printer's status once before the first job (where the link can
    read): paper out or a cover left open keeps the jobs pending with that reason
    instead of pushing them into a printer that cannot print them.
    """
    done: list[int] = []
    lock = terminal_lock(terminal_id)
    wait_until = time.monotonic() + printer.timeout
    if not lock.acquire(timeout=printer.timeout):
        return Run(busy=True)
    claimant = print_claims.new_claimant()
    checked = False
    drawer: DrawerReport | None = None
    state: PrinterState | None = None

    def stop(**kw: object) -> Run:
        return Run(tuple(done), drawer=drawer, state=state, **kw)  # type: ignore[arg-type]

    try:
        stuck = settle_limbo(db, printer)
        if stuck is not None:
            print_claims.note_fault(db, terminal_id, stuck.message, stuck.reason)
            return Run(fault=stuck)
        while True:
            # The claim is taken with the biggest job's size unknown: lease the oldest's.
            head = db.one(
                "SELECT length(payload) FROM print_jobs WHERE terminal_id = ?"
                " AND status = 'pending' ORDER BY id LIMIT 1",
                (terminal_id,),
            )
            lease = lease_seconds(printer, baud, head[0] if head else 0)
            claim = print_claims.claim_next(db, terminal_id, claimant, lease)
            if claim.busy_with is not None:
                # Another process is printing on this terminal: it prints the rest of
                # the queue too; wait for it (bounded), then look again.
                if time.monotonic() >= wait_until:
                    return stop(busy=True)
                time.sleep(POLL_S)
                continue
            job = claim.job
            if job is None:
                break
            try:
                if job.to_render:
                    job = _render(db, printer, job, claimant)
                if not checked and printer.can_confirm:
                    state = printer.status()
                    if (fault := state.fault()) is not None:
                        raise fault
                checked = True
                delivery = printer.deliver(job.payload, pulse=pulse and drawer is None)
            except PrinterFault as fault:
                if printer.blocked_write() == "blocked":
                    _limbo[printer.where] = job.id  # its bytes may yet go out: never resend
                print_claims.mark_failed(db, job.id, claimant, fault.message, fault.reason)
                return stop(fault=fault)
            except Exception as exc:  # never let a bug in a printer path stop the till
                fault = PrinterFault("io_error", str(exc) or type(exc).__name__)
                print_claims.mark_failed(db, job.id, claimant, fault.message, fault.reason)
                return stop(fault=fault)
            except BaseException:  # Ctrl-C mid-send: back to pending, then stop
                print_claims.mark_failed(db, job.id, claimant, _("Interrupted."), "interrupted")
                raise
            if pulse and drawer is None:
                drawer = delivery.drawer or "pulse_sent"
            state = delivery.state or state
            print_claims.mark_printed(db, job.id, claimant, confirmed=delivery.confirmed)
            done.append(job.id)
        if pulse and drawer is None:
            # Someone else printed our job before we got the printer: the drawer
            # still has to open for this cash sale, now.
            drawer = printer.pulse_drawer()
    except PrinterFault as fault:
        return stop(fault=fault)
    finally:
        printer.close()
        lock.release()
    return stop()
