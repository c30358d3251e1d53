"""Find every user-facing string in the source and merge them into the .po catalogs.

    python -m tests.i18n.extract          # add new msgids to data/locale/*/kassi.po

Strings are: the argument of _(), N_(), gettext(), translate(), _bad() and a receipt
builder's .t() / .pair(); a Binding's description (the footer labels, translated
when the footer is drawn); and the singular and plural of ngettext() / ntranslate(),
written as plural entries (msgid_plural, msgstr[0], msgstr[1]) under the language's
Plural-Forms header.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "tui", "hardware")
FUNCTIONS = {"_", "N_", "gettext", "translate", "_bad"}
PLURAL_FUNCTIONS = {"ngettext", "ntranslate"}
METHODS = {"t", "pair"}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract_plurals(root: Path = ROOT) -> dict[str, tuple[str, list[str]]]:
    """{singular: (plural, [file:line, ...])} of every ngettext() / ntranslate() call."""
    found: dict[str, tuple[str, list[str]]] = {}
    for path, tree in _trees(root):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in PLURAL_FUNCTIONS:
                continue
            singular, plural = _literal(node.args[0]), _literal(node.args[1])
            if singular and plural:
                where = f"{path.relative_to(root)}:{node.lineno}"
                found.setdefault(singular, (plural, []))[1].append(where)
    return found


def _trees(root: Path):
    for package in SOURCES:
        for path in sorted((root / package).rglob("*.py")):
            yield path, ast.parse(path.read_text("utf-8"), str(path))


def extract(root: Path = ROOT) -> dict[str, list[str]]:
    """{msgid: [file:line, ...]} of the singular messages over the source tree."""
    found: dict[str, list[str]] = {}
    for path, tree in _trees(root):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args and not node.keywords:
                continue
            func = node.func
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
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    found.setdefault(text, []).append(where)
    return found


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def write_catalog(
    path: Path,
    lang: str,
    messages: dict[str, list[str]],
    existing: dict[str, tuple[str, ...]],
    plurals: dict[str, tuple[str, list[str]]] | None = None,
) -> tuple[int, int]:
    """Rewrite a catalog: every current msgid, existing translations kept, sorted by
    first use; plural messages get one msgstr[i] per plural form of the language.
    Returns (messages, untranslated)."""
    from core.text.i18n import PLURAL_FORMS

    plurals = plurals or {}
    nplurals = int(PLURAL_FORMS[lang].split(";")[0].split("=")[1])
    out = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {lang}\\n"',
        f'"Plural-Forms: {PLURAL_FORMS[lang]}\\n"',
        "",
    ]
    entries = {m: (None, places) for m, places in messages.items()}
    entries.update(plurals)
    missing = 0
    for msgid, (plural, places) in sorted(entries.items(), key=lambda kv: kv[1][1][0]):
        translation = existing.get(msgid, ())
        out.append("#: " + " ".join(places[:3]))
        out.append(f"msgid {_quote(msgid)}")
        if plural is None:
            text = translation[0] if len(translation) == 1 else ""
            missing += not text
            out.append(f"msgstr {_quote(text)}")
        else:
            forms = list(translation) if len(translation) == nplurals else [""] * nplurals
            missing += not all(forms)
            out.append(f"msgid_plural {_quote(plural)}")
            out += [f"msgstr[{i}] {_quote(form)}" for i, form in enumerate(forms)]
        out.append("")
    path.write_text("\n".join(out), "utf-8")
    return len(entries), missing


def main() -> int:
    from core.text.i18n import po_path, read_po

    messages = extract()
    plurals = extract_plurals()
    for lang in ("da", "is"):
        path = po_path(lang)
        existing = {}
        if path.exists():
            existing = {e.msgid: e.msgstr for e in read_po(path.read_text("utf-8")) if e.msgid}
        total, missing = write_catalog(path, lang, messages, existing, plurals)
        print(f"{lang}: {total} messages, {missing} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
