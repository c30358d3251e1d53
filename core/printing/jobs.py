"""The print queue: every printed document is a stored job before it is sent (SPEC H-4).

A job holds the rendered ESC/POS bytes (``payload``, so a retry prints exactly
what the first attempt would have) and the plain text. A sale's receipt and a
cash action's slip are queued inside the operation's own transaction (``queue``,
SPEC R-9) "to render": no bytes yet, the record named by ``ref``; the first
claim renders them (core.printing.sources builds the document) and stores them
with ``set_rendered`` before anything is sent. Its life:

    pending --claim_next--> printing --mark_printed--> printed  (confirmed by the printer)
                               |      --mark_printed--> sent     (confirmed=False: a link
                               |                                  that cannot answer, P-2)
                               +----mark_failed------> pending (last_error)

Exactly once: a till claims a job in a write transaction (BEGIN IMMEDIATE), so
two processes retrying at once never both get it; at most one job per terminal
is ``printing`` at a time, which keeps the queue's order and keeps two processes
off one device. A claim carries who made it (host:pid:token) and a lease. If
the claimant died between sending and marking (a crash, a power cut), the
claim goes stale — its process is gone, or its lease ran out — and the next
claim puts the job back to pending: it prints again. A receipt printed twice is
visible and harmless; one never printed is a lost receipt.

This module is pure core: bytes in, bytes out. core/printing/service.py renders and sends
through the Printer protocol (core/printing/port.py).
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import timedelta

from attrs import field, frozen

from core.audit import journal as audit
from core.errors import NotFound, StateError
from core.staff.auth import require
from core.store.db import Db, iso, parse_iso
from core.store.records import Staff
from core.store.rows import column, from_rows
from core.text.i18n import _

STATUSES = ("pending", "printing", "printed", "sent", "cancelled")
DONE = ("printed", "sent")  # left the queue: confirmed, or sent unconfirmed (P-2)
# Done jobs keep their bytes and text only for the newest few per terminal (to look
# at what went out); a store's receipts would otherwise grow the database by ~2 kB
# each, forever. A reprint does not need them: it is rebuilt from the sale (COPY).
KEEP_PAYLOADS = 200


@from_rows
@frozen
class PrintJob:
    id: int
    terminal_id: str
    kind: str
    ref: str
    title: str
    payload: bytes = column(convert=bytes, repr=False, eq=False)
    text: str = field(repr=False)
    open_drawer: bool = column(convert=bool)
    copy: bool = column(convert=bool)
    status: str
    attempts: int
    last_error: str
    last_reason: str | None
    claimed_by: str | None
    claimed_at: str | None
    lease_until: str | None
    created_at: str
    printed_at: str | None  # when it left the queue, printed or sent (m017)
    last_error_at: str | None = None

    @property
    def to_render(self) -> bool:
        """Queued with its operation; the bytes are made when it is first claimed."""
        return not self.payload and self.status in ("pending", "printing")

    @property
    def waiting(self) -> bool:
        """Not printed yet (pending, or being printed right now)."""
        return self.status in ("pending", "printing")


@frozen
class Claim:
    """What claim_next found: a job to print now, or the live claim in the way."""

    job: PrintJob | None = None
    busy_with: PrintJob | None = None
    recovered: tuple[int, ...] = ()


def receipt_ref(terminal_id: str, receipt_no: int) -> str:
    return f"receipt:{terminal_id}:{receipt_no}"


def new_claimant() -> str:
    """An identity for one print run: host, process and a token unique to the run."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) is no probe on Windows: rely on the lease
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's process, alive
        return True
    return True


def _stale(job: PrintJob, db: Db) -> bool:
    """A 'printing' claim nobody will finish: its lease ran out or its process is gone."""
    if job.lease_until is None or parse_iso(job.lease_until) <= db.now():
        return True
    host, _sep, rest = (job.claimed_by or "").partition(":")
    pid_text = rest.partition(":")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        return pid != os.getpid() and not _alive(pid)
    return False


# -- writing ---------------------------------------------------------------------------


def enqueue(
    db: Db,
    terminal_id: str,
    *,
    kind: str,
    ref: str,
    title: str,
    payload: bytes,
    text: str,
    open_drawer: bool = False,
    copy: bool = False,
) -> PrintJob:
    """Store a job as pending, in its own transaction; a copy (reprint) is audited."""
    with db.write():
        job_id = db.insert(
            "print_jobs",
            {
                "terminal_id": terminal_id,
                "kind": kind,
                "ref": ref,
                "title": title,
                "payload": bytes(payload),
                "text": text,
                "open_drawer": int(open_drawer),
                "copy": int(copy),
                "status": "pending",
                "created_at": db.now_iso(),
            },
        )
        if copy:
            audit.append(
                db,
                "print.copy",
                terminal_id=terminal_id,
                entity="print_job",
                entity_id=job_id,
                details={"ref": ref, "kind": kind},
            )
        return get(db, job_id)


