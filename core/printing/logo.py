"""A store's logo: stored once as printer images, printed on every receipt (SPEC P-5).

Core keeps bytes only: the image file is checked, scaled and dithered by
hardware/logo.py when a manager sets it (the CLI or the TUI calls that), and
core stores the resulting GS v 0 image per paper width in dots. A receipt gets
them as a `Logo` block (`logo_block`), and the printer sends the bytes as they
are. Nothing here imports an imaging library.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.audit import journal as audit
from core.errors import InputError
from core.printing.documents import Logo, raster_size
from core.staff.auth import require
from core.store.db import Db
from core.store.records import Staff
from core.store.stores import get_store
from core.text.i18n import _


def set_logo(
    db: Db, actor: Staff, store_id: str, rasters: Mapping[int, bytes], *, source_sha256: str
) -> Logo:
    """Replace the store's logo with these images (paper width in dots -> GS v 0 bytes)."""
    try:
        logo = Logo(tuple(rasters.items()))
    except (TypeError, ValueError) as exc:
        raise InputError(_("The logo images are not usable: {error}.").format(error=exc)) from None
    sha = str(source_sha256).strip().lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise InputError(_("The logo's source hash must be 64 hex digits."))
    with db.write():
        require(actor, "config.manage")
        get_store(db, store_id)
        db.execute("DELETE FROM store_logos WHERE store_id = ?", (store_id,))
        now = db.now_iso()
        sizes = {}
        for dots, raster in logo.rasters:
            width, height = raster_size(raster)
            sizes[str(dots)] = f"{width}x{height}"
            db.execute(
                "INSERT INTO store_logos (store_id, dots, width, height, raster, source_sha256,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (store_id, dots, width, height, raster, sha, now),
            )
        audit.append(
            db,
            "store.logo_set",
            staff_id=actor.id,
            entity="store",
            entity_id=store_id,
            details={"source_sha256": sha, "images": sizes},
        )
    return logo


def remove_logo(db: Db, actor: Staff, store_id: str) -> bool:
    """Receipts print without a logo from now on; False if the store had none."""
    with db.write():
        require(actor, "config.manage")
        get_store(db, store_id)
        had = db.execute("DELETE FROM store_logos WHERE store_id = ?", (store_id,)).rowcount > 0
        if had:
            audit.append(
                db, "store.logo_remove", staff_id=actor.id, entity="store", entity_id=store_id
            )
    return had


def logo_block(db: Db, store_id: str) -> Logo | None:
    """The store's logo as a document block, or None when it has none."""
    rows = db.all("SELECT dots, raster FROM store_logos WHERE store_id = ?", (store_id,))
    if not rows:
        return None
    return Logo(tuple((r["dots"], bytes(r["raster"])) for r in rows))


def printer_widths(db: Db, store_id: str) -> list[int]:
    """The paper widths (columns) of the store's terminals' printers: a logo is made for
    each of them as well as for the usual papers."""
    rows = db.all(
        "SELECT json_extract(printer, '$.width') FROM terminals WHERE store_id = ?", (store_id,)
    )
    return sorted({int(r[0]) for r in rows if isinstance(r[0], int) and 16 <= r[0] <= 80})
