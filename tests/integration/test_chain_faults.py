"""The sync when things go wrong (SPEC X-2): head office stops in the middle of a round
or of applying, the service rides out a restart, two syncs of one store at once.

These tests pause and restart a PostgreSQL server, so each has a server of its own
(tests/pg_server.py) rather than the suite's shared one.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from core.store import demo, pg_schema
from core.store.pg import PgDb
from core.sync import master_data, service
from core.sync.service import HeadOfficeUnreachable
from core.transfer import import_records
from tests.conftest import HEAD_OFFICE_START, FakeClock
from tests.integration.chain_support import Chain
from tests.integration.kassi_command import clean_env, kassi_command

pytestmark = pytest.mark.integration


@pytest.fixture
def own_chain(tmp_path, monkeypatch):
    from tests.pg_server import PgServer

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("KASSI_KEY_FILE", raising=False)
    # Durable, as a real head office: an acknowledged commit survives the power cut
    # (the suite's shared server trades that for speed).
    server = PgServer(options="-c synchronous_commit=on")
    try:
        url = server.url(server.new_database())
        pg_schema.install(url, clock=FakeClock(HEAD_OFFICE_START))
        with PgDb(url) as hq:
            demo.load_demo(hq)
        chain = Chain(server, url, tmp_path)
        yield chain
        chain.close()
    finally:
        server.stop()


def hq_uids(url: str, store: str = "NORREBRO") -> list[str]:
    with PgDb(url) as hq:
        return [
            r[0] for r in hq.all("SELECT uid FROM sales WHERE store_id = ? ORDER BY id", (store,))
        ]


def store_uids(shop) -> list[str]:
    return [r[0] for r in shop.db.all("SELECT uid FROM sales ORDER BY id")]


def reconnect(chain: Chain) -> None:
    chain.hq.close()
    chain.hq = PgDb(chain.url, clock=chain.clock)


def test_head_office_stopping_mid_sync_loses_and_doubles_nothing(own_chain: Chain, monkeypatch):
    """X-2: head office goes down between the pull and the delivery; the store keeps
    selling; the next round says it cannot reach head office; once it is back the
    store catches up, and every sale is there exactly once."""
    chain = own_chain
    nor = chain.store("NORREBRO")
    nor.sell("T1", [("1002", 1)], tender="card")
    chain.sync("NORREBRO")
    chain.receive()
    real_apply = master_data.apply

    def apply_then_power_cut(db, data):
        done = real_apply(db, data)
        chain.server.pause()
        return done

    monkeypatch.setattr(master_data, "apply", apply_then_power_cut)
    nor.sell("T1", [("1003", 1)], tender="cash")
    with pytest.raises(HeadOfficeUnreachable, match="Head office cannot be reached"):
        chain.sync("NORREBRO")
    monkeypatch.setattr(master_data, "apply", real_apply)
    for _ in range(3):  # the till sells on, head office down
        nor.sell("T2", [("1004", 1)], tender="card")
    with pytest.raises(HeadOfficeUnreachable):
        chain.sync("NORREBRO")
    chain.server.resume()
    reconnect(chain)
    delivered = chain.sync("NORREBRO").delivered
    assert delivered.sales == 4
    chain.receive()
    assert hq_uids(chain.url) == store_uids(nor)


def test_head_office_stopping_while_it_applies_keeps_nothing_half_done(
    own_chain: Chain, monkeypatch
):
    """X-2: the server stops in the middle of applying a delivery of five sales: none
    of them stays, the delivery still waits, and after the restart it is applied whole."""
    chain = own_chain
    nor = chain.store("NORREBRO")
    chain.receive()  # its first delivery (no sales yet)
    for _ in range(5):
        nor.sell("T1", [("1002", 1)], tender="card")
    chain.sync("NORREBRO")
    real_sale = import_records.Importer.sale
    seen = []

    def sale_then_power_cut(self, rec):
        real_sale(self, rec)
        seen.append(rec)
        if len(seen) == 3:
            chain.server.pause()

    monkeypatch.setattr(import_records.Importer, "sale", sale_then_power_cut)
    with pytest.raises(sqlite3.OperationalError):
        chain.receive()
    monkeypatch.setattr(import_records.Importer, "sale", real_sale)
    chain.server.resume()
    reconnect(chain)
    assert hq_uids(chain.url) == []
    assert chain.receive().applied == 1
    assert hq_uids(chain.url) == store_uids(nor)


def wait_for(condition, seconds: float = 60.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_the_sync_service_rides_out_a_head_office_restart(own_chain: Chain, tmp_path) -> None:
    """X-2: `kassi sync --watch` at the store and `kassi hq receive --watch` at head
    office run as services; head office is stopped while the till sells and started
    again: the service says so in one line, goes on, and every sale arrives once;
    SIGTERM stops both cleanly."""
    chain = own_chain
    nor = chain.store("NORREBRO")
    env = clean_env(XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"], KASSI_LANG="en")
    store_log, hq_log = tmp_path / "sync.log", tmp_path / "receive.log"
    sync = subprocess.Popen(
        [*kassi_command(), "--db", nor.db.path, "sync", "--hq", chain.role_url("NORREBRO"),
         "--watch", "--interval", "1"],
        stdout=store_log.open("w"), stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    receiver = subprocess.Popen(
        [*kassi_command(), "--db", chain.url, "hq", "receive", "--watch"],
        stdout=hq_log.open("w"), stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        nor.sell("T1", [("1002", 1)], tender="card")
        assert wait_for(lambda: len(hq_uids(chain.url)) == 1), store_log.read_text()
        chain.server.pause()
        receiver.wait(timeout=30)  # head office's own service goes down with it
        for _ in range(3):
            nor.sell("T1", [("1003", 1)], tender="cash")
        assert wait_for(lambda: "cannot be reached" in store_log.read_text())
        chain.server.resume()
        receiver = subprocess.Popen(
            [*kassi_command(), "--db", chain.url, "hq", "receive", "--watch"],
            stdout=hq_log.open("a"), stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        assert wait_for(lambda: len(hq_uids(chain.url)) == 4), store_log.read_text()
        assert hq_uids(chain.url) == store_uids(nor)
    finally:
        for process in (sync, receiver):
            process.send_signal(signal.SIGTERM)
    assert sync.wait(timeout=30) == 0
    assert receiver.wait(timeout=30) == 0
    log = store_log.read_text()
    assert "Sync stopped." in log and "Traceback" not in log


def test_two_syncs_of_one_store_at_once_deliver_each_sale_once(own_chain: Chain) -> None:
    """X-2: while one sync of the store holds its lock at head office, a second one does
    nothing and says so; run as two processes at once, again and again, every sale is
    at head office exactly once."""
    chain = own_chain
    nor = chain.store("NORREBRO")
    with PgDb(chain.url) as other:
        other.scalar(
            "SELECT pg_advisory_lock(hashtextextended('kassi sync ' || ?, 0))", ("NORREBRO",)
        )
        nor.sell("T1", [("1002", 1)], tender="card")
        busy = chain.sync("NORREBRO")
        assert busy.busy and busy.delivered is None
        assert "Another sync of store NORREBRO is running" in service.describe(busy)
    env = clean_env(XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"], KASSI_LANG="en")
    argv = [*kassi_command(), "--db", nor.db.path, "sync", "--hq", chain.role_url("NORREBRO")]
    for _ in range(4):
        nor.sell("T2", [("1004", 1)], tender="card")
        pair = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
        for process in pair:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            assert "Store NORREBRO:" in out or "Another sync" in out
    chain.receive()
    assert hq_uids(chain.url) == store_uids(nor)
