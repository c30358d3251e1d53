"""A print run's side of the queue (SPEC H-4): claim a job, render it, mark it printed
or failed. What a job is, queueing and reading the queue: core.printing.jobs.

Exactly once: a till claims a job in a write transaction (BEGIN IMMEDIATE), so
two processes retrying at once never both get it; at most one job per terminal
is ``printing`` at a time, which keeps the queue's order and keeps two processes
off one device. A claim carries who made it (host:pid:token) and a lease. If
the claimant died between sending and marking (a crash, a power cut), the
claim goes stale — its process is gone, or its lease ran out — and the next
claim puts the job back to pending: it prints again. A receipt printed twice is
visible and harmless; one never printed is a lost receipt.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from attrs import frozen

from core.printing.jobs import PrintJob, get
from core.store.db import Db, iso, parse_iso
from core.text.i18n import _

# Done jobs keep their bytes and text only for the newest few per terminal (to look
# at what went out); a store's receipts would otherwise grow the database by ~2 kB
# each, forever. A reprint does not need them: it is rebuilt from the sale (COPY).
KEEP_PAYLOADS = 200


@frozen
class Claim:
    """What claim_next found: a job to print now, or the live claim in the way."""

    job: PrintJob | None = None
    busy_with: PrintJob | None = None
    recovered: tuple[int, ...] = ()


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


def busy(db: Db, terminal_id: str) -> PrintJob | None:
    """The job some live claimant is printing on the terminal right now, if any."""
    for row in db.all(
        "SELECT * FROM print_jobs WHERE terminal_id = ? AND status = 'printing'", (terminal_id,)
    ):
        job = PrintJob.from_row(row)
        if not _stale(job, db):
            return job
    return None
