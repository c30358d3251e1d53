"""What a queued print job prints, decided by core (SPEC P-3, R-9).

A sale, a refund and a cash action queue their document *inside their own
write transaction* (``queue_*`` below): the job row commits with the record or
not at all, so no committed sale is ever without its receipt, whatever kills
the process. The job is stored "to render": its ``ref`` names the record and
its payload is empty. When a till claims it, core.printing.service asks ``document_for`` for
the document — built here, from the committed record, in the store's language —
and stores the bytes it rendered before sending them (a retry sends the same).

Building a document takes only reads; it never decides anything the record
does not already say.
"""

from __future__ import annotations

from typing import Any

from core.errors import NotFound
from core.printing import jobs as print_jobs
from core.printing.documents import Document
from core.printing.jobs import PrintJob, receipt_ref
from core.printing.logo import logo_block
from core.printing.receipts import adjustment_slip, sale_receipt
from core.store.customers import get_customer
from core.store.db import Db
from core.store.records import CashAdjustment, Sale
from core.store.stores import get_store
from core.store.tenders import list_tenders
from core.store.terminals import get_terminal
from core.text.i18n import _, translate

ADJUSTMENT_PREFIX = "adjustment:"


def sale_document(db: Db, sale_id: int, *, reprint: bool = False) -> tuple[Document, Any]:
    """The receipt of a sale or refund as printed (store language), and the sale."""
    from core.tills.receipts import load_sale  # core.tills.sales queues through this module

    sale = load_sale(db, sale_id)
    return _receipt(db, sale, reprint=reprint), sale


def _receipt(db: Db, sale: Sale, *, reprint: bool = False) -> Document:
    store = get_store(db, sale.store_id)
    terminal = get_terminal(db, sale.terminal_id)
    staff_name = db.scalar("SELECT name FROM staff WHERE id = ?", (sale.staff_id,))
    tenders = {t.id: t.name for t in list_tenders(db)}
    customer = get_customer(db, sale.customer_id).name if sale.customer_id else None
    return sale_receipt(
        sale, store, terminal, staff_name or sale.staff_id, tenders, customer, reprint=reprint,
        logo=logo_block(db, store.id),
    )  # fmt: skip


def adjustment_document(db: Db, adjustment_id: int) -> tuple[Document, str]:
    """A cash action's slip, and the terminal it belongs to."""
    row = db.one(
        "SELECT a.*, st.name AS staff_name, s.terminal_id, s.store_id FROM cash_adjustments a"
        " JOIN staff st ON st.id = a.staff_id JOIN sessions s ON s.id = a.session_id"
        " WHERE a.id = ?",
        (adjustment_id,),
    )
    if row is None:
        raise NotFound(_("No cash action {id}.").format(id=adjustment_id))
    adj = CashAdjustment.from_row(row)
    store = get_store(db, row["store_id"])
    terminal = get_terminal(db, row["terminal_id"])
    return adjustment_slip(adj, store, terminal), terminal.id


def adjustment_ref(adjustment_id: int) -> str:
    return f"{ADJUSTMENT_PREFIX}{adjustment_id}"


# -- queued with the operation ---------------------------------------------------------


def receipt_heading(db: Db, sale: Sale) -> tuple[str, str]:
    """(kind, title) of a sale's receipt, as core.printing.receipts.sale_receipt names it, without
    building the whole document: this runs inside the sale's write lock."""
    locale = db.scalar("SELECT locale FROM stores WHERE id = ?", (sale.store_id,))
    refund = sale.kind == "refund"
    word = translate("REFUND" if refund else "RECEIPT", locale)
    kind = "refund_receipt" if refund else "sale_receipt"
    return kind, f"{word} {sale.terminal_id}-{sale.receipt_no}"


def drawer_opens(sale: Sale) -> bool:
    """The drawer rule for a sale or refund, decided here once (SPEC P-3): it opens when
    cash moved. A cash action's slip always opens it; a reprint (COPY) never does."""
    return any(p.is_cash and p.amount != 0 for p in sale.payments)


def queue_receipt(db: Db, sale: Sale) -> int | None:
    """Queue a sale's or refund's receipt in the sale's transaction; the drawer opens
    when cash moved. None when the terminal has no printer."""
    kind, title = receipt_heading(db, sale)
    cash_moved = drawer_opens(sale)
    return print_jobs.queue(
        db,
        sale.terminal_id,
        kind=kind,
        ref=receipt_ref(sale.terminal_id, sale.receipt_no),
        title=title,
        open_drawer=cash_moved,
    )


def queue_adjustment_slip(db: Db, adjustment_id: int) -> int | None:
    """Queue a cash action's slip in its transaction; the drawer opens (cash moves)."""
    doc, terminal_id = adjustment_document(db, adjustment_id)
    return print_jobs.queue(
        db,
        terminal_id,
        kind=doc.kind,
        ref=adjustment_ref(adjustment_id),
        title=doc.title,
        open_drawer=True,
    )


def document_for(db: Db, job: PrintJob) -> Document:
    """The document a job queued "to render" prints, built from its committed record."""
    if job.ref.startswith("receipt:"):
        terminal_id, _sep, number = job.ref.removeprefix("receipt:").rpartition(":")
        from core.tills.receipts import find_sale

        return _receipt(db, find_sale(db, terminal_id, int(number)))
    if job.ref.startswith(ADJUSTMENT_PREFIX):
        return adjustment_document(db, int(job.ref.removeprefix(ADJUSTMENT_PREFIX)))[0]
    raise NotFound(_("Print job {id} has nothing to print.").format(id=job.id))
