"""Sane amount limits at the till (SPEC C-7): change given for cash, cash added or removed.

A typo (999.999.999 typed for 18,50) must be refused, not recorded. Both limits
are store settings (`max_change`, `max_adjustment`); unset, they default from
the currency's largest banknote, which is what a real counter works with:

- change: cash handed over beyond the amount due by a whole largest note or
  more means at least one note was not needed, so the change a till gives is
  less than the largest note (DKK 1.000,00, ISK 10.000, EUR 500,00);
- a single cash adjustment (a float top-up, a safe drop) is at most fifty of
  the largest note (DKK 50.000,00): more is a bank deposit, not a till action.

A card (or any non-cash tender) never exceeds the amount due at all: it gives
no change (core.money.tendering already refuses it).
"""

from __future__ import annotations

from core.errors import InputError
from core.money import amounts as money
from core.money.denominations import DENOMINATIONS
from core.store.records import Store
from core.text.i18n import _

ADJUSTMENT_NOTES = 50


def largest_note(currency: str) -> int:
    """The largest denomination the till counts for ``currency`` (minor units)."""
    denominations = DENOMINATIONS.get(currency)
    if denominations:
        return max(denominations)
    return 1000 * 10 ** money.exponent(currency)  # an uncounted currency: 1000 major units


def max_change(store: Store) -> int:
    """The most change one cash payment may give: the store's setting or the default."""
    if store.max_change is not None:
        return store.max_change
    return largest_note(store.currency) - 1


def max_adjustment(store: Store) -> int:
    """The largest single cash add or remove: the store's setting or the default."""
    if store.max_adjustment is not None:
        return store.max_adjustment
    return ADJUSTMENT_NOTES * largest_note(store.currency)


def check_change(handed: int, due: int, limit: int | None, currency: str, locale: str) -> None:
    """Refuse cash handed over that would give more change than ``limit`` (None: none)."""
    if limit is not None and handed - due > limit:
        fmt = lambda m: money.format_amount(m, currency, locale)  # noqa: E731
        raise InputError(
            _("Too much cash: {handed}; change is at most {limit}.").format(
                handed=fmt(handed), limit=fmt(limit)
            )
        )


def check_adjustment(amount: int, store: Store) -> None:
    """Refuse a single add or remove of cash over the store's limit."""
    limit = max_adjustment(store)
    if amount > limit:
        fmt = lambda m: money.format_amount(m, store.currency, store.locale)  # noqa: E731
        raise InputError(
            _("{amount} is over the {limit} limit for one cash action.").format(
                amount=fmt(amount), limit=fmt(limit)
            )
        )
