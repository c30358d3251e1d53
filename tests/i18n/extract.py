"""Find every user-facing string in the source and merge them into the .po catalogs.

    python -m tests.i18n.extract          # add new msgids to data/locale/*/kassi.po

Strings are: the argument of _(), N_(), gettext(), translate(), _bad() and a receipt
builder's .t() / .pair(); and a Binding's description (the footer labels,
translated when the footer is drawn).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "tui", "hardware")
FUNCTIONS = {"_", "N_", "gettext", "translate", "_bad"}
METHODS = {"t", "pair"}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract(root: Path = ROOT) -> dict[str, list[str]]:
    """{msgid: [file:line, ...]} over the source tree."""
    found: dict[str, list[str]] = {}
    for package in SOURCES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"), str(path))
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
    path: Path, lang: str, messages: dict[str, list[str]], existing: dict[str, str]
) -> tuple[int, int]:
    """Rewrite a catalog: every current msgid, existing translations kept, sorted by
    first use. Returns (messages, untranslated)."""
    out = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {lang}\\n"',
        "",
    ]
    missing = 0
    for msgid, places in sorted(messages.items(), key=lambda kv: kv[1][0]):
        translation = existing.get(msgid, "")
        missing += not translation
        out.append("#: " + " ".join(places[:3]))
        out.append(f"msgid {_quote(msgid)}")
        out.append(f"msgstr {_quote(translation)}")
        out.append("")
    path.write_text("\n".join(out), "utf-8")
    return len(messages), missing


def main() -> int:
    from core.i18n import LOCALE_DIR, parse_po

    messages = extract()
    for lang in ("da", "is"):
        path = LOCALE_DIR / lang / "LC_MESSAGES" / "kassi.po"
        existing = parse_po(path.read_text("utf-8")) if path.exists() else {}
        total, missing = write_catalog(path, lang, messages, existing)
        print(f"{lang}: {total} messages, {missing} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
