"""The permission catalogue (core.staff.permissions) is the only list of permissions."""

from __future__ import annotations

import ast
from pathlib import Path

import core
from core.staff import permissions
from core.staff.permissions import CATALOGUE, PERMISSIONS, ROLE_PERMISSIONS, ROLES
from core.text import i18n

ROOT = Path(core.__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "tui").rglob("*.py"))
# Where a permission is checked or asked for, and which argument names it.
CHECKS = {"require": 1, "require_or_approved": 1, "can": 0, "OverrideScreen": 0}
OVERRIDE = ("authorize_override", 4)


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in SOURCES]


def _constants(trees: list[tuple[Path, ast.Module]]) -> dict[str, set[str]]:
    """Module-level NAME = "text" across core and tui (PERMISSION, MANAGE), by name."""
    found: dict[str, set[str]] = {}
    for _path, tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        found.setdefault(target.id, set()).add(node.value.value)
    return found


def _named(node: ast.AST, constants: dict[str, set[str]]) -> set[str]:
    """The permission names an argument can be: a literal, a constant, either of an if-else."""
    if isinstance(node, ast.IfExp):
        return _named(node.body, constants) | _named(node.orelse, constants)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return constants.get(name, set()) if name.isupper() else set()


def _checked() -> set[str]:
    trees = _trees()
    constants = _constants(trees)
    checked: set[str] = set()
    for _path, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            index = CHECKS.get(name, OVERRIDE[1] if name == OVERRIDE[0] else None)
            if index is None:
                continue
            args = [*node.args[index : index + 1]]
            args += [k.value for k in node.keywords if k.arg == "permission"]
            for arg in args:
                checked |= _named(arg, constants)
    return checked


def test_every_permission_checked_anywhere_is_in_the_catalogue_with_a_label() -> None:
    checked = _checked()
    assert len(checked) >= 12, checked  # the scan finds the checks at all
    assert checked <= set(PERMISSIONS), checked - set(PERMISSIONS)
    for p in CATALOGUE:
        assert p.label and p.label != p.name
        assert set(p.roles) <= set(ROLES) and "manager" in p.roles


def test_the_catalogue_names_each_permission_once_and_is_the_only_list() -> None:
    assert len(set(PERMISSIONS)) == len(PERMISSIONS) == len(CATALOGUE)
    assert ROLE_PERMISSIONS["manager"] == PERMISSIONS
    assert set(ROLE_PERMISSIONS["cashier"]) < set(ROLE_PERMISSIONS["supervisor"])
    names = set(PERMISSIONS)
    catalogue = ROOT / "core" / "staff" / "permissions.py"
    for path, tree in _trees():
        if path == catalogue:
            continue
        for node in ast.walk(tree):
            items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
            if not isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict) or not items:
                continue
            texts = [i.value for i in items if isinstance(i, ast.Constant)]
            # A few together (the report's three) is a use; more is a second catalogue.
            assert len([t for t in texts if t in names]) < 4, (path, node.lineno)


def test_labels_are_translated_where_shown() -> None:
    i18n.set_language("da")  # the autouse fixture in tests/conftest.py sets "en" again
    assert permissions.label("sale") == i18n.translate("ring up sales", "da") != "ring up sales"
    assert permissions.label("no.such") == "no.such"
