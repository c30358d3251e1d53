"""The import contract (DESIGN "Layers", docs/architecture.md): tui -> core <- hardware, and
inside core each capability package imports only the core packages its ``__init__`` docstring
declares on its "May import:" line. Every import counts: at module level, inside a function,
relative or absolute. core.errors is shared by every package.

Cycles between packages exist and are declared, not hidden: an arrow that goes back up the
layers is listed under "Back arrows" with the reason it exists, and the declared arrows
without those back arrows must form no cycle, so a new cycle cannot slip in unexplained.

Each docstring's "Owns:" list names exactly its package's modules, and docs/architecture.md's
package table copies them, so neither names a module split away or leaves a new one out.

Also here, so docs/architecture.md's table "Where each SPEC rule lives" cannot silently rot:
every rule id cited in a core docstring is in the table, and with the SPEC beside the
repository (../shared/SPEC.md), every SPEC rule is in the table and the table invents none."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import core

CORE = Path(core.__file__).resolve().parent
ROOT = CORE.parent
HARDWARE = ROOT / "hardware"
TUI = ROOT / "tui"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SHARED_MODULES = {"errors"}  # core/errors.py: every package's
MAY_IMPORT = re.compile(r"^May import: (.+)$", re.MULTILINE)
BACK_ARROW = re.compile(r"^- core\.(\w+): (\S.*)$")

# What tui may take from hardware (today's use): opening a printer (device), drawing a
# document or a logo (preview, logo, render), and the profile names behind the code page
# setting. Links, transports and the ESC/POS decoder stay hardware's own.
TUI_MAY_IMPORT_FROM_HARDWARE: dict[str, set[str] | None] = {
    "hardware.device": None,  # None: any name
    "hardware.preview": None,
    "hardware.logo": None,
    "hardware.render": None,
    "hardware._escpos": {"profile_codepages"},
}


def _sources(top: Path) -> list[Path]:
    return sorted(p for p in top.rglob("*.py") if ".venv" not in p.parts)


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), str(path))


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[tuple[int, str, set[str]]]:
    """(line, module imported, names taken from it) for every import in the file, wherever
    it stands. ``from core.store import db`` imports the module core.store.db."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, set()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            plain = set()
            for alias in node.names:
                if _is_module(f"{module}.{alias.name}"):
                    yield node.lineno, f"{module}.{alias.name}", set()
                else:
                    plain.add(alias.name)
            if plain:
                yield node.lineno, module, plain


def _core_package(module: str) -> str | None:
    """The core package (or shared module) a module name belongs to; None outside core."""
    parts = module.split(".")
    if parts[0] != "core" or len(parts) < 2:
        return None
    return parts[1]


def _packages() -> list[str]:
    return sorted(
        p.name for p in CORE.iterdir() if p.is_dir() and any(p.rglob("*.py")) and p.name[0] != "_"
    )


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def _contract() -> dict[str, tuple[set[str], dict[str, str]]]:
    """Each package's declared imports and back arrows (target -> reason), as package names."""
    contract = {}
    for package in _packages():
        init = CORE / package / "__init__.py"
        doc = ast.get_docstring(_tree(init)) if init.is_file() else None
        assert doc, f"{_rel(init)}: a package says in its docstring what it owns and may import"
        lines = MAY_IMPORT.findall(doc)
        assert len(lines) == 1, f"{_rel(init)}: one 'May import: core.a, core.b' (or nothing) line"
        declared = set()
        if lines[0].strip() != "nothing":
            for item in lines[0].split(","):
                name = item.strip()
                assert re.fullmatch(r"core\.\w+", name), f"{_rel(init)}: {name!r} in May import"
                declared.add(name[5:])
        back = {}
        for line in doc.split("Back arrows", 1)[1].splitlines() if "Back arrows" in doc else []:
            if match := BACK_ARROW.match(line):
                back[match[1]] = match[2]
        contract[package] = (declared, back)
    return contract


def test_every_core_package_declares_what_it_may_import() -> None:
    """Every package (a new one too) has the line; it names packages that exist, never itself
    or core.errors (everyone's); a back arrow is a declared arrow with its reason."""
    packages = set(_packages())
    assert {"text", "money", "store", "audit", "tills", "printing"} <= packages
    problems = []
    for package, (declared, back) in _contract().items():
        init = _rel(CORE / package / "__init__.py")
        for name in sorted(declared - packages):
            problems.append(f"{init}: May import core.{name}, which is no core package")
        if package in declared:
            problems.append(f"{init}: a package does not declare itself")
        for name in sorted(set(back) - declared):
            problems.append(f"{init}: back arrow core.{name} is not on the May import line")
    loose = [_rel(p) for p in CORE.glob("*.py") if p.stem not in SHARED_MODULES | {"__init__"}]
    for path in loose:
        problems.append(f"{path}: a core module belongs to a package (or is shared, like errors)")
    assert problems == []


OWNS_ENTRY = re.compile(r"^- (\w+): \S")