def has_printer(terminal_printer: object) -> bool:
    """Whether a terminal's printer config names a printer at all (kind "none": no).

    A malformed setting stored before settings were checked (P-4) counts as a printer:
    its documents wait in the queue and print once the setting is corrected."""
    if not isinstance(terminal_printer, dict):
        return True
    return terminal_printer.get("kind", "none") != "none"


def queue(
    db: Db,
    terminal_id: str,
    *,
    kind: str,
    ref: str,
    title: str,
    open_drawer: bool = False,
) -> int | None:
    """Store a job "to render" in the caller's write transaction (SPEC R-9).

    It commits with the operation or not at all. None (nothing queued) when the
    terminal has no printer: a till without one is a choice, not a fault.
    """
    if not db.in_write:
        raise RuntimeError("queue() belongs inside the operation's write transaction")
    row = db.one("SELECT printer FROM terminals WHERE id = ?", (terminal_id,))
    if row is None:
        raise NotFound(_("No terminal with id {id}.").format(id=terminal_id))
    if not has_printer(json.loads(row["printer"])):
        return None
    return db.insert(
        "print_jobs",
        {
            "terminal_id": terminal_id,
            "kind": kind,
            "ref": ref,
            "title": title,
            "payload": b"",
            "text": "",
            "open_drawer": int(open_drawer),
            "copy": 0,
            "status": "pending",
            "created_at": db.now_iso(),
        },
    )


def set_rendered(db: Db, job_id: int, claimant: str, payload: bytes, text: str) -> PrintJob:
    """Keep the bytes rendered for a claimed job "to render", before they are sent."""
    if not payload:
        raise ValueError("a rendered job has bytes")
    with db.write():
        db.execute(
            "UPDATE print_jobs SET payload = ?, text = ? WHERE id = ? AND claimed_by = ?"
            " AND status = 'printing' AND length(payload) = 0",
            (bytes(payload), text, job_id, claimant),
        )
        return get(db, job_id)


def claim_next(db: Db, terminal_id: str, claimant: str, lease_seconds: float) -> Claim:
    """Claim the terminal's oldest pending job for `claimant`, if nobody is printing.

    Stale claims (a crashed claimant) go back to pending first, with a note that
    the job may have printed already.
    """
    with db.write():
        recovered = []
        for row in db.all(
            "SELECT * FROM print_jobs WHERE terminal_id = ? AND status = 'printing' ORDER BY id",
            (terminal_id,),
        ):
            job = PrintJob.from_row(row)
            if not _stale(job, db):
                return Claim(busy_with=job)
            db.execute(
                "UPDATE print_jobs SET status = 'pending', last_reason = 'interrupted',"
                " last_error = ?, last_error_at = ? WHERE id = ? AND status = 'printing'",
                (
                    _("Printing was interrupted (the till stopped); it may have printed already."),
                    db.now_iso(),
                    job.id,
                ),
            )
            recovered.append(job.id)
        row = db.one(
            "SELECT id FROM print_jobs WHERE terminal_id = ? AND status = 'pending'"
            " ORDER BY id LIMIT 1",
            (terminal_id,),
        )
        if row is None:
            return Claim(recovered=tuple(recovered))
        now = db.now()
        db.execute(
            "UPDATE print_jobs SET status = 'printing', claimed_by = ?, claimed_at = ?,"
            " lease_until = ?, attempts = attempts + 1 WHERE id = ?",
            (claimant, iso(now), iso(now + timedelta(seconds=lease_seconds)), row["id"]),
        )
        return Claim(job=get(db, row["id"]), recovered=tuple(recovered))


def mark_printed(db: Db, job_id: int, claimant: str, *, confirmed: bool = True) -> bool:
    """The printer took the job: 'printed' when it confirmed it, else 'sent' (SPEC P-2).

    Returns whether `claimant` still held the claim. The job leaves the queue even
    if the claim went stale meanwhile (it went out; leaving it pending would print
    it twice). Its last error stays: `printer status` shows the printer's last one.
    """
    with db.write():
        job = get(db, job_id)
        held = job.status == "printing" and job.claimed_by == claimant
        db.execute(
            "UPDATE print_jobs SET status = ?, printed_at = ?"
            " WHERE id = ? AND status IN ('pending', 'printing')",
            ("printed" if confirmed else "sent", db.now_iso(), job_id),
        )
        _prune(db, job.terminal_id)
        return held


