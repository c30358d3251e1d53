"""The store's safe as a cash location (SPEC K-1).

Cash moves between the tills' drawers, the safe and the bank, and the safe keeps
an expected balance of its own, computed from its movements (``safe_movements``):

- ``float``: issued from the safe to a till at the session's open (the drawer's
  expected cash rises by it, S-7 as a cash action: see core.tills.session_views);
- ``drop``: taken from a till's drawer into the safe during a session, in a bag
  or envelope with a number (the drawer's expected cash falls by it);
- ``return``: the cash taken out of the drawer at close (S-8 "cash removed");
- ``deposit``: taken from the safe to the bank, with the deposit slip's number;
- ``count``: the safe counted; the count's discrepancy (counted - expected) is
  recorded and the expected balance becomes what was counted.

So at any moment: cash in the drawers + the safe + deposited at the bank = the
cash brought in + cash taken in - cash paid out + the safe counts' discrepancies
(tests/core/test_safe_property.py). Every movement is one transaction with its
audit entry; its ``balance`` is the safe's balance after it, for the statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError, PermissionDenied, StateError
from core.money import amounts as money
from core.money import denominations
from core.staff.auth import require
from core.store.db import Db
from core.store.records import SessionRow, Staff, Store
from core.store.rows import column, from_rows
from core.store.stores import get_store
from core.text import validate
from core.text.i18n import N_, _
from core.tills.session_views import expected_cash, open_session_for

KINDS = ("float", "drop", "return", "deposit", "count")
KIND_LABELS = {
    "float": N_("Float to till"),
    "drop": N_("Safe drop"),
    "return": N_("Returned at close"),
    "deposit": N_("Bank deposit"),
    "count": N_("Safe count"),
}
PERMISSION = "safe.manage"
REFERENCE_MAX = 40
NOTE_MAX = 500


@from_rows
@frozen
class SafeMovement:
    id: int
    uid: str
    store_id: str
    kind: str
    amount: int
    delta: int
    balance: int
    expected: int | None
    blind: bool = column(convert=bool)
    session_id: int | None
    terminal_id: str | None
    reference: str
    note: str
    staff_id: str
    created_at: str

    @property
    def discrepancy(self) -> int | None:
        """A count's counted - expected; None for the other movements."""
        return None if self.expected is None else self.amount - self.expected


# -- reading ---------------------------------------------------------------------------


def balance(db: Db, store_id: str) -> int:
    """The safe's expected balance: the sum of what its movements did to it."""
    return int(
        db.scalar(
            "SELECT COALESCE(SUM(delta), 0) FROM safe_movements WHERE store_id = ?", (store_id,)
        )
    )


def deposited(db: Db, store_id: str) -> int:
    """Everything taken from this store's safe to the bank."""
    return int(
        db.scalar(
            "SELECT COALESCE(SUM(amount), 0) FROM safe_movements"
            " WHERE store_id = ? AND kind = 'deposit'",
            (store_id,),
        )
    )


def session_movements(db: Db, session_id: int) -> tuple[SafeMovement, ...]:
    """The float, drops and return of one session (S-5 details, X and Z reports)."""
    rows = db.all("SELECT * FROM safe_movements WHERE session_id = ? ORDER BY id", (session_id,))
    return tuple(SafeMovement.from_row(r) for r in rows)


def movement_counts(db: Db, movement_id: int) -> dict[int, int]:
    return {
        r["denomination"]: r["count"]
        for r in db.all(
            "SELECT denomination, count FROM safe_counts WHERE movement_id = ?"
            " ORDER BY denomination DESC",
            (movement_id,),
        )
    }


# -- writing (inside the caller's transaction) ----------------------------------------


def reference(value: str, what: str) -> str:
    """A bag, envelope or deposit slip number: 1-40 printable characters."""
    text = validate.note(value or "", max_len=REFERENCE_MAX)
    if not text:
        raise InputError(_("Enter the {what} number.").format(what=what))
    return text


def _amount(
    amount: int | None, counts: Mapping[int, int] | None, store: Store, *, zero_ok: bool = False
) -> int:
    money.check_minor(amount, "amount")
    counted = (
        None if counts is None else denominations.count_denominations(dict(counts), store.currency)
    )
    if amount is None:
        if counted is None:
            raise InputError(_("Enter the amount."))
        amount = counted
    elif counted is not None and counted != amount:
        fmt = lambda m: money.format_amount(m, store.currency, store.locale)  # noqa: E731
        raise InputError(
            _("The counted notes and coins make {counted}, not {amount}.").format(
                counted=fmt(counted), amount=fmt(amount)
            )
        )
    if amount < 0 or (amount == 0 and not zero_ok):
        raise InputError(_("The amount must be more than zero."))
    return amount


