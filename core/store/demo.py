"""Loading the shipped demo store (data/demo.json) into an empty database."""

from __future__ import annotations

import json
from pathlib import Path

from core.catalog import items as catalog
from core.catalog import units as item_units
from core.errors import StateError
from core.store import customers, staff_members, stores, tenders, terminals
from core.store.db import Db
from core.store.records import Tender
from core.text.i18n import _

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def load_demo(db: Db, data_dir: Path = DATA_DIR, printer_dir: Path | None = None) -> None:
    """Create the demo stores, terminals, tenders, staff, customers and catalog.

    ``printer_dir`` places the terminals' file-sink printers (default: beside
    the database), so the demo prints somewhere a user can look.
    """
    if db.one("SELECT 1 FROM staff LIMIT 1") or db.one("SELECT 1 FROM stores LIMIT 1"):
        raise StateError(_("The database already has data; the demo loads only into an empty one."))
    spec = json.loads((data_dir / "demo.json").read_text("utf-8"))
    staff = spec["staff"]
    first = staff[0]
    manager = staff_members.add_staff(
        db, None, first["id"], first["name"], first["pin"], first["role"]
    )
    for s in staff[1:]:
        staff_members.add_staff(db, manager, s["id"], s["name"], s["pin"], s["role"])
    for t in spec["tenders"]:
        tenders.add_tender(
            db,
            manager,
            t["id"],
            t["name"],
            is_cash=t.get("is_cash", False),
            counted_at_close=t.get("counted_at_close"),
            sort_order=t.get("sort_order", 0),
        )
    for c in spec["customers"]:
        customers.add_customer(
            db, manager, c["id"], c["name"], c.get("email", ""), c.get("phone", "")
        )
    base = printer_dir or (Path(db.path).parent if db.path != ":memory:" else Path("var"))
    for s in spec["stores"]:
        settings = {
            k: v for k, v in s.items() if k not in ("id", "name", "currency", "timezone", "locale")
        }
        if "scale_labels" not in db.columns("stores"):
            settings.pop("scale_labels", None)  # a test's database from before K-8
        stores.add_store(
            db,
            manager,
            s["id"],
            s["name"],
            currency=s["currency"],
            timezone=s["timezone"],
            locale=s["locale"],
            **settings,
        )
    for t in spec["terminals"]:
        printer = dict(t["printer"])
        if printer.get("kind") == "file":
            printer["path"] = str(base / Path(printer["path"]).name)
        terminals.add_terminal(db, manager, t["id"], t["store_id"], t["name"], printer)
    for s in spec["stores"]:
        csv_text = (data_dir / spec["catalogs"][s["id"]]).read_text("utf-8")
        catalog.import_catalog(db, manager, csv_text, None, "en", store_id=s["id"])
    # K-8: weighed goods, with the item code their scale labels carry (a test's database
    # from before units has none)
    has_units = "unit" in db.columns("items")
    for m in spec.get("measured", ()) if has_units else ():
        item_units.set_unit(db, manager, m["sku"], m["unit"], m.get("scale_code"))


def init_defaults(db: Db) -> list[Tender]:
    """What a plain `kassi init` sets up (K-4): the usual payment types, in a database
    nobody has configured yet (no staff, no payment types); else nothing."""
    if tenders.list_tenders(db) or db.one("SELECT 1 FROM staff LIMIT 1"):
        return []
    return tenders.add_default_tenders(db, None)