def _owned(doc: str) -> list[str]:
    """The module names of a package docstring's "Owns:" list: ``- name: what it does``
    lines from "Owns:" to the next blank line (a phrase may wrap onto indented lines)."""
    assert "Owns:\n" in doc, "a package docstring has an 'Owns:' list"
    block = doc.split("Owns:\n", 1)[1].split("\n\n", 1)[0]
    names = []
    for line in block.splitlines():
        if match := OWNS_ENTRY.match(line):
            names.append(match[1])
        else:
            assert line.startswith("  "), f"not '- module: phrase' nor its wrapped phrase: {line!r}"
    return names


def _package_modules(package: Path) -> set[str]:
    """A package's modules: its .py files and its subpackages (each counted as one)."""
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    return modules | {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}


def _owns_problems(package: Path, doc: str) -> list[str]:
    init = _rel(package / "__init__.py")
    named = _owned(doc)
    modules = _package_modules(package)
    problems = [
        f"{init}: {name} is named twice in Owns"
        for name in sorted(set(named))
        if named.count(name) > 1
    ]
    problems += [
        f"{init}: module {name} is missing from Owns" for name in sorted(modules - set(named))
    ]
    problems += [
        f"{init}: Owns names {name}, which is no module of the package"
        for name in sorted(set(named) - modules)
    ]
    return problems


def test_every_package_owns_list_names_exactly_its_modules() -> None:
    """A module split, renamed or added changes its package's "Owns:" list with it, so the
    docstring (and what docs/architecture.md copies from it) cannot name modules that are
    gone or leave new ones out."""
    problems = []
    for package in _packages():
        doc = ast.get_docstring(_tree(CORE / package / "__init__.py")) or ""
        problems += _owns_problems(CORE / package, doc)
    assert problems == [], "\n".join(problems)


def test_owns_check_finds_a_gone_and_a_missing_module() -> None:
    store = CORE / "store"
    doc = ast.get_docstring(_tree(store / "__init__.py")) or ""
    assert "- migrations:" in doc  # a subpackage is one entry
    stale = doc.replace("- customers:", "- config:")
    assert _owns_problems(store, stale) == [
        "core/store/__init__.py: module customers is missing from Owns",
        "core/store/__init__.py: Owns names config, which is no module of the package",
    ]


def test_architecture_package_table_lists_each_package_s_modules() -> None:
    """docs/architecture.md's "What each package owns" names the modules of the Owns lists."""
    section = ARCHITECTURE.read_text("utf-8").split("## What each package owns", 1)[1]
    rows = {}
    for line in section.split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if match := re.fullmatch(r"`core\.(\w+)`", cells[0]):
            rows[match[1]] = set(re.findall(r"`(\w+)/?`", cells[-1]))
    assert set(rows) == set(_packages()), "one row per core package"
    stale = [
        f"core.{package}: the table lists {sorted(rows[package])}, the package has {sorted(modules)}"
        for package in _packages()
        if rows[package] != (modules := _package_modules(CORE / package))
    ]
    assert stale == [], "\n".join(stale)


def _arrows() -> Iterator[tuple[str, int, str, str]]:
    """(file, line, from package, to package) for every import from one core package into
    another; imports of core.errors and within a package are not arrows."""
    for path in _sources(CORE):
        parts = path.relative_to(CORE).parts
        source = parts[0] if len(parts) > 1 else path.stem
        for line, module, _names in _imports(path):
            target = _core_package(module)
            if target is None or target == source or target in SHARED_MODULES:
                continue
            yield _rel(path), line, source, target


def test_core_imports_keep_to_the_declared_arrows() -> None:
    """Each import, also inside a function, is an arrow its package declares."""
    contract = _contract()
    offenders = []
    for file, line, source, target in _arrows():
        if source in SHARED_MODULES or source == "__init__":
            offenders.append(f"{file}:{line}: core.{source} imports core.{target}; it may not")
        elif target not in contract.get(source, (set(), {}))[0]:
            offenders.append(
                f"{file}:{line}: arrow core.{source} -> core.{target} is not declared on the "
                f"'May import:' line of core/{source}/__init__.py"
            )
    assert offenders == [], "\n".join(offenders)


def test_every_declared_arrow_is_used() -> None:
    """The docstrings are today's graph, not a wish: an arrow no import needs any more is
    taken off its May import line (and out of docs/architecture.md's picture)."""
    used = {(source, target) for _file, _line, source, target in _arrows()}
    stale = [
        f"core/{source}/__init__.py declares core.{target}, which none of its modules imports"
        for source, (declared, _back) in _contract().items()
        for target in sorted(declared)
        if (source, target) not in used
    ]
    assert stale == [], "\n".join(stale)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_declared_arrows_are_layers_once_the_back_arrows_are_taken_out() -> None:
    """Every cycle goes through an arrow declared as a back arrow, with its reason."""
    forward = {package: declared - set(back) for package, (declared, back) in _contract().items()}
    cycle = _cycle(forward)
    assert cycle is None, (
        " -> ".join(f"core.{p}" for p in cycle) + ": a cycle; list the arrow that goes back up "
        "under 'Back arrows' in its package's docstring, with why it exists, or remove it"
    )


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _allowed_for_hardware() -> set[str]:
    """ALLOWED of tests/hardware/test_hardware_layer.py, read from its source: one list."""
    layer_test = ROOT / "tests" / "hardware" / "test_hardware_layer.py"
    for node in _tree(layer_test).body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["ALLOWED"]:
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{_rel(layer_test)} has no ALLOWED")