def _prune(db: Db, terminal_id: str) -> None:
    """Drop the bytes of done jobs older than the terminal's newest KEEP_PAYLOADS."""
    # Both halves walk the small partial index print_jobs_done_with_payload.
    done = "terminal_id = ? AND status IN ('printed', 'sent', 'cancelled') AND length(payload) > 0"
    db.execute(
        "UPDATE print_jobs INDEXED BY print_jobs_done_with_payload SET payload = X'', text = ''"
        f" WHERE {done} AND id <="
        f" (SELECT id FROM print_jobs WHERE {done} ORDER BY id DESC LIMIT 1 OFFSET ?)",
        (terminal_id, terminal_id, KEEP_PAYLOADS),
    )


def note_fault(db: Db, terminal_id: str, error: str, reason: str | None) -> int:
    """Record the printer's current fault on every job waiting for it; returns how many."""
    with db.write():
        cur = db.execute(
            "UPDATE print_jobs SET last_error = ?, last_reason = ?, last_error_at = ?"
            " WHERE terminal_id = ? AND status = 'pending'",
            (error, reason, db.now_iso(), terminal_id),
        )
        return cur.rowcount


def mark_failed(db: Db, job_id: int, claimant: str, error: str, reason: str | None) -> PrintJob:
    """The send failed: the job goes back to pending (with the error), to print later."""
    with db.write():
        db.execute(
            "UPDATE print_jobs SET status = 'pending' WHERE id = ? AND status = 'printing'"
            " AND claimed_by = ?",
            (job_id, claimant),
        )
        job = get(db, job_id)
        note_fault(db, job.terminal_id, error, reason)
        return get(db, job_id)


def cancel(db: Db, actor: Staff, job_id: int) -> PrintJob:
    """Drop a pending job (a long outage's backlog nobody wants on paper); audited."""
    with db.write():
        require(actor, "config.manage")
        job = get(db, job_id)
        if job.status != "pending":
            raise StateError(
                _("Print job {id} is {status}; only a pending job can be cancelled.").format(
                    id=job_id, status=job.status
                )
            )
        db.execute("UPDATE print_jobs SET status = 'cancelled' WHERE id = ?", (job_id,))
        audit.append(
            db,
            "print.cancel",
            staff_id=actor.id,
            terminal_id=job.terminal_id,
            entity="print_job",
            entity_id=job_id,
            details={"ref": job.ref, "kind": job.kind},
        )
        return get(db, job_id)


# -- reading ---------------------------------------------------------------------------


def get(db: Db, job_id: int) -> PrintJob:
    row = db.one("SELECT * FROM print_jobs WHERE id = ?", (job_id,))
    if row is None:
        raise NotFound(_("No print job {id}.").format(id=job_id))
    return PrintJob.from_row(row)


def pending(db: Db, terminal_id: str | None = None) -> list[PrintJob]:
    """Jobs not printed yet (pending or printing right now), oldest first."""
    if terminal_id is None:
        rows = db.all(
            "SELECT * FROM print_jobs WHERE status IN ('pending', 'printing')"
            " ORDER BY terminal_id, id"
        )
    else:
        rows = db.all(
            "SELECT * FROM print_jobs WHERE terminal_id = ? AND status IN ('pending', 'printing')"
            " ORDER BY id",
            (terminal_id,),
        )
    return [PrintJob.from_row(r) for r in rows]


def waiting_terminals(db: Db) -> list[str]:
    return [
        r[0]
        for r in db.all(
            "SELECT DISTINCT terminal_id FROM print_jobs WHERE status IN ('pending', 'printing')"
            " ORDER BY terminal_id"
        )
    ]


def busy(db: Db, terminal_id: str) -> PrintJob | None:
    """The job some live claimant is printing on the terminal right now, if any."""
    for row in db.all(
        "SELECT * FROM print_jobs WHERE terminal_id = ? AND status = 'printing'", (terminal_id,)
    ):
        job = PrintJob.from_row(row)
        if not _stale(job, db):
            return job
    return None


def last_for(db: Db, terminal_id: str, kind: str | None = None) -> PrintJob | None:
    """The terminal's newest job (of `kind`, e.g. "sale_receipt"), whatever its status."""
    if kind is None:
        row = db.one(
            "SELECT * FROM print_jobs WHERE terminal_id = ? ORDER BY id DESC LIMIT 1",
            (terminal_id,),
        )
    else:
        row = db.one(
            "SELECT * FROM print_jobs WHERE terminal_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
            (terminal_id, kind),
        )
    return PrintJob.from_row(row) if row else None


def for_ref(db: Db, ref: str) -> list[PrintJob]:
    """Every job printed or waiting for one document (e.g. a receipt and its copies)."""
    return [
        PrintJob.from_row(r)
        for r in db.all("SELECT * FROM print_jobs WHERE ref = ? ORDER BY id", (ref,))
    ]
