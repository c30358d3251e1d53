"""`kassi init` and the configuration commands (store, terminal, tender, staff, ...)."""

from __future__ import annotations

from pathlib import Path

import click

from core.text.i18n import _
from tui.cli import Context, echo, emit_rows, fail, params
from tui.cli.options import MANAGER, config_actor, manager, uses_context


@click.command("init")
@click.option("--demo", is_flag=True, help=_("Load the demo stores, staff and catalog."))
@uses_context()
def init_cmd(ctx: Context, demo: bool) -> None:
    """Create the database (and optionally the demo store)."""
    from core.store import demo as demo_data

    db = ctx.db
    if demo:
        demo_data.load_demo(db)
        echo(
            _(
                "Demo store loaded into {path}. Staff 1 (PIN 1234) is a manager, "
                "staff 2 (PIN 2222) a cashier."
            ).format(path=ctx.db_path)
        )
    else:
        from core.store.config import list_tenders, tender_label

        added = demo_data.init_defaults(db)
        echo(_("Database ready: {path}").format(path=ctx.db_path))
        if added:
            echo(
                _(
                    "Payment types: {names} (kassi tender list; change them with kassi tender set)."
                ).format(names=", ".join(tender_label(t) for t in added))
            )
        elif not list_tenders(db):  # staff were set up before init made them
            echo(_("No payment types yet: a manager adds them with kassi tender add."))


@click.group("store")
def store_grp() -> None:
    """Stores (locations) and their settings."""


@store_grp.command("add")
@click.argument("store_id")
@click.option("--name", required=True)
@click.option("--currency", required=True, help="ISO 4217 code, e.g. DKK, ISK, EUR.")
@click.option("--timezone", "tz", required=True, help="IANA name, e.g. Europe/Copenhagen.")
@click.option("--locale", type=click.Choice(["en", "da", "is"]), required=True)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help=_("Another store setting, e.g. cash_rounding=0.50 or track_cash=off."),
)
@uses_context(staff=MANAGER)
def store_add(ctx: Context, store_id, name, currency, tz, locale, settings) -> None:
    """Add a store."""
    from core.store import config

    extra = _settings(settings)
    for key in sorted(set(extra) & {"name", "currency", "timezone", "locale"}):
        fail(_("Give {key} with --{key}, not --set.").format(key=key))
    actor = config_actor(ctx)
    store = config.add_store(
        ctx.db,
        actor,
        store_id,
        name,
        currency=currency.upper(),
        timezone=tz,
        locale=locale,
        **extra,
    )
    echo(_("Store {id} added.").format(id=store.id))


