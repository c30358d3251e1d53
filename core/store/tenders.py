"""Payment types (tenders, K-4): the ones kassi ships, adding, renaming, counting at
close, taking one out of use."""

from __future__ import annotations

from core.errors import InputError, NotFound, StateError
from core.staff.auth import require
from core.store.db import Db
from core.store.lookups import by_id
from core.store.record_changes import (
    authorize,
    check_id,
    exists,
    insert_audited,
    require_new,
    update_audited,
)
from core.store.records import Staff, Tender
from core.text import validate
from core.text.i18n import N_, _

# Payment type names that kassi ships (init's and the demo's); stored in English and
# shown in the user's language (tender_label). A shop's own names are shown as typed.
BUILTIN_TENDER_NAMES = (N_("Cash"), N_("Card"), N_("Gift card"), N_("Mobile"), N_("Mobile pay"))

# What `kassi init` creates (K-4): id, name, is cash, counted at close, sort order.
# Cash is counted in the drawer. Card and mobile pay are not: the payment terminal's
# own settlement (and the provider's statement) is what they are checked against, and
# a count typed from the terminal's slip would only repeat it. Gift cards are: kassi
# keeps no gift card balances, so what a shop takes is its own paper vouchers (or
# cards it collects), kept in the drawer and counted with the cash at close, where a
# voucher accepted but missing shows as a difference.
DEFAULT_TENDERS = (
    ("cash", N_("Cash"), True, True, 1),
    ("card", N_("Card"), False, False, 2),
    ("mobile", N_("Mobile pay"), False, False, 3),
    ("giftcard", N_("Gift card"), False, True, 4),
)


def add_tender(
    db: Db,
    actor: Staff | None,
    tender_id: str,
    name: str,
    *,
    is_cash: bool = False,
    counted_at_close: bool | None = None,
    sort_order: int = 0,
) -> Tender:
    name = validate.name(name, "tender")
    with db.write():
        authorize(db, actor)
        require_new(db, "tenders", "id", check_id(tender_id, _("Tender")), _("Tender"))
        if is_cash and db.one("SELECT 1 FROM tenders WHERE is_cash = 1"):
            raise InputError(_("There is already a cash tender; a store has exactly one."))
        counted = is_cash if counted_at_close is None else counted_at_close
        row = {
            "id": tender_id,
            "name": name,
            "is_cash": int(is_cash),
            "counted_at_close": int(counted),
            "sort_order": sort_order,
        }
        insert_audited(db, actor, "tenders", "tender", row, {"name": name, "is_cash": is_cash})
    return get_tender(db, tender_id)


def add_default_tenders(db: Db, actor: Staff | None) -> list[Tender]:
    """Cash, card, mobile pay and gift card (K-4); those already there are left alone."""
    added = []
    for tender_id, name, is_cash, counted, order in DEFAULT_TENDERS:
        if exists(db, "tenders", "id", tender_id):
            continue
        if is_cash and db.one("SELECT 1 FROM tenders WHERE is_cash = 1"):
            continue  # the database has its own cash tender
        added.append(
            add_tender(
                db,
                actor,
                tender_id,
                name,
                is_cash=is_cash,
                counted_at_close=counted,
                sort_order=order,
            )
        )
    return added


def tender_label(tender: Tender) -> str:
    """A payment type's name as the user reads it: kassi's own names translated."""
    return _(tender.name) if tender.name in BUILTIN_TENDER_NAMES else tender.name


def update_tender(
    db: Db,
    actor: Staff,
    tender_id: str,
    *,
    name: str | None = None,
    counted: bool | None = None,
    active: bool | None = None,
) -> Tender:
    """Rename a payment type, say whether it is counted at close, take it out of use
    or back (K-4). An inactive one takes no new payment; old sessions and reports
    keep it. Cash stays: it is always counted, and never out of use while it is the
    only cash tender (a till's float and change are cash)."""
    if name is not None:
        name = validate.name(name, "tender")
    if name is None and counted is None and active is None:
        raise InputError(_("Give --name, --counted/--not-counted or --active/--inactive."))
    with db.write():
        require(actor, "config.manage")
        tender = get_tender(db, tender_id)
        if tender.is_cash and counted is False:
            raise InputError(_("Cash is always counted at close."))
        if tender.is_cash and active is False:
            others = db.scalar(
                "SELECT COUNT(*) FROM tenders WHERE is_cash = 1 AND active = 1 AND id != ?",
                (tender_id,),
            )
            if not others:
                raise StateError(
                    _("{name} is the only cash payment type: it cannot be made inactive.").format(
                        name=tender_label(tender)
                    )
                )
        changes = {
            k: v
            for k, v in (
                ("name", name),
                ("counted_at_close", None if counted is None else int(counted)),
                ("active", None if active is None else int(active)),
            )
            if v is not None
        }
        before = {
            "name": tender.name,
            "counted_at_close": int(tender.counted_at_close),
            "active": int(tender.active),
        }
        details = {"from": before, "to": changes}
        update_audited(db, actor, "tenders", "tender", tender_id, changes, details)
    return get_tender(db, tender_id)


def get_tender(db: Db, tender_id: str) -> Tender:
    return Tender.from_row(by_id(db, "tenders", tender_id, N_("No payment type {id}.")))


def list_tenders(db: Db) -> list[Tender]:
    return [Tender.from_row(r) for r in db.all("SELECT * FROM tenders ORDER BY sort_order, id")]


def cash_tender(db: Db) -> Tender:
    row = db.one("SELECT * FROM tenders WHERE is_cash = 1")
    if row is None:
        raise NotFound(_("No cash payment type is set up."))
    return Tender.from_row(row)
