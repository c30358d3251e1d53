"""`kassi terminal set|show` and `kassi store show`: see and change what a till is set to
(SPEC K-6), with every printer setting checked before it is stored (P-4)."""

from __future__ import annotations

import json
from typing import Any

import click

from core.text.i18n import _
from tui.cli import Context, cell, echo, emit_json, fail, params
from tui.cli.options import MANAGER, manager, uses_context
from tui.cli.setup_cmds import store_grp, terminal_grp

SET_HELP = _(
    """Change a terminal's name and printer setting.

    --printer replaces the whole printer setting with a JSON object; KEY=VALUE
    changes one key of it (e.g. `port=9101 width=48`; `KEY=` puts a key back to
    its default). `kassi terminal show T` lists the keys, what they mean and
    their values. Every value is checked before anything is stored.

    Store settings (`kassi store show S`) are not set per terminal: each applies
    to every till of the store (its currency, language, cash rounding, drawer
    limit, ...), so none of them is a KEY here; change them with `kassi store set`."""
)


def _value_text(key: str, value: Any) -> str:
    if key in ("vendor", "product") and isinstance(value, int) and not isinstance(value, bool):
        return f"0x{value:04x}"
    return value if isinstance(value, str) else json.dumps(value)


def _with_pairs(base: Any, pairs: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """The printer setting `base` with each KEY=VALUE applied (KEY= removes the key),
    and the keys dropped because a new kind does not take them."""
    from core.printing import setting_keys
    from core.printing import settings as printer_settings
    from core.store import stores

    setting = dict(base) if isinstance(base, dict) else {}
    dropped: list[str] = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            fail(_("A printer setting is KEY=VALUE; got {pair!r}.").format(pair=pair))
        if key in stores.STORE_SETTINGS and key not in setting_keys.MEANINGS:
            fail(
                _(
                    "`{key}` is a store setting: it applies to every till of the store; change"
                    " it with `kassi store set STORE {key}=...`."
                ).format(key=key)
            )
        if not text.strip():
            setting.pop(key, None)
            continue
        value = printer_settings.parse_value(key, text.strip())
        if key == "kind" and value != setting.get("kind") and value in setting_keys.KINDS:
            # A new connection keeps only what still applies (width, code page, drawer...).
            kept = set(setting_keys.keys_for(value))
            dropped += sorted(k for k in setting if k not in kept)
            setting = {k: v for k, v in setting.items() if k in kept}
        setting[key] = value
    return setting, dropped


@terminal_grp.command("set", help=SET_HELP)
@click.argument("terminal_id")
@click.argument("pairs", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("--name", type=params.name_type("terminal"), default=None, help=_("A new name."))
@click.option(
    "--printer",
    type=params.PRINTER_SETTING,
    default=None,
    help=_('The whole printer setting as JSON, e.g. \'{"kind": "network", "host": "10.0.0.5"}\'.'),
)
@uses_context(staff=MANAGER)
def terminal_set(ctx: Context, terminal_id, pairs, name, printer) -> None:
    from core.printing import settings as printer_settings
    from core.store import terminals

    terminal = terminals.get_terminal(ctx.db, terminal_id)
    if name is None and printer is None and not pairs:
        fail(_("Nothing to change: give --name, --printer or KEY=VALUE."))
    setting, dropped = printer, []
    if pairs:
        setting, dropped = _with_pairs(terminal.printer if printer is None else printer, pairs)
    if setting is not None:
        printer_settings.normalize(setting)  # a bad value stops before the PIN is asked
    actor = manager(ctx)
    updated = terminals.update_terminal(ctx.db, actor, terminal_id, name=name, printer=setting)
    echo(_("Terminal {id} updated.").format(id=updated.id))
    if dropped:
        kind = updated.printer.get("kind")
        echo(_("Not kept for a {kind} printer: {keys}.").format(kind=kind, keys=", ".join(dropped)))
    if setting is not None and updated.printer.get("kind") != "none":
        echo(_("Try it: kassi print test --terminal {id}").format(id=updated.id))


@terminal_grp.command("show")
@click.argument("terminal_id")
@uses_context(json=True)
def terminal_show(ctx: Context, terminal_id, as_json) -> None:
    """A terminal, and each key of its printer setting: its value (defaults marked) and
    what it means. A stored setting that is wrong is said, with how to correct it."""
    from core.printing import setting_keys
    from core.printing import settings as printer_settings
    from core.store import terminals

    terminal = terminals.get_terminal(ctx.db, terminal_id)
    problem = printer_settings.problem(terminal.printer)
    lines = [] if problem else setting_keys.describe(printer_settings.normalize(terminal.printer))
    if as_json:
        emit_json(
            {
                "id": terminal.id,
                "store": terminal.store_id,
                "name": terminal.name,
                "last_receipt_no": terminal.last_receipt_no,
                "printer": terminal.printer,
                "problem": problem,
                "keys": [
                    {"key": k.key, "value": k.value, "default": k.is_default, "meaning": k.meaning}
                    for k in lines
                ],
            }
        )
        return
    head = [
        (_("Terminal"), terminal.id),
        (_("Store"), terminal.store_id),
        (_("Name"), terminal.name),
        (_("Last receipt"), str(terminal.last_receipt_no)),
    ]
    width = max(len(k) for k, _v in head)
    for k, v in head:
        echo(f"{k.ljust(width)}  {cell(v)}")
    echo(_("Printer setting:"))
    if problem:
        echo("  " + problem)
        echo("  " + printer_settings.fix_hint(terminal.id))
        echo("  " + _("Stored: {json}").format(json=cell(json.dumps(terminal.printer))))
        return
    values = [
        _value_text(k.key, k.value) + (" " + _("(default)") if k.is_default else "") for k in lines
    ]
    vwidth = min(28, max(len(v) for v in values))
    for k, v in zip(lines, values, strict=True):
        echo(f"  {k.key:<18} {cell(v).ljust(vwidth)}  {cell(k.meaning)}")


@store_grp.command("show")
@click.argument("store_id")
@uses_context(json=True)
def store_show(ctx: Context, store_id, as_json) -> None:
    """Every setting of a store: what it means and its current value
    (change one with `kassi store set S KEY=VALUE`)."""
    from core.store import stores

    store = stores.get_store(ctx.db, store_id)
    rows = stores.describe_store(store)
    if as_json:
        emit_json(
            {"id": store.id, "settings": [{"key": k, "value": v, "meaning": m} for k, m, v in rows]}
        )
        return
    echo(_("Store {id}").format(id=store.id))
    kwidth = max(len(k) for k, _m, _v in rows)
    vwidth = min(24, max(len(v) for _k, _m, v in rows))
    for key, meaning, value in rows:
        echo(f"  {key.ljust(kwidth)}  {cell(value).ljust(vwidth)}  {cell(meaning)}")


def register(main: click.Group) -> None:
    """Nothing to add to `main`: these commands are part of the `terminal` and `store`
    groups (setup_cmds), which they joined when this module was imported."""
