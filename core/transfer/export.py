"""Transfer of transactions from a store database to the head office's (T-1): export.

The format is JSON Lines, documented in docs/transfer-format.md: a header line,
then one record per line in the order the store recorded them — sessions
(with their cash actions and, once closed, their declarations) and sales
(with lines and payments). The import is in core.transfer.importing.

What to send is read from the audit log: every sale, refund, session open,
cash action and close appended one hash-chained entry in its own transaction,
so the audit sequence is a gap-free, commit-ordered position in the store's
history. The *cursor* is that position: an export covers the entries after
``since`` up to the newest one in its snapshot, and the header gives the
cursor for the next export. A session is sent in its state at export time,
once per export, at its first entry in the file (its sales come after it).

Every file also carries the store's journal (R-3): its head (the export's own
``transfer.export`` entry) and every audit entry from ``since`` on, with all the
journal's columns, for the head office to check that this history extends the
one it holds (core.transfer.chain); the header names the origin database.

Identities: a sale travels with its ``uid``; a session with
"<terminal>/<session number>/<opened at>" (its origin, kept by the head office
in ``transfer_sessions``): terminal ids are unique across the chain, so
sessions of several store databases never collide at the head office, and a
copy of a store database (a backup, a template) names its sessions the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError
from core.money import quantity
from core.money.amounts import from_decimal_str, to_decimal_str
from core.staff.auth import require
from core.store.db import Db, iso, parse_iso
from core.store.records import Staff
from core.store.stores import get_store
from core.text.display import json_text
from core.text.i18n import _
from core.text.validate import INT64_MAX

FORMAT = "kassi-transactions"
VERSION = 3  # 2: the journal head and entries; 3: the safe's movements (K-1)
READABLE = (2, 3)  # a version-2 file (a store not yet updated) imports as it did
PERMISSION = "statements.manage"
MAX_CURSOR = 2**63 - 1  # SQLite's largest integer: an audit entry number never passes it
SALE_ACTIONS = ("sale", "refund")
SESSION_ACTIONS = ("session.open", "session.auto_open", "session.close", "cash.add", "cash.remove")


@frozen
class ExportSummary:
    since: int
    cursor: int  # also the number of the journal head the file carries
    sales: int
    sessions: int
    head_hash: str
    safe_movements: int = 0  # K-1 (core.transfer.safe_records)


def session_origin(db: Db, session_id: int) -> str:
    """The travelling identity of a session: its origin if it was imported, else ours."""
    origin = db.scalar("SELECT origin FROM transfer_sessions WHERE session_id = ?", (session_id,))
    if origin:
        return str(origin)
    row = db.one("SELECT terminal_id, opened_at FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        raise RuntimeError(f"session {session_id} vanished inside its own export")
    return f"{row['terminal_id']}/{session_id}/{row['opened_at']}"


def timestamp(instant_iso: str, tz: ZoneInfo) -> str:
    """A stored UTC instant as local time with its UTC offset: 2026-05-31T10:00:00.000000+02:00."""
    return parse_iso(instant_iso).astimezone(tz).isoformat(timespec="microseconds")


def _hex(value: object) -> str:
    """A BLOB column of the journal (a signature, say) travels as hex."""
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot write {type(value).__name__} to a transfer file")


class _Writer:
    def __init__(self, db: Db, out: TextIO) -> None:
        self.db, self.out = db, out
        self.stores: dict[str, tuple[str, ZoneInfo]] = {}
        self.origins: dict[int, str] = {}
        self.uids: dict[int, str] = {}

    def store(self, store_id: str) -> tuple[str, ZoneInfo]:
        if store_id not in self.stores:
            store = get_store(self.db, store_id)
            self.stores[store_id] = (store.currency, ZoneInfo(store.timezone))
        return self.stores[store_id]

    def origin(self, session_id: int | None) -> str | None:
        if session_id is None:
            return None
        if session_id not in self.origins:
            self.origins[session_id] = session_origin(self.db, session_id)
        return self.origins[session_id]

    def write(self, record: dict[str, Any]) -> None:
        import json

        # json_text: a file read with `cat` or `less` must not carry raw C1/bidi controls.
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_hex)
        self.out.write(json_text(text) + "\n")

    def session(self, row: Any) -> None:
        db = self.db
        cur, tz = self.store(row["store_id"])
        m = lambda v: None if v is None else to_decimal_str(v, cur)  # noqa: E731
        t = lambda v: None if v is None else timestamp(v, tz)  # noqa: E731
        sid = row["id"]
        record: dict[str, Any] = {
            "type": "session",
            "id": self.origin(sid),
            "store": row["store_id"],
            "terminal": row["terminal_id"],
            "currency": cur,
            "status": row["status"],
            "opened_at": t(row["opened_at"]),
            "opened_by": row["opened_by"],
            "opened_automatically": bool(row["opened_auto"]),
            "opening_float": m(row["opening_float"]),
            "open_note": row["open_note"],
            "previous": self.origin(row["previous_session_id"]),
            "previous_left": m(row["previous_left"]),
            "adjustments": [
                {
                    "kind": a["kind"],
                    "amount": m(a["amount"]),
                    "note": a["note"],
                    "staff": a["staff_id"],
                    "at": t(a["created_at"]),
                }
                for a in db.all(
                    "SELECT * FROM cash_adjustments WHERE session_id = ? ORDER BY id", (sid,)
                )
            ],
        }
        if row["status"] == "closed":
            record.update(
                closed_at=t(row["closed_at"]),
                closed_by=row["closed_by"],
                expected_cash=m(row["expected_cash"]),
                counted_cash=m(row["counted_cash"]),
                left_in_drawer=m(row["left_in_drawer"]),
                cash_removed=m(row["cash_removed"]),
                close_note=row["close_note"],
                declarations=[
                    {"tender": d["tender_id"], "amount": m(d["amount"])}
                    for d in db.all(
                        "SELECT tender_id, amount FROM declarations WHERE session_id = ?"
                        " ORDER BY tender_id",
                        (sid,),
                    )
                ],
            )
        self.write(record)

    def sale(self, row: Any) -> None:
        db = self.db
        cur, tz = self.store(row["store_id"])
        m = lambda v: to_decimal_str(v, cur)  # noqa: E731
        self.uids[row["id"]] = row["uid"]
        original = None
        original_lines: dict[int, int] = {}
        if row["original_sale_id"] is not None:
            original = db.scalar("SELECT uid FROM sales WHERE id = ?", (row["original_sale_id"],))
            original_lines = {
                r["id"]: r["line_no"]
                for r in db.all(
                    "SELECT id, line_no FROM sale_lines WHERE sale_id = ?",
                    (row["original_sale_id"],),
                )
            }
        lines = db.all("SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (row["id"],))
        pays = db.all("SELECT * FROM payments WHERE sale_id = ? ORDER BY id", (row["id"],))
        self.write(
            {
                "type": "sale",
                "id": row["uid"],
                "kind": row["kind"],
                "store": row["store_id"],
                "terminal": row["terminal_id"],
                "receipt": row["receipt_no"],
                "staff": row["staff_id"],
                "session": self.origin(row["session_id"]),
                "customer": row["customer_id"],
                "timestamp": timestamp(row["created_at"], tz),
                "currency": row["currency"],
                "total": m(row["total"]),
                "rounding": m(row["rounding"]),
                "vat": m(row["vat_total"]),
                "change": m(row["change_given"]),
                "original": original,
                "lines": [
                    {
                        "line": ln["line_no"],
                        "sku": ln["sku"],
                        "name": ln["name"],
                        # K-8: pieces as a whole number; a measured unit as "0.512"
                        "qty": ln["qty"]
                        if ln["unit"] == quantity.PIECES
                        else quantity.to_machine(ln["qty"], ln["unit"]),
                        "unit": ln["unit"],
                        "unit_price": m(ln["unit_price"]),
                        "discount": m(ln["discount"]),
                        "total": m(ln["line_total"]),
                        "vat_rate": to_decimal_str(ln["vat_rate"], "EUR"),
                        "vat": m(ln["vat_amount"]),
                        "original_line": original_lines.get(ln["original_line_id"]),
                    }
                    for ln in lines
                ],
                "payments": [
                    {
                        "tender": p["tender_id"],
                        "cash": bool(p["is_cash"]),
                        "amount": m(p["amount"]),
                        "tendered": m(p["tendered"]),
                    }
                    for p in pays
                ],
            }
        )


def identity(db: Db) -> str:
    """This database's name as an origin of transfers (m014; a copy keeps it)."""
    return str(db.scalar("SELECT id FROM database_identity"))


