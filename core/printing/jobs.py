"""The print queue: every printed document is a stored job before it is sent (SPEC H-4).

A job holds the rendered ESC/POS bytes (``payload``, so a retry prints exactly
what the first attempt would have) and the plain text. A sale's receipt and a
cash action's slip are queued inside the operation's own transaction (``queue``,
SPEC R-9) "to render": no bytes yet, the record named by ``ref``; the first
claim renders them (core.printing.sources builds the document) and stores them
with ``set_rendered`` before anything is sent. Its life (the print run's side,
claiming and marking, exactly once, is core.printing.claims):

    pending --claim_next--> printing --mark_printed--> printed  (confirmed by the printer)
                               |      --mark_printed--> sent     (confirmed=False: a link
                               |                                  that cannot answer, P-2)
                               +----mark_failed------> pending (last_error)

This module is pure core: bytes in, bytes out. core/printing/service.py renders and sends
through the Printer protocol (core/printing/port.py).
"""

from __future__ import annotations

import json

from attrs import field, frozen

from core.audit import journal as audit
from core.errors import NotFound, StateError
from core.staff.auth import require
from core.store.db import Db
from core.store.records import Staff
from core.store.rows import column, from_rows
from core.text.i18n import _

STATUSES = ("pending", "printing", "printed", "sent", "cancelled")
DONE = ("printed", "sent")  # left the queue: confirmed, or sent unconfirmed (P-2)


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


def receipt_ref(terminal_id: str, receipt_no: int) -> str:
    return f"receipt:{terminal_id}:{receipt_no}"


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
