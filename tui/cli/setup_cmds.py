"""`kassi init` and the configuration commands (store, terminal, tender, staff, ...)."""

from __future__ import annotations

from pathlib import Path

import click

from core.i18n import _
from tui.cli import (
    Context,
    authenticate,
    emit_json,
    fail,
    handle_errors,
    params,
    pass_ctx,
    pin_option,
)


def _config_actor(ctx: Context, staff_id: str | None, pin: str | None):
    """Nobody while the database has no staff yet (bootstrap), else a manager's PIN."""
    if ctx.db.one("SELECT 1 FROM staff LIMIT 1") is None:
        return None
    if not staff_id:
        fail(_("Give --staff and --pin (or KASSI_STAFF / KASSI_PIN) of a manager."))
    return authenticate(ctx, staff_id, pin)


def config_auth(fn):
    fn = pin_option(fn)
    fn = click.option(
        "--staff",
        "staff_id",
        envvar="KASSI_STAFF",
        help=_("Manager's staff id (or set KASSI_STAFF)."),
    )(fn)
    return fn


@click.command("init")
@click.option("--demo", is_flag=True, help=_("Load the demo stores, staff and catalog."))
@pass_ctx
@handle_errors
def init_cmd(ctx: Context, demo: bool) -> None:
    """Create the database (and optionally the demo store)."""
    from core import demo as demo_data

    db = ctx.db
    if demo:
        demo_data.load_demo(db)
        click.echo(
            _(
                "Demo store loaded into {path}. Staff 1 (PIN 1234) is a manager, "
                "staff 2 (PIN 2222) a cashier."
            ).format(path=ctx.db_path)
        )
    else:
        click.echo(_("Database ready: {path}").format(path=ctx.db_path))