def test_hardware_imports_from_core_only_what_its_layer_test_allows() -> None:
    """P-3: hardware reads documents, the printer protocol and settings, errors and messages,
    in every module and function (also modules in subfolders); it never imports tui."""
    allowed = _allowed_for_hardware()
    assert "core.printing.documents" in allowed
    offenders = []
    for path in _sources(HARDWARE):
        for line, module, _names in _imports(path):
            top = module.partition(".")[0]
            if top == "tui" or (top == "core" and module not in allowed):
                offenders.append(f"{_rel(path)}:{line}: arrow hardware -> {module}")
    assert offenders == [], "\n".join(offenders)


def test_tui_uses_only_the_hardware_modules_meant_for_it() -> None:
    """tui opens printers through hardware.device and draws through preview, logo and
    render; hardware's links, transports and decoder are its own."""
    offenders = []
    for path in _sources(TUI):
        for line, module, names in _imports(path):
            if module.partition(".")[0] != "hardware":
                continue
            if module not in TUI_MAY_IMPORT_FROM_HARDWARE:
                offenders.append(f"{_rel(path)}:{line}: arrow tui -> {module}")
            elif (only := TUI_MAY_IMPORT_FROM_HARDWARE[module]) is not None and names - only:
                offenders.append(
                    f"{_rel(path)}:{line}: tui takes {sorted(names - only)} from {module}"
                )
    assert offenders == [], "\n".join(offenders)


# -- docs/architecture.md's table of SPEC rules ------------------------------------------

RULE = re.compile(r"\b([A-Z])-(\d+)(?:\.\.(?:\1-)?(\d+))?\b")


def _rule_ids(text: str) -> set[str]:
    """Rule ids in a text; a range "A-1..A-5" (or "A-1..5") names each rule in it."""
    ids = set()
    for letter, first, last in RULE.findall(text):
        for number in range(int(first), int(last or first) + 1):
            ids.add(f"{letter}-{number}")
    return ids


def _table_ids() -> dict[str, str]:
    """Rule id -> the rest of its row, from the table under "Where each SPEC rule lives"."""
    text = ARCHITECTURE.read_text("utf-8")
    assert "## Where each SPEC rule lives" in text
    section = text.split("## Where each SPEC rule lives", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(r"[A-Z]-\d+", cells[0]):
            assert cells[0] not in rows, f"{cells[0]} has two rows"
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


def _core_docstring_ids() -> dict[str, str]:
    """Rule id -> the first place a core docstring cites it."""
    cited: dict[str, str] = {}
    for path in _sources(CORE):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                for rule in _rule_ids(ast.get_docstring(node) or ""):
                    cited.setdefault(rule, f"{_rel(path)}:{getattr(node, 'lineno', 1)}")
    return cited


def _spec() -> Path | None:
    """The SPEC where the project keeps it, beside the repository; absent in a lone clone."""
    for parent in ROOT.parents:
        if (parent / "shared" / "SPEC.md").is_file():
            return parent / "shared" / "SPEC.md"
    return None


def test_rule_ids_in_core_docstrings_are_in_the_architecture_table() -> None:
    """A rule core cites is one the table says where it lives."""
    cited = _core_docstring_ids()
    assert {"M-1", "S-7", "R-2", "K-8", "A-3"} <= set(cited)  # the finder finds ranges too
    table = _table_ids()
    missing = [
        f"{where}: cites {rule}" for rule, where in sorted(cited.items()) if rule not in table
    ]
    assert missing == [], "not in docs/architecture.md's table:\n" + "\n".join(missing)


def test_modules_named_in_the_architecture_table_exist() -> None:
    """A module split or renamed takes its rules' rows with it."""
    stale = [
        f"{rule}: {path}"
        for rule, row in sorted(_table_ids().items())
        for path in re.findall(r"`((?:core|hardware|tui)/[\w/]+\.py)`", row)
        if not (ROOT / path).is_file()
    ]
    assert stale == [], "docs/architecture.md names files that do not exist:\n" + "\n".join(stale)


def test_every_spec_rule_is_in_the_architecture_table() -> None:
    """Every rule of the SPEC has a row (where it lives, or "not yet"), and no row is made up."""
    spec = _spec()
    if spec is None:
        pytest.skip("no shared/SPEC.md beside the repository (a lone clone, as in CI)")
    rules = set(re.findall(r"^- ([A-Z]-\d+) ", spec.read_text("utf-8"), re.MULTILINE))
    assert len(rules) > 50
    table = set(_table_ids())
    assert sorted(rules - table) == [], "SPEC rules with no row in docs/architecture.md"
    assert sorted(table - rules) == [], "rows in docs/architecture.md for no SPEC rule"
