"""The print service in core (SPEC H-4, R-9, P-2, P-3) against a scripted FakePrinter:
the sale is stored and its job queued first; a job leaves the queue as printed only
when the printer confirmed it, as "sent, unconfirmed" where the link cannot answer,
and stays pending with the reason on a fault; the drawer rule is core's."""

from __future__ import annotations

import json

import pytest

from core.money.tendering import TenderInput
from core.printing import claims as print_claims
from core.printing import history as printing_history
from core.printing import jobs as print_jobs
from core.printing import sources as print_sources
from core.printing.port import PrinterState
from core.printing.service import PrintService
from core.staff import auth
from core.store import terminals
from core.store.db import Db
from core.text.i18n import translate
from core.tills import refunds, sales, sessions
from core.tills.basket import LineInput
from tests.core.test_printing_support import PULSE, FakePrinter, factory


def da(text: str) -> str:
    """Documents print in the store's language: the demo store is Danish."""
    return translate(text, "da")


@pytest.fixture
def manager(db: Db):
    return auth.authenticate(db, "1", "1234")


@pytest.fixture
def fake() -> FakePrinter:
    return FakePrinter()


@pytest.fixture
def service(fake: FakePrinter) -> PrintService:
    return PrintService(factory(fake))


@pytest.fixture
def set_printer(db: Db, manager):  # terminals.set_printer checks the setting (P-4)
    def set_(cfg: dict, terminal: str = "T1") -> None:
        terminals.set_printer(db, manager, terminal, cfg)

    return set_


def sell(db: Db, manager, pay: str = "cash", terminal: str = "T1"):
    payment = [TenderInput(pay, None)]
    return sales.record_sale(db, manager, terminal, [LineInput("1001", 2)], payment).sale


def receipt_bytes(db: Db, sale_id: int, reprint: bool = False) -> bytes:
    doc, _sale = print_sources.sale_document(db, sale_id, reprint=reprint)
    return FakePrinter().render(doc)


def jobs_for(db: Db, ref: str) -> list:
    return print_jobs.for_ref(db, ref)


# -- P-2: printed means confirmed ----------------------------------------------------------