def record(
    db: Db,
    actor: Staff,
    store: Store,
    kind: str,
    amount: int,
    *,
    session: SessionRow | None = None,
    expected: int | None = None,
    blind: bool = False,
    ref: str = "",
    note: str = "",
    counts: Mapping[int, int] | None = None,
    entry: bool = True,
) -> SafeMovement:
    """Write one movement and its audit entry; the caller holds the write transaction.
    ``entry`` False: a float or a return, part of the session's open or close, whose
    one entry (written after it, so it covers the row) names the movement."""
    db.require_write("a safe movement")
    if kind not in KINDS:
        raise ValueError(f"unknown safe movement kind {kind!r}")
    before = balance(db, store.id)
    delta = {
        "float": -amount,
        "drop": amount,
        "return": amount,
        "deposit": -amount,
        "count": amount - (expected or 0),
    }[kind]
    if kind in ("float", "deposit") and amount > before:
        fmt = lambda m: money.format_amount(m, store.currency, store.locale)  # noqa: E731
        raise StateError(
            _("The safe should hold {balance}; {amount} cannot be taken from it.").format(
                balance=fmt(before), amount=fmt(amount)
            )
        )
    movement_id = db.insert(
        "safe_movements",
        {
            "uid": uuid.uuid4().hex,
            "store_id": store.id,
            "kind": kind,
            "amount": amount,
            "delta": delta,
            "balance": before + delta,
            "expected": expected,
            "blind": int(blind),
            "session_id": session.id if session else None,
            "terminal_id": session.terminal_id if session else None,
            "reference": ref,
            "note": note,
            "staff_id": actor.id,
            "created_at": db.now_iso(),
        },
    )
    if counts:
        db.executemany(
            "INSERT INTO safe_counts (movement_id, denomination, count) VALUES (?,?,?)",
            [(movement_id, d, c) for d, c in counts.items() if c],
        )
    row = db.one("SELECT * FROM safe_movements WHERE id = ?", (movement_id,))
    if not entry:
        return SafeMovement.from_row(row)
    details: dict = {"kind": kind, "balance": before + delta}
    if ref:
        details["reference"] = ref
    if note:
        details["note"] = note
    if session is not None:
        details["session"] = session.id
    if expected is not None:
        details.update(expected=expected, discrepancy=amount - expected, blind=blind)
    audit.append(
        db,
        f"safe.{kind}",
        staff_id=actor.id,
        terminal_id=session.terminal_id if session else None,
        entity="safe",
        entity_id=movement_id,
        amount=amount,
        details=details,
    )
    return SafeMovement.from_row(row)


# -- the movements a user makes -------------------------------------------------------


def drop(
    db: Db,
    actor: Staff,
    terminal_id: str,
    amount: int | None,
    bag: str,
    *,
    counts: Mapping[int, int] | None = None,
    note: str = "",
) -> SafeMovement:
    """A safe drop from the till's open session (K-1): a cashier from the session they
    opened, anyone with "manage the safe" from any till of the store."""
    bag = reference(bag, _("bag"))
    note = validate.note(note, max_len=NOTE_MAX)
    with db.write():
        require(actor, "session.adjust")
        session = open_session_for(db, terminal_id)
        if session.opened_by != actor.id and not actor.can(PERMISSION):
            raise PermissionDenied(
                _(
                    "{name} may drop cash only from a session they opened: it needs"
                    " permission to {what}."
                ).format(name=actor.name, what=_("manage the safe: floats, deposits and counts"))
            )
        store = get_store(db, session.store_id)
        amount = _amount(amount, counts, store)
        in_drawer = expected_cash(db, session.id)
        if amount > in_drawer:
            fmt = lambda m: money.format_amount(m, store.currency, store.locale)  # noqa: E731
            raise InputError(
                _("The drawer should hold {expected}; you cannot drop {amount}.").format(
                    expected=fmt(in_drawer), amount=fmt(amount)
                )
            )
        return record(
            db, actor, store, "drop", amount, session=session, ref=bag, note=note, counts=counts
        )


def deposit(
    db: Db,
    actor: Staff,
    store_id: str,
    amount: int | None,
    slip: str,
    *,
    counts: Mapping[int, int] | None = None,
    note: str = "",
) -> SafeMovement:
    """Cash from the safe to the bank, with the deposit slip's number (K-1)."""
    slip = reference(slip, _("deposit slip"))
    note = validate.note(note, max_len=NOTE_MAX)
    with db.write():
        require(actor, PERMISSION)
        store = get_store(db, store_id)
        amount = _amount(amount, counts, store)
        return record(db, actor, store, "deposit", amount, ref=slip, note=note, counts=counts)


def count(
    db: Db,
    actor: Staff,
    store_id: str,
    counted: int | None,
    *,
    counts: Mapping[int, int] | None = None,
    blind: bool = False,
    note: str = "",
) -> SafeMovement:
    """The safe counted (K-1): the discrepancy against the expected balance is recorded
    and the balance becomes the count. ``blind``: the counter was not shown the
    expected balance before (the movement says so; the result shows it after)."""
    note = validate.note(note, max_len=NOTE_MAX)
    with db.write():
        require(actor, PERMISSION)
        store = get_store(db, store_id)
        counted = _amount(counted, counts, store, zero_ok=True)
        expected = balance(db, store.id)
        return record(
            db,
            actor,
            store,
            "count",
            counted,
            expected=expected,
            blind=blind,
            note=note,
            counts=counts,
        )


def issue_float(db: Db, actor: Staff, session: SessionRow, amount: int) -> SafeMovement:
    """Inside the session's open, before its entry: the float taken from the safe."""
    require(actor, PERMISSION)
    store = get_store(db, session.store_id)
    return record(db, actor, store, "float", amount, session=session, entry=False)


def return_at_close(db: Db, actor: Staff, session: SessionRow, amount: int) -> SafeMovement | None:
    """Inside the session's close, before its entry: the cash taken out goes to the safe."""
    if amount <= 0:
        return None
    store = get_store(db, session.store_id)
    return record(db, actor, store, "return", amount, session=session, entry=False)


def entry_of(db: Db, movement_id: int) -> int:
    """The audit entry of a drop: the grant that opens the till's drawer after it (C-7)."""
    seq = db.scalar(
        "SELECT seq FROM audit_log WHERE action = 'safe.drop' AND entity = 'safe'"
        " AND entity_id = ? ORDER BY seq DESC LIMIT 1",
        (str(movement_id),),
    )
    if seq is None:
        raise StateError(_("The drawer opens only after an audited cash action."))
    return int(seq)
