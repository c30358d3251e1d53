"""Fixtures for the tests that run the real `kassi` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.kassi_command import Kassi, Till, cli_kassi, copy_db, make_demo


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kassi init --demo` once per worker: each test copies it rather than build its own."""
    return make_demo(tmp_path_factory.mktemp("template") / "kassi.db")


@pytest.fixture
def cli(tmp_path: Path, demo_template: Path) -> Kassi:
    """A fresh copy of the demo database (NORREBRO: DKK, Danish, 0,50 cash rounding)."""
    return cli_kassi(copy_db(demo_template, tmp_path / "kassi.db"))


@pytest.fixture
def till(tmp_path: Path) -> Till:
    """The demo stores printing to files under tmp_path; messages in English."""
    return Till(tmp_path)