def test_a_confirmed_cash_sale_is_printed_with_the_drawer_pulse_first(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC P-2, P-3: confirmed after the data -> printed; cash moved -> the pulse rides first."""
    sale = sell(db, manager)
    outcome = service.print_sale(db, sale.id)
    assert outcome.ok and outcome.confirmed and outcome.reason is None
    assert outcome.message.startswith(f"Printed (confirmed by the printer): {da('RECEIPT')} T1-1.")
    assert outcome.message.endswith("Drawer pulse sent, not confirmed.")
    assert outcome.drawer == "pulse_sent" and not outcome.drawer_opened
    job = print_jobs.get(db, outcome.job_id)
    assert job.status == "printed" and job.printed_at is not None and job.attempts == 1
    assert fake.paper == [PULSE + receipt_bytes(db, sale.id)]
    assert job.payload == receipt_bytes(db, sale.id)
    assert print_jobs.pending(db, "T1") == []


def test_the_drawer_is_opened_only_when_the_printer_reads_it_open(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC P-2: "Drawer opened." only when Delivery.drawer says "opened"."""
    fake.drawer_reads_open = True
    outcome = service.print_sale(db, sell(db, manager).id)
    assert outcome.drawer_opened and outcome.message.endswith("Drawer opened.")


def test_a_link_that_cannot_answer_leaves_the_job_sent_unconfirmed(db: Db, manager) -> None:
    """SPEC P-2: a file sink's job leaves the queue as 'sent', and the message says so."""
    sink = FakePrinter(can_confirm=False)
    service = PrintService(factory(sink))
    sale = sell(db, manager)
    outcome = service.print_sale(db, sale.id)
    assert outcome.ok and not outcome.confirmed
    assert outcome.message == (
        f"Sent, unconfirmed: {da('RECEIPT')} T1-1. Drawer pulse sent, not confirmed."
    )
    job = print_jobs.get(db, outcome.job_id)
    assert job.status == "sent" and job.printed_at is not None
    assert print_jobs.pending(db, "T1") == [] and service.retry_pending(db, "T1") == []
    assert sink.status_asked == 0  # nothing to ask on such a link
    assert [j.id for j in printing_history.unconfirmed(db, "T1")] == [job.id]


def test_no_confirmation_after_the_data_keeps_the_job_pending_and_it_prints_once_later(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC P-2: a printer that answered before the data but not after it: kept, with the
    reason; `retry` prints it once when the printer is back, without the drawer pulse."""
    fake.script = ["fault_confirm"]
    sale = sell(db, manager)
    kept = service.print_sale(db, sale.id)
    assert not kept.ok and kept.reason == "unconfirmed"
    assert "The printer did not confirm the job" in kept.message
    assert f"{da('RECEIPT')} T1-1 kept; it prints when the printer is back" in kept.message
    job = print_jobs.get(db, kept.job_id)
    assert job.status == "pending" and job.last_reason == "unconfirmed"
    assert job.last_error_at is not None
    outcomes = service.retry_pending(db, "T1")
    assert [(o.job_id, o.ok, o.confirmed) for o in outcomes] == [(job.id, True, True)]
    # the unconfirmed try, then the retry, once, without the pulse (never replayed later)
    assert fake.paper == [PULSE + job.payload, job.payload]
    assert service.retry_pending(db, "T1") == []
    assert len(fake.paper) == 2


def test_a_fault_at_send_keeps_the_job_and_says_the_drawer_did_not_open(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC H-4, P-2: nothing went: pending with reason and message; the sale is stored."""
    fake.script = ["refuse"]
    sale = sell(db, manager)
    outcome = service.print_sale(db, sale.id)
    assert not outcome.ok and outcome.reason == "connection_refused"
    assert "refused the connection" in outcome.message
    assert outcome.message.endswith("The drawer did not open.") and outcome.drawer is None
    assert db.one("SELECT 1 FROM sales WHERE id = ?", (sale.id,)) is not None
    assert fake.paper == []
    outcomes = service.retry_pending(db, "T1")
    assert [o.ok for o in outcomes] == [True] and fake.paper == [
        print_jobs.get(db, outcome.job_id).payload
    ]


def test_paper_out_keeps_the_job_and_the_next_sale_prints_both_once_in_order(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC H-4: the status before the first job says paper out: nothing is pushed into it."""
    fake.state = PrinterState(online=True, paper_out=True)
    first = sell(db, manager)
    out1 = service.print_sale(db, first.id)
    assert not out1.ok and out1.reason == "paper_out" and "out of paper" in out1.message
    assert fake.paper == [] and out1.state.paper_out
    fake.state = PrinterState(online=True)  # paper loaded
    second = sell(db, manager)
    out2 = service.print_sale(db, second.id)
    assert out2.ok and out2.confirmed and out2.drawer == "pulse_sent"
    assert print_jobs.get(db, out1.job_id).status == "printed"
    # the kept receipt first; the drawer opens as printing starts, once
    assert fake.paper == [PULSE + receipt_bytes(db, first.id), receipt_bytes(db, second.id)]


def test_a_blocked_device_write_is_settled_not_sent_twice(
    db: Db, manager, service: PrintService, fake: FakePrinter
) -> None:
    """SPEC H-4: a write stuck in the OS still holds the receipt; nothing else is sent
    meanwhile, and when it goes out the job is sent, never sent again."""
    fake.can_confirm = False
    fake.script = ["blocked"]
    first, second = sell(db, manager), sell(db, manager)
    out1 = service.print_sale(db, first.id)
    out2 = service.print_sale(db, second.id)  # still stuck: kept, in order
    assert (out1.reason, out2.reason) == ("write_timeout", "write_timeout")
    assert service.printer_status(db, "T1").reason == "write_timeout"
    fake.release(went=True)
    outcomes = service.retry_pending(db, "T1")
    assert [(o.job_id, o.ok) for o in outcomes] == [(out1.job_id, True), (out2.job_id, True)]
    job1, job2 = print_jobs.get(db, out1.job_id), print_jobs.get(db, out2.job_id)
    assert (job1.status, job2.status) == ("sent", "sent")
    assert fake.paper == [PULSE + job1.payload, job2.payload]


def test_a_blocked_write_that_failed_is_sent_again(
    db: Db, manager, service: PrintService, fake: FakePrinter
) -> None:
    fake.script = ["blocked"]
    out = service.print_sale(db, sell(db, manager, pay="card").id)
    fake.release(went=False)
    (again,) = service.retry_pending(db, "T1")
    assert again.ok and fake.paper == [print_jobs.get(db, out.job_id).payload]


# -- R-9 and P-3: the job is queued with its operation; the drawer rule is core's -----------


def test_a_sale_commits_together_with_its_receipt_job_to_render(db: Db, manager) -> None:
    """SPEC R-9: the receipt's job is written in the sale's own transaction, "to render"."""
    sale = sell(db, manager)
    (job,) = jobs_for(db, "receipt:T1:1")
    assert (job.status, job.kind, job.open_drawer, job.copy) == (
        "pending",
        "sale_receipt",
        True,
        False,
    )
    assert job.to_render and job.payload == b"" and job.title == f"{da('RECEIPT')} T1-1"
    assert sale.receipt_no == 1
    with pytest.raises(RuntimeError), db.write():
        sell(db, manager, pay="card")
        assert jobs_for(db, "receipt:T1:2")  # inside: queued with it
        raise RuntimeError("power cut before COMMIT")
    assert db.scalar("SELECT COUNT(*) FROM sales") == 1
    assert jobs_for(db, "receipt:T1:2") == []
    card = sell(db, manager, pay="card")
    assert not jobs_for(db, f"receipt:T1:{card.receipt_no}")[0].open_drawer
    refund = refunds.record_refund(
        db, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")], receipt=("T1", 1)
    ).sale
    (refund_job,) = jobs_for(db, f"receipt:T1:{refund.receipt_no}")
    assert refund_job.kind == "refund_receipt" and refund_job.to_render


def test_a_queued_receipt_is_named_as_its_document(db: Db, manager) -> None:
    """SPEC R-9: the title queued inside the sale's lock is the printed document's."""
    sold = sell(db, manager)
    refund = refunds.record_refund(
        db, manager, "T1", [LineInput("1001", 1)], [TenderInput("card")], receipt=("T1", 1)
    ).sale
    for sale in (sold, refund):
        doc, _sale = print_sources.sale_document(db, sale.id)
        (job,) = jobs_for(db, f"receipt:T1:{sale.receipt_no}")
        assert (job.kind, job.title) == (doc.kind, doc.title)


def test_printing_a_sale_prints_the_job_queued_with_it_never_a_second(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC R-9: the queued job is rendered at its first claim and printed, once."""
    sale = sell(db, manager)
    first = service.print_sale(db, sale.id)
    again = service.print_sale(db, sale.id)  # a second after_sale for the same sale
    (job,) = jobs_for(db, "receipt:T1:1")
    assert first.ok and again.ok and first.job_id == again.job_id == job.id
    assert job.status == "printed" and not job.to_render
    assert fake.paper == [PULSE + job.payload]


def test_the_drawer_rule_card_shut_cash_refund_and_cash_action_open(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC P-3: a sale opens the drawer when cash moved; a cash action's slip opens it."""
    sessions.open_session(db, manager, "T1", 50000)
    card = sell(db, manager, pay="card")
    assert not print_sources.drawer_opens(card)
    assert service.print_sale(db, card.id).drawer is None
    refund = refunds.record_refund(
        db, manager, "T1", [LineInput("1001", 1)], [TenderInput("cash", None)], receipt=("T1", 1)
    ).sale
    assert print_sources.drawer_opens(refund)
    assert service.print_sale(db, refund.id).drawer == "pulse_sent"
    adj = sessions.adjust_cash(db, manager, "T1", "add", 10000, "Change from the bank")
    outcome = service.print_adjustment(db, adj.id)
    assert outcome.ok and outcome.drawer == "pulse_sent"
    assert print_jobs.get(db, outcome.job_id).ref == f"adjustment:{adj.id}"
    assert fake.pulses == 2 and fake.paper[-1].startswith(PULSE)
    assert "Change from the bank" in fake.paper[-1].decode()


def test_a_pulse_is_never_queued_and_opened_is_said_only_when_read(
    db: Db, fake: FakePrinter, service: PrintService
) -> None:
    """SPEC P-2: open_drawer sends the pulse only; "opened" only when the status said so."""
    outcome = service.open_drawer(db, "T1")
    assert outcome.ok and outcome.job_id is None and not outcome.confirmed
    assert outcome.message == "Drawer pulse sent, not confirmed."
    fake.drawer_reads_open = True
    opened = service.open_drawer(db, "T1")
    assert opened.confirmed and opened.message == "Drawer opened."
    from core.printing.port import PrinterFault

    fake.pulse_fault = PrinterFault("device_missing", "fake")
    failed = service.open_drawer(db, "T1")
    assert not failed.ok and failed.reason == "device_missing" and "did not open" in failed.message
    assert fake.paper == [PULSE, PULSE]
    assert db.scalar("SELECT COUNT(*) FROM print_jobs WHERE kind = 'drawer'") == 0
    assert print_jobs.pending(db, "T1") == []


def test_no_printer_configured_is_said_and_nothing_is_queued(
    db: Db, manager, set_printer, service: PrintService
) -> None:
    set_printer({"kind": "none"})
    sale = sell(db, manager)
    outcome = service.print_sale(db, sale.id)
    assert not outcome.ok and outcome.job_id is None and outcome.reason == "not_configured"
    assert "No printer is configured for terminal T1" in outcome.message
    assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 0
    assert service.printer_status(db, "T1").reason == "not_configured"


def test_a_broken_printer_setting_is_a_clear_outcome(
    db: Db, manager, service: PrintService
) -> None:
    """P-4: a setting stored before settings were checked: kept, saying how to fix it."""
    with db.write():
        db.execute("UPDATE terminals SET printer = ? WHERE id = 'T1'", ('{"kind": "serial"}',))
    outcome = service.print_sale(db, sell(db, manager).id)
    assert not outcome.ok and outcome.reason == "config"
    assert outcome.message.startswith("Printer configuration:")
    assert "kassi terminal set T1 --printer JSON" in outcome.message


def test_printing_inside_the_operations_transaction_is_refused(
    db: Db, manager, service: PrintService
) -> None:
    sale = sell(db, manager)
    with pytest.raises(RuntimeError), db.write():
        service.print_sale(db, sale.id)


# -- reprints ------------------------------------------------------------------------------


def test_a_reprint_is_a_copy_without_the_drawer_and_is_audited(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    sale = sell(db, manager)
    service.print_sale(db, sale.id)
    outcome = service.reprint_last(db, "T1")
    assert outcome.ok and outcome.drawer is None and "(copy)" in outcome.message
    assert fake.paper[-1] == receipt_bytes(db, sale.id, reprint=True)
    assert da("COPY") in fake.paper[-1].decode() and fake.pulses == 1
    job = print_jobs.get(db, outcome.job_id)
    assert job.copy and print_jobs.last_for(db, "T1", "sale_receipt").id == job.id
    audit = db.one("SELECT * FROM audit_log WHERE action = 'print.copy'")
    assert audit["terminal_id"] == "T1" and json.loads(audit["details"])["ref"] == job.ref


def test_a_reprint_of_a_receipt_never_queued_is_the_original(
    db: Db, manager, set_printer, fake: FakePrinter, service: PrintService
) -> None:
    set_printer({"kind": "none"})
    sale = sell(db, manager)  # rung up with no printer: nothing queued
    set_printer({"kind": "network", "host": "10.0.0.5"})
    outcome = service.print_sale(db, sale.id, reprint=True)
    assert outcome.ok and outcome.drawer is None
    assert da("COPY") not in fake.paper[-1].decode()
    assert not print_jobs.get(db, outcome.job_id).copy


def test_a_reprint_while_the_original_waits_prints_the_original_once(
    db: Db, manager, fake: FakePrinter, service: PrintService
) -> None:
    fake.script = ["refuse"]
    sale = sell(db, manager)
    kept = service.print_sale(db, sale.id)
    assert not kept.ok
    again = service.print_sale(db, sale.id, reprint=True)
    assert again.ok and again.job_id == kept.job_id  # the original, not a copy on top
    assert fake.paper == [print_jobs.get(db, kept.job_id).payload]
    assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 1


def test_reprint_last_with_no_sale_says_so(db: Db, service: PrintService) -> None:
    outcome = service.reprint_last(db, "T2")
    assert not outcome.ok and outcome.job_id is None and "No receipt" in outcome.message


def test_done_jobs_keep_their_bytes_only_for_the_newest_few(
    db: Db, manager, fake: FakePrinter, service: PrintService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(print_claims, "KEEP_PAYLOADS", 2)
    fake.script = ["confirm", "unconfirmed", "confirm", "unconfirmed"]
    sold = [sell(db, manager, pay="card") for _ in range(4)]
    ids = [service.print_sale(db, sale.id).job_id for sale in sold]
    jobs = [print_jobs.get(db, i) for i in ids]
    assert [len(j.payload) > 0 for j in jobs] == [False, False, True, True]
    assert [j.status for j in jobs] == ["printed", "sent", "printed", "sent"]
    copy = service.print_sale(db, sold[0].id, reprint=True)  # rebuilt from the sale
    assert copy.ok and "(copy)" in copy.message and "T1-1" in copy.message
    assert fake.paper[-1] == receipt_bytes(db, sold[0].id, reprint=True)
