"""Printer status a person can read (SPEC P-6): the live state, the last confirmed print,
the last error with when, the queue (pending, sent unconfirmed), and the status bar's
word; plus the m017 migration that made 'sent' a status (P-2)."""

from __future__ import annotations

import pytest

from core.money.tendering import TenderInput
from core.printing import claims as print_claims
from core.printing import jobs as print_jobs
from core.printing.port import PrinterState
from core.printing.service import PrintService
from core.printing.status import state_warning, warning
from core.staff import auth
from core.store import terminals
from core.store.db import Db
from core.tills import sales
from core.tills.basket import LineInput
from tests.conftest import FakeClock
from tests.core.test_printing_support import FakePrinter, factory


@pytest.fixture
def manager(db: Db):
    return auth.authenticate(db, "1", "1234")


def sell(db: Db, manager, pay: str = "card") -> int:
    lines, tender = [LineInput("1001", 1)], [TenderInput(pay, None)]
    return sales.record_sale(db, manager, "T1", lines, tender).sale.id


def test_status_shows_the_live_state_the_last_confirmed_print_the_last_error_and_the_queue(
    db: Db, manager, clock: FakeClock
) -> None:
    """SPEC P-6."""
    fake = FakePrinter()
    service = PrintService(factory(fake))
    first = service.print_sale(db, sell(db, manager))
    assert first.confirmed
    clock.advance(minutes=10)
    fake.script = ["unconfirmed", "refuse"]
    service.print_sale(db, sell(db, manager))  # a confirmed printer that could not say
    clock.advance(minutes=10)
    kept = service.print_sale(db, sell(db, manager))
    assert not kept.ok
    fake.state = PrinterState(online=True, paper_near_end=True, drawer_open=True)
    st = service.printer_status(db, "T1")
    assert st.ok and st.readable and st.paper_near_end and st.drawer_open
    assert st.message == "Ready; the paper is running low." and st.warning == "Paper low"
    assert (st.pending, st.sent_unconfirmed) == (1, 1)
    assert st.last_printed_title == print_jobs.get(db, first.job_id).title
    assert st.last_printed_at == "2026-01-15T08:00:00.000000Z"
    assert "refused the connection" in st.last_error
    assert st.last_error_at == "2026-01-15T08:20:00.000000Z"


@pytest.mark.parametrize(
    ("state", "word"),
    [
        (PrinterState(online=True, paper_out=True), "Paper out"),
        (PrinterState(online=True, cover_open=True), "Cover open"),
        (PrinterState(online=False), "Printer offline"),
        (PrinterState(online=False, error="No answer", reason="no_answer"), "Printer offline"),
        (PrinterState(online=True, paper_near_end=True), "Paper low"),
        (PrinterState(online=True), ""),
    ],
)
def test_the_status_bar_word_for_what_the_printer_reports(
    db: Db, state: PrinterState, word: str
) -> None:
    """SPEC P-6: "Paper low" / "Cover open" / "Printer offline" / "Paper out"."""
    fake = FakePrinter()
    fake.state = state
    assert PrintService(factory(fake)).printer_status(db, "T1").warning == word
    assert state_warning(state) == word


def test_the_word_after_a_print_comes_from_its_fault_or_its_state() -> None:
    assert state_warning(None, "connection_refused") == "Printer offline"
    assert state_warning(PrinterState(online=True), "paper_out") == "Paper out"
    assert state_warning(PrinterState(online=True, readable=False)) == ""
    assert warning("busy") == ""


def test_a_link_that_cannot_answer_is_not_ready_while_its_last_job_failed(db: Db, manager) -> None:
    """SPEC P-6 (issue 11: "Ready" on a file sink whose last error was permission denied)."""
    sink = FakePrinter(can_confirm=False)
    service = PrintService(factory(sink))
    st = service.printer_status(db, "T1")
    assert st.ok and not st.readable and st.drawer_open is None
    assert "cannot confirm" in st.message
    sink.script = ["refuse"]
    service.print_sale(db, sell(db, manager))
    st = service.printer_status(db, "T1")
    assert not st.ok and st.reason == "connection_refused" and st.pending == 1
    assert sink.status_asked == 2
    service.retry_pending(db, "T1")
    st = service.printer_status(db, "T1")
    assert st.ok and st.sent_unconfirmed == 1 and st.last_printed_at is None
    assert "refused" in st.last_error  # the last error stays visible, with its time