def _rows(data: list[dict], as_json: bool, columns: list[str]) -> None:
    if as_json:
        emit_json(data)
        return
    widths = {c: max([len(c)] + [len(str(r.get(c, ""))) for r in data]) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for r in data:
        click.echo("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns).rstrip())


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
@config_auth
@pass_ctx
@handle_errors
def store_add(ctx: Context, store_id, name, currency, tz, locale, settings, staff_id, pin) -> None:
    """Add a store."""
    from core import config

    extra = _settings(settings)
    for key in sorted(set(extra) & {"name", "currency", "timezone", "locale"}):
        fail(_("Give {key} with --{key}, not --set.").format(key=key))
    actor = _config_actor(ctx, staff_id, pin)
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
    click.echo(_("Store {id} added.").format(id=store.id))


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
@config_auth
@pass_ctx
@handle_errors
def store_set(ctx: Context, store_id, settings, staff_id, pin) -> None:
    """Change store settings, e.g. `kassi store set S1 track_cash=off`."""
    from core import config

    actor = _config_actor(ctx, staff_id, pin)
    if actor is None:
        fail(_("Add a manager first (kassi staff add)."))
    config.update_store(ctx.db, actor, store_id, **_settings(settings))
    click.echo(_("Store {id} updated.").format(id=store_id))


@store_grp.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@handle_errors
def store_list(ctx: Context, as_json: bool) -> None:
    """List stores."""
    from attrs import asdict

    from core import config
    from core.money import to_decimal_str

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
    _rows(rows, as_json, ["id", "name", "currency", "timezone", "locale", "track_cash"])


@click.group("terminal")
def terminal_grp() -> None:
    """Terminals (tills) and their printers."""


@terminal_grp.command("add")
@click.argument("terminal_id")
@click.option("--store", "store_id", required=True)
@click.option("--name", default="")
@click.option(
    "--printer",
    type=params.JSON_OBJECT,
    default=None,
    help=_('Printer connection as JSON, e.g. \'{"kind": "file", "path": "receipts.bin"}\'.'),
)
@config_auth
@pass_ctx
@handle_errors
def terminal_add(ctx: Context, terminal_id, store_id, name, printer, staff_id, pin) -> None:
    """Add a terminal to a store."""
    from core import config

    actor = _config_actor(ctx, staff_id, pin)
    config.add_terminal(ctx.db, actor, terminal_id, store_id, name, printer)
    click.echo(_("Terminal {id} added.").format(id=terminal_id))


@terminal_grp.command("list")
@click.option("--store", "store_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@handle_errors
def terminal_list(ctx: Context, store_id, as_json) -> None:
    """List terminals."""
    from attrs import asdict

    from core import config

    rows = [asdict(t) for t in config.list_terminals(ctx.db, store_id)]
    _rows(rows, as_json, ["id", "store_id", "name", "last_receipt_no"])


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
@config_auth
@pass_ctx
@handle_errors
def tender_add(ctx: Context, tender_id, name, is_cash, counted, staff_id, pin) -> None:
    """Add a payment type."""
    from core import config

    actor = _config_actor(ctx, staff_id, pin)
    config.add_tender(ctx.db, actor, tender_id, name, is_cash=is_cash, counted_at_close=counted)
    click.echo(_("Payment type {id} added.").format(id=tender_id))


@tender_grp.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@handle_errors
def tender_list(ctx: Context, as_json) -> None:
    """List payment types."""
    from attrs import asdict

    from core import config

    _rows(
        [asdict(t) for t in config.list_tenders(ctx.db)],
        as_json,
        ["id", "name", "is_cash", "counted_at_close"],
    )


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
@config_auth
@pass_ctx
@handle_errors
def staff_add(ctx: Context, new_id, name, role, new_pin, permissions, staff_id, pin) -> None:
    """Add a staff member (the first one needs no login)."""
    from core import config

    actor = _config_actor(ctx, staff_id, pin)
    perms = permissions.split() if permissions else None
    config.add_staff(ctx.db, actor, new_id, name, new_pin, role, perms)
    click.echo(_("Staff member {id} added.").format(id=new_id))


@staff_grp.command("unlock")
@click.argument("locked_id", metavar="ID")
@config_auth
@pass_ctx
@handle_errors
def staff_unlock(ctx: Context, locked_id, staff_id, pin) -> None:
    """Clear a staff member's PIN lockout and its escalation (a manager)."""
    from core import auth

    actor = _config_actor(ctx, staff_id, pin)
    if actor is None:
        fail(_("Add a manager first (kassi staff add)."))
    auth.unlock(ctx.db, actor, locked_id)
    click.echo(_("Staff member {id} can log in again.").format(id=locked_id))


@staff_grp.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@handle_errors
def staff_list(ctx: Context, as_json) -> None:
    """List staff members (never their PINs)."""
    from core import config

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
    _rows(rows, as_json, ["id", "name", "role", "active"])


@click.group("customer")
def customer_grp() -> None:
    """Customers."""


@customer_grp.command("add")
@click.argument("customer_id")
@click.option("--name", required=True)
@click.option("--email", default="")
@click.option("--phone", default="")
@config_auth
@pass_ctx
@handle_errors
def customer_add(ctx: Context, customer_id, name, email, phone, staff_id, pin) -> None:
    """Add a customer."""
    from core import config

    actor = _config_actor(ctx, staff_id, pin)
    config.add_customer(ctx.db, actor, customer_id, name, email, phone)
    click.echo(_("Customer {id} added.").format(id=customer_id))


@customer_grp.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@handle_errors
def customer_list(ctx: Context, as_json) -> None:
    """List customers."""
    from attrs import asdict

    from core import config

    _rows(
        [asdict(c) for c in config.list_customers(ctx.db)],
        as_json,
        ["id", "name", "email", "phone"],
    )


@click.group("item")
def item_grp() -> None:
    """Catalog items."""


@item_grp.command("add")
@click.argument("sku")
@click.option("--name", required=True)
@click.option("--price", required=True, help=_("Shelf price including VAT."))
@click.option("--vat", required=True, help=_("VAT rate in percent, e.g. 25."))
@click.option("--currency", default="DKK", show_default=True)
@click.option("--barcode", default=None)
@config_auth
@pass_ctx
@handle_errors
def item_add(ctx: Context, sku, name, price, vat, currency, barcode, staff_id, pin) -> None:
    """Add an item to the catalog."""
    from core import catalog, money

    locale = ctx.locale_for()
    actor = _config_actor(ctx, staff_id, pin)
    catalog.add_item(
        ctx.db,
        actor,
        sku,
        name,
        money.parse_amount(price, currency, locale),
        money.parse_amount(vat, "EUR", locale),
        barcode,
    )
    click.echo(_("Item {sku} added.").format(sku=sku))


@item_grp.command("list")
@click.option("--store", "store_id", default=None, help=_("Show this store's prices."))
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@handle_errors
def item_list(ctx: Context, store_id, as_json) -> None:
    """List catalog items."""
    from core import catalog, config, money

    currency = config.get_store(ctx.db, store_id).currency if store_id else "DKK"
    rows = [
        {
            "sku": i.sku,
            "name": i.name,
            "price": money.to_decimal_str(i.price, currency),
            "vat": money.to_decimal_str(i.vat_rate, "EUR"),
            "barcode": i.barcode or "",
        }
        for i in catalog.list_items(ctx.db, store_id)
    ]
    _rows(rows, as_json, ["sku", "name", "price", "vat", "barcode"])


@click.group("catalog")
def catalog_grp() -> None:
    """Bulk catalog operations."""


@catalog_grp.command("import")
@click.argument("path", type=params.FilePath(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--store", "store_id", default=None, help=_("Prices (and on_hand stock) are this store's.")
)
@click.option("--currency", default=None, help=_("Currency of the prices (default: the store's)."))
@config_auth
@pass_ctx
@handle_errors
def catalog_import(ctx: Context, path: Path, store_id, currency, staff_id, pin) -> None:
    """Import items from CSV: sku,name,price,vat[,barcode][,on_hand] (all or nothing)."""
    from core import catalog, config, validate

    if store_id:
        currency = currency or config.get_store(ctx.db, store_id).currency
    text = validate.utf8_text(path.read_bytes(), _("The catalog file"))
    actor = _config_actor(ctx, staff_id, pin)
    n = catalog.import_catalog(ctx.db, actor, text, currency or "DKK", ctx.locale_for(), store_id)
    click.echo(_("{n} items imported.").format(n=n))


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
