"""gettext for kassi: English source strings, Danish and Icelandic catalogs in data/locale.

The catalogs are plain .po files read at start-up, so there is no compile step
for a fresh machine (no msgfmt needed) and a translator edits one file.
"""

from __future__ import annotations

import ast
from pathlib import Path

LANGUAGES = ("en", "da", "is")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "data" / "locale"

_catalogs: dict[str, dict[str, str]] = {}
_current = "en"


def parse_po(text: str) -> dict[str, str]:
    """Return {msgid: msgstr} from .po text; fuzzy and untranslated entries are skipped."""
    out: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    target: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        if msgid is not None and msgstr is not None and not fuzzy:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                out[key] = value

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            msgid = msgstr = target = None
            fuzzy = True
        elif line.startswith("msgid "):
            if msgstr is not None:
                flush()
                fuzzy = False if msgid is not None else fuzzy
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            target = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        elif not line:
            flush()
            msgid = msgstr = target = None
            fuzzy = False
    flush()
    return out


def catalog(lang: str) -> dict[str, str]:
    if lang not in _catalogs:
        path = LOCALE_DIR / lang / "LC_MESSAGES" / "kassi.po"
        _catalogs[lang] = parse_po(path.read_text("utf-8")) if path.exists() else {}
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


def translate(message: str, lang: str) -> str:
    """Translate into a given language without changing the current one (receipts)."""
    return message if lang == "en" else catalog(lang).get(message, message)


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message
