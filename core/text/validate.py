"""One validator per kind of value that a person or a file gives kassi (SPEC R-4, R-5).

Each takes what was typed (or read from a file) and returns the value kassi
stores, or raises `InputError` with one translated line that says what is wrong.
They are called once, where input enters: the CLI's parameter types
(tui.cli.params) and the core services' public functions that the TUI and the
imports call. Nothing here touches the database.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any

from core.errors import InputError
from core.text.i18n import _

INT64_MAX = 2**63 - 1
"""The largest integer SQLite stores; a larger one would raise OverflowError."""

ID_MAX = 32
CODE_MAX = 64  # SKUs and barcodes
NOTE_MAX = 500
JSON_MAX_DEPTH = 8
JSON_MAX_BYTES = 64 * 1024
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

NAME_MAX = {
    "item": 80,
    "store": 80,
    "customer": 80,
    "staff": 60,
    "terminal": 40,
    "tender": 40,
    "address": 200,
    "vat_number": 40,
    "email": 120,
    "phone": 40,
}

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CODE = re.compile(r"[!-~]+")  # printable ASCII without the space
_DIGITS = re.compile(r"[0-9]+")
# Bidirectional overrides and isolates reorder what a terminal shows (a "Trojan
# source" name); zero-width and BOM characters hide text. None belongs in a name.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u2060\ufeff") | frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
_TRUE = frozenset({"1", "on", "true", "yes"})
_FALSE = frozenset({"0", "off", "false", "no"})


def shown(text: str, limit: int = 24) -> str:
    """The user's input as echoed in a message: cut, with controls made visible."""
    cut = text if len(text) <= limit else text[: limit - 1] + "\u2026"
    return repr(cut)


def _bad_char(text: str, allowed: str = "") -> str | None:
    for ch in text:
        if ch in allowed:
            continue
        if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return ch
    return None


# -- identifiers and codes -------------------------------------------------------------


def ident(value: str, what: str, max_len: int = ID_MAX) -> str:
    """A store, terminal, tender, staff or customer id: ASCII letters, digits, - _ ."""
    if not isinstance(value, str) or not _ID.fullmatch(value) or len(value) > max_len:
        raise InputError(
            _("{what} id {value} is not valid: use 1-{n} letters, digits, '-', '_' or '.'.").format(
                what=what, value=shown(str(value)), n=max_len
            )
        )
    return value


def code(value: str, what: str) -> str:
    """A SKU or a barcode: 1-64 printable ASCII characters, no spaces."""
    text = value.strip() if isinstance(value, str) else ""
    if not _CODE.fullmatch(text) or len(text) > CODE_MAX:
        raise InputError(
            _(
                "{what} {value} is not valid: 1-{n} ASCII letters, digits or signs, no spaces."
            ).format(what=what, value=shown(str(value)), n=CODE_MAX)
        )
    return text


def whole_number(value: str | int, what: str, *, minimum: int = 0, maximum: int = INT64_MAX) -> int:
    """A count, a quantity, a number: ASCII digits only, within ``minimum``..``maximum``.

    Unicode digits (Arabic-Indic, full-width ...) are refused: Python's int() reads
    them, a person checking the screen would not."""
    if isinstance(value, bool):
        raise InputError(_("{what} must be a whole number.").format(what=what))
    if isinstance(value, int):
        number = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        negative = text.startswith("-")
        digits = text[1:] if negative else text
        if not _DIGITS.fullmatch(digits):
            raise InputError(
                _("{what} must be a whole number in digits 0-9; got {value}.").format(
                    what=what, value=shown(str(value))
                )
            )
        # Never build a huge int from a huge input: 20 digits already exceed int64.
        number = INT64_MAX + 1 if len(digits.lstrip("0")) > 19 else int(digits)
        number = -number if negative else number
    if not minimum <= number <= maximum:
        raise InputError(
            _("{what} must be from {minimum} to {maximum}; got {value}.").format(
                what=what,
                minimum=minimum,
                maximum=maximum,
                value=shown(str(value)),
            )
        )
    return number


def record_id(value: str | int, what: str) -> int:
    """A session, statement or receipt number: 1 .. the largest SQLite integer."""
    return whole_number(value, what, minimum=1)


def stock(value: str | int) -> int:
    """Stock on hand: a whole number, never negative."""
    return whole_number(value, _("Stock on hand"), minimum=0, maximum=10**9)


