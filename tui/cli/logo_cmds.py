"""`kassi store set S logo=FILE.png` (and `logo=` to remove it): the store's receipt logo (P-5).

The file is checked and converted here, once (hardware/logo.py: scaled to each
paper width, dithered, GS v 0 bytes); core stores the bytes and every receipt
prints them as they are. The other settings of the same command go through
`stores.update_store` as usual, after the file has been found good, so a bad
logo changes nothing.
"""

from __future__ import annotations

from core.text.i18n import _
from tui.cli import Context, cell, echo


def apply_logo(ctx: Context, actor, store_id: str, path: str, others: dict[str, str]) -> None:
    from core.printing import logo as store_logo
    from core.store import stores

    stores.get_store(ctx.db, store_id)  # an unknown store is named before the file is read
    converted = None
    if path:
        from hardware.logo import convert, read_file
        from hardware.render import dots_for

        dots = [dots_for(w) for w in store_logo.printer_widths(ctx.db, store_id)]
        converted = convert(read_file(path), dots, name=path)
    if others:
        stores.update_store(ctx.db, actor, store_id, **others)
        echo(_("Store {id} updated.").format(id=store_id))
    if converted is None:
        if store_logo.remove_logo(ctx.db, actor, store_id):
            echo(
                _("Store {id}: the logo is removed; receipts print without one.").format(
                    id=store_id
                )
            )
        else:
            echo(_("Store {id} has no logo.").format(id=store_id))
        return
    store_logo.set_logo(ctx.db, actor, store_id, converted.rasters, source_sha256=converted.sha256)
    echo(
        _(
            "Store {id}: logo set from {path} ({width}x{height} pixels), made for paper "
            "{dots} dots wide; it adds up to {kb} KB to each receipt. "
            "Check it with `kassi print receipt last --png FILE`."
        ).format(
            id=store_id,
            path=cell(path),
            width=converted.width,
            height=converted.height,
            dots=", ".join(str(d) for d in sorted(converted.rasters)),
            kb=max(1, round(max(len(r) for r in converted.rasters.values()) / 1024)),
        )
    )
