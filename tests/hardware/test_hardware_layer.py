"""Layers (DESIGN, SPEC P-3): hardware turns documents into bytes and bytes into a device.
It may read core's documents, the printer protocol and settings, errors and messages;
never the business modules (sales, sessions, the queue, the database): what prints and
when the drawer opens are core's decisions, not the printer's.

core.printing.layout and core.printing.setting_keys were split out of documents and
settings (issue 13) and are the same kind of thing: pure document and settings data
with no I/O and no business module behind them, so hardware may read them too."""

from __future__ import annotations

import ast
from pathlib import Path

import hardware

HARDWARE = Path(hardware.__file__).resolve().parent
CORE = HARDWARE.parent / "core"
ALLOWED = {
    "core.printing.documents",
    "core.printing.port",
    "core.printing.settings",
    "core.printing.layout",
    "core.printing.setting_keys",
    "core.errors",
    "core.text.i18n",
}


def _core_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "core":
                found += [(node.lineno, f"core.{a.name}") for a in node.names]
            elif node.module.startswith("core.") and (CORE / node.module[5:]).is_dir():
                # a capability package: the names imported from it are its modules
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
            elif node.module.startswith("core."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("core")]
    return found


def test_hardware_reads_only_documents_and_the_printer_protocol_from_core() -> None:
    """P-3: the arrow hardware -> core.tills.sales (and every other business module) is gone."""
    offenders = [
        f"{path.name}:{line} imports {name}"
        for path in sorted(HARDWARE.glob("*.py"))
        for line, name in _core_imports(ast.parse(path.read_text("utf-8")))
        if name not in ALLOWED
    ]
    assert offenders == []
