"""Prices with their currency (SPEC R-7, M-1): no price exists without one.

The model (table ``item_prices``, migration m011):

- An item has at most one price per currency, for every store that sells in that
  currency (``store_id`` NULL): "1001 costs 32,95 DKK and 690 ISK".
- A store may have its own price for an item (``store_id`` set), always in the
  store's currency; it wins over the currency's price in that store.
- A store sells an item at its own price, else at the item's price in the store's
  currency, else not at all: the till refuses the item when it is scanned or
  typed, naming the item and the currency (`NoPrice`), never at payment.
- A price is given with its currency or not at all: no currency is ever assumed
  (the command line asks for ``--price 12.50 DKK``, ``--currency DKK`` or a
  ``--store`` whose currency is taken). Amounts are parsed with the currency's
  ISO 4217 exponent, so "12.50 ISK" is refused (ISK has no decimals).
- A store's own price keeps the currency it was set in: if the store's currency
  changes, the old price is not read as the new currency's, the item simply has
  no price there until one is set.

Every change is one write transaction with its audit entry (K-7).
"""

from __future__ import annotations

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError, NotFound
from core.money import amounts as money
from core.store.db import Db
from core.store.record_changes import actor_id, authorize
from core.store.records import Item, Staff, Store
from core.store.stores import get_store
from core.text.i18n import _

# A store's price for an item: its own, else its currency's (the store joined as st).
PRICE_SQL = (
    "COALESCE((SELECT p.price FROM item_prices p WHERE p.sku = i.sku AND p.store_id = st.id"
    " AND p.currency = st.currency), (SELECT p.price FROM item_prices p WHERE p.sku = i.sku"
    " AND p.store_id IS NULL AND p.currency = st.currency))"
)


@frozen
class ItemPrice:
    sku: str
    currency: str
    price: int
    store_id: str | None = None


class NoPrice(InputError):
    """The store has no price for the item in its currency (R-7)."""


def no_price(item: Item, store: Store) -> NoPrice:
    return NoPrice(
        _("{item} ({sku}) has no price in {currency}: a manager must set one.").format(
            item=item.name, sku=item.sku, currency=store.currency
        )
    )


def check_priced(db: Db, item: Item, store_id: str) -> Item:
    """The item, if the store can sell it (a price in its currency); else NoPrice."""
    if item.price is None:
        raise no_price(item, get_store(db, store_id))
    return item


def check_currency(currency: str | None) -> str:
    if not currency or not currency.strip():
        raise InputError(_("Give the currency of the price, e.g. 12.50 DKK."))
    code = currency.strip().upper()
    money.exponent(code)  # unknown currency: a clear message
    return code


def parse_price(
    text: str,
    locale: str,
    currency: str | None = None,
    store: Store | None = None,
) -> tuple[int, str]:
    """What was typed as a price, "12.50 DKK" or "12.50" with a ``currency`` or a
    ``store`` (its currency), as (minor units, currency). No currency: refused."""
    words = text.split()
    codes = [w for w in words if w.isascii() and w.isalpha()]
    amount = " ".join(w for w in words if w not in codes)
    given = [c.strip().upper() for c in (*codes, currency) if c and c.strip()]
    if store is not None:
        given.append(store.currency)
    if not given:
        raise InputError(
            _(
                "Give the currency of the price: --price {amount} DKK, --currency DKK"
                " or --store STORE (its currency)."
            ).format(amount=amount or text)
        )
    if len(set(given)) > 1:
        raise InputError(
            _("The price names two currencies ({currencies}); give one.").format(
                currencies=", ".join(sorted(set(given)))
            )
        )
    cur = check_currency(given[0])
    return money.parse_amount(amount, cur, locale), cur


def _check(
    db: Db, sku: str, price: int | None, currency: str, store_id: str | None
) -> Store | None:
    money.check_minor(price, "price")
    if price is not None and price < 0:
        raise InputError(_("A price cannot be negative."))
    if db.one("SELECT 1 FROM items WHERE sku = ?", (sku,)) is None:
        raise NotFound(_("No item with SKU {sku}.").format(sku=sku))
    if store_id is None:
        return None
    store = get_store(db, store_id)
    if currency != store.currency:
        raise InputError(
            _("{store} sells in {store_currency}; its own price cannot be in {currency}.").format(
                store=store.name, store_currency=store.currency, currency=currency
            )
        )
    return store