def _settings(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            fail(_("A setting is KEY=VALUE; got {pair!r}.").format(pair=pair))
        out[key.strip()] = value.strip()
    return out


@store_grp.command("set")
@click.argument("store_id")
@click.argument("settings", nargs=-1, required=True, metavar="KEY=VALUE...")
@uses_context(staff=MANAGER)
def store_set(ctx: Context, store_id, settings) -> None:
    """Change store settings, e.g. `kassi store set S1 track_cash=off`.

    `logo=FILE.png` (PNG or JPEG) prints the image at the top of every receipt;
    `logo=` removes it.
    """
    from core.store import config

    actor = manager(ctx)
    values = _settings(settings)
    if "logo" in values:  # P-5: the image file is converted once (tui/cli/logo_cmds.py)
        from tui.cli.logo_cmds import apply_logo

        return apply_logo(ctx, actor, store_id, values.pop("logo"), values)
    config.update_store(ctx.db, actor, store_id, **values)
    echo(_("Store {id} updated.").format(id=store_id))


@store_grp.command("list")
@uses_context(json=True)
def store_list(ctx: Context, as_json: bool) -> None:
    """List stores."""
    from attrs import asdict

    from core.money.amounts import to_decimal_str
    from core.store import config

    rows = []
    for store in config.list_stores(ctx.db):
        row = asdict(store)
        for key in (
            "cash_rounding",
            "max_posting_difference",
            "drawer_limit",
            "max_change",
            "max_adjustment",
        ):
            if row[key] is not None:  # amounts: decimal strings, never JSON numbers
                row[key] = to_decimal_str(row[key], store.currency)
        rows.append(row)
    emit_rows(rows, as_json, ["id", "name", "currency", "timezone", "locale", "track_cash"])


@click.group("terminal")
def terminal_grp() -> None:
    """Terminals (tills) and their printers."""


@terminal_grp.command("add")
@click.argument("terminal_id")
@click.option("--store", "store_id", required=True)
@click.option("--name", default="")
@click.option(
    "--printer",
    type=params.PRINTER_SETTING,
    default=None,
    help=_(
        'Printer connection as JSON, e.g. \'{"kind": "file", "path": "receipts.bin"}\''
        " (the keys: kassi terminal show)."
    ),
)
@uses_context(staff=MANAGER)
def terminal_add(ctx: Context, terminal_id, store_id, name, printer) -> None:
    """Add a terminal to a store."""
    from core.store import config

    actor = config_actor(ctx)
    config.add_terminal(ctx.db, actor, terminal_id, store_id, name, printer)
    echo(_("Terminal {id} added.").format(id=terminal_id))


@terminal_grp.command("list")
@click.option("--store", "store_id", default=None)
@uses_context(json=True)
def terminal_list(ctx: Context, store_id, as_json) -> None:
    """List terminals."""
    from attrs import asdict

    from core.store import config

    rows = [asdict(t) for t in config.list_terminals(ctx.db, store_id)]
    emit_rows(rows, as_json, ["id", "store_id", "name", "last_receipt_no"])


@click.group("tender")
def tender_grp() -> None:
    """Payment types (cash, card, mobile, gift card ...)."""


@tender_grp.command("add")
@click.argument("tender_id")
@click.option("--name", required=True)
@click.option("--cash", "is_cash", is_flag=True, help=_("This is the cash tender."))
@click.option(
    "--counted/--not-counted",
    "counted",
    default=None,
    help=_("Declared (counted) when a session closes."),
)
@uses_context(staff=MANAGER)
def tender_add(ctx: Context, tender_id, name, is_cash, counted) -> None:
    """Add a payment type."""
    from core.store import config

    actor = config_actor(ctx)
    config.add_tender(ctx.db, actor, tender_id, name, is_cash=is_cash, counted_at_close=counted)
    echo(_("Payment type {id} added.").format(id=tender_id))


@tender_grp.command("list")
@uses_context(json=True)
def tender_list(ctx: Context, as_json) -> None:
    """List payment types."""
    from attrs import asdict

    from core.store import config

    rows = [asdict(t) for t in config.list_tenders(ctx.db)]
    locales = {s.locale for s in config.list_stores(ctx.db)}
    if len(locales) == 1:  # one language in the shop: its names, as the till shows them
        ctx.use_store_language(locales.pop())
    if not as_json:  # kassi's own names in the user's language (K-4); JSON keeps them stored
        for row, tender in zip(rows, config.list_tenders(ctx.db), strict=True):
            row["name"] = config.tender_label(tender)
    emit_rows(rows, as_json, ["id", "name", "is_cash", "counted_at_close", "active"])


@click.group("staff")
def staff_grp() -> None:
    """Staff members, PINs and permissions."""


@staff_grp.command("add")
@click.argument("new_id")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["cashier", "supervisor", "manager"]), default="cashier")
@click.option("--new-pin", required=True, help=_("The new staff member's PIN (4-8 digits)."))
@click.option(
    "--permissions",
    default=None,
    help=_("Space-separated permissions instead of the role's defaults."),
)
@uses_context(staff=MANAGER)
def staff_add(ctx: Context, new_id, name, role, new_pin, permissions) -> None:
    """Add a staff member (the first one needs no login)."""
    from core.store import config

    actor = config_actor(ctx)
    perms = permissions.split() if permissions else None
    config.add_staff(ctx.db, actor, new_id, name, new_pin, role, perms)
    echo(_("Staff member {id} added.").format(id=new_id))


@staff_grp.command("unlock")
@click.argument("locked_id", metavar="ID")
@uses_context(staff=MANAGER)
def staff_unlock(ctx: Context, locked_id) -> None:
    """Clear a staff member's PIN lockout and its escalation (a manager)."""
    from core.staff import auth

    actor = manager(ctx)
    auth.unlock(ctx.db, actor, locked_id)
    echo(_("Staff member {id} can log in again.").format(id=locked_id))


@staff_grp.command("list")
@uses_context(json=True)
def staff_list(ctx: Context, as_json) -> None:
    """List staff members (never their PINs)."""
    from core.store import config

    rows = [
        {
            "id": s.id,
            "name": s.name,
            "role": s.role,
            "permissions": sorted(s.permissions),
            "active": s.active,
        }
        for s in config.list_staff(ctx.db)
    ]
    emit_rows(rows, as_json, ["id", "name", "role", "active"])


@click.group("customer")
def customer_grp() -> None:
    """Customers."""


@customer_grp.command("add")
@click.argument("customer_id")
@click.option("--name", required=True)
@click.option("--email", default="")
@click.option("--phone", default="")
@uses_context(staff=MANAGER)
def customer_add(ctx: Context, customer_id, name, email, phone) -> None:
    """Add a customer."""
    from core.store import config

    actor = config_actor(ctx)
    config.add_customer(ctx.db, actor, customer_id, name, email, phone)
    echo(_("Customer {id} added.").format(id=customer_id))


@customer_grp.command("list")
@uses_context(json=True)
def customer_list(ctx: Context, as_json) -> None:
    """List customers."""
    from attrs import asdict

    from core.store import config

    emit_rows(
        [asdict(c) for c in config.list_customers(ctx.db)],
        as_json,
        ["id", "name", "email", "phone"],
    )


@click.group("item")
def item_grp() -> None:
    """Catalog items."""


def _price_store(ctx: Context, store_id: str | None):
    from core.store import config

    return config.get_store(ctx.db, store_id) if store_id else None


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
    main.add_command(init_cmd)
    for grp in (
        store_grp,
        terminal_grp,
        tender_grp,
        staff_grp,
        customer_grp,
        item_grp,
        catalog_grp,
    ):
        main.add_command(grp)
