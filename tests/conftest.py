"""Shared fixtures: an in-memory demo database with a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.staff import auth, pins
from core.store import demo
from core.store.db import Db
from core.text.i18n import set_language
from tests import depth  # noqa: F401  (loads the Hypothesis profile for every test)


class FakeClock:
    """A clock the test moves by hand; starts on a fixed winter morning (UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 15, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant


@pytest.fixture(autouse=True)
def fast_pin_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at production cost makes each PIN hash ~50 ms; tests use a cheap cost.

    Stored hashes carry their own parameters, so checking still runs the real code.
    """
    monkeypatch.setattr(pins, "_SCRYPT_N", 2**4)


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(clock: FakeClock) -> Db:
    """The demo stores (NORREBRO: DKK, 0.50 cash rounding; REYKJAVIK: ISK) in memory."""
    database = Db(":memory:", clock=clock)
    demo.load_demo(database)
    yield database
    database.close()


@pytest.fixture
def manager(db: Db):
    return auth.authenticate(db, "1", "1234")


@pytest.fixture
def cashier(db: Db):
    return auth.authenticate(db, "2", "2222")


@pytest.fixture
def supervisor(db: Db):
    return auth.authenticate(db, "3", "3333")


# -- a head office on PostgreSQL: a throwaway server per test worker ------------------

HEAD_OFFICE_START = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pg_server():
    """The suite's own PostgreSQL (tests/pg_server.py); stopped at the end of the run."""
    from tests.pg_server import PgServer

    server = PgServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server, tmp_path_factory):
    """A head office made by `kassi hq init`, with the demo master data, to copy per test;
    returns its database name and its configuration directory (where its key file is)."""
    from core.store import pg_schema
    from core.store.pg import PgDb

    name = pg_server.new_database()
    config = tmp_path_factory.mktemp("pg-config")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(config))
        mp.setattr(pins, "_SCRYPT_N", 2**4)
        clock = FakeClock(HEAD_OFFICE_START)
        url = pg_server.url(name)
        pg_schema.install(url, clock=clock)
        with PgDb(url, clock=clock) as ho:
            demo.load_demo(ho)
    return name, config


@pytest.fixture
def pg_url(pg_server, pg_template, tmp_path, monkeypatch) -> str:
    """A fresh head-office database of its own (a copy of the template), and its key file
    where kassi looks for it (the user's configuration directory)."""
    import shutil

    from core.store import keyring

    template, template_config = pg_template
    name = pg_server.new_database(template=template)
    url = pg_server.url(name)
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("KASSI_KEY_FILE", raising=False)
    with monkeypatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(template_config))
        source = keyring.key_path(pg_server.url(template))
    target = keyring.key_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o600)
    yield url
    pg_server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACK_ENDS = ["sqlite", "postgresql"]


def open_head_office(request: pytest.FixtureRequest, clock: FakeClock) -> Db:
    """A head office with the demo master data on the back end the test is run for."""
    if request.param == "postgresql":
        from core.store.pg import PgDb

        return PgDb(request.getfixturevalue("pg_url"), clock=clock)
    ho = Db(":memory:", clock=clock)
    demo.load_demo(ho)
    return ho
