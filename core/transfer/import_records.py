"""One session or sale record of a transfer file, checked and written at the head office
(T-1, R-8); core.transfer.importing reads the file around it.

A session already here only moves forward: from open to closed, or with new cash
actions appended while open (R-8: an older state never replaces a newer one). A sale
whose uid is already here is skipped (it must be the same sale).

Stock: the store's till moved its stock when it sold; here the import does the
same (inventory.on_hand and a movement with reason 'import' per SKU and sale),
so on_hand is right at the head office too and posting a statement never moves
stock (core.statements.posting).

The head office must know the stores, terminals, staff, tenders, customers and
items the records name (it is where they are set up); an unknown one is an
error for that line.
"""

from __future__ import annotations

from typing import Any

from core.errors import InputError
from core.money import quantity
from core.money.amounts import from_decimal_str
from core.store.db import Db
from core.text.i18n import _
from core.transfer.export import Bad, amount_of, instant_of, need

# What must match when a sale's uid is already here (else: "other contents").
_SALE_IDENTITY = "store_id, terminal_id, receipt_no, total, created_at"


class Importer:
    """The head office's stores, terminals, staff, tenders and customers, for checking
    each record against them, and the counts of what was written or skipped."""

    def __init__(self, db: Db, only_store: str | None = None) -> None:
        self.db = db
        # A store's delivery through its sync (core.sync.receive) carries that store only.
        self.only_store = only_store
        self.stores = {r["id"]: r["currency"] for r in db.all("SELECT id, currency FROM stores")}
        self.terminals = {
            r["id"]: r["store_id"] for r in db.all("SELECT id, store_id FROM terminals")
        }
        self.tenders = {
            r["id"]: bool(r["is_cash"]) for r in db.all("SELECT id, is_cash FROM tenders")
        }
        self.staff = {r[0] for r in db.all("SELECT id FROM staff")}
        self.customers = {r[0] for r in db.all("SELECT id FROM customers")}
        self.sales = self.sessions = self.skipped_sales = self.skipped_sessions = 0
        # Within the one import transaction an item or a session found stays found.
        self._items: set[str] = set()
        self._sessions: dict[str, int] = {}
        # Sales looked up ahead (prefetch): uid -> what identifies it here, or absent.
        self._looked_up: set[str] = set()
        self._here: dict[str, tuple] = {}
        self.safe_movements = 0

    def prefetch(self, uids: list[str]) -> None:
        """Look up many sales' uids in a few queries instead of one per sale (a delivery
        of thousands of sales, core.sync.receive)."""
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.all(
                f"SELECT uid, {_SALE_IDENTITY} FROM sales WHERE uid IN ({marks})", chunk
            ):
                self._here[row[0]] = tuple(row[1:])
            self._looked_up.update(chunk)

    def _existing(self, uid: str) -> tuple | None:
        if uid in self._looked_up:
            return self._here.get(uid)
        row = self.db.one(f"SELECT {_SALE_IDENTITY} FROM sales WHERE uid = ?", (uid,))
        return None if row is None else tuple(row)

    def count_skipped(self, kind: str) -> None:
        if kind == "sale":
            self.skipped_sales += 1
        else:
            self.skipped_sessions += 1

    # -- references ---------------------------------------------------------------------

    def known(self, kind: str, value: str, known: Any) -> str:
        if value not in known:
            raise Bad(
                _("unknown {kind} {value!r}: set it up at the head office first").format(
                    kind=kind, value=value
                )
            )
        return value

    def store_of(self, rec: dict[str, Any]) -> str:
        store = self.known(_("store"), need(rec, "store", str), self.stores)
        if self.only_store is not None and store != self.only_store:
            raise Bad(
                _("a record of store {store} in a delivery of store {own}").format(
                    store=store, own=self.only_store
                )
            )
        return store

    def _place(self, rec: dict[str, Any]) -> tuple[str, str, str]:
        store = self.store_of(rec)
        terminal = self.known(_("terminal"), need(rec, "terminal", str), self.terminals)
        if self.terminals[terminal] != store:
            raise Bad(
                _("terminal {terminal} does not belong to store {store}").format(
                    terminal=terminal, store=store
                )
            )
        currency = need(rec, "currency", str)
        if currency != self.stores[store]:
            raise Bad(
                _("currency {currency} is not the store's ({expected})").format(
                    currency=currency, expected=self.stores[store]
                )
            )
        return store, terminal, currency

    def session_id(self, origin: str | None) -> int | None:
        if origin is None:
            return None
        if origin in self._sessions:
            return self._sessions[origin]
        found = self._session_id(origin)
        if found is not None:
            self._sessions[origin] = found
        return found

    def _session_id(self, origin: str) -> int | None:
        found = self.db.scalar(
            "SELECT session_id FROM transfer_sessions WHERE origin = ?", (origin,)
        )
        if found is not None:
            return int(found)
        # Recorded here (importing into the database it came from, or a copy of it)?
        parts = origin.split("/")
        if len(parts) != 3 or not (
            parts[1].isascii() and parts[1].isdigit() and len(parts[1]) <= 18
        ):
            raise Bad(_("{origin!r} is not a session id").format(origin=origin))
        terminal, number, opened_at = parts
        local = self.db.one(
            "SELECT id FROM sessions WHERE id = ? AND terminal_id = ? AND opened_at = ?"
            " AND id NOT IN (SELECT session_id FROM transfer_sessions)",
            (int(number), terminal, opened_at),
        )
        return None if local is None else int(local["id"])

    # -- sessions -----------------------------------------------------------------------

    def session(self, rec: dict[str, Any]) -> None:
        db = self.db
        origin = need(rec, "id", str)
        store, terminal, cur = self._place(rec)
        status = need(rec, "status", str)
        if status not in ("open", "closed"):
            raise Bad(_("'status' must be open or closed"))
        opened_by = self.known(_("staff member"), need(rec, "opened_by", str), self.staff)
        values: dict[str, Any] = {
            "terminal_id": terminal,
            "store_id": store,
            "status": status,
            "opened_at": instant_of(rec, "opened_at"),
            "opened_by": opened_by,
            "opened_auto": int(need(rec, "opened_automatically", bool)),
            "opening_float": amount_of(rec, "opening_float", cur),
            "open_note": need(rec, "open_note", str),
            "previous_session_id": self.session_id(need(rec, "previous", str, True)),
            "previous_left": amount_of(rec, "previous_left", cur, True),
        }
        adjustments = [
            (
                need(a, "kind", str),
                amount_of(a, "amount", cur),
                need(a, "note", str),
                self.known(_("staff member"), need(a, "staff", str), self.staff),
                instant_of(a, "at"),
            )
            for a in need(rec, "adjustments", list)
        ]
        declarations: list[tuple[str, int | None]] = []
        if status == "closed":
            closed_by = self.known(_("staff member"), need(rec, "closed_by", str), self.staff)
            values.update(
                closed_at=instant_of(rec, "closed_at"),
                closed_by=closed_by,
                expected_cash=amount_of(rec, "expected_cash", cur),
                counted_cash=amount_of(rec, "counted_cash", cur),
                left_in_drawer=amount_of(rec, "left_in_drawer", cur),
                cash_removed=amount_of(rec, "cash_removed", cur),
                close_note=need(rec, "close_note", str),
            )
            declarations = [
                (
                    self.known(_("payment type"), need(d, "tender", str), self.tenders),
                    amount_of(d, "amount", cur),
                )
                for d in need(rec, "declarations", list)
            ]
        here = self.session_id(origin)
        if here is None:
            here = db.next_number("session")
            db.insert("sessions", {"id": here, **values})
            db.insert("transfer_sessions", {"origin": origin, "session_id": here})
            known: list[tuple] = []
        else:
            current = db.one("SELECT status FROM sessions WHERE id = ?", (here,))
            if current is None:
                raise Bad(_("session {origin} is missing here").format(origin=origin))
            known = [
                tuple(r)
                for r in db.all(
                    "SELECT kind, amount, note, staff_id, created_at FROM cash_adjustments"
                    " WHERE session_id = ? ORDER BY id",
                    (here,),
                )
            ]
            # a session only moves forward (open -> more cash actions -> closed);
            # a state from an older file never replaces a newer one.
            if current["status"] == "closed" or (
                status == "open" and len(adjustments) <= len(known)
            ):
                self.skipped_sessions += 1
                return
            if adjustments[: len(known)] != known:
                raise Bad(
                    _("session {origin} is already here with other cash actions").format(
                        origin=origin
                    )
                )
            sets = ", ".join(f"{k} = ?" for k in values)
            db.execute(f"UPDATE sessions SET {sets} WHERE id = ?", (*values.values(), here))
        db.executemany(
            "INSERT INTO cash_adjustments (session_id, kind, amount, note, staff_id, created_at)"
            " VALUES (?,?,?,?,?,?)",
            [(here, *a) for a in adjustments[len(known) :]],
        )
        db.executemany(
            "INSERT INTO declarations (session_id, tender_id, amount) VALUES (?,?,?)",
            [(here, t, a) for t, a in declarations],
        )
        self.sessions += 1

    # -- sales --------------------------------------------------------------------------

    def sale(self, rec: dict[str, Any]) -> None:
        db = self.db
        uid = need(rec, "id", str)
        store, terminal, cur = self._place(rec)
        kind = need(rec, "kind", str)
        if kind not in ("sale", "refund"):
            raise Bad(_("'kind' must be sale or refund"))
        receipt = need(rec, "receipt", int)
        created_at = instant_of(rec, "timestamp")
        total = amount_of(rec, "total", cur)
        existing = self._existing(uid)
        if existing is not None:
            if existing != (store, terminal, receipt, total, created_at):
                raise Bad(_("sale {uid} is already here with other contents").format(uid=uid))
            self.skipped_sales += 1
            return
        session_origin = need(rec, "session", str, True)
        session_id = self.session_id(session_origin)
        if session_origin is not None and session_id is None:
            raise Bad(
                _("session {origin} is not here: import the earlier transfer first").format(
                    origin=session_origin
                )
            )
        original_uid = need(rec, "original", str, True)
        original_id = None
        if original_uid is not None:
            original_id = db.scalar("SELECT id FROM sales WHERE uid = ?", (original_uid,))
            if original_id is None:
                raise Bad(
                    _(
                        "refunds sale {uid}, which is not here: import the earlier transfer first"
                    ).format(uid=original_uid)
                )
        customer = need(rec, "customer", str, True)
        if customer is not None:
            self.known(_("customer"), customer, self.customers)
        staff = self.known(_("staff member"), need(rec, "staff", str), self.staff)
        lines = need(rec, "lines", list)
        payments = need(rec, "payments", list)
        if not lines:
            raise Bad(_("a sale has at least one line"))
        parsed_lines = [self._line(ln, cur, original_id) for ln in lines]
        parsed_pays = [self._payment(p, cur) for p in payments]
        rounding = amount_of(rec, "rounding", cur)
        vat = amount_of(rec, "vat", cur)
        if total is None or rounding is None:  # amount_of refuses a missing amount already
            raise Bad(_("a sale needs its total and rounding"))
        if sum(ln[6] for ln in parsed_lines) != total:
            raise Bad(_("the lines do not add up to the total"))
        if sum(ln[8] for ln in parsed_lines) != vat:
            raise Bad(_("the lines' VAT does not add up to the sale's"))
        if sum(p[2] for p in parsed_pays) != total + rounding:
            raise Bad(_("the payments do not add up to the total and rounding"))
        values = {
            "uid": uid,
            "kind": kind,
            "store_id": store,
            "terminal_id": terminal,
            "receipt_no": receipt,
            "session_id": session_id,
            "staff_id": staff,
            "customer_id": customer,
            "original_sale_id": original_id,
            "created_at": created_at,
            "currency": cur,
            "total": total,
            "rounding": rounding,
            "vat_total": vat,
            "change_given": amount_of(rec, "change", cur),
        }
        stock: dict[str, int] = {}
        for ln in parsed_lines:
            stock[ln[1]] = stock.get(ln[1], 0) - ln[3]
        # The rows name their sale by uid (a subquery), not by an id read back: so the
        # writes need no answer from the database in between, and a server takes them
        # in one round trip (Db.pipeline), an import of thousands of sales being mostly
        # round trips otherwise.
        sale_id = "(SELECT id FROM sales WHERE uid = ?)"
        with db.pipeline():
            db.execute(
                f"INSERT INTO sales ({', '.join(values)})"
                f" VALUES ({', '.join('?' for _ in values)})",
                tuple(values.values()),
            )
            db.executemany(
                "INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price, discount,"
                f" line_total, vat_rate, vat_amount, original_line_id, unit) VALUES ({sale_id},"
                " ?,?,?,?,?,?,?,?,?,?,?)",
                [(uid, *ln) for ln in parsed_lines],
            )
            db.executemany(
                "INSERT INTO payments (sale_id, session_id, tender_id, is_cash, amount, tendered)"
                f" VALUES ({sale_id},?,?,?,?,?)",
                [(uid, session_id, *p) for p in parsed_pays],
            )
            db.executemany(
                "INSERT INTO inventory (store_id, sku, on_hand) VALUES (?, ?, ?)"
                " ON CONFLICT(store_id, sku) DO UPDATE SET on_hand = inventory.on_hand"
                " + excluded.on_hand",
                [(store, sku, delta) for sku, delta in stock.items()],
            )
            db.executemany(
                "INSERT INTO inventory_movements (store_id, sku, qty, reason, sale_id, created_at)"
                f" VALUES (?,?,?,'import',{sale_id},?)",
                [(store, sku, d, uid, created_at) for sku, d in stock.items() if d],
            )
        if uid in self._looked_up:  # the same uid again later in this import
            self._here[uid] = (store, terminal, receipt, total, created_at)
        self.sales += 1

    def _line(self, ln: dict[str, Any], cur: str, original_id: int | None) -> tuple:
        original_line = need(ln, "original_line", int, True)
        original_line_id = None
        if original_line is not None:
            original_line_id = self.db.scalar(
                "SELECT id FROM sale_lines WHERE sale_id = ? AND line_no = ?",
                (original_id, original_line),
            )
            if original_line_id is None:
                raise Bad(_("refunds a line the original sale does not have"))
        vat_rate = need(ln, "vat_rate", str)
        try:
            rate = from_decimal_str(vat_rate, "EUR")
        except InputError as exc:
            raise Bad(f"'vat_rate': {exc.message}") from None
        sku = need(ln, "sku", str)
        if sku not in self._items:
            if self.db.one("SELECT 1 FROM items WHERE sku = ?", (sku,)) is None:
                self.known(_("item"), sku, ())
            self._items.add(sku)
        unit = self._unit(ln)
        # In the order of the sale_lines insert (after sale_id).
        return (
            need(ln, "line", int),
            sku,
            need(ln, "name", str),
            self._qty(ln, unit),
            amount_of(ln, "unit_price", cur),
            amount_of(ln, "discount", cur),
            amount_of(ln, "total", cur),
            rate,
            amount_of(ln, "vat", cur),
            original_line_id,
            unit,
        )

    def _unit(self, ln: dict[str, Any]) -> str:
        """K-8: the line's unit; a file from before units has pieces only."""
        text = need(ln, "unit", str) if "unit" in ln else quantity.PIECES
        try:
            return quantity.check_unit(text)
        except InputError as exc:
            raise Bad(f"'unit': {exc.message}") from None

    def _qty(self, ln: dict[str, Any], unit: str) -> int:
        if not quantity.is_measured(unit):
            return need(ln, "qty", int)
        try:
            return quantity.from_machine(need(ln, "qty", str), unit)
        except InputError as exc:
            raise Bad(f"'qty': {exc.message}") from None

    def _payment(self, p: dict[str, Any], cur: str) -> tuple:
        tender = self.known(_("payment type"), need(p, "tender", str), self.tenders)
        return (
            tender,
            int(self.tenders[tender]),
            amount_of(p, "amount", cur),
            amount_of(p, "tendered", cur),
        )
