"""`kassi item set / barcode / show` and the catalog import's report (K-7).

Attached to the item group of catalog_cmds; each change is one core operation with its
audit entry (old and new values), which `kassi item show` lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.text.i18n import _, ngettext
from tui.cli import Context, cell, echo, emit_json, fail, params
from tui.cli.catalog_cmds import item_grp
from tui.cli.options import MANAGER, config_actor, uses_context

if TYPE_CHECKING:
    from core.catalog.csv_import import ImportReport


@click.command("set")
@click.argument("sku", type=params.code_type(lambda: _("SKU")))
@click.option("--name", default=None, help=_("The item's new name."))
@click.option("--vat", default=None, help=_("VAT rate in percent, e.g. 25."))
@click.option(
    "--active/--inactive",
    "active",
    default=None,
    help=_("Sold (active) or no longer sold (inactive); it stays in history."),
)
@click.option(
    "--store",
    "store_id",
    default=None,
    help=_("Change the name and VAT rate this store sells it under."),
)
@uses_context(staff=MANAGER)
def item_set(ctx: Context, sku, name, vat, active, store_id) -> None:
    """Change an item's name, VAT rate, or whether it is sold."""
    from core.catalog import items as catalog
    from core.money import amounts as money

    vat_rate = None if vat is None else money.parse_amount(vat, "EUR", ctx.locale_for())
    if name is None and vat_rate is None and active is None:
        fail(_("Nothing to change: give --name, --vat, --active or --inactive."))
    actor = config_actor(ctx)
    changes = catalog.update_item(
        ctx.db, actor, sku, name=name, vat_rate=vat_rate, active=active, store_id=store_id
    )
    if not changes:
        echo(_("{sku} already was so: nothing changed.").format(sku=sku))
        return
    from core.catalog.csv_import import shown_value

    locale = ctx.locale_for()
    for column, change in changes.items():
        name_ = "vat" if column == "vat_rate" else column
        echo(
            _("{sku} {field}: {old} \u2192 {new}").format(
                sku=sku,
                field=name_,
                old=cell(shown_value(name_, change["old"], locale)),
                new=cell(shown_value(name_, change["new"], locale)),
            )
        )


@click.command("barcode")
@click.argument("sku", type=params.code_type(lambda: _("SKU")))
@click.option("--add", "add", default=None, metavar="CODE", help=_("Give the item this barcode."))
@click.option("--remove", default=None, metavar="CODE", help=_("Take this barcode off."))
@uses_context(staff=MANAGER)
def item_barcode(ctx: Context, sku, add, remove) -> None:
    """Add or remove an item's barcode (never another item's SKU or barcode, R-5)."""
    from core.catalog import items as catalog

    if (add is None) == (remove is None):
        fail(_("Give one of --add CODE or --remove CODE."))
    actor = config_actor(ctx)
    if add is not None:
        catalog.add_barcode(ctx.db, actor, sku, add)
        echo(_("{sku} has the barcode {code}.").format(sku=sku, code=add))
    else:
        catalog.remove_barcode(ctx.db, actor, sku, remove)
        echo(_("Barcode {code} removed from {sku}.").format(sku=sku, code=remove))


@click.command("show")
@click.argument("sku", type=params.code_type(lambda: _("SKU")))
@uses_context(json=True)
def item_show(ctx: Context, sku, as_json) -> None:
    """Everything about an item: its fields, barcode, prices, stores, last changes."""
    from core.catalog import item_form as item_admin
    from core.catalog import prices
    from core.money import amounts as money

    locale = ctx.locale_for()
    d = item_admin.item_detail(ctx.db, sku)
    item = d.item
    if as_json:
        emit_json(
            {
                "sku": item.sku,
                "name": item.name,
                "vat": money.to_decimal_str(item.vat_rate, "EUR"),
                "barcode": item.barcode,
                "active": item.active,
                "prices": [
                    {
                        "currency": p.currency,
                        "price": money.to_decimal_str(p.price, p.currency),
                        "store": p.store_id,
                    }
                    for p in d.prices
                ],
                "stores": [
                    {"store": s, "name": n, "vat": money.to_decimal_str(v, "EUR")}
                    for s, n, v in d.own
                ],
                "stock": [{"store": s, "count": n} for s, n in d.stock.items()],
                "changes": [
                    {
                        "at": c.at,
                        "staff": c.staff_id,
                        "action": c.action,
                        "what": item_admin.describe(c, locale),
                    }
                    for c in d.history
                ],
            }
        )
        return
    vat = money.format_amount(item.vat_rate, "EUR", locale)
    rows = [
        (_("SKU"), item.sku),
        (_("Name"), item.name),
        (_("VAT"), f"{vat} %"),
        (_("Barcode"), item.barcode or "\u2014"),
        (_("Active"), _("yes") if item.active else _("no, not sold")),
        (_("Prices"), prices.describe(d.prices, locale) or _("no price")),
    ]
    for store, name, vat_rate in d.own:
        own_vat = money.format_amount(vat_rate, "EUR", locale)
        rows.append(
            (store, _("sold as {name}, VAT {vat} %").format(name=name or item.name, vat=own_vat))
        )
    for store, count in d.stock.items():
        rows.append((store, _("on hand: {n}").format(n=count)))
    width = max(len(label) for label, _v in rows)
    for label, value in rows:
        echo(f"{cell(label).ljust(width)}  {cell(value)}")
    echo(_("Last changes:") if d.history else _("No changes recorded."))
    for c in d.history:
        who = c.staff_id or "-"
        echo(
            f"  {c.at[:16].replace('T', ' ')}  {cell(who)}  {cell(item_admin.describe(c, locale))}"
        )


def print_import_report(report: ImportReport, locale: str, verbose: bool) -> None:
    """The counts, and (verbose or a dry run) every change, old → new, and refusal."""
    from core.catalog.csv_import import shown_value

    counts = _("{added} added, {changed} changed, {unchanged} unchanged, {refused} refused").format(
        added=len(report.added),
        changed=len(report.changed),
        unchanged=len(report.unchanged),
        refused=len(report.refused),
    )
    if report.dry_run:
        echo(
            ngettext(
                "Dry run, nothing changed: {n} item would be imported ({counts}).",
                "Dry run, nothing changed: {n} items would be imported ({counts}).",
                report.total,
            ).format(n=report.total, counts=counts)
        )
    else:
        echo(
            ngettext(
                "{n} item imported ({counts}).", "{n} items imported ({counts}).", report.total
            ).format(n=report.total, counts=counts)
        )
    if not (verbose or report.dry_run):
        return
    for sku in report.added:
        echo(_("  {sku}: added").format(sku=cell(sku)))
    for sku, changes in report.changed.items():
        for c in changes:
            echo(
                _("  {sku} {field}: {old} \u2192 {new}").format(
                    sku=cell(sku),
                    field=c.field,
                    old=cell(shown_value(c.field, c.old, locale)),
                    new=cell(shown_value(c.field, c.new, locale)),
                )
            )
    for line, why in report.refused:
        echo(_("  line {line}: refused: {why}").format(line=line, why=cell(why)))


def register(main: click.Group) -> None:  # they join the item group, not main
    for command in (item_set, item_barcode, item_show):
        item_grp.add_command(command)