def export_transactions(
    db: Db, actor: Staff, out: TextIO, *, store_id: str | None = None, since: int = 0
) -> ExportSummary:
    """Write the header, the journal entries from ``since`` on, and every session and
    sale recorded after cursor ``since`` (of one store, or all) to ``out``; returns the
    counts and the next cursor."""
    require(actor, PERMISSION)
    return write_transfer(db, out, staff_id=actor.id, store_id=store_id, since=since)


def write_transfer(
    db: Db, out: TextIO, *, staff_id: str | None, store_id: str | None = None, since: int = 0
) -> ExportSummary:
    """export_transactions' work, for a caller that has its own right to send the
    store's history (the sync service, core.sync: the store database's own)."""
    if since < 0:
        since = 0
    if since > MAX_CURSOR:
        raise InputError(_("The cursor {since} is out of range.").format(since=since))
    if store_id:
        get_store(db, store_id)
    # The export is itself an entry, in a short transaction of its own (the tills keep
    # selling while the file is written): so every file ends at a head of its own, and
    # a store that cut its journal back can only export a head the head office knows
    # under another hash.
    with db.write():
        head = audit.append(
            db,
            "transfer.export",
            staff_id=staff_id,
            entity="transfer",
            entity_id=store_id or "",
            details={"since": since},
        )
    with db.read():
        head_hash = str(db.scalar("SELECT hash FROM audit_log WHERE seq = ?", (head,)))
        writer = _Writer(db, out)
        writer.write(
            {
                "type": "header",
                "format": FORMAT,
                "version": VERSION,
                "origin": identity(db),
                "stores": [r[0] for r in db.all("SELECT id FROM stores ORDER BY id")],
                "store": store_id,
                "since": since,
                "cursor": head,
                "head": {"entry": head, "hash": head_hash},
                "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        # From the entry at `since` itself: the head office checks it against the head
        # it holds. Every column, whatever columns the journal has.
        for entry in db.execute(
            "SELECT * FROM audit_log WHERE seq >= ? AND seq <= ? ORDER BY seq",
            (max(since, 1), head),
        ):
            writer.write({"type": "entry", "entry": dict(entry)})
        from core.transfer import safe_records as transfer_safe

        sent_sessions: set[int] = set()
        n_sales = n_safe = 0
        sale_marks = ",".join("?" for _ in SALE_ACTIONS)
        session_marks = ",".join("?" for _ in SESSION_ACTIONS)
        safe_marks = ",".join("?" for _ in transfer_safe.ACTIONS)
        entries = db.execute(
            "SELECT entity, CAST(entity_id AS INTEGER) AS eid FROM audit_log"
            " WHERE seq > ? AND seq <= ? AND ((entity = 'sale' AND action IN"
            f" ({sale_marks})) OR (entity = 'session' AND action IN ({session_marks}))"
            f" OR (entity = 'safe' AND action IN ({safe_marks})))"
            " ORDER BY seq",
            (since, head, *SALE_ACTIONS, *SESSION_ACTIONS, *transfer_safe.ACTIONS),
        ).fetchall()
        for entry in entries:
            if entry["entity"] == "safe":
                row = db.one("SELECT * FROM safe_movements WHERE id = ?", (entry["eid"],))
                if row is None or (store_id and row["store_id"] != store_id):
                    continue
                writer.write(transfer_safe.record(writer, row))
                n_safe += 1
            elif entry["entity"] == "sale":
                row = db.one("SELECT * FROM sales WHERE id = ?", (entry["eid"],))
                if row is None or (store_id and row["store_id"] != store_id):
                    continue
                writer.sale(row)
                n_sales += 1
            elif entry["eid"] not in sent_sessions:
                row = db.one("SELECT * FROM sessions WHERE id = ?", (entry["eid"],))
                if row is None or (store_id and row["store_id"] != store_id):
                    continue
                sent_sessions.add(entry["eid"])
                writer.session(row)
                # K-1: its float and return are part of its open and close (no entry
                # of their own); sent with it, imported once by uid.
                for movement in db.all(
                    "SELECT * FROM safe_movements WHERE session_id = ?"
                    " AND kind IN ('float', 'return') ORDER BY id",
                    (entry["eid"],),
                ):
                    writer.write(transfer_safe.record(writer, movement))
                    n_safe += 1
    return ExportSummary(since, head, n_sales, len(sent_sessions), head_hash, n_safe)


# -- reading records (the import) -------------------------------------------------------


class Bad(Exception):
    """A problem with the current line (message already translated)."""


def need(rec: dict[str, Any], key: str, kind: type | tuple[type, ...], nullable: bool = False):
    if key not in rec:
        raise Bad(_("'{key}' is missing").format(key=key))
    value = rec[key]
    if value is None and nullable:
        return None
    if isinstance(value, bool) and kind is not bool:
        raise Bad(_("'{key}' has the wrong type").format(key=key))
    if not isinstance(value, kind):
        raise Bad(_("'{key}' has the wrong type").format(key=key))
    if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise Bad(_("'{key}' is too large").format(key=key))  # SQLite would overflow
    return value


def amount_of(rec: dict[str, Any], key: str, currency: str, nullable: bool = False) -> int | None:
    text = need(rec, key, str, nullable)
    if text is None:
        return None
    try:
        return from_decimal_str(text, currency)
    except InputError as exc:
        raise Bad(f"'{key}': {exc.message}") from None


def instant_of(rec: dict[str, Any], key: str, nullable: bool = False) -> str | None:
    text = need(rec, key, str, nullable)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Bad(_("'{key}' is not a time with a UTC offset").format(key=key))
    return iso(moment.astimezone(UTC))
