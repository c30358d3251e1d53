"""`make mutants`: apply each mutation in tests/mutants/mutations.py to a copy of the
tree, run the tests it names there, and fail if any mutation survives.

The working tree is never edited: the tree is copied once to a temporary directory
(without .venv, .git and caches), and every mutation gets its own copy of that copy.
Before any test runs, every snippet must be found exactly once and the mutated file
must still compile; the named tests must pass on the unmutated copy (a baseline run,
in parallel with the mutants), or a "caught" mutation would prove nothing.

    python -m tests.mutants [-j JOBS] [-k SUBSTRING] [--check]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.mutants.mutations import MUTATIONS, Mutation

ROOT = Path(__file__).resolve().parents[2]
IGNORED_NAMES = (
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "var",
    "build",
    "*.egg-info",
    "*.db",
    "*.db-*",
    "*.db.key",
)
IGNORED = shutil.ignore_patterns(*IGNORED_NAMES)
TIMEOUT = 300  # seconds per pytest run; a mutant that hangs counts as caught


def problems(mutation: Mutation, root: Path = ROOT) -> list[str]:
    """What is wrong with a mutation against the tree at ``root`` (empty: ready to run)."""
    path = root / mutation.file
    where = f"{mutation.name}: {mutation.file}"
    if not path.is_file():
        return [f"{where}: the file does not exist"]
    source = path.read_text("utf-8")
    found = source.count(mutation.original)
    if found == 0:
        return [
            f"{where}: snippet not found (update tests/mutants/mutations.py):\n"
            + _indent(mutation.original)
        ]
    out = []
    if found > 1:
        out.append(
            f"{where}: snippet found {found} times, make it unique:\n" + _indent(mutation.original)
        )
    if mutation.replacement == mutation.original:
        out.append(f"{where}: the replacement is the original")
    try:
        compile(source.replace(mutation.original, mutation.replacement), str(path), "exec")
    except SyntaxError as exc:
        out.append(f"{where}: the mutated file does not compile: {exc}")
    for test in mutation.tests:
        test_file = test.split("::", 1)[0]
        if not (root / test_file).exists():
            out.append(f"{where}: the test file {test_file} does not exist")
    if not mutation.tests:
        out.append(f"{where}: names no tests")
    return out


def _indent(text: str) -> str:
    return "\n".join("    | " + line for line in text.rstrip("\n").split("\n"))


@dataclass
class Outcome:
    name: str
    caught: bool
    seconds: float
    detail: str


def _pytest(copy: Path, args: list[str]) -> subprocess.CompletedProcess[str] | None:
    env = dict(os.environ)
    # The copy's modules, not the editable install's (also in `kassi` subprocesses);
    # no bytecode written: the copy's own (the pristine tree's, the mutated module's
    # removed) is all a run reads, so no stale .pyc can shadow a mutation.
    env["PYTHONPATH"] = str(copy)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    try:
        return subprocess.run(
            command, cwd=copy, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return None


def _first_failure(output: str) -> str:
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" ", 1)[1].split(" - ")[0]
    return ""


def _summary(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1].strip("= ") if lines else "(no output)"


# The pristine tree's bytecode goes into each copy: a run then compiles only the module
# it mutates (whose .pyc is removed), not the whole of kassi in every process it starts.
COPY_IGNORED = shutil.ignore_patterns(*(p for p in IGNORED_NAMES if p != "__pycache__"))


def _copy(pristine: Path, scratch: Path) -> Path:
    """A fresh copy of the pristine tree: runs write (.hypothesis) only into their own."""
    copy = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copytree(pristine, copy, ignore=COPY_IGNORED, dirs_exist_ok=True)
    return copy


def _compile(tree: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", "."],
        cwd=tree,
        check=True,
        capture_output=True,
    )


def run_mutation(mutation: Mutation, pristine: Path, scratch: Path) -> Outcome:
    started = time.monotonic()
    copy = _copy(pristine, scratch)
    path = copy / mutation.file
    source = path.read_text("utf-8")
    path.write_text(source.replace(mutation.original, mutation.replacement, 1), "utf-8")
    Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)
    if mutation.every:
        result = _pytest(copy, ["-k", mutation.every, *mutation.tests])
    else:
        result = _pytest(copy, ["-x", *mutation.tests])
    shutil.rmtree(copy, ignore_errors=True)
    seconds = time.monotonic() - started
    if result is None:
        return Outcome(mutation.name, True, seconds, f"timed out after {TIMEOUT} s")
    output = result.stdout + result.stderr
    if result.returncode == 0:
        return Outcome(mutation.name, False, seconds, "SURVIVED: " + _summary(output))
    if result.returncode not in (1, 2):  # 3 internal error, 4 usage (no such test), 5 none ran
        return Outcome(
            mutation.name, False, seconds, f"pytest exit {result.returncode}: {_summary(output)}"
        )
    if mutation.every and re.search(r"\b\d+ passed\b", _summary(output)):
        return Outcome(
            mutation.name,
            False,
            seconds,
            f"SURVIVED in part (-k {mutation.every!r}): {_summary(output)}",
        )
    return Outcome(mutation.name, True, seconds, "caught by " + (_first_failure(output) or "?"))


def run_baseline(
    mutations: list[Mutation], pristine: Path, scratch: Path, *, suite_passed: bool = False
) -> Outcome:
    """The named tests on the unmutated copy. With ``suite_passed`` (make test, right
    after the whole suite passed on this very tree) they are only collected in the
    copy, which proves the copy finds and imports every one of them."""
    started = time.monotonic()
    tests = list(dict.fromkeys(t for m in mutations for t in m.tests))
    copy = _copy(pristine, scratch)
    result = _pytest(copy, ["--collect-only", *tests] if suite_passed else tests)
    shutil.rmtree(copy, ignore_errors=True)
    seconds = time.monotonic() - started
    if result is None:
        return Outcome("baseline", False, seconds, f"timed out after {TIMEOUT} s")
    output = result.stdout + result.stderr
    if result.returncode != 0:
        tail = "\n".join(output.splitlines()[-15:])
        return Outcome("baseline", False, seconds, "the named tests fail unmutated:\n" + tail)
    return Outcome("baseline", True, seconds, _summary(output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutants", description=__doc__)
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    parser.add_argument("-k", "--only", default="", help="only mutations whose name has this")
    parser.add_argument("--check", action="store_true", help="only check the snippets")
    parser.add_argument(
        "--suite-passed",
        action="store_true",
        help="the whole suite just passed on this tree (make test): the baseline only"
        " collects the named tests in the copy instead of running them again",
    )
    args = parser.parse_args(argv)

    chosen = [m for m in MUTATIONS if args.only.lower() in m.name.lower()]
    names = [m.name for m in MUTATIONS]
    errors = [f"{n}: two mutations have this name" for n in set(names) if names.count(n) > 1]
    errors += [p for m in chosen for p in problems(m)]
    if errors:
        print("mutants: the list does not match the code:", file=sys.stderr)
        for error in errors:
            print("  " + error.replace("\n", "\n  "), file=sys.stderr)
        return 2
    if args.check or not chosen:
        print(f"mutants: {len(chosen)} mutation(s), every snippet found once")
        return 0

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kassi-mutants-") as scratch_dir:
        scratch = Path(scratch_dir)
        pristine = scratch / "tree"
        shutil.copytree(ROOT, pristine, ignore=IGNORED)
        _compile(pristine)
        print(f"mutants: {len(chosen)} mutation(s), {args.jobs} at a time, in {scratch}")
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            baseline = pool.submit(
                run_baseline, chosen, pristine, scratch, suite_passed=args.suite_passed
            )
            futures = [pool.submit(run_mutation, m, pristine, scratch) for m in chosen]
            outcomes = []
            for future in futures:
                outcome = future.result()
                outcomes.append(outcome)
                mark = "caught  " if outcome.caught else "SURVIVED"
                print(f"  {mark} {outcome.seconds:5.1f} s  {outcome.name}", flush=True)
                print(f"           {outcome.detail}", flush=True)
            base = baseline.result()
    elapsed = time.monotonic() - started
    if not base.caught:
        print(f"mutants: baseline failed ({base.seconds:.1f} s): {base.detail}", file=sys.stderr)
        return 1
    survivors = [o for o in outcomes if not o.caught]
    if survivors:
        print(
            f"mutants: {len(survivors)} of {len(outcomes)} survived ({elapsed:.0f} s):",
            file=sys.stderr,
        )
        for o in survivors:
            print(f"  {o.name}\n    {o.detail}", file=sys.stderr)
        return 1
    print(f"mutants: all {len(outcomes)} caught in {elapsed:.0f} s (baseline: {base.detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
