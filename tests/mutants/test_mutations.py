"""The mutation check itself: its list matches the code, and it can fail.

`make mutants` runs the mutations; these tests keep the list honest in the ordinary
suite (a refactor that moves a snippet fails here, naming it) and show that the
runner reports a surviving mutant and a missing snippet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mutants.__main__ import main, problems, run_mutation
from tests.mutants.mutations import MUTATIONS, Mutation


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_every_mutation_finds_its_snippet_exactly_once(mutation: Mutation):
    """Each snippet occurs once in its file, the mutated file compiles, the tests exist."""
    assert problems(mutation) == []


def test_mutation_names_are_unique():
    names = [m.name for m in MUTATIONS]
    assert len(names) == len(set(names))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A tiny project: a function and a test that pins it down."""
    root = tmp_path / "tree"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "rounding.py").write_text(
        "def half_up(r, step):\n    return 2 * r >= step\n\n\ndef unused():\n    return 1\n"
    )
    (root / "test_rounding.py").write_text(
        "from pkg.rounding import half_up\n\n\n"
        "def test_half_rounds_up():\n    assert half_up(25, 50)\n"
    )
    return root


def test_a_snippet_that_is_gone_is_named_with_its_file(tree: Path):
    gone = Mutation("gone", "pkg/rounding.py", "return 2 * r > step", "x", ("test_rounding.py",))
    (message,) = problems(gone, tree)
    assert message.startswith("gone: pkg/rounding.py: snippet not found")
    assert "| return 2 * r > step" in message


def test_a_snippet_found_twice_or_a_mutant_that_does_not_compile_is_refused(tree: Path):
    twice = Mutation("twice", "pkg/rounding.py", "    return", "    return", ("test_rounding.py",))
    assert [p.split(":")[2].strip() for p in problems(twice, tree)] == [
        "snippet found 2 times, make it unique",
        "the replacement is the original",
    ]
    broken = Mutation("broken", "pkg/rounding.py", ">= step", ">= (", ("test_rounding.py",))
    assert "does not compile" in problems(broken, tree)[0]
    no_test = Mutation("no test", "pkg/rounding.py", ">= step", "> step", ("test_missing.py",))
    assert problems(no_test, tree) == [
        "no test: pkg/rounding.py: the test file test_missing.py does not exist"
    ]


def test_a_mutant_the_tests_miss_survives_and_one_they_see_is_caught(tree: Path, tmp_path: Path):
    """The runner applies the mutation to a copy (never to the tree) and judges by pytest."""
    seen = Mutation("boundary", "pkg/rounding.py", ">= step", "> step", ("test_rounding.py",))
    missed = Mutation("unused", "pkg/rounding.py", "return 1", "return 2", ("test_rounding.py",))
    caught = run_mutation(seen, tree, tmp_path)
    survived = run_mutation(missed, tree, tmp_path)
    assert caught.caught and "test_rounding.py::test_half_rounds_up" in caught.detail
    assert not survived.caught and survived.detail.startswith("SURVIVED")
    assert "return 2 * r >= step" in (tree / "pkg" / "rounding.py").read_text()


def test_the_check_mode_passes_on_this_tree(capsys):
    assert main(["--check"]) == 0
    assert "every snippet found once" in capsys.readouterr().out
