"""Find every user-facing string in the source and merge them into the .po catalogs.

    python -m tests.i18n.extract          # add new msgids to data/locale/*/kassi.po

Strings are: the argument of _(), N_(), gettext(), translate(), _bad() and a receipt
builder's .t() / .pair(); a Binding's description (the footer labels, translated
when the footer is drawn); the singular and plural of ngettext() / ntranslate(),
written as plural entries (msgid_plural, msgstr[0], msgstr[1]) under the language's
Plural-Forms header; and the context (msgctxt) and message of pgettext() /
ptranslate() / npgettext() / nptranslate().

The source is read with ast rather than Babel's extractor: Babel's matches a keyword
by its name wherever it stands, so it cannot tell a receipt's ``b.t("...")`` from any
other ``t(...)``, and it does not read a Binding's ``description=`` keyword. The
catalogs are merged and written by Babel (``Catalog.update``, ``write_po``): an edited
msgid keeps its old translation marked fuzzy for the translator (left out at run time
and failed by the catalog test until checked), a removed one is dropped (git holds it).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "tui", "hardware")
FUNCTIONS = {"_", "N_", "gettext", "translate", "_bad"}
METHODS = {"t", "pair"}
# name -> (context, singular, plural) argument positions; called as a name or a method.
CONTEXT_FUNCTIONS = {"pgettext": (0, 1, None), "ptranslate": (0, 1, None)}
PLURAL_FUNCTIONS = {
    "ngettext": (None, 0, 1),
    "ntranslate": (None, 0, 1),
    "npgettext": (0, 1, 2),
    "nptranslate": (0, 1, 2),
}
PLACES_SHOWN = 3  # "#: file:line" references per entry, enough to find the screen

HEADER_COMMENT = """\
# kassi's messages in {language}.
# `make catalogs` writes this file from the source: translate the msgstr lines. A
# "#, fuzzy" entry holds the translation of an edited msgid, to check (then drop the flag)."""

Key = tuple[str | None, str]  # (msgctxt or None, msgid)


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _trees(root: Path):
    for package in SOURCES:
        for path in sorted((root / package).rglob("*.py")):
            yield path, ast.parse(path.read_text("utf-8"), str(path))


def _arg(node: ast.Call, index: int | None) -> str | None:
    if index is None or len(node.args) <= index:
        return None
    return _literal(node.args[index])


def _messages(root: Path) -> Iterator[tuple[Key, str | None, str]]:
    """(context, msgid), plural or None, "file:line" of each message in the source."""
    for path, tree in _trees(root):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(root)}:{node.lineno}"
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            spec = CONTEXT_FUNCTIONS.get(name) or PLURAL_FUNCTIONS.get(name)
            if spec:
                context_at, singular_at, plural_at = spec
                context, singular = _arg(node, context_at), _arg(node, singular_at)
                plural = _arg(node, plural_at)
                complete = context_at is None or context
                if singular and complete and (plural_at is None or plural):
                    yield (context, singular), plural, where
                continue
            candidates: list[ast.AST] = []
            named = isinstance(func, ast.Name) and func.id in FUNCTIONS
            method = isinstance(func, ast.Attribute) and func.attr in METHODS
            if (named or method) and node.args:
                candidates.append(node.args[0])
            elif isinstance(func, ast.Name) and func.id == "Binding":
                if len(node.args) >= 3:
                    candidates.append(node.args[2])
                candidates += [k.value for k in node.keywords if k.arg == "description"]
            for cand in candidates:
                text = _literal(cand)
                if text:
                    yield (None, text), None, where


def extract(root: Path = ROOT) -> dict[Key, list[str]]:
    """{(context, msgid): [file:line, ...]} of the singular messages over the source tree."""
    found: dict[Key, list[str]] = {}
    for key, plural, where in _messages(root):
        if plural is None:
            found.setdefault(key, []).append(where)
    return found


def extract_plurals(root: Path = ROOT) -> dict[Key, tuple[str, list[str]]]:
    """{(context, singular): (plural, [file:line, ...])} of the plural messages."""
    found: dict[Key, tuple[str, list[str]]] = {}
    for key, plural, where in _messages(root):
        if plural is not None:
            found.setdefault(key, (plural, []))[1].append(where)
    return found


def template(
    messages: dict[Key, list[str]], plurals: dict[Key, tuple[str, list[str]]] | None = None
):
    """A Babel catalog of the source's messages, untranslated, in order of first use."""
    from babel.messages.catalog import Catalog

    entries: dict[Key, tuple[str | None, list[str]]] = {k: (None, p) for k, p in messages.items()}
    entries.update(plurals or {})
    pot = Catalog(project="kassi", fuzzy=False)
    for (context, msgid), (plural, places) in sorted(entries.items(), key=lambda kv: kv[1][1][0]):
        locations = [(f, int(line)) for f, _sep, line in (p.rpartition(":") for p in places)]
        pot.add(
            msgid if plural is None else (msgid, plural),
            locations=locations[:PLACES_SHOWN],
            context=context,
        )
    return pot


def write_catalog(
    path: Path,
    lang: str,
    messages: dict[Key, list[str]],
    plurals: dict[Key, tuple[str, list[str]]] | None = None,
) -> tuple[int, int]:
    """Merge the source's messages into a language's catalog (existing translations
    kept, every message in order of first use, a plural one with one msgstr[i] per
    plural form of the language) and write it. Returns (messages, untranslated)."""
    from importlib.metadata import version

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from core.text.i18n import PLURAL_FORMS, read_po

    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, strict=True)
    else:
        catalog = Catalog(locale=lang, fuzzy=False)
    if not catalog.header_comment.strip():
        catalog.header_comment = HEADER_COMMENT.format(language=catalog.locale.english_name)
    # Headers once named stay as they are (the translator's Last-Translator, ...): a
    # release or another day must not rewrite every catalog.
    if catalog.project in ("", "PROJECT"):
        catalog.project, catalog.version = "kassi", version("kassi")
    catalog.mime_headers = [("Language", lang), ("Plural-Forms", PLURAL_FORMS[lang])]
    catalog.update(template(messages, plurals), update_creation_date=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        # One line per string (width 0): a msgid greps whole, and diffs stay one line.
        write_po(po, catalog, width=0, ignore_obsolete=True)
    missing = sum(1 for m in list(catalog)[1:] if untranslated(m))
    return len(catalog) - 1, missing


def untranslated(message) -> bool:
    """Not shown translated at run time: empty, partly empty (plural) or fuzzy."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return message.fuzzy or not all(forms)


def main() -> int:
    from core.text.i18n import po_path

    messages = extract()
    plurals = extract_plurals()
    for lang in ("da", "is"):
        total, missing = write_catalog(po_path(lang), lang, messages, plurals)
        print(f"{lang}: {total} messages, {missing} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
