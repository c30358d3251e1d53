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
