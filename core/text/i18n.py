"""gettext for kassi: English source strings, Danish and Icelandic catalogs in data/locale.

The .po file is what a translator edits and what git holds. At the first message of a
language, Babel reads it and compiles it in memory to the GNU .mo format, which the
standard library's ``gettext.GNUTranslations`` looks messages up in, evaluating the
catalog's ``Plural-Forms`` rule for ``ngettext`` and keying a message with a context
(msgctxt) as "context\\x04msgid". Compiling at first use rather than shipping .mo files
built by make: a fresh clone or editable install needs no build step, no binary sits in
git, and no compiled file can go stale beside its .po. It costs ~45 ms per language,
once per process (tests/i18n/measure_babel.py), and Babel is imported only then, so an
English run never loads it.
"""

from __future__ import annotations

import gettext as _stdlib_gettext
import io
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

LANGUAGES = ("en", "da", "is")
LOCALE_DIR = Path(__file__).resolve().parents[2] / "data" / "locale"

# The plural rule of each catalog (C syntax, as gettext's Plural-Forms header has it).
# Ours, not Babel's table: the catalog's header is what gettext evaluates, and the
# catalog test holds each .po to this line.
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "da": "nplurals=2; plural=(n != 1);",
    "is": "nplurals=2; plural=(n % 10 != 1 || n % 100 == 11);",
}

# How GNU gettext joins a context to its msgid in a compiled catalog.
CONTEXT_SEPARATOR = "\x04"

_translations: dict[str, _stdlib_gettext.NullTranslations] = {}
# {lang: {msgid: msgstr}}: the singular messages of each loaded catalog (the very dict
# GNUTranslations looks them up in), for the plain _() lookup on every repaint.
_catalogs: dict[str, dict[str, str]] = {}
_current = "en"


def read_po(source: IO[str] | IO[bytes] | str, *, strict: bool = False) -> Catalog:
    """Babel's catalog of .po text or a .po file object; ``strict`` raises on a syntax
    error (the catalog test), else Babel logs it and skips the entry (a till keeps
    running on a half-edited catalog)."""
    from babel.messages.pofile import read_po as babel_read_po

    fileobj = io.StringIO(source) if isinstance(source, str) else source
    return babel_read_po(fileobj, abort_invalid=strict)


def compile_mo(catalog: Catalog) -> bytes:
    """GNU .mo bytes of a catalog's translated messages: fuzzy, empty and partly
    translated plural entries are left out, so they show in English rather than blank."""
    from babel.messages.mofile import write_mo

    for message in list(catalog)[1:]:
        if message.pluralizable and not all(message.string):
            catalog.delete(message.id, message.context)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "kassi.po"


def translations(lang: str) -> _stdlib_gettext.NullTranslations:
    """The standard library's translations object for a language (English: the source)."""
    if lang not in _translations:
        path = po_path(lang)
        if lang == "en" or not path.exists():
            _translations[lang] = _stdlib_gettext.NullTranslations()
        else:
            with path.open("rb") as po:
                mo = compile_mo(read_po(po))
            _translations[lang] = _stdlib_gettext.GNUTranslations(io.BytesIO(mo))
    return _translations[lang]


def catalog(lang: str) -> dict[str, str]:
    """{msgid: msgstr} of a language's messages (plural ones are keyed (msgid, form);
    a message with a context, "context\\x04msgid")."""
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


def pgettext(context: str, message: str) -> str:
    """A message whose English is ambiguous, told apart by a context the translator
    sees as msgctxt: ``pgettext("session start time", "Start")``."""
    return ptranslate(context, message, _current)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for a count n, by the current language's plural rule:
    ``ngettext("{n} line", "{n} lines", n).format(n=n)``."""
    return translations(_current).ngettext(singular, plural, n)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """ngettext of a message with a context."""
    return translations(_current).npgettext(context, singular, plural, n)


def translate(message: str, lang: str) -> str:
    """Translate into a given language without changing the current one (receipts)."""
    return message if lang == "en" else catalog(lang).get(message, message)


def ptranslate(context: str, message: str, lang: str) -> str:
    """pgettext into a given language without changing the current one (receipts)."""
    if lang == "en":
        return message
    return catalog(lang).get(f"{context}{CONTEXT_SEPARATOR}{message}", message)


def ntranslate(singular: str, plural: str, n: int, lang: str) -> str:
    """ngettext into a given language without changing the current one (receipts)."""
    return translations(lang).ngettext(singular, plural, n)


def nptranslate(context: str, singular: str, plural: str, n: int, lang: str) -> str:
    """npgettext into a given language without changing the current one (receipts)."""
    return translations(lang).npgettext(context, singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message
