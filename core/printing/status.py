"""The printer as the operator sees it (SPEC P-6): the live state, the last confirmed
print, the last error and the queue; and the one-word warning the till's status bar
shows ("Paper low", "Cover open", "Paper out", "Printer offline").

A link that cannot answer (a file sink, a device file) cannot say how the
printer is: its state is what the queue knows (a job waiting with an error means
that error, not "Ready").
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from attrs import frozen

from core.printing import claims as print_claims
from core.printing import history as printing_history
from core.printing import jobs as print_jobs
from core.printing.port import PrinterFault, PrinterState
from core.printing.queue import settle_limbo, terminal_lock
from core.store.db import Db
from core.text.i18n import N_, _

if TYPE_CHECKING:
    from core.printing.service import PrintService

# Reasons a printer gives (or a send ends with) that mean it is not there at all.
_OFFLINE = {
    "offline",
    "no_answer",
    "unconfirmed",
    "connection_refused",
    "connection_reset",
    "device_missing",
    "write_timeout",
}
WARNINGS = {
    "paper_out": N_("Paper out"),
    "cover_open": N_("Cover open"),
    "offline": N_("Printer offline"),
    "paper_low": N_("Paper low"),
}


@frozen
class PrinterStatus:
    """A terminal's printer: connection, paper, drawer, the queue and its history."""

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
    sent_unconfirmed: int = 0
    last_error: str = ""
    last_error_at: str | None = None
    last_printed_at: str | None = None  # the last print the printer confirmed
    last_printed_title: str = ""

    @property
    def ok(self) -> bool:
        return self.online and self.reason is None

    @property
    def warning(self) -> str:
        return warning(self.reason, paper_low=self.paper_near_end)


def warning(reason: str | None, *, paper_low: bool = False) -> str:
    """The status bar's word for a printer reason ("" when there is nothing to say)."""
    if reason in ("paper_out", "cover_open"):
        return _(WARNINGS[reason])
    if reason in _OFFLINE:
        return _(WARNINGS["offline"])
    return _(WARNINGS["paper_low"]) if paper_low else ""


def state_warning(state: PrinterState | None, reason: str | None = None) -> str:
    """The warning after a print: its fault's reason, else what the printer's status said."""
    if reason is not None:
        return warning(reason)
    if state is None or not state.readable:
        return ""
    fault = state.fault()
    return warning(fault.reason if fault else None, paper_low=state.paper_near_end)


def _history(db: Db, terminal_id: str) -> dict:
    last = printing_history.last_confirmed(db, terminal_id)
    error = printing_history.last_error(db, terminal_id)
    return {
        "pending": len(print_jobs.pending(db, terminal_id)),
        "sent_unconfirmed": printing_history.count(db, terminal_id, "sent"),
        "last_error": error.last_error if error else "",
        "last_error_at": error.last_error_at if error else None,
        "last_printed_at": last.printed_at if last else None,
        "last_printed_title": last.title if last else "",
    }


def printer_status(service: PrintService, db: Db, terminal_id: str) -> PrinterStatus:
    """Ask the terminal's printer how it is (bounded by its timeout) and read its queue."""
    from core.printing.service import NoPrinter

    common = _history(db, terminal_id)
    try:
        printer, _cfg = service.printer(db, terminal_id)
    except NoPrinter as no:
        kind = "none" if no.reason == "not_configured" else "?"
        return PrinterStatus(terminal_id, kind, "", False, False, no.message, no.reason, **common)
    where, kind = printer.where, printer.kind
    head = (terminal_id, kind, where)
    if not printer.can_confirm:
        try:
            stuck = settle_limbo(db, printer)
            st = printer.status()
        finally:
            printer.close()
        waiting = print_jobs.pending(db, terminal_id)
        kept = next((j for j in reversed(waiting) if j.last_reason), None)
        if stuck is not None:
            message, reason = stuck.message, stuck.reason
        elif st.reason is not None:
            message, reason = st.error or PrinterFault(st.reason).message, st.reason
        elif kept is not None:  # the queue knows better than a link that cannot answer
            message, reason = kept.last_error, kept.last_reason
        else:
            message = _("Ready; this printer cannot confirm prints (sent, unconfirmed).")
            reason = None
        return PrinterStatus(*head, False, reason is None, message, reason, **common)
    printing = PrinterStatus(*head, True, True, _("Printing."), **common)
    lock = terminal_lock(terminal_id)
    if not lock.acquire(timeout=printer.timeout):
        printer.close()
        return printing  # this process is printing on it: do not talk across the job
    try:
        if print_claims.busy(db, terminal_id) is not None:
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
        *head,
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


def wait_for_drawer_closed(service: PrintService, db: Db, terminal_id: str, timeout: float) -> bool:
    """Whether the next sale may start: True once the drawer reads closed.

    Only where the terminal's setting asks for it ("wait_drawer_closed": true) and
    the link can read; otherwise, and when the printer does not answer, True at
    once — a printer fault never blocks selling (H-4). False only when the drawer
    still reads open after `timeout` seconds.
    """
    from core.printing.service import NoPrinter

    try:
        printer, cfg = service.printer(db, terminal_id)
    except NoPrinter:
        return True
    if not cfg.get("wait_drawer_closed") or not printer.can_confirm:
        printer.close()
        return True
    end = time.monotonic() + timeout
    lock = terminal_lock(terminal_id)
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
