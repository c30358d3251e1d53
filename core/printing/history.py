"""What the print queue has done, for the operator (SPEC P-2, P-6): the jobs sent
unconfirmed, the last confirmed print, the last error and when. Reads only."""

from __future__ import annotations

from core.printing.jobs import PrintJob
from core.store.db import Db


def unconfirmed(db: Db, terminal_id: str | None = None, limit: int = 50) -> list[PrintJob]:
    """The newest jobs sent to a printer that cannot confirm (P-2), oldest first."""
    where, args = ("terminal_id = ? AND ", (terminal_id,)) if terminal_id else ("", ())
    rows = db.all(
        f"SELECT * FROM print_jobs WHERE {where}status = 'sent' ORDER BY id DESC LIMIT ?",
        (*args, limit),
    )
    return [PrintJob.from_row(r) for r in reversed(rows)]


def count(db: Db, terminal_id: str | None, status: str) -> int:
    """How many of the terminal's (or all) jobs have `status` (walks print_jobs_queue)."""
    if terminal_id is None:
        return db.scalar("SELECT COUNT(*) FROM print_jobs WHERE status = ?", (status,))
    return db.scalar(
        "SELECT COUNT(*) FROM print_jobs WHERE terminal_id = ? AND status = ?",
        (terminal_id, status),
    )


def last_confirmed(db: Db, terminal_id: str) -> PrintJob | None:
    """The terminal's newest job the printer confirmed (P-6)."""
    row = db.one(
        "SELECT * FROM print_jobs WHERE terminal_id = ? AND status = 'printed'"
        " ORDER BY id DESC LIMIT 1",
        (terminal_id,),
    )
    return PrintJob.from_row(row) if row else None


def last_error(db: Db, terminal_id: str) -> PrintJob | None:
    """The job that carries the terminal's most recent printer error (P-6), if any."""
    row = db.one(
        "SELECT * FROM print_jobs WHERE terminal_id = ? AND last_error_at IS NOT NULL"
        " ORDER BY last_error_at DESC, id DESC LIMIT 1",
        (terminal_id,),
    )
    return PrintJob.from_row(row) if row else None
