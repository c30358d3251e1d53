"""A basket parked when the till quits with it unpaid (C-7), restored on the next start.

One parked basket per terminal, kept in the database so it survives the
process: quitting with "park" writes it, the next start of that terminal takes
it back onto the sale screen (and out of the table) in one transaction each,
both audited. Nothing is sold, priced or counted while a basket is parked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError, StateError
from core.staff.auth import require
from core.store.db import Db
from core.store.records import Staff
from core.store.terminals import get_terminal
from core.text.i18n import _
from core.tills.basket import LineInput
from core.tills.discounts import Discount


@frozen
class ParkedBasket:
    terminal_id: str
    staff_id: str
    parked_at: str
    lines: tuple[LineInput, ...]
    customer_id: str | None = None
    refund_mode: bool = False
    refund_receipt: tuple[str, int] | None = None


def park(
    db: Db,
    actor: Staff,
    terminal_id: str,
    lines: Sequence[LineInput],
    customer_id: str | None = None,
    *,
    refund_mode: bool = False,
    refund_receipt: tuple[str, int] | None = None,
) -> ParkedBasket:
    """Keep an unpaid basket for this terminal until its next start."""
    if not lines:
        raise InputError(_("The basket is empty: nothing to park."))
    basket = {
        "lines": [
            {"sku": ln.sku, "qty": ln.qty, "discount": _discount_out(ln.discount)} for ln in lines
        ],
        "customer_id": customer_id,
        "refund_mode": refund_mode,
        "refund_receipt": list(refund_receipt) if refund_receipt else None,
    }
    with db.write():
        require(actor, "refund" if refund_mode else "sale")
        get_terminal(db, terminal_id)
        if db.one("SELECT 1 FROM parked_baskets WHERE terminal_id = ?", (terminal_id,)):
            raise StateError(
                _("A basket is already parked on terminal {terminal}.").format(terminal=terminal_id)
            )
        text = json.dumps(basket, ensure_ascii=False, sort_keys=True)
        db.insert(
            "parked_baskets",
            {
                "terminal_id": terminal_id,
                "staff_id": actor.id,
                "parked_at": db.now_iso(),
                "basket": text,
            },
        )
        audit.append(
            db,
            "basket.park",
            staff_id=actor.id,
            terminal_id=terminal_id,
            entity="terminal",
            entity_id=terminal_id,
            details=basket,
        )
    return parked(db, terminal_id)


def parked(db: Db, terminal_id: str) -> ParkedBasket | None:
    row = db.one("SELECT * FROM parked_baskets WHERE terminal_id = ?", (terminal_id,))
    if row is None:
        return None
    basket = json.loads(row["basket"])
    receipt = basket.get("refund_receipt")
    return ParkedBasket(
        terminal_id=row["terminal_id"],
        staff_id=row["staff_id"],
        parked_at=row["parked_at"],
        lines=tuple(
            LineInput(ln["sku"], int(ln["qty"]), _discount_in(ln.get("discount")))
            for ln in basket["lines"]
        ),
        customer_id=basket.get("customer_id"),
        refund_mode=bool(basket.get("refund_mode")),
        refund_receipt=(str(receipt[0]), int(receipt[1])) if receipt else None,
    )


def take(db: Db, terminal_id: str) -> ParkedBasket | None:
    """The terminal's parked basket, removed from the table (it is on screen now)."""
    with db.write():
        basket = parked(db, terminal_id)
        if basket is None:
            return None
        db.execute("DELETE FROM parked_baskets WHERE terminal_id = ?", (terminal_id,))
        audit.append(
            db,
            "basket.restore",
            staff_id=basket.staff_id,
            terminal_id=terminal_id,
            entity="terminal",
            entity_id=terminal_id,
            details={"lines": len(basket.lines), "parked_at": basket.parked_at},
        )
    return basket


def _discount_out(d: Discount | None) -> dict | None:
    # The approver is not parked: a restored discount over the limit is approved again.
    return None if d is None else {"kind": d.kind, "value": d.value, "reason": d.reason}


def _discount_in(d: dict | None) -> Discount | None:
    if not d:
        return None
    return Discount(str(d["kind"]), int(d["value"]), str(d["reason"]))
