"""How payments settle a total: split tender, change, cash rounding (M-3, S-7).

Pure: the sale screen calls ``allocate`` on every keypress to show change and
rounding, and ``sales.record_sale`` calls it again inside the transaction.

Rules: non-cash tenders are applied first and must be exact (a card gives no
change); cash covers the remainder, which is rounded to the store's cash
increment; cash handed over beyond that is change. For a refund the same rules
run on the amount paid out.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from core.errors import InputError
from core.money import amounts as money
from core.money.rounding import round_cash
from core.store.records import Payment, Tender
from core.text.i18n import _
from core.tills import limits


@frozen
class TenderInput:
    """What the operator typed: a tender and the amount, or None for "the rest"."""

    tender_id: str
    amount: int | None = None


@frozen
class Allocation:
    payments: tuple[Payment, ...]
    rounding: int
    change: int
    due: int

    @property
    def cash_in(self) -> int:
        return sum(p.amount for p in self.payments if p.is_cash)


def _check_usable(tender: Tender | None, tender_id: str) -> None:
    if tender is None:
        raise InputError(_("Unknown payment type {id}.").format(id=tender_id))
    if not tender.active:  # K-4: out of use for new payments, kept in old ones
        raise InputError(
            _("Payment type {id} is no longer in use: choose another.").format(id=tender_id)
        )


def _check_amount(amount: int | None) -> None:
    """An amount typed for a tender: whole minor units above zero, or None for the rest."""
    money.check_minor(amount, "a payment amount")
    if amount is not None and amount <= 0:
        raise InputError(_("A payment amount must be more than zero."))


def allocate(
    total: int,
    entries: Sequence[TenderInput],
    tenders: dict[str, Tender],
    increment: int,
    currency: str,
    locale: str,
    *,
    refund: bool = False,
    max_change: int | None = None,
) -> Allocation:
    """Settle ``total`` (>= 0; for a refund, the amount to pay out) with the entries."""
    fmt = lambda minor: money.format_amount(minor, currency, locale)  # noqa: E731
    if total < 0:
        raise InputError(_("A total cannot be negative."))
    if not entries:
        if total == 0:
            return Allocation((), 0, 0, 0)
        raise InputError(_("Choose how the {amount} is paid.").format(amount=fmt(total)))
    merged: dict[str, int | None] = {}
    for entry in entries:
        tender = tenders.get(entry.tender_id)
        _check_usable(tender, entry.tender_id)
        _check_amount(entry.amount)
        if entry.tender_id in merged:
            prev = merged[entry.tender_id]
            if prev is None or entry.amount is None:
                raise InputError(
                    _("Give {id} once, or give every {id} payment an amount.").format(
                        id=entry.tender_id
                    )
                )
            merged[entry.tender_id] = prev + entry.amount
        else:
            merged[entry.tender_id] = entry.amount
    rest = [tid for tid, amount in merged.items() if amount is None]
    if len(rest) > 1:
        raise InputError(_("Only one payment type can take the rest of the amount."))

    cash_id = next((tid for tid in merged if tenders[tid].is_cash), None)
    if rest and cash_id is not None and rest[0] != cash_id:
        raise InputError(_("With cash in the payment, give the {id} amount.").format(id=rest[0]))
    non_cash = {tid: amt for tid, amt in merged.items() if tid != cash_id and amt is not None}
    non_cash_sum = sum(non_cash.values())
    if non_cash_sum > total:
        raise InputError(
            _(
                "Card and other non-cash payments ({paid}) are more than the {total} due: "
                "they give no change."
            ).format(paid=fmt(non_cash_sum), total=fmt(total))
        )
    payments = [Payment(tid, False, amt, amt) for tid, amt in non_cash.items()]
    remainder = total - non_cash_sum
    rounding = change = 0
    if cash_id is not None:
        cash_due = round_cash(remainder, increment)
        rounding = cash_due - remainder
        handed = merged[cash_id]
        if handed is None:
            handed = cash_due
        if refund and handed != cash_due:
            raise InputError(_("Pay out exactly {due} in cash.").format(due=fmt(cash_due)))
        if handed < cash_due:
            raise InputError(
                _("Cash {handed} is less than the {due} due.").format(
                    handed=fmt(handed), due=fmt(cash_due)
                )
            )
        change = handed - cash_due
        limits.check_change(handed, cash_due, max_change, currency, locale)  # C-7
        if cash_due or handed:
            payments.append(Payment(cash_id, True, cash_due, handed))
    elif rest:
        tid = rest[0]
        if remainder <= 0:
            raise InputError(_("Nothing is left to pay with {id}.").format(id=tid))
        payments.append(Payment(tid, False, remainder, remainder))
        remainder = 0
    elif remainder:
        raise InputError(_("{missing} is still to be paid.").format(missing=fmt(remainder)))
    due = total + rounding
    if refund:
        payments = [Payment(p.tender_id, p.is_cash, -p.amount, -p.tendered) for p in payments]
        return Allocation(tuple(payments), -rounding, 0, -due)
    return Allocation(tuple(payments), rounding, change, due)


@frozen
class Progress:
    """Where a payment stands after the tenders given so far, in the order given (C-2).

    ``entries`` are those tenders with every amount filled in ("the rest" resolved),
    which is what the sale is recorded with. ``remaining`` is the exact amount still
    due (what a card may still take); ``cash_remaining`` what is still due in cash,
    rounded to the store's increment. ``allocation`` is set once the total is
    covered: the same settlement the sale is committed with.
    """

    entries: tuple[TenderInput, ...]
    paid_cash: int
    paid_other: int
    remaining: int
    cash_remaining: int
    allocation: Allocation | None

    @property
    def complete(self) -> bool:
        return self.allocation is not None


def progress(
    total: int,
    entries: Sequence[TenderInput],
    tenders: dict[str, Tender],
    increment: int,
    currency: str,
    locale: str,
    *,
    refund: bool = False,
    max_change: int | None = None,
) -> Progress:
    """Apply the entries one by one, in any order and any split (C-2).

    Cash may come first and cover part; a card (any non-cash tender) takes the
    amount typed or the rest, never more than what is still due, since a card
    gives no change; change comes only from cash, and only on the tender that
    completes the payment. Raises InputError naming the first entry that cannot be
    taken. Once covered, ``allocate`` settles it exactly as ``record_sale`` will.
    """
    fmt = lambda minor: money.format_amount(minor, currency, locale)  # noqa: E731
    if total < 0:
        raise InputError(_("A total cannot be negative."))
    resolved: list[TenderInput] = []
    cash = other = 0
    for entry in entries:
        tender = tenders.get(entry.tender_id)
        _check_usable(tender, entry.tender_id)
        if resolved and _due(total, cash, other, increment) == (0, 0):
            raise InputError(_("Nothing is left to pay."))
        _check_amount(entry.amount)
        remaining, cash_remaining = _due(total, cash, other, increment)
        amount = entry.amount
        if tender.is_cash:
            if amount is None:
                amount = cash_remaining
                if amount <= 0:
                    raise InputError(_("Nothing is left to pay."))
            if refund and amount > cash_remaining:
                raise InputError(
                    _("Pay out exactly {due} in cash.").format(due=fmt(cash_remaining))
                )
            cash += amount
        else:
            if amount is None:
                amount = remaining
                if amount <= 0:
                    raise InputError(_("Nothing is left to pay with {id}.").format(id=tender.id))
            if amount > remaining:
                raise InputError(
                    _("{name} {paid} is more than the {due} still due.").format(
                        name=_(tender.name), paid=fmt(amount), due=fmt(remaining)
                    )
                )
            other += amount
        resolved.append(TenderInput(entry.tender_id, amount))
    remaining, cash_remaining = _due(total, cash, other, increment)
    covered = other == total or (cash > 0 and cash_remaining == 0)
    settled = None
    if covered and (resolved or total == 0):
        settled = allocate(
            total,
            resolved,
            tenders,
            increment,
            currency,
            locale,
            refund=refund,
            max_change=max_change,
        )
    return Progress(tuple(resolved), cash, other, remaining, cash_remaining, settled)


def _due(total: int, cash: int, other: int, increment: int) -> tuple[int, int]:
    """(exact amount still due, amount still due in cash): the cash share of a total
    is what the other tenders leave, rounded as cash is; both never below zero."""
    exact = max(0, total - other - cash)
    in_cash = max(0, round_cash(total - other, increment) - cash)
    return exact, in_cash
