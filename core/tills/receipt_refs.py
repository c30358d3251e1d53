"""Receipt references: the one definition of how a receipt is named (SPEC C-3).

A receipt prints its reference as a CODE128 barcode, ``T1-3`` (terminal id,
hyphen, number). People and scripts also type ``T1:3`` or a bare ``3``, which
means "receipt 3 of this terminal". Terminal ids may themselves hold a hyphen
(``KASSE-1``), so the number is always what follows the last separator.
"""

from __future__ import annotations

import re

from attrs import frozen

from core.errors import InputError
from core.text.i18n import _

MAX_RECEIPT_NO = 10**9
# A terminal id as core.store.terminals accepts it, then "-" or ":", then the number.
_REF = re.compile(r"(?:(?P<terminal>[A-Za-z0-9][A-Za-z0-9_.-]{0,31})[-:])?(?P<number>[0-9]{1,10})")


@frozen
class ReceiptRef:
    terminal_id: str
    number: int

    def __str__(self) -> str:
        return barcode(self.terminal_id, self.number)


def barcode(terminal_id: str, receipt_no: int) -> str:
    """What a receipt prints as its barcode and title: ``T1-3``."""
    return f"{terminal_id}-{receipt_no}"


def parse_receipt_ref(text: str, default_terminal: str) -> ReceiptRef:
    """``T1-3``, ``T1:3`` or ``3`` (on ``default_terminal``) -> ReceiptRef; InputError otherwise."""
    stripped = text.strip()
    m = _REF.fullmatch(stripped)
    number = int(m["number"]) if m else 0
    if not m or not 0 < number < MAX_RECEIPT_NO:
        shown = stripped if len(stripped) <= 20 else stripped[:19] + "…"
        raise InputError(
            _("{text!r} is not a receipt: scan its barcode or type {example} or {n}.").format(
                text=shown, example=barcode(default_terminal, 3), n=3
            )
        )
    return ReceiptRef(m["terminal"] or default_terminal, number)
