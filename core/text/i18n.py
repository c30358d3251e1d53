"""gettext for kassi: English source strings, Danish and Icelandic catalogs in data/locale.

The .po file is what a translator edits and what git holds. At the first message of a
language it is compiled in memory into the GNU .mo format (the logic of CPython's
Tools/i18n/msgfmt.py) and handed to the standard library's ``gettext.GNUTranslations``,
which evaluates the catalog's ``Plural-Forms`` rule for ``ngettext``. So a fresh clone
needs no compile step, and no compiled file can go stale beside its .po.
"""

from __future__ import annotations

import gettext as _stdlib_gettext
import io
import re
import struct
from pathlib import Path

import attrs

LANGUAGES = ("en", "da", "is")
LOCALE_DIR = Path(__file__).resolve().parents[2] / "data" / "locale"

# The plural rule of each catalog (C syntax, as gettext's Plural-Forms header has it).
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "da": "nplurals=2; plural=(n != 1);",
    "is": "nplurals=2; plural=(n % 10 != 1 || n % 100 == 11);",
}

_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    """The value of a .po string literal ("..." with C escapes)."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a .po string: {text!r}")
    body = text[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), body)


_translations: dict[str, _stdlib_gettext.NullTranslations] = {}
# {lang: {msgid: msgstr}}: the singular messages of each loaded catalog (the very dict
# GNUTranslations looks them up in), for the plain _() lookup on every repaint.
_catalogs: dict[str, dict[str, str]] = {}
_current = "en"


@attrs.frozen
class PoEntry:
    """One message of a .po file; ``msgstr`` holds one string, or one per plural form."""

    msgid: str
    msgstr: tuple[str, ...]
    msgid_plural: str | None = None
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr)


def read_po(text: str) -> list[PoEntry]:
    """Every entry of .po text, the header (msgid "") included, in file order."""
    entries: list[PoEntry] = []
    fields: dict[str, list[str]] = {}
    target: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal fields, target, fuzzy
        if "msgid" in fields:
            forms = sorted(k for k in fields if k.startswith("msgstr["))
            if forms:
                msgstr = tuple("".join(fields[k]) for k in forms)
            else:
                msgstr = ("".join(fields.get("msgstr", [])),)
            plural = fields.get("msgid_plural")
            entries.append(
                PoEntry(
                    "".join(fields["msgid"]),
                    msgstr,
                    "".join(plural) if plural is not None else None,
                    fuzzy,
                )
            )
        fields, target, fuzzy = {}, None, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            if "msgid" in fields:
                flush()  # a comment starts the next entry (no blank line between)
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
        elif line.startswith('"'):
            if target is not None:
                target.append(_unquote(line))
        else:
            keyword, _sep, rest = line.partition(" ")
            if keyword == "msgid" and "msgid" in fields:
                flush()
            target = fields.setdefault(keyword, [])
            target.append(_unquote(rest))
    flush()
    return entries


def parse_po(text: str) -> dict[str, str]:
    """Return {msgid: msgstr} of the translated singular entries of .po text."""
    return {
        e.msgid: e.msgstr[0]
        for e in read_po(text)
        if e.msgid and e.msgid_plural is None and e.translated
    }


def compile_mo(entries: list[PoEntry]) -> bytes:
    """GNU .mo bytes of the translated entries (fuzzy and empty ones left out, as msgfmt)."""
    messages: dict[bytes, bytes] = {}
    for e in entries:
        if not e.msgid:
            messages[b""] = e.msgstr[0].encode("utf-8")  # the header, with Plural-Forms
        elif e.translated:
            key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
            messages[key.encode("utf-8")] = "\0".join(e.msgstr).encode("utf-8")
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + key_start]
        voffsets += [l2, o2 + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return header + struct.pack(f"{len(koffsets + voffsets)}i", *koffsets, *voffsets) + ids + strs


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "kassi.po"


def translations(lang: str) -> _stdlib_gettext.NullTranslations:
    """The standard library's translations object for a language (English: the source)."""
    if lang not in _translations:
        path = po_path(lang)
        if lang == "en" or not path.exists():
            _translations[lang] = _stdlib_gettext.NullTranslations()
        else:
            mo = compile_mo(read_po(path.read_text("utf-8")))
            _translations[lang] = _stdlib_gettext.GNUTranslations(io.BytesIO(mo))
    return _translations[lang]


def catalog(lang: str) -> dict[str, str]:
    """{msgid: msgstr} of a language's messages (plural ones are keyed (msgid, form))."""
    if lang not in _catalogs:
        _catalogs[lang] = getattr(translations(lang), "_catalog", {})
    return _catalogs[lang]


def set_language(lang: str) -> None:
    """Choose the language of every message from now on (en, da or is)."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _current = lang


def current_language() -> str:
    return _current


def gettext(message: str) -> str:
    if _current == "en":
        return message
    return catalog(_current).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for a count n, by the current language's plural rule:
    ``ngettext("{n} line", "{n} lines", n).format(n=n)``."""
    return translations(_current).ngettext(singular, plural, n)


def translate(message: str, lang: str) -> str:
    """Translate into a given language without changing the current one (receipts)."""
    return message if lang == "en" else catalog(lang).get(message, message)


def ntranslate(singular: str, plural: str, n: int, lang: str) -> str:
    """ngettext into a given language without changing the current one (receipts)."""
    return translations(lang).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message
