"""Discounts at the till (SPEC C-5): line and basket, percent or amount, with a reason.

Giving one needs the "discount" permission and stays within the limit of the
staff member's role (percent of what the discount applies to); over the limit,
someone whose role allows it approves it (core.staff.auth.authorize_override). The
limits are a small table, ``discount_limits``, one row per role, changed by a
manager (``kassi discount limit ROLE PERCENT``).

Amounts are minor units; a percent is held in basis points (1000 = 10 %) and
turned into an amount rounded half up to the minor unit. A basket discount is
allocated to the lines here, in core, so every line carries what was really
paid and a later refund pays back exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attrs import field, frozen
from attrs.validators import in_

from core.audit import journal as audit
from core.errors import InputError, PermissionDenied
from core.money import amounts as money
from core.staff.auth import require
from core.staff.permissions import ROLES
from core.store.db import Db
from core.store.records import Staff
from core.text import validate
from core.text.i18n import N_, _, current_language

PERCENT, AMOUNT = "percent", "amount"
DEFAULT_LIMITS = {"cashier": 10, "supervisor": 30, "manager": 100}
# The short list offered at the till (English source; shown and printed translated).
REASONS = (
    N_("Damaged or faulty"),
    N_("Short best-before date"),
    N_("Price match"),
    N_("Loyal customer"),
    N_("Staff purchase"),
)
MAX_REASON = 40
_PERCENT = re.compile(r"^\s*([0-9]{1,3})(?:[.,]([0-9]{1,2}))?\s*%\s*$")


@frozen
class Discount:
    """A discount as given: ``value`` is basis points (percent) or minor units (amount)."""

    kind: str = field(validator=in_((PERCENT, AMOUNT)))
    value: int
    reason: str
    # Who approved it when the giver's own limit was not enough (None: the giver).
    approver: Staff | None = field(default=None, eq=False)

    def amount_of(self, base: int) -> int:
        """The discount on ``base`` minor units, rounded half up to the minor unit."""
        if self.kind == AMOUNT:
            return self.value
        return percent_of(base, self.value)

    def label(self, currency: str, locale: str) -> str:
        """``10 %`` or ``5,00``: how the receipt and the basket show it."""
        if self.kind == PERCENT:
            return format_percent(self.value, locale)
        return money.format_amount(self.value, currency, locale)


def percent_of(base: int, basis_points: int) -> int:
    q, r = divmod(base * basis_points, 10000)
    return q + (1 if 2 * r >= 10000 else 0)


def format_percent(basis_points: int, locale: str) -> str:
    whole, frac = divmod(basis_points, 100)
    if not frac:
        return f"{whole} %"
    decimal = "." if locale == "en" else ","
    return f"{whole}{decimal}{frac:02d}".rstrip("0") + " %"


def check_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise InputError(_("A discount needs a reason: pick one from the list or type it."))
    if len(text) > MAX_REASON:
        raise InputError(_("A reason is at most {n} characters.").format(n=MAX_REASON))
    return validate.note(text, max_len=MAX_REASON)


def pick_reason(text: str) -> str:
    """A number from the short list picks that reason; anything else is the reason typed."""
    stripped = text.strip()
    if (
        stripped.isascii()
        and stripped.isdigit()
        and len(stripped) <= 3
        and 1 <= int(stripped) <= len(REASONS)
    ):
        return REASONS[int(stripped) - 1]
    return check_reason(stripped)


def parse_value(text: str, currency: str, locale: str) -> tuple[str, int]:
    """``10%``, ``12,5 %`` (percent, in basis points) or an amount in the store's format."""
    m = _PERCENT.match(text)
    if m:
        bp = int(m[1]) * 100 + int((m[2] or "0").ljust(2, "0"))
        if not 0 < bp <= 10000:
            raise InputError(_("A percent discount is more than 0 and at most 100 %."))
        return PERCENT, bp
    if "%" in text:
        raise InputError(_("A percent is typed like 10% or 12,5%; got {text!r}.").format(text=text))
    return AMOUNT, money.parse_amount(text, currency, locale, allow_zero=False)


def parse_discount(text: str, reason: str, currency: str, locale: str) -> Discount:
    """A discount as typed at the till or on the command line, with its reason."""
    kind, value = parse_value(text, currency, locale)
    return Discount(kind, value, pick_reason(reason))


def check(discount: Discount) -> None:
    """The shape of a discount given through the API (the parsers above give good ones)."""
    money.check_minor(discount.value, "discount")
    if discount.value <= 0 or (discount.kind == PERCENT and discount.value > 10000):
        raise InputError(_("A discount must be between 0 and the line amount."))
    check_reason(discount.reason)


# -- limits per role ---------------------------------------------------------------------------


def role_limit(db: Db, role: str) -> int:
    """The largest discount (whole percent of what it applies to) a role may give."""
    value = db.scalar("SELECT max_percent FROM discount_limits WHERE role = ?", (role,))
    return DEFAULT_LIMITS.get(role, 0) if value is None else value


def list_limits(db: Db) -> dict[str, int]:
    return {role: role_limit(db, role) for role in ROLES}


def set_limit(db: Db, actor: Staff, role: str, percent: int) -> None:
    """A manager changes a role's limit (audited)."""
    with db.write():
        require(actor, "config.manage")
        if role not in ROLES:
            raise InputError(_("Role must be one of: {choices}.").format(choices=", ".join(ROLES)))
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise InputError(_("A discount limit is a whole percent from 0 to 100."))
        before = role_limit(db, role)
        db.execute(
            "INSERT INTO discount_limits (role, max_percent) VALUES (?, ?)"
            " ON CONFLICT(role) DO UPDATE SET max_percent = excluded.max_percent",
            (role, percent),
        )
        audit.append(
            db,
            "discount.limit",
            staff_id=actor.id,
            entity="role",
            entity_id=role,
            details={"from": before, "to": percent},
        )


class DiscountOverLimit(PermissionDenied):
    """A discount beyond the giver's limit: the till asks for an approval."""


def check_limit(db: Db, who: Staff, amount: int, base: int, asked: int | None = None) -> None:
    """Refuse ``amount`` off ``base`` beyond what ``who``'s role may give; ``asked`` is the
    percent (basis points) as given, when it was given as a percent."""
    require(who, "discount")
    limit = role_limit(db, who.role)
    if amount <= percent_of(base, limit * 100):
        return
    if asked is None:
        asked = -(-amount * 10000 // base) if base else 10000
    raise DiscountOverLimit(
        _("{name} may give at most {limit} off; {asked} needs approval.").format(
            name=who.name,
            limit=f"{limit} %",
            asked=format_percent(asked, current_language()),
        )
    )


# -- a basket discount spread over the lines -----------------------------------------------------


def allocate(amount: int, bases: Sequence[int]) -> list[int]:
    """Split ``amount`` over lines in proportion to ``bases``; the shares sum to it exactly.

    Largest remainder: each line gets its floor share, and the units left go to the
    lines with the largest remainders (the earlier line on a tie). No share exceeds
    its base while ``amount`` is at most their sum.
    """
    total = sum(bases)
    if amount < 0 or amount > total:
        raise InputError(_("A discount must be between 0 and the line amount."))
    if not amount:
        return [0] * len(bases)
    shares, remainders = [], []
    for n, base in enumerate(bases):
        q, r = divmod(amount * base, total)
        shares.append(q)
        remainders.append((-r, n))
    for _r, n in sorted(remainders)[: amount - sum(shares)]:
        shares[n] += 1
    return shares
