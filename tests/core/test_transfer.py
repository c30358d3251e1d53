"""Transfer of transactions from a store to the head office (T-1): export, import twice,
and the same statement on both sides. Amounts are DKK øre."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from core.errors import InputError, PermissionDenied
from core.staff import auth
from core.statements import posting as statement_posting
from core.statements.records import OpenSessionsError
from core.store import demo
from core.store.db import Db
from core.transfer.export import export_transactions
from core.transfer.importing import import_transactions
from tests.conftest import FakeClock
from tests.core.test_statements_support import Shop, local
from tests.core.transfer_support import export, load

DAY = (local(2026, 5, 31, 3), local(2026, 6, 1, 3))
HO_TABLES = (
    "sales",
    "sale_lines",
    "payments",
    "sessions",
    "cash_adjustments",
    "declarations",
    "inventory_movements",
    "inventory",
    "audit_log",
    "transfer_sessions",
)


def state(ho: Shop) -> dict[str, list]:
    return {t: [tuple(r) for r in ho.db.all(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in HO_TABLES}


def _business_day(shop: Shop) -> None:
    """31 May at Nørrebro: two tills, cash with change and rounding, card, a customer,
    a refund against a receipt, a cash action, sessions closed with small differences."""
    shop.at(2026, 5, 31, 8)
    shop.open("T1", 100000)
    shop.open("T2", 50000)
    shop.at(2026, 5, 31, 9)
    from core.money.tendering import TenderInput

    shop.sell("T1", [("1001", 2), ("1003", 1)], pay=[TenderInput("cash", 10000)], staff="2")
    shop.sell("T1", [("1004", 1)], "card", customer="C1001", staff="2")
    shop.at(2026, 5, 31, 13)
    shop.sell("T2", [("1002", 3)], "mobile", staff="3")
    shop.sell("T2", [("1001", 1)], "card", staff="3")
    from core.tills import sessions

    sessions.adjust_cash(shop.db, shop.manager, "T1", "remove", 20000, "to the safe")
    shop.at(2026, 5, 31, 18)
    shop.refund("T1", [("1001", 1)], receipt=("T1", 1), tender="card", staff="2")
    shop.at(2026, 6, 1, 1)  # after midnight: still business day 31 May
    shop.sell("T2", [("1002", 1)], "card", customer="C1002", staff="3")
    shop.at(2026, 6, 1, 2)
    shop.close("T1", cash_delta=-50, declare={"card": 2495 - 3295})
    shop.close("T2", cash_delta=100, declare={"card": 3295 + 2450})


def test_export_writes_json_lines_with_a_header(shop: Shop) -> None:
    _business_day(shop)
    text, cursor = export(shop)
    records = [json.loads(line) for line in text.splitlines()]
    header = records[0]
    assert header["type"] == "header" and header["format"] == "kassi-transactions"
    assert header["version"] == 3 and header["since"] == 0 and header["cursor"] == cursor
    assert header["head"]["entry"] == cursor and len(header["head"]["hash"]) == 64
    kinds = [r["type"] for r in records[1:] if r["type"] != "entry"]
    assert kinds.count("sale") == 6 and kinds.count("session") == 2
    first_sale = next(r for r in records if r["type"] == "sale")
    assert first_sale["timestamp"] == "2026-05-31T09:00:00.000000+02:00"
    # 2 x 32,95 + 12,25 = 78,15, paid in cash: rounded to 78,00, 22,00 back from 100,00.
    assert (first_sale["total"], first_sale["rounding"]) == ("78.15", "-0.15")
    assert first_sale["change"] == "22.00"
    assert first_sale["payments"] == [
        {"tender": "cash", "cash": True, "amount": "78.00", "tendered": "100.00"}
    ]
    assert first_sale["session"] == "T1/1/2026-05-31T06:00:00.000000Z"  # terminal/number/opened
    refund = next(r for r in records if r.get("kind") == "refund")
    assert refund["original"] == first_sale["id"]
    assert refund["lines"][0]["original_line"] == 1
    # A session comes before its sales.
    assert kinds.index("session") < kinds.index("sale")
    closed = [r for r in records if r["type"] == "session"]
    assert all(r["status"] == "closed" for r in closed)
    assert {d["tender"] for d in closed[0]["declarations"]} == {"cash", "card"}
    assert closed[0]["adjustments"][0]["amount"] == "200.00"


def test_import_twice_holds_each_transaction_once(shop: Shop, head_office: Shop) -> None:
    """Idempotent by id: the second import of the same file changes nothing at all."""
    _business_day(shop)
    text, _cursor = export(shop)
    first = load(head_office, text)
    assert (first.sales, first.sessions) == (6, 2)
    after_first = state(head_office)
    second = load(head_office, text)
    assert (second.sales, second.sessions) == (0, 0)
    assert (second.skipped_sales, second.skipped_sessions) == (6, 2)
    assert state(head_office) == after_first
    uids = {r[0] for r in shop.db.all("SELECT uid FROM sales")}
    assert {r[0] for r in head_office.db.all("SELECT uid FROM sales")} == uids
    assert (
        head_office.db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'transfer.import'")
        == 1
    )


def test_the_head_office_statement_equals_the_store_statement(
    shop: Shop, head_office: Shop
) -> None:
    """The same statement calculated at the store and at the head office: the same lines
    (amount, counted, difference), and once posted the same orders and journals."""
    _business_day(shop)
    text, _cursor = export(shop)
    load(head_office, text)
    load(head_office, text)

    def figures(side: Shop) -> tuple:
        sid = side.create_one("NORREBRO", *DAY)
        side.calculate(sid)
        lines = side.lines(sid)
        statement_posting.post_statement(side.db, side.manager, sid)
        d = side.details(sid)
        return (
            lines,
            [
                (
                    o.kind,
                    o.customer_id,
                    o.business_date,
                    o.transactions,
                    o.total,
                    o.rounding,
                    o.vat_total,
                )
                for o in d.orders
            ],
            [(j.tender_id, j.payments, j.amount, j.counted) for j in d.payment_journals],
            [
                tuple(r)
                for r in side.db.all("SELECT sku, qty FROM inventory_journal_lines ORDER BY sku")
            ],
            d.statement.transactions,
        )

    at_store, at_office = figures(shop), figures(head_office)
    assert at_office == at_store
    lines = at_store[0]
    assert lines[("", "cash")][2] == -50 + 100  # the two closing differences
    assert at_store[4] == 6


@pytest.mark.parametrize("method", ["total", "staff", "terminal"])
def test_every_method_agrees_across_the_transfer(shop: Shop, head_office: Shop, method) -> None:
    from core.store import stores

    for side in (shop, head_office):
        stores.update_store(side.db, side.manager, "NORREBRO", statement_method=method)
    _business_day(shop)
    load(head_office, export(shop)[0])
    results = []
    for side in (shop, head_office):
        sid = side.create_one("NORREBRO", *DAY)
        side.calculate(sid)
        results.append(side.lines(sid))
    assert results[0] == results[1]


def test_stock_arrives_with_the_import_and_posting_leaves_it(shop: Shop, head_office: Shop) -> None:
    _business_day(shop)
    stock = "SELECT sku, on_hand FROM inventory WHERE store_id = 'NORREBRO' ORDER BY sku"
    store_stock = [tuple(r) for r in shop.db.all(stock)]
    load(head_office, export(shop)[0])
    assert [tuple(r) for r in head_office.db.all(stock)] == store_stock
    reasons = {r[0] for r in head_office.db.all("SELECT DISTINCT reason FROM inventory_movements")}
    assert reasons == {"import"}
    sid = head_office.create_one("NORREBRO", *DAY)
    head_office.calculate(sid)
    statement_posting.post_statement(head_office.db, head_office.manager, sid)
    assert [tuple(r) for r in head_office.db.all(stock)] == store_stock


def test_the_cursor_sends_only_what_is_new(shop: Shop, head_office: Shop) -> None:
    """An open session travels open; its close travels in a later export, with the
    declarations; the head office refuses a statement while it is open there (T-9)."""
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "cash")
    text1, cursor1 = export(shop)
    load(head_office, text1)
    opened = head_office.db.one("SELECT * FROM sessions")
    assert opened["status"] == "open"
    with pytest.raises(OpenSessionsError, match="Close the sessions"):
        head_office.create("NORREBRO", *DAY)
    shop.at(2026, 5, 31, 10)
    shop.sell("T1", [("1004", 1)], "card")
    shop.at(2026, 5, 31, 20)
    shop.close("T1", cash_delta=-100)
    text2, cursor2 = export(shop, since=cursor1)
    records = [r for r in map(json.loads, text2.splitlines()) if r["type"] != "entry"]
    # the cash taken out at the close goes into the safe (K-1), after the session
    assert [r["type"] for r in records] == ["header", "sale", "session", "safe"]
    assert records[0]["since"] == cursor1 and cursor2 > cursor1
    summary = load(head_office, text2)
    assert (summary.sales, summary.sessions) == (1, 1)
    closed = head_office.db.one("SELECT * FROM sessions WHERE id = ?", (opened["id"],))
    assert closed["status"] == "closed" and closed["counted_cash"] == 4900 - 100
    text3, cursor3 = export(shop, since=cursor2)
    # Nothing new but the journal: the entry at the cursor and the export's own.
    assert {json.loads(x)["type"] for x in text3.splitlines()[1:]} == {"entry"}
    assert cursor3 == cursor2 + 1
    sid = head_office.create_one("NORREBRO", *DAY)
    head_office.calculate(sid)
    assert head_office.lines(sid)[("", "cash")] == (4900, 4800, -100)


def test_export_of_one_store(shop: Shop) -> None:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1")
    shop.sell("R1", [("1001", 1)])
    text, _cursor = export(shop, store="REYKJAVIK")
    records = [r for r in map(json.loads, text.splitlines()[1:]) if r["type"] != "entry"]
    assert {r["store"] for r in records} == {"REYKJAVIK"}
    assert [r["type"] for r in records] == ["session", "sale"]


def _good_file(shop: Shop) -> list[str]:
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 2)], "card")
    shop.sell("T1", [("1004", 1)], "card")
    shop.close("T1", declare={"card": 4900 + 2495})
    return export(shop)[0].splitlines(keepends=True)


def _line(lines: list[str], record: int) -> int:
    """The file line of the ``record``-th line not counting the journal entries (R-3),
    which follow the header."""
    entries = sum(1 for x in lines if json.loads(x)["type"] == "entry")
    return record if record == 1 else record + entries


@pytest.mark.parametrize(
    ("line_no", "damage", "message"),
    [
        (3, lambda r: "{not json", "the record is not valid JSON"),
        (3, lambda r: {**r, "total": "49,00"}, "'total'"),
        (4, lambda r: {**r, "terminal": "T9"}, "unknown terminal 'T9'"),
        (4, lambda r: {**r, "total": "30.00"}, "the lines do not add up"),
        (
            3,
            lambda r: {**r, "timestamp": "2026-05-31T09:00:00"},
            "'timestamp' is not a time with a UTC offset",
        ),
        (
            4,
            lambda r: {k: v for k, v in r.items() if k != "payments"},
            "'payments' is missing",
        ),
        (1, lambda r: {**r, "version": 4}, "format version 4"),
        (4, lambda r: {**r, "lines": [1, 2]}, "the sale record is malformed"),
        (4, lambda r: {**r, "vat": "0.01"}, "the lines' VAT does not add up"),
        (2, lambda r: {**r, "adjustments": [{"kind": "steal"}]}, "'amount' is missing"),
        (3, lambda r: {**r, "type": "coupon"}, "unknown record type 'coupon'"),
    ],
)
def test_a_malformed_line_is_named_and_nothing_is_imported(
    shop: Shop, head_office: Shop, line_no, damage, message
) -> None:
    lines = _good_file(shop)
    kinds = [t for t in (json.loads(x)["type"] for x in lines) if t != "entry"]
    assert kinds == ["header", "session", "sale", "sale"]
    line_no = _line(lines, line_no)
    record = json.loads(lines[line_no - 1])
    damaged = damage(record)
    lines[line_no - 1] = (damaged if isinstance(damaged, str) else json.dumps(damaged)) + "\n"
    before = state(head_office)
    with pytest.raises(InputError, match=f"line {line_no}: {message}") as refused:
        load(head_office, "".join(lines))
    assert "Nothing was imported" in refused.value.message
    assert state(head_office) == before


def test_a_sale_must_find_its_session_and_its_original(shop: Shop, head_office: Shop) -> None:
    lines = _good_file(shop)
    at = _line(lines, 2)
    without_session = [*lines[: at - 1], *lines[at:]]  # the session record is missing
    with pytest.raises(InputError, match=f"line {at}: session .* is not here"):
        load(head_office, "".join(without_session))
    assert head_office.count("sales") == 0


def test_the_same_id_with_other_contents_is_refused(shop: Shop, head_office: Shop) -> None:
    load(head_office, "".join(_good_file(shop)))
    lines = export(shop)[0].splitlines(keepends=True)  # newer: not skipped whole
    at = _line(lines, 3)
    record = json.loads(lines[at - 1])
    record["receipt"] = 99
    lines[at - 1] = json.dumps(record) + "\n"
    with pytest.raises(InputError, match=f"line {at}: sale .* already here with other contents"):
        load(head_office, "".join(lines))


def test_transfer_needs_the_permission(shop: Shop, head_office: Shop, cashier) -> None:
    with pytest.raises(PermissionDenied):
        export_transactions(shop.db, cashier, io.StringIO())
    text = export(shop)[0]
    ho_cashier = auth.get_staff(head_office.db, "2")
    with pytest.raises(PermissionDenied):
        import_transactions(head_office.db, ho_cashier, text.splitlines())


def test_importing_into_the_database_it_came_from_changes_nothing(shop: Shop) -> None:
    lines = _good_file(shop)
    before = state(shop)
    summary = load(shop, "".join(lines))
    assert (summary.sales, summary.sessions) == (0, 0)
    after = state(shop)
    # The only change: the journal says the file's head was taken.
    new_entries = after.pop("audit_log")[len(before.pop("audit_log")) :]
    assert [e[4] for e in new_entries] == ["transfer.import"]  # (seq, at, staff, till, action…)
    assert after == before


def test_sessions_of_two_store_databases_never_collide(shop: Shop, head_office: Shop) -> None:
    """Each store database numbers its sessions from 1; the head office keeps them apart."""
    other_clock = FakeClock(datetime(2026, 5, 31, 9, 0, tzinfo=UTC))
    other_db = Db(":memory:", clock=other_clock)
    demo.load_demo(other_db)
    other = Shop(other_db, other_clock, auth.get_staff(other_db, "1"))
    shop.at(2026, 5, 31, 9)
    shop.sell("T1")
    other.sell("R1", [("1001", 1)])
    for side in (shop, other):
        side.close_all()
        load(head_office, export(side)[0])
    rows = head_office.db.all("SELECT id, terminal_id FROM sessions ORDER BY id")
    assert [tuple(r) for r in rows] == [(1, "T1"), (2, "R1")]
    origins = {r[0] for r in head_office.db.all("SELECT origin FROM transfer_sessions")}
    assert {o.split("/")[1] for o in origins} == {"1"}  # both were session 1 at home
    other_db.close()
