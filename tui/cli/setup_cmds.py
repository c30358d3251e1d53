"""`kassi init` and the configuration commands (store, terminal, tender, staff, customer).

The catalog's commands (item, catalog) are in catalog_cmds.py.
"""

from __future__ import annotations

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
        from core.store.tenders import list_tenders, tender_label

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
    from core.store import stores

    extra = _settings(settings)
    for key in sorted(set(extra) & {"name", "currency", "timezone", "locale"}):
        fail(_("Give {key} with --{key}, not --set.").format(key=key))
    actor = config_actor(ctx)
    store = stores.add_store(
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
    from core.store import stores

    actor = manager(ctx)
    values = _settings(settings)
    if "logo" in values:  # P-5: the image file is converted once (tui/cli/logo_cmds.py)
        from tui.cli.logo_cmds import apply_logo

        return apply_logo(ctx, actor, store_id, values.pop("logo"), values)
    stores.update_store(ctx.db, actor, store_id, **values)
    echo(_("Store {id} updated.").format(id=store_id))


@store_grp.command("list")
@uses_context(json=True)
def store_list(ctx: Context, as_json: bool) -> None:
    """List stores."""
    from attrs import asdict

    from core.money.amounts import to_decimal_str
    from core.store import stores

    rows = []
    for store in stores.list_stores(ctx.db):
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
    from core.store import terminals

    actor = config_actor(ctx)
    terminals.add_terminal(ctx.db, actor, terminal_id, store_id, name, printer)
    echo(_("Terminal {id} added.").format(id=terminal_id))


@terminal_grp.command("list")
@click.option("--store", "store_id", default=None)
@uses_context(json=True)
def terminal_list(ctx: Context, store_id, as_json) -> None:
    """List terminals."""
    from attrs import asdict

    from core.store import terminals

    rows = [asdict(t) for t in terminals.list_terminals(ctx.db, store_id)]
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
    from core.store import tenders

    actor = config_actor(ctx)
    tenders.add_tender(ctx.db, actor, tender_id, name, is_cash=is_cash, counted_at_close=counted)
    echo(_("Payment type {id} added.").format(id=tender_id))


@tender_grp.command("list")
@uses_context(json=True)
def tender_list(ctx: Context, as_json) -> None:
    """List payment types."""
    from attrs import asdict

    from core.store import stores, tenders

    rows = [asdict(t) for t in tenders.list_tenders(ctx.db)]
    locales = {s.locale for s in stores.list_stores(ctx.db)}
    if len(locales) == 1:  # one language in the shop: its names, as the till shows them
        ctx.use_store_language(locales.pop())
    if not as_json:  # kassi's own names in the user's language (K-4); JSON keeps them stored
        for row, tender in zip(rows, tenders.list_tenders(ctx.db), strict=True):
            row["name"] = tenders.tender_label(tender)
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
    from core.store import staff_members

    actor = config_actor(ctx)
    perms = permissions.split() if permissions else None
    staff_members.add_staff(ctx.db, actor, new_id, name, new_pin, role, perms)
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
    from core.store import staff_members

    rows = [
        {
            "id": s.id,
            "name": s.name,
            "role": s.role,
            "permissions": sorted(s.permissions),
            "active": s.active,
        }
        for s in staff_members.list_staff(ctx.db)
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
    from core.store import customers

    actor = config_actor(ctx)
    customers.add_customer(ctx.db, actor, customer_id, name, email, phone)
    echo(_("Customer {id} added.").format(id=customer_id))


@customer_grp.command("list")
@uses_context(json=True)
def customer_list(ctx: Context, as_json) -> None:
    """List customers."""
    from attrs import asdict

    from core.store import customers

    emit_rows(
        [asdict(c) for c in customers.list_customers(ctx.db)],
        as_json,
        ["id", "name", "email", "phone"],
    )


def register(main: click.Group) -> None:
    main.add_command(init_cmd)
    for grp in (store_grp, terminal_grp, tender_grp, staff_grp, customer_grp):
        main.add_command(grp)