# -- text ------------------------------------------------------------------------------


def name(value: str, kind: str, *, required: bool = True) -> str:
    """A name of ``kind`` (see NAME_MAX): stripped, not empty, bounded, no control,
    escape, bidi-override or invisible characters (R-4, R-6 at entry)."""
    limit = NAME_MAX[kind]
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if not required:
            return ""
        raise InputError(_("A name is required; it cannot be empty."))
    if len(text) > limit:
        raise InputError(
            _("A name can be at most {n} characters; this one has {count}.").format(
                n=limit, count=len(text)
            )
        )
    bad = _bad_char(text)
    if bad is not None:
        raise InputError(
            _("The name {value} holds a control character (U+{code:04X}); type it again.").format(
                value=shown(text), code=ord(bad)
            )
        )
    return text


def note(value: str, *, required: bool = False, max_len: int = NOTE_MAX) -> str:
    """A note or reason: bounded; tabs and newlines allowed, other controls refused."""
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise InputError(_("A note is required: say why the cash moves."))
    if len(text) > max_len:
        raise InputError(_("A note can be at most {n} characters.").format(n=max_len))
    bad = _bad_char(text, allowed="\t\n")
    if bad is not None:
        raise InputError(
            _(
                "The note holds a control character (U+{code:04X}); only tab and newline may."
            ).format(code=ord(bad))
        )
    return text


def boolean(value: str | bool | int, what: str) -> bool:
    """on/off, true/false, yes/no, 1/0 in any case (R-5); anything else is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(
        _("{what} is on or off (on/off, yes/no, true/false, 1/0); got {value}.").format(
            what=what, value=shown(str(value))
        )
    )


# -- dates -----------------------------------------------------------------------------


def day(value: str | date) -> date:
    """A calendar date YYYY-MM-DD in 2000-01-01 .. 2099-12-31."""
    if isinstance(value, date):
        parsed = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise InputError(_("A date is YYYY-MM-DD; got {text}.").format(text=shown(str(value))))
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            raise InputError(
                _("A date is YYYY-MM-DD; got {text}.").format(text=shown(text))
            ) from None
    check_day_range(parsed)
    return parsed


def check_day_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InputError(
            _("A date must be from {first} to {last}; got {day}.").format(
                first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat(), day=value.isoformat()
            )
        )
    return value


# -- structured input ------------------------------------------------------------------


def _depth(value: Any, limit: int) -> int:
    """Depth of nested lists/objects, without recursion (stops past ``limit``)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def json_value(
    text: str | bytes,
    what: str,
    *,
    max_depth: int = JSON_MAX_DEPTH,
    max_bytes: int = JSON_MAX_BYTES,
) -> Any:
    """Parse JSON from a person or a file, bounded in size and nesting depth.

    The depth is checked before parsing too: json.loads recurses and a deep
    enough document raises RecursionError instead of an answer."""
    if len(text) > max_bytes:
        raise InputError(_("{what} is too long: at most {n} bytes.").format(what=what, n=max_bytes))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(_("{what} is not UTF-8 text.").format(what=what)) from None
    nesting = level = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            level += 1
            nesting = max(nesting, level)
            if nesting > max_depth:
                break
        elif ch in "]}":
            level -= 1
    if nesting > max_depth:
        raise InputError(
            _("{what} is nested too deeply: at most {n} levels.").format(what=what, n=max_depth)
        )
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise InputError(
            _("{what} is not valid JSON: {error}").format(what=what, error=detail)
        ) from None


def json_object(text: str | bytes, what: str) -> dict[str, Any]:
    value = json_value(text, what)
    if not isinstance(value, dict):
        raise InputError(_("{what} must be a JSON object.").format(what=what))
    return value


def utf8_text(data: bytes, what: str) -> str:
    """A text file (CSV, JSON Lines) as UTF-8, with or without a byte-order mark."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            _(
                "{what} is not UTF-8 (byte {offset} cannot be read); save it as UTF-8"
                " (e.g. from Latin-1 / Windows-1252) and try again."
            ).format(what=what, offset=exc.start + 1)
        ) from None
    if "\x00" in text:
        raise InputError(_("{what} holds NUL bytes: it is not a text file.").format(what=what))
    return text
