"""Item names folded the way Nordic staff type them, and the index that finds them (C-4).

SQLite's LIKE folds ASCII only, and ``LIKE '%x%'`` reads every row. Instead each
name is kept in two folded forms beside it:

- ``fold``: Unicode case folding (Æ→æ, Ø→ø, Å→å, Ð→ð, Þ→þ, Á→á, ß→ss);
- ``key``: the fold with accents and special letters spelt plain (á→a, å→a,
  ö→o, ø→o, æ→ae, ð→d, þ→th).

Every suffix of every word of the key goes into ``item_name_terms`` (primary
key ``(term, sku)``), so "a word contains what was typed" is a range search on
that key: ``brød`` finds Rugbrød and Franskbrød.

Typed plain letters find accented ones ("a" finds á and å, "ol" finds Øl): staff
on a keyboard without the letter, or in a hurry, still find the item, and a
search list that shows a line too many costs nothing while one that finds
nothing stops the sale. A typed accent or special letter is kept as typed
("ól" does not find "Ol"), so an Icelandic or Danish cashier who types the
letter gets the precise answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

# Letters that Unicode does not decompose into base + accent, spelt as they are
# written without them.
_SPELT = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}
)
_WORD = re.compile(r"\w+")
# Terms are cut at this length: a longer typed word is found by its first
# TERM_MAX letters and then checked against the whole name.
TERM_MAX = 12
# Past this many candidate items for one typed word (a single letter), the list
# shows the best of these rather than sorting the whole catalog.
CANDIDATES_MAX = 200
_TOP = "\U0010ffff"  # sorts after every character: [lo, lo + _TOP) is "starts with lo"


class _Conn(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...


def fold(text: str) -> str:
    """Case-folded (Unicode), accents kept: what a typed accent is compared with."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())


def key(text: str) -> str:
    """Case-folded with accents and special letters spelt plain."""
    return _plain(fold(text))


def _plain(folded: str) -> str:
    spelt = unicodedata.normalize("NFD", folded.translate(_SPELT))
    return unicodedata.normalize("NFC", "".join(c for c in spelt if not unicodedata.combining(c)))


def terms(name: str) -> set[str]:
    """Every suffix of every word of the name's key, cut at TERM_MAX."""
    return _terms(key(name))


def _terms(name_key: str) -> set[str]:
    out: set[str] = set()
    for word in _WORD.findall(name_key):
        out.update(word[i : i + TERM_MAX] for i in range(len(word)))
    return out


def query_words(text: str) -> list[tuple[str, str]]:
    """The typed words as (key, fold) pairs; a pair differs where an accent was typed."""
    return [(key(w), w) for w in _WORD.findall(fold(text)) if key(w)]


def reindex(conn: _Conn, skus: Iterable[str]) -> None:
    """Bring the folded columns and terms of these items in step with their names
    (the shared name and every store's own). Call inside the write that changed them."""
    if "item_name_terms" not in _tables(conn):
        return  # a database from before m005 (being migrated): m005 indexes every name
    skus = sorted(set(skus))
    for start in range(0, len(skus), 5000):
        _reindex_chunk(conn, skus[start : start + 5000])


def _tables(conn: _Conn) -> set[str]:
    """A Db knows its tables on either engine; a migration's raw connection is SQLite's."""
    if hasattr(conn, "tables"):
        return conn.tables()
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def _reindex_chunk(conn: _Conn, chunk: list[str]) -> None:
    marks = ",".join("?" * len(chunk))
    conn.execute(f"DELETE FROM item_name_terms WHERE sku IN ({marks})", chunk)
    found: set[tuple[str, str]] = set()
    shared = []
    for sku, name in conn.execute(f"SELECT sku, name FROM items WHERE sku IN ({marks})", chunk):
        folded = fold(name)
        name_key = _plain(folded)
        shared.append((folded, name_key, sku))
        found.update((t, sku) for t in _terms(name_key))
    conn.executemany("UPDATE items SET name_fold = ?, name_key = ? WHERE sku = ?", shared)
    own = []
    rows = conn.execute(
        f"SELECT store_id, sku, name FROM store_items WHERE sku IN ({marks})", chunk
    )
    for store, sku, name in rows:
        folded = fold(name) if name else None
        name_key = _plain(folded) if folded is not None else None
        own.append((folded, name_key, store, sku))
        if name_key:
            found.update((t, sku) for t in _terms(name_key))
    conn.executemany(
        "UPDATE store_items SET name_fold = ?, name_key = ? WHERE store_id = ? AND sku = ?", own
    )
    # In key order: the new rows append to the index's pages instead of splitting them.
    conn.executemany("INSERT INTO item_name_terms (term, sku) VALUES (?, ?)", sorted(found))


