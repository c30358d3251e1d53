"""Reading recorded sales and refunds back: by id, by receipt number, the last one."""

from __future__ import annotations

from core.errors import NotFound
from core.store.db import Db
from core.store.records import Payment, Sale, SaleDiscount, SaleLine
from core.text.i18n import _
from core.tills.receipt_refs import ReceiptRef, barcode


def find_sale(db: Db, terminal_id: str, receipt_no: int) -> Sale:
    row = db.one(
        "SELECT * FROM sales WHERE terminal_id = ? AND receipt_no = ?", (terminal_id, receipt_no)
    )
    if row is None:
        raise NotFound(
            _("No receipt {n} on terminal {terminal}.").format(n=receipt_no, terminal=terminal_id)
        )
    return load_sale(db, row["id"])


def load_sale(db: Db, sale_id: int) -> Sale:
    row = db.one("SELECT * FROM sales WHERE id = ?", (sale_id,))
    if row is None:
        raise NotFound(_("No sale {id}.").format(id=sale_id))
    lines = tuple(
        SaleLine.from_row(r)
        for r in db.all("SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale_id,))
    )
    pays = db.all("SELECT * FROM payments WHERE sale_id = ? ORDER BY id", (sale_id,))
    discounts: tuple[SaleDiscount, ...] = ()
    if row["kind"] == "sale" and any(ln.discount for ln in lines):  # most sales have none
        discounts = tuple(
            SaleDiscount.from_row(r)
            for r in db.all(
                "SELECT * FROM sale_discounts WHERE sale_id = ? ORDER BY line_no IS NULL, line_no",
                (sale_id,),
            )
        )
    original_ref = None
    if row["original_sale_id"] is not None:
        o = db.one(
            "SELECT terminal_id, receipt_no FROM sales WHERE id = ?", (row["original_sale_id"],)
        )
        original_ref = barcode(o["terminal_id"], o["receipt_no"])
    return Sale.from_row(
        row,
        lines=lines,
        payments=tuple(Payment.from_row(p) for p in pays),
        discounts=discounts,
        original_ref=original_ref,
    )


def last_sale(db: Db, terminal_id: str) -> Sale | None:
    row = db.one(
        "SELECT id FROM sales WHERE terminal_id = ? ORDER BY receipt_no DESC LIMIT 1",
        (terminal_id,),
    )
    return load_sale(db, row["id"]) if row else None


def as_ref(receipt: ReceiptRef | tuple[str, int]) -> ReceiptRef:
    """A receipt reference given as (terminal, number) or already as one."""
    return receipt if isinstance(receipt, ReceiptRef) else ReceiptRef(*receipt)


def find_receipt(db: Db, ref: ReceiptRef) -> Sale:
    """The sale a reference names; a terminal id typed in the wrong case still finds it."""
    row = db.one(
        "SELECT s.id FROM sales s JOIN terminals t ON t.id = s.terminal_id"
        " WHERE s.receipt_no = ? AND t.id = ? COLLATE NOCASE"
        " ORDER BY t.id = ? DESC LIMIT 1",
        (ref.number, ref.terminal_id, ref.terminal_id),
    )
    if row is None:
        raise NotFound(
            _("No receipt {n} on terminal {terminal}: check the number under the barcode.").format(
                n=ref.number, terminal=ref.terminal_id
            )
        )
    return load_sale(db, row["id"])
