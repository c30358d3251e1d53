"""What the transfer tests share: a file from a store, loaded at a head office
(the ``shop`` and ``head_office`` fixtures are in tests/core/conftest.py)."""

from __future__ import annotations

import io

from core.transfer.export import export_transactions
from core.transfer.importing import import_transactions
from tests.core.test_statements_support import Shop


def export(shop: Shop, since: int = 0, store: str | None = None) -> tuple[str, int]:
    """The store's transfer file from ``since``, and the cursor it ends at."""
    out = io.StringIO()
    summary = export_transactions(shop.db, shop.manager, out, store_id=store, since=since)
    return out.getvalue(), summary.cursor


def load(ho: Shop, text: str, source: str = "t.jsonl"):
    return import_transactions(ho.db, ho.manager, text.splitlines(keepends=True), source=source)
