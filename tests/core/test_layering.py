"""Layering (DESIGN "Layers"): core knows nothing of Textual, escpos, click, tui or
hardware, and never computes money with floats (M-1)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import core

CORE = Path(core.__file__).resolve().parent
ROOT = CORE.parent
UI_AND_DEVICES = ("textual", "escpos", "click", "tui", "hardware")

# Runs in a fresh interpreter: imports every module of core/ and reports what got
# loaded, and for each UI/device package who asked for it first (the nearest frame
# outside the import machinery).
PROBE = r"""
import importlib, json, pkgutil, sys

WATCH = set(sys.argv[1].split(","))
first_importer = {}

class Spy:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in WATCH and top not in first_importer:
            frame = sys._getframe(1)
            while frame and (
                frame.f_code.co_filename.startswith("<frozen")
                or "importlib" in frame.f_code.co_filename
            ):
                frame = frame.f_back
            first_importer[top] = frame.f_code.co_filename if frame else "?"
        return None

sys.meta_path.insert(0, Spy())
import core
names = sorted(m.name[5:] for m in pkgutil.walk_packages(core.__path__, "core."))
for name in names:
    importlib.import_module("core." + name)
print(json.dumps({"core": names, "modules": sorted(sys.modules), "importers": first_importer}))
"""


def _probe() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(UI_AND_DEVICES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_importing_all_of_core_loads_no_ui_or_device_code():
    """DESIGN layers: a fresh interpreter imports every core module: textual, escpos, tui and
    hardware are never loaded, and nothing in core/ is what asks for click.

    sqlite-utils (the chosen persistence library) imports click itself in sqlite_utils.utils, so
    click may be in sys.modules; it must come from there."""
    result = _probe()
    assert {"store.db", "money.amounts", "tills.sessions", "tills.sales", "audit.journal"} <= set(
        result["core"]
    )
    loaded = {name.partition(".")[0] for name in result["modules"]}
    for package in ("textual", "escpos", "tui", "hardware"):
        assert package not in loaded, result["importers"].get(package)
    for package, importer in result["importers"].items():
        assert not Path(importer).resolve().is_relative_to(CORE), (package, importer)
    if "click" in loaded:
        assert "sqlite_utils" in Path(result["importers"]["click"]).parts


def _core_sources():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) >= 10
    return [(path, ast.parse(path.read_text("utf-8"), str(path))) for path in files]


def test_core_source_never_imports_ui_or_device_packages():
    """DESIGN layers: static check, also of imports inside functions (the probe cannot see them)."""
    offenders = []
    for path, tree in _core_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.partition(".")[0] in UI_AND_DEVICES:
                    offenders.append(f"{path.name}:{node.lineno} imports {name}")
    assert offenders == []


def test_core_has_no_float_calls():
    """M-1: amounts are ints; no float() anywhere in core."""
    offenders = [
        f"{path.name}:{node.lineno}"
        for path, tree in _core_sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "float"
    ]
    assert offenders == []
