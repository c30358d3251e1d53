"""`kassi item add|price|clear-price|list` and `kassi catalog import|export`: the
catalog and its prices (K-7, R-7). item_cmds.py and unit_cmds.py add to the item group."""

from __future__ import annotations

from pathlib import Path

import click

from core.text.i18n import _
from tui.cli import Context, echo, emit_rows, params
from tui.cli.options import MANAGER, config_actor, uses_context


@click.group("item")
def item_grp() -> None:
    """Catalog items."""


def _price_store(ctx: Context, store_id: str | None):
    from core.store.stores import get_store

    return get_store(ctx.db, store_id) if store_id else None


@item_grp.command("add")
@click.argument("sku")
@click.option("--name", required=True)
@click.option(
    "--price",
    required=True,
    help=_("Shelf price including VAT, with its currency: 12.50 DKK."),
)
@click.option("--vat", required=True, help=_("VAT rate in percent, e.g. 25."))
@click.option("--currency", default=None, help=_("Currency of the price, e.g. DKK or ISK."))
@click.option(
    "--store",
    "store_id",
    default=None,
    help=_("The price is this store's own, in its currency."),
)
@click.option("--barcode", default=None)
@uses_context(staff=MANAGER)
def item_add(ctx: Context, sku, name, price, vat, currency, store_id, barcode) -> None:
    """Add an item to the catalog, with its first price (R-7: never without a currency)."""
    from core.catalog import items as catalog
    from core.catalog import prices
    from core.money import amounts as money

    locale = ctx.locale_for()
    amount, cur = prices.parse_price(price, locale, currency, _price_store(ctx, store_id))
    actor = config_actor(ctx)
    catalog.add_item(
        ctx.db,
        actor,
        sku,
        name,
        amount,
        money.parse_amount(vat, "EUR", locale),
        barcode,
        currency=cur,
        store_id=store_id,
    )
    echo(_("Item {sku} added.").format(sku=sku))


@item_grp.command("price")
@click.argument("sku")
@click.argument("price", nargs=-1, required=True, metavar="AMOUNT [CURRENCY]")
@click.option(
    "--store",
    "store_id",
    default=None,
    help=_("Set this store's own price, in its currency (it wins over the currency's)."),
)
@uses_context(staff=MANAGER)
def item_price(ctx: Context, sku, price, store_id) -> None:
    """Set an item's price in a currency: `kassi item price 1001 32.95 DKK`."""
    from core.catalog import prices
    from core.money import amounts as money

    amount, cur = prices.parse_price(
        " ".join(price), ctx.locale_for(), None, _price_store(ctx, store_id)
    )
    actor = config_actor(ctx)
    prices.set_price(ctx.db, actor, sku, amount, cur, store_id)
    shown = money.format_money(amount, cur, ctx.locale_for())
    if store_id:
        echo(_("{sku} costs {price} in {store}.").format(sku=sku, price=shown, store=store_id))
    else:
        echo(_("{sku} costs {price}.").format(sku=sku, price=shown))


@item_grp.command("clear-price")
@click.argument("sku")
@click.argument("currency", required=False)
@click.option(
    "--store",
    "store_id",
    default=None,
    help=_("Remove this store's own price (it then sells at its currency's price)."),
)
@uses_context(staff=MANAGER)
def item_clear_price(ctx: Context, sku, currency, store_id) -> None:
    """Remove an item's price in a currency, or a store's own price."""
    from core.catalog import prices

    actor = config_actor(ctx)
    prices.clear_price(ctx.db, actor, sku, currency, store_id)
    echo(_("Price of {sku} removed.").format(sku=sku))


@item_grp.command("list")
@click.option("--store", "store_id", default=None, help=_("Show this store's prices."))
@uses_context(json=True)
def item_list(ctx: Context, store_id, as_json) -> None:
    """List catalog items with their prices, each in its currency."""
    from core.catalog import items as catalog
    from core.catalog import prices
    from core.money import amounts as money

    locale = ctx.locale_for()
    items = catalog.list_items(ctx.db, store_id)
    every = prices.prices_of(ctx.db) if not store_id else {}
    rows = []
    for i in items:
        row = {"sku": i.sku, "name": i.name}
        if store_id:
            # JSON: the machine form and its currency; text: the currency's own format.
            if as_json:
                row["price"] = (
                    None if i.price is None else money.to_decimal_str(i.price, i.currency)
                )
                row["currency"] = i.currency
            else:
                row["price"] = (
                    _("no price")
                    if i.price is None
                    else money.format_money(i.price, i.currency, locale)
                )
        elif as_json:
            row["prices"] = [
                {
                    "currency": p.currency,
                    "price": money.to_decimal_str(p.price, p.currency),
                    "store": p.store_id,
                }
                for p in every.get(i.sku, [])
            ]
        else:
            row["prices"] = prices.describe(every.get(i.sku, []), locale) or _("no price")
        row["vat"] = money.to_decimal_str(i.vat_rate, "EUR")
        row["barcode"] = i.barcode or ""
        # K-7: an inactive item is listed (it stays in history) but not sold
        row["active"] = i.active if as_json else (_("yes") if i.active else _("no"))
        rows.append(row)
    price_col = "price" if store_id else "prices"
    emit_rows(rows, as_json, ["sku", "name", price_col, "vat", "barcode", "active"])


@click.group("catalog")
def catalog_grp() -> None:
    """Bulk catalog operations."""


@catalog_grp.command("import")
@click.argument("path", type=params.FilePath(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--store", "store_id", default=None, help=_("Prices (and on_hand stock) are this store's.")
)
@click.option(
    "--currency",
    default=None,
    help=_("Currency of a bare price column (price_DKK columns name their own)."),
)
@click.option(
    "--dry-run", is_flag=True, help=_("Report what the file would change; change nothing.")
)
@click.option("--verbose", "-v", is_flag=True, help=_("List every change, old and new."))
@uses_context(staff=MANAGER)
def catalog_import(ctx: Context, path: Path, store_id, currency, dry_run, verbose) -> None:
    """Import items from CSV: sku,name,vat,price_DKK,...[,barcode][,on_hand] (all or nothing)."""
    from core.catalog import csv_import as importer
    from core.text import validate
    from tui.cli.item_cmds import print_import_report

    actor = config_actor(ctx)
    report = importer.import_catalog(
        ctx.db,
        actor,
        validate.utf8_text(path.read_bytes(), _("The catalog file")),
        currency.upper() if currency else None,
        ctx.locale_for(),
        store_id,
        dry_run=dry_run,
    )
    print_import_report(report, ctx.locale_for(), verbose)


@catalog_grp.command("export")
@click.option(
    "--store",
    "store_id",
    default=None,
    help=_("As this store sells: its names, prices and stock."),
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@uses_context()
def catalog_export(ctx: Context, store_id, output: Path | None) -> None:
    """Write the catalog as CSV, one price column per currency (import reads it back)."""
    from core.catalog import items as catalog

    text = catalog.export_catalog(ctx.db, store_id, ctx.locale_for())
    if output is None:
        echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")
        echo(_("Catalog written to {path}.").format(path=output))


def register(main: click.Group) -> None:
    main.add_command(item_grp)
    main.add_command(catalog_grp)