_UPSERT = {
    # One statement per price, each conflict target one of the partial unique indexes.
    False: "INSERT INTO item_prices (sku, currency, store_id, price) VALUES (?, ?, NULL, ?)"
    " ON CONFLICT (sku, currency) WHERE store_id IS NULL DO UPDATE SET price = excluded.price",
    True: "INSERT INTO item_prices (sku, currency, store_id, price) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (sku, store_id, currency) WHERE store_id IS NOT NULL"
    " DO UPDATE SET price = excluded.price",
}


def put_many(db: Db, rows: list[ItemPrice]) -> None:
    """Store prices (inside the caller's write transaction; no audit, no checks)."""
    shared = [(p.sku, p.currency, p.price) for p in rows if p.store_id is None]
    own = [(p.sku, p.currency, p.store_id, p.price) for p in rows if p.store_id is not None]
    if shared:
        db.executemany(_UPSERT[False], shared)
    if own:
        db.executemany(_UPSERT[True], own)


def current(db: Db, sku: str, currency: str, store_id: str | None = None) -> int | None:
    """The item's price in the currency (``store_id``: that store's own), or None."""
    return db.scalar(
        "SELECT price FROM item_prices WHERE sku = ? AND currency = ? AND store_id IS ?",
        (sku, currency, store_id),
    )


def put(db: Db, sku: str, price: int, currency: str, store_id: str | None = None) -> None:
    put_many(db, [ItemPrice(sku, currency, price, store_id)])


def set_price(
    db: Db,
    actor: Staff | None,
    sku: str,
    price: int,
    currency: str,
    store_id: str | None = None,
) -> ItemPrice:
    """Set the item's price in a currency, or (``store_id``) the store's own price."""
    currency = check_currency(currency)
    with db.write():
        authorize(db, actor)
        _check(db, sku, price, currency, store_id)
        old = current(db, sku, currency, store_id)
        put(db, sku, price, currency, store_id)
        audit.append(
            db,
            "item.price",
            staff_id=actor_id(actor),
            entity="item",
            entity_id=sku,
            amount=price,
            # K-7: the price it had (None: none) beside the new one
            details={"currency": currency, "store": store_id, "price": price, "old": old},
        )
    return ItemPrice(sku, currency, price, store_id)


def clear_price(
    db: Db,
    actor: Staff | None,
    sku: str,
    currency: str | None = None,
    store_id: str | None = None,
) -> None:
    """Remove the item's price in a currency, or the store's own price (the store then
    sells at its currency's price, if there is one)."""
    with db.write():
        authorize(db, actor)
        if store_id is not None:
            currency = currency or get_store(db, store_id).currency
        currency = check_currency(currency)
        _check(db, sku, None, currency, store_id)
        old = current(db, sku, currency, store_id)
        gone = db.execute(
            "DELETE FROM item_prices WHERE sku = ? AND currency = ? AND store_id IS ?",
            (sku, currency, store_id),
        ).rowcount
        if not gone:
            raise NotFound(
                _("{sku} has no price in {currency} to remove.").format(sku=sku, currency=currency)
            )
        audit.append(
            db,
            "item.price_clear",
            staff_id=actor_id(actor),
            entity="item",
            entity_id=sku,
            details={"currency": currency, "store": store_id, "old": old},
        )


def prices_of(db: Db, skus: list[str] | None = None) -> dict[str, list[ItemPrice]]:
    """Per SKU, its prices: per currency first (by currency), then stores' own."""
    sql = "SELECT sku, currency, price, store_id FROM item_prices"
    params: tuple = ()
    if skus is not None:
        sql += f" WHERE sku IN ({','.join('?' for _ in skus)})"
        params = tuple(skus)
    out: dict[str, list[ItemPrice]] = {}
    for r in db.all(sql + " ORDER BY sku, store_id IS NOT NULL, store_id, currency", params):
        out.setdefault(r["sku"], []).append(
            ItemPrice(r["sku"], r["currency"], r["price"], r["store_id"])
        )
    return out


def describe(prices: list[ItemPrice], locale: str) -> str:
    """ "32,95 kr.; 690 ISK; NORREBRO: 30,00 kr." — each price in its currency's format."""
    parts = []
    for p in prices:
        text = money.format_money(p.price, p.currency, locale)
        parts.append(f"{p.store_id}: {text}" if p.store_id else text)
    return "; ".join(parts)