def test_a_status_that_names_a_fault_on_a_link_that_cannot_answer(db: Db) -> None:
    """A device file that is gone says so (the Printer's status, not a guess)."""
    sink = FakePrinter(can_confirm=False)
    sink.state = PrinterState(
        False, readable=False, error="Printer not found: x", reason="device_missing"
    )
    st = PrintService(factory(sink)).printer_status(db, "T1")
    assert not st.ok and st.message == "Printer not found: x" and st.warning == "Printer offline"


def test_wait_for_drawer_closed(db: Db, manager) -> None:
    """Only when the terminal asks for it and the link can read; a silent printer never
    blocks the next sale (H-4)."""
    fake = FakePrinter()
    service = PrintService(factory(fake))
    fake.state = PrinterState(online=True, drawer_open=True)
    assert service.wait_for_drawer_closed(db, "T1", 5) is True  # not asked for: at once
    cfg = {**terminals.get_terminal(db, "T1").printer, "wait_drawer_closed": True}
    terminals.set_printer(db, manager, "T1", cfg)
    assert service.wait_for_drawer_closed(db, "T1", 0.3) is False
    fake.state = PrinterState(online=True)  # shut
    assert service.wait_for_drawer_closed(db, "T1", 3) is True
    fake.state = PrinterState(False, error="No answer", reason="no_answer")
    assert service.wait_for_drawer_closed(db, "T1", 3) is True


# -- m017 -------------------------------------------------------------------------------


def test_the_migration_keeps_every_job_and_allows_sent(tmp_path, clock: FakeClock) -> None:
    """SPEC P-2 (m017): print_jobs rebuilt with 'sent'; rows, indexes and the printed_at
    rule kept; a sent job has printed_at too."""
    import sqlite3

    from core.store.schema import migrations

    db = Db(tmp_path / "old.db", clock=clock, migrate=False)
    with db.write():
        migrations.apply(db.sql, stop_before="m017_printing_sent_status")
        db.execute(
            "INSERT INTO stores (id, name, currency, timezone, locale, created_at)"
            " VALUES ('S', 'S', 'DKK', 'UTC', 'en', '2026-01-01T00:00:00.000000Z')"
        )
        db.execute(
            "INSERT INTO terminals (id, store_id, name, created_at)"
            " VALUES ('T1', 'S', 'K', '2026-01-01T00:00:00.000000Z')"
        )
        for status, printed in (("pending", None), ("printed", "2026-01-02T00:00:00.000000Z")):
            db.execute(
                "INSERT INTO print_jobs (terminal_id, kind, ref, title, payload, text, status,"
                " created_at, printed_at) VALUES ('T1', 'k', 'r', 't', X'01', '', ?,"
                " '2026-01-01T00:00:00.000000Z', ?)",
                (status, printed),
            )
    db.migrate()
    rows = [tuple(r) for r in db.all("SELECT id, status, printed_at FROM print_jobs")]
    assert rows == [(1, "pending", None), (2, "printed", "2026-01-02T00:00:00.000000Z")]
    indexes = {r["name"] for r in db.all("PRAGMA index_list(print_jobs)")}
    assert {"print_jobs_queue", "print_jobs_ref", "print_jobs_done_with_payload"} <= indexes
    claim = print_claims.claim_next(db, "T1", "me:1:a", 60)
    print_claims.mark_printed(db, claim.job.id, "me:1:a", confirmed=False)
    job = print_jobs.get(db, claim.job.id)
    assert job.status == "sent" and job.printed_at is not None
    with pytest.raises(sqlite3.IntegrityError), db.write():
        db.execute("UPDATE print_jobs SET printed_at = NULL WHERE id = ?", (job.id,))
    db.close()
