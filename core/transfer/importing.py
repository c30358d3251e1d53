"""Importing a transfer file (docs/transfer-format.md) into the head office database (T-1).

All or nothing: the whole file is one write transaction; the first malformed or
inconsistent line raises an InputError naming its line number, and nothing
from the file stays. Importing the same file twice, or an older file after a
newer one, changes nothing, not even the audit log: the file's journal head is
checked first (core.transfer.chain, R-3) and a file whose head is not newer than
the one applied for its origin is skipped whole (R-8). Each session and sale record
is checked and written by core.transfer.import_records, each safe record by
core.transfer.safe_records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from attrs import frozen

from core.audit import journal as audit
from core.errors import InputError
from core.staff.auth import require
from core.store.db import Db
from core.store.records import Staff
from core.text.i18n import _
from core.text.validate import json_value
from core.transfer import safe_records as transfer_safe
from core.transfer.chain import ChainCheck, ChainRefused, Header, parse_header
from core.transfer.export import FORMAT, PERMISSION, READABLE, Bad
from core.transfer.import_records import Importer


@frozen
class ImportSummary:
    sales: int
    sessions: int
    skipped_sales: int
    skipped_sessions: int
    cursor: int  # the file's journal head
    store: str  # how the file names its store(s)
    # Set when the file was skipped whole: the head already applied.
    already_applied: int | None = None
    safe_movements: int = 0  # K-1 (core.transfer.safe_records)


def import_transactions(
    db: Db, actor: Staff, lines: Iterable[str], *, source: str = ""
) -> ImportSummary:
    """Load a transfer file (an iterable of its lines) in one transaction: refused whole
    if its journal does not extend the store's history here (R-3), skipped whole if it
    is not newer than what was applied (R-8)."""
    require(actor, PERMISSION)
    return apply_transfer(db, lines, staff_id=actor.id, source=source)


def apply_transfer(
    db: Db,
    lines: Iterable[str],
    *,
    staff_id: str | None,
    source: str = "",
    only_store: str | None = None,
    sale_uids: list[str] | None = None,
) -> ImportSummary:
    """import_transactions' work, for a caller with its own right to apply a store's
    history (the head office's sync receiver, core.sync.receive); ``only_store``: every
    record must be that store's; ``sale_uids``: the sales it holds, looked up at once."""
    label = source or _("the file")
    line_no = 0
    chain: ChainCheck | None = None
    try:
        with db.write():
            importer = Importer(db, only_store)
            if sale_uids:
                importer.prefetch(sale_uids)
            records = False  # past the journal entries
            for text in lines:
                line_no += 1
                if not text.strip():
                    continue
                try:
                    rec = json_value(text, _("the record"))
                except InputError as exc:
                    raise Bad(exc.message.rstrip(".")) from None
                if not isinstance(rec, dict):
                    raise Bad(_("a record is a JSON object"))
                kind = rec.get("type")
                if chain is None:
                    chain = ChainCheck(db, _header(rec))
                elif kind == "entry":
                    if records:
                        raise Bad(_("journal entries come before the sessions and sales"))
                    chain.entry(rec)
                elif kind in ("session", "sale", "safe"):
                    if not records:
                        chain.finish()
                        records = True
                    if chain.skip:
                        if kind != "safe":
                            importer.count_skipped(kind)
                        continue
                    try:
                        if kind == "safe":
                            importer.safe_movements += transfer_safe.apply(importer, rec)
                        else:
                            (importer.session if kind == "session" else importer.sale)(rec)
                    except (TypeError, AttributeError):
                        # A list or number where an object was expected, and the like.
                        raise Bad(_("the {kind} record is malformed").format(kind=kind)) from None
                else:
                    raise Bad(_("unknown record type {kind!r}").format(kind=kind))
            if chain is None:
                raise Bad(_("the file is empty"))
            if not records:
                chain.finish()
            chain.commit(source)
            if not chain.skip:  # the heads moved: an entry says so, with what came
                audit.append(
                    db,
                    "transfer.import",
                    staff_id=staff_id,
                    entity="transfer",
                    entity_id=source,
                    details={
                        "sales": importer.sales,
                        "sessions": importer.sessions,
                        "skipped_sales": importer.skipped_sales,
                        "skipped_sessions": importer.skipped_sessions,
                        "safe_movements": importer.safe_movements,
                        "cursor": chain.h.head_seq,
                        "origin": chain.h.origin,
                        "head": chain.h.head_hash,
                    },
                )
    except ChainRefused as exc:
        raise ChainRefused(
            _("{file}: {problem} Nothing was imported.").format(file=label, problem=exc.message)
        ) from None
    except Bad as exc:
        raise InputError(
            _("{file}, line {line}: {error}. Nothing was imported.").format(
                file=label, line=line_no, error=exc
            )
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            _("{file}, line {line}: not UTF-8 text. Nothing was imported.").format(
                file=label, line=line_no + 1
            )
        ) from None
    except sqlite3.IntegrityError as exc:
        raise InputError(
            _(
                "{file}, line {line}: the database refused it ({error}). Nothing was imported."
            ).format(file=label, line=line_no, error=exc)
        ) from None
    return ImportSummary(
        importer.sales,
        importer.sessions,
        importer.skipped_sales,
        importer.skipped_sessions,
        chain.h.head_seq,
        chain.h.label,
        chain.applied_up_to if chain.skip else None,
        importer.safe_movements,
    )


def _header(rec: dict[str, Any]) -> Header:
    if rec.get("type") != "header" or rec.get("format") != FORMAT:
        raise Bad(_("the first line must be the {format} header").format(format=FORMAT))
    version = rec.get("version")
    if version == 1:
        raise Bad(
            _(
                "format version 1 carries no journal head (R-3): export it again with this"
                " version of kassi"
            )
        )
    if version not in READABLE:
        raise Bad(_("format version {version} is not supported").format(version=version))
    return parse_header(rec)