def reindex_all(conn: _Conn) -> None:
    """Fill the folded columns and terms for every item (the migration, a repair)."""
    reindex(conn, [r[0] for r in conn.execute("SELECT sku FROM items")])


def search_sql(
    columns: str, text: str, store_id: str | None, limit: int, *, active_only: bool = True
) -> tuple[str, list]:
    """The query for items whose name contains every typed word (folded as above),
    or whose SKU starts with what was typed; each typed word is a substring of a
    word of the name. Driven by a range on item_name_terms' primary key and on
    items' primary key, never a scan of the catalog. ``active_only``: what the till
    sells; the back office finds inactive items too, to edit them."""
    on = "1" if active_only else "0"  # i.active >= 0 holds for every item
    raw = text.strip()
    words = query_words(raw)
    name = "COALESCE(si.{0}, i.{0})"
    # The store joined as st: the columns read its currency's price (core.catalog.prices).
    frm = (
        " FROM items i LEFT JOIN stores st ON st.id = ?"
        " LEFT JOIN store_items si ON si.sku = i.sku AND si.store_id = st.id"
    )
    if not words:
        if raw:  # only punctuation typed: a SKU prefix at most
            sql = f"SELECT {columns}{frm} WHERE i.sku >= ? AND i.sku < ? AND i.active >= {on}"
            return sql + " ORDER BY i.sku LIMIT ?", [store_id, raw, raw + _TOP, limit]
        return f"SELECT {columns}{frm} WHERE i.active >= {on} ORDER BY i.sku LIMIT ?", [
            store_id,
            limit,
        ]
    drive = max((w[0] for w in words), key=len)[:TERM_MAX]
    sku_lo, sku_hi = (raw, raw + _TOP) if not any(c.isspace() for c in raw) else ("", "")
    # The longest typed word drives a range on the terms' key; each item found there
    # is checked against its whole name (as this store sells it) for every typed
    # word, before the cap, so the cap never hides a match behind non-matches.
    checks, params = [], []
    for word_key, word_fold in words:
        checks.append(f"instr({name.format('name_key')}, ?) > 0")
        params.append(word_key)
        if word_fold != word_key:  # an accent or special letter was typed: keep it
            checks.append(f"instr({name.format('name_fold')}, ?) > 0")
            params.append(word_fold)
    typed = fold(raw)
    sql = (
        f"SELECT {columns} FROM ("
        " SELECT sku FROM (SELECT DISTINCT t.sku FROM item_name_terms t"
        " JOIN items i ON i.sku = t.sku"
        " LEFT JOIN store_items si ON si.sku = t.sku AND si.store_id = ?"
        f" WHERE t.term >= ? AND t.term < ? AND i.active >= {on} AND {' AND '.join(checks)}"
        " LIMIT ?)"
        " UNION SELECT sku FROM (SELECT sku FROM items WHERE sku >= ? AND sku < ?"
        f" AND active >= {on} LIMIT ?)"
        ") c"
        " JOIN items i ON i.sku = c.sku LEFT JOIN stores st ON st.id = ?"
        " LEFT JOIN store_items si ON si.sku = i.sku AND si.store_id = st.id"
        f" ORDER BY i.sku = ? DESC, substr({name.format('name_fold')}, 1, ?) = ? DESC,"
        f" {name.format('name_fold')}, i.sku LIMIT ?"
    )
    return sql, [
        store_id,
        drive,
        drive + _TOP,
        *params,
        CANDIDATES_MAX,
        sku_lo,
        sku_hi,
        limit,
        store_id,
        raw,
        len(typed),
        typed,
        limit,
    ]
