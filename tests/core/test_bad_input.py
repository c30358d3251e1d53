"""Bad input and refused operations: each is a clear error that changes nothing.

"Changes nothing" is checked with the `snapshot` fixture (tests/core/conftest.py):
row counts of sales, lines, payments, sessions, cash actions, counts, declarations,
stock movements and the audit log, every terminal's last receipt number, stock on
hand, the number sequences and the open sessions.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.audit import verification
from core.errors import (
    AuthError,
    InputError,
    KassiError,
    NotFound,
    PermissionDenied,
    StateError,
)
from core.money import amounts as money
from core.money.tendering import TenderInput
from core.staff import auth
from core.staff.permissions import PERMISSIONS
from core.statements import operations as statements
from core.statements.posting import post_statement
from core.store import stores
from core.store.db import iso, parse_iso
from core.tills import drawer, refunds, sales, sessions
from core.tills.basket import LineInput
from core.tills.discounts import Discount
from tests.core.test_statements_support import Shop, local


def card_sale(db, actor, terminal="T1", sku="1008", qty=1):
    return sales.record_sale(db, actor, terminal, [LineInput(sku, qty)], [TenderInput("card")])


# -- amounts as typed (M-2): the parser, like the CLI and the screens use it ----------------

BAD_AMOUNTS = [
    ("12,345", "DKK", "da", "has 3 decimals, but DKK amounts have at most 2"),
    ("-5,00", "DKK", "da", "Negative amounts are not allowed here"),
    ("12x", "DKK", "da", "is not an amount: use only digits"),
    ("", "DKK", "da", "Enter an amount"),
    ("1,234.50", "DKK", "da", "Use a comma for decimals in Danish: 1.234,50"),
    ("1.5.0", "DKK", "da", "thousands separators in '1.5.0' are misplaced"),
    ("99999999999", "DKK", "da", "is too large"),
    ("12,5", "ISK", "is", "has decimals, but ISK amounts have none"),
    ("0,5", "DKK", "en", "Use a point for decimals in English: 0.5"),
]


@pytest.mark.parametrize(("text", "currency", "locale", "message"), BAD_AMOUNTS)
def test_typed_text_that_is_not_an_amount_is_refused_by_the_parser(text, currency, locale, message):
    """M-2: what the operator typed is parsed first; a malformed, negative, too large or
    over-precise amount is an InputError that says why (the operations below are then
    never called: the CLI and the screens stop at the parser's message)."""
    with pytest.raises(InputError) as caught:
        money.parse_amount(text, currency, locale)
    assert message in caught.value.message


# -- amounts that parse but are wrong for the operation (S-3, S-6, S-8) ---------------------
# Each case reaches the operation it names: the typed amounts are parsed *before*
# pytest.raises (a parser error fails the test instead of passing it), and the message
# asserted is the operation's own. Negative amounts are what an API caller (an import,
# a script) can hand over: parsed here with allow_negative so they reach the core check.

# terminal -> (currency, locale) of its store in the demo data
TERMINAL_MONEY = {"T1": ("DKK", "da"), "R1": ("ISK", "is")}

# (operation, terminal, arguments: typed amounts or None, the operation's message)
BAD_FOR_THE_OPERATION = [
    ("open", "T1", {"amount": "-5,00"}, "The starting amount cannot be negative."),
    ("open", "R1", {"amount": "-500"}, "The starting amount cannot be negative."),
    ("open", "T1", {"amount": None}, "Enter the starting amount."),
    (
        "open",
        "T1",
        {"amount": "100,00", "counts": {"100,00": 1, "0,50": 1}},
        "The counted notes and coins make 100,50, not 100,00.",
    ),
    (
        "open",
        "R1",
        {"amount": "2.000", "counts": {"2.000": 1, "1": 1}},
        "The counted notes and coins make 2.001, not 2.000.",
    ),
    ("open", "T1", {"amount": None, "counts": {"0,25": 4}}, "is not a DKK note or coin"),
    ("open", "T1", {"amount": None, "counts": {"100,00": -1}}, "cannot be negative: -1"),
    ("add", "T1", {"amount": "0,00"}, "The amount must be more than zero."),
    ("add", "T1", {"amount": "-5,00"}, "The amount must be more than zero."),
    ("add", "R1", {"amount": "0"}, "The amount must be more than zero."),
    ("add", "T1", {"amount": "5,00", "note": "   "}, "A note is required: say why the cash moves."),
    ("add", "T1", {"amount": "5,00", "note": "x" * 501}, "A note can be at most 500 characters."),
    (
        "remove",
        "T1",
        {"amount": "100,50"},
        "The drawer should hold 100,00; you cannot remove 100,50.",
    ),
    (
        "remove",
        "R1",
        {"amount": "10.001"},
        "The drawer should hold 10.000; you cannot remove 10.001.",
    ),
    ("remove", "T1", {"amount": "0,00"}, "The amount must be more than zero."),
    ("remove", "T1", {"amount": "-0,50"}, "The amount must be more than zero."),
    ("remove", "T1", {"amount": "5,00", "note": ""}, "A note is required: say why the cash moves."),
    ("close", "T1", {"amount": "-0,50", "leave": "0,00"}, "Counted cash cannot be negative."),
    (
        "close",
        "T1",
        {"amount": "100,00", "leave": "-0,50"},
        "The amount to leave in the drawer cannot be negative.",
    ),
    (
        "close",
        "T1",
        {"amount": "100,00", "leave": "100,50"},
        "You counted 100,00; you cannot leave 100,50 in the drawer.",
    ),
    (
        "close",
        "R1",
        {"amount": "10.000", "leave": "10.001"},
        "You counted 10.000; you cannot leave 10.001 in the drawer.",
    ),
    ("close", "T1", {"amount": None, "leave": "0,00"}, "Enter the counted cash."),
    (
        "close",
        "T1",
        {"amount": "100,00", "leave": "0,00", "counts": {"50,00": 1}},
        "The counted notes and coins make 50,00, not 100,00.",
    ),
    (
        "close",
        "T1",
        {"amount": "100,00", "leave": "0,00", "declarations": {"voucher": "1,00"}},
        "No payment type voucher.",
    ),
    (
        "close",
        "T1",
        {"amount": "100,00", "leave": "0,00", "declarations": {"cash": "100,00"}},
        "Cash is declared as the counted cash, not as a declaration.",
    ),
]


def _typed(text: str | None, terminal: str) -> int | None:
    currency, locale = TERMINAL_MONEY[terminal]
    return None if text is None else money.parse_amount(text, currency, locale, allow_negative=True)


def _case_id(case) -> str:
    operation, terminal, args, _message = case
    return f"{operation}-{terminal}-" + "-".join(f"{k}={v!r}"[:24] for k, v in args.items())


@pytest.mark.parametrize(
    ("operation", "terminal", "args", "message"),
    BAD_FOR_THE_OPERATION,
    ids=[_case_id(c) for c in BAD_FOR_THE_OPERATION],
)
def test_an_amount_wrong_for_the_operation_is_refused_by_it_and_changes_nothing(
    db, cashier, snapshot, operation, terminal, args, message
):
    """S-3/S-6/S-8: the starting amount, a cash action and the close figures are checked by
    the operation itself (not only by the parser): negative or zero where that makes no
    sense, more removed or left than there is, a count that disagrees with the amount, an
    unknown payment type declared. One clear message, and no row or audit entry written."""
    if operation != "open":
        sessions.open_session(db, cashier, terminal, 10000)
    amount = _typed(args.get("amount"), terminal)
    counts = args.get("counts")
    counts = None if counts is None else {_typed(d, terminal): n for d, n in counts.items()}
    declarations = {t: _typed(a, terminal) for t, a in args.get("declarations", {}).items()}
    note = args.get("note", "change for the till")
    actions = {
        "open": lambda: sessions.open_session(db, cashier, terminal, amount, counts=counts),
        "add": lambda: sessions.adjust_cash(db, cashier, terminal, "add", amount, note),
        "remove": lambda: sessions.adjust_cash(db, cashier, terminal, "remove", amount, note),
        "close": lambda: sessions.close_session(
            db,
            cashier,
            terminal,
            amount,
            _typed(args["leave"], terminal),
            declarations=declarations,
            counts=counts,
        ),
    }
    before = snapshot()
    with pytest.raises(KassiError) as caught:
        actions[operation]()
    assert message in caught.value.message
    assert snapshot() == before


# -- sessions in the wrong state -------------------------------------------------------------


def test_close_with_no_open_session(db, cashier, snapshot):
    """S-8: closing needs an open session on the terminal."""
    before = snapshot()
    with pytest.raises(StateError, match="No session is open on terminal T1: start one first"):
        sessions.close_session(db, cashier, "T1", counted=0, leave=0)
    assert snapshot() == before


def test_close_a_closed_session(db, cashier, snapshot):
    """S-8: closing twice: the second close finds nothing open and leaves the first close alone."""
    sid = sessions.open_session(db, cashier, "T1", 10000).id
    sessions.close_session(db, cashier, "T1", counted=10000, leave=5000)
    closed = db.one("SELECT * FROM sessions WHERE id = ?", (sid,))
    before = snapshot()
    with pytest.raises(StateError, match="No session is open on terminal T1"):
        sessions.close_session(db, cashier, "T1", counted=999, leave=0)
    assert snapshot() == before
    assert tuple(db.one("SELECT * FROM sessions WHERE id = ?", (sid,))) == tuple(closed)


def test_open_a_second_session_on_a_terminal_is_refused(db, cashier, snapshot):
    """S-3: one open session per terminal; opening again names the open one."""
    sessions.open_session(db, cashier, "T1", 10000)
    before = snapshot()
    with pytest.raises(StateError, match="Session 1 is already open on terminal T1"):
        sessions.open_session(db, cashier, "T1", 5000)
    assert snapshot() == before


def test_open_where_cash_tracking_is_off_is_refused(db, cashier, manager, snapshot):
    """S-2: while cash tracking is off, no session opens (sales still record)."""
    stores.update_store(db, manager, "NORREBRO", track_cash=False)
    before = snapshot()
    with pytest.raises(StateError, match="Cash tracking is off for"):
        sessions.open_session(db, cashier, "T1", 10000)
    assert snapshot() == before


def test_adjust_with_no_open_session(db, cashier, snapshot):
    """S-6: cash actions need an open session."""
    before = snapshot()
    for kind in ("add", "remove"):
        with pytest.raises(StateError, match="No session is open on terminal T1"):
            sessions.adjust_cash(db, cashier, "T1", kind, 1000, "Change for the till")
    assert snapshot() == before


def test_remove_more_than_the_drawer_should_hold_is_refused(db, cashier, snapshot):
    """S-6, documented decision: removing more than the expected cash is refused (a real
    shortfall is a closing discrepancy, not a negative expected cash)."""
    sid = sessions.open_session(db, cashier, "T1", 10000).id
    card_sale(db, cashier)  # card: the drawer still holds 100,00
    before = snapshot()
    with pytest.raises(InputError, match="should hold 100,00; you cannot remove 100,50"):
        sessions.adjust_cash(db, cashier, "T1", "remove", 10050, "Bank deposit")
    assert snapshot() == before
    sessions.adjust_cash(db, cashier, "T1", "remove", 10000, "Bank deposit")
    assert sessions.expected_cash(db, sid) == 0


@pytest.mark.parametrize(
    ("kind", "amount", "note", "message"),
    [
        ("add", 1000, "", "A note is required"),
        ("remove", 1000, "   ", "A note is required"),
        ("add", 0, "Coins", "must be more than zero"),
        ("add", -500, "Coins", "must be more than zero"),
        ("take", 1000, "Coins", "add or remove"),
        ("add", 1000, "x" * 501, "at most 500 characters"),
    ],
)
def test_bad_cash_action(db, cashier, snapshot, kind, amount, note, message):
    """S-6: add or remove a positive amount with a note (1-500 characters)."""
    sessions.open_session(db, cashier, "T1", 10000)
    before = snapshot()
    with pytest.raises(InputError, match=message):
        sessions.adjust_cash(db, cashier, "T1", kind, amount, note)
    assert snapshot() == before


def test_negative_float_is_refused(db, cashier, snapshot):
    """S-3: the starting amount is entered and cannot be negative."""
    before = snapshot()
    with pytest.raises(InputError, match="The starting amount cannot be negative"):
        sessions.open_session(db, cashier, "T1", -100)
    with pytest.raises(InputError, match="Enter the starting amount"):
        sessions.open_session(db, cashier, "T1")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("counted", "leave", "message"),
    [
        (10000, 10050, "You counted 100,00; you cannot leave 100,50 in the drawer"),
        (-1, 0, "Counted cash cannot be negative"),
        (10000, -1, "cannot be negative"),
        (None, 0, "Enter the counted cash"),
    ],
)
def test_bad_close_figures(db, cashier, snapshot, counted, leave, message):
    """S-8: counted cash is entered, and the amount left cannot be more than counted."""
    sessions.open_session(db, cashier, "T1", 10000)
    before = snapshot()
    with pytest.raises(InputError, match=message):
        sessions.close_session(db, cashier, "T1", counted=counted, leave=leave)
    assert snapshot() == before
    assert sessions.current_session(db, "T1").is_open


def test_bad_declarations_at_close(db, cashier, snapshot):
    """S-8/T-5: declarations are for known non-cash tenders; cash is the counted cash."""
    sessions.open_session(db, cashier, "T1", 0)
    before = snapshot()
    with pytest.raises(NotFound, match="No payment type voucher"):
        sessions.close_session(db, cashier, "T1", 0, 0, declarations={"voucher": 100})
    with pytest.raises(InputError, match="Cash is declared as the counted cash"):
        sessions.close_session(db, cashier, "T1", 0, 0, declarations={"cash": 100})
    assert snapshot() == before


# -- sales -----------------------------------------------------------------------------------


def test_unknown_sku(db, cashier, snapshot):
    """A basket with an unknown SKU or barcode records nothing (M-1 totals never half-priced)."""
    before = snapshot()
    with pytest.raises(NotFound, match="No item with SKU or barcode 424242"):
        sales.record_sale(
            db, cashier, "T1", [LineInput("1008"), LineInput("424242")], [TenderInput("card")]
        )
    assert snapshot() == before


@pytest.mark.parametrize("qty", [0, -1, 10000])
def test_quantity_out_of_range(db, cashier, snapshot, qty):
    """DESIGN validators at the edge: a quantity is a whole number from 1 to 9999."""
    before = snapshot()
    with pytest.raises(InputError, match="Quantity must be a whole number from 1 to 9999"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008", qty)], [TenderInput("card")])
    assert snapshot() == before


def test_quantity_must_be_a_whole_number(db, cashier, snapshot):
    """M-1: a fractional or boolean quantity never reaches the money columns."""
    before = snapshot()
    for qty in (1.5, True):
        with pytest.raises(InputError, match="Quantity must be a whole number"):
            sales.record_sale(db, cashier, "T1", [LineInput("1008", qty)], [TenderInput("card")])
    assert snapshot() == before


def test_float_amounts_never_reach_the_database(db, cashier, snapshot):
    """M-1: an amount that is not an int (a float from careless code) is refused at the
    service boundary instead of being stored as a REAL."""
    before = snapshot()
    with pytest.raises(TypeError, match="int in minor units"):
        sessions.open_session(db, cashier, "T1", 100.5)
    assert snapshot() == before
    sessions.open_session(db, cashier, "T1", 10000)
    before = snapshot()
    attempts = [
        lambda: sessions.adjust_cash(db, cashier, "T1", "add", 100.5, "coins"),
        lambda: sessions.close_session(db, cashier, "T1", counted=10000.0, leave=0),
        lambda: sessions.close_session(db, cashier, "T1", counted=10000, leave=0.5),
        lambda: sessions.close_session(
            db, cashier, "T1", counted=10000, leave=0, declarations={"card": 1.5}
        ),
        lambda: sales.record_sale(
            db,
            cashier,
            "T1",
            [LineInput("1008")],
            [TenderInput("card", 1000.5), TenderInput("mobile")],
        ),
        lambda: sales.record_sale(
            db,
            cashier,
            "T1",
            [LineInput("1008", 1, Discount("amount", 100.0, "Damaged or faulty"))],
            [TenderInput("card")],
        ),
    ]
    for attempt in attempts:
        with pytest.raises(TypeError, match="int in minor units"):
            attempt()
    assert snapshot() == before
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM payments WHERE typeof(amount) <> 'integer'"
            " OR typeof(tendered) <> 'integer'"
        )
        == 0
    )


def test_empty_basket_and_unknown_tender(db, cashier, snapshot):
    """S-11/M-1: a sale needs items and known payment types."""
    before = snapshot()
    with pytest.raises(InputError, match="The basket is empty"):
        sales.record_sale(db, cashier, "T1", [], [TenderInput("card")])
    with pytest.raises(InputError, match="Unknown payment type bitcoin"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008")], [TenderInput("bitcoin")])
    with pytest.raises(InputError, match="Choose how the 22,00 is paid"):
        sales.record_sale(db, cashier, "T1", [LineInput("1008")], [])
    with pytest.raises(NotFound, match="No terminal with id T9"):
        sales.record_sale(db, cashier, "T9", [LineInput("1008")], [TenderInput("card")])
    assert snapshot() == before


def test_refund_of_more_than_was_sold(db, cashier, snapshot):
    """A-4 refunds: never more than the receipt sold."""
    card_sale(db, cashier, qty=2)
    before = snapshot()
    with pytest.raises(
        InputError, match="Receipt T1-1: only 2 × Æbler 1 kg can still be refunded, not 3"
    ):
        refunds.record_refund(
            db, cashier, "T1", [LineInput("1008", 3)], [TenderInput("card")], receipt=("T1", 1)
        )
    assert snapshot() == before


# -- PIN and lockout -------------------------------------------------------------------------


def _staff_row(db, staff_id="2"):
    return db.one("SELECT failed_pins, locked_until FROM staff WHERE id = ?", (staff_id,))


def test_wrong_pin_counts_locks_out_and_is_audited(db, clock):
    """SPEC (beyond the sources) staff PIN login with lockout: five wrong PINs lock the account for
    five minutes; while locked even the right PIN is refused; after five minutes it works. Failed
    attempts survive the error."""
    for attempt in range(1, 5):
        with pytest.raises(AuthError, match=r"^Wrong staff id or PIN\.$"):
            auth.authenticate(db, "2", "0000", terminal_id="T1")
        assert _staff_row(db)["failed_pins"] == attempt
    assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed'") == 4

    with pytest.raises(AuthError, match=r"^This account is locked for 5 more minutes"):
        auth.authenticate(db, "2", "0000", terminal_id="T1")
    row = _staff_row(db)
    assert parse_iso(row["locked_until"]) == clock.now + timedelta(minutes=5)
    locked = db.one("SELECT * FROM audit_log WHERE action = 'login.locked'")
    assert (locked["staff_id"], locked["terminal_id"]) == ("2", "T1")

    entries = db.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(AuthError, match=r"locked for 5 more minutes"):
        auth.authenticate(db, "2", "2222")
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(AuthError, match=r"locked for 1 more minute\."):
        auth.authenticate(db, "2", "2222")
    assert db.scalar("SELECT COUNT(*) FROM audit_log") == entries
    # Another staff member is not affected by the lockout.
    assert auth.authenticate(db, "3", "3333").id == "3"

    clock.advance(seconds=1)
    staff = auth.authenticate(db, "2", "2222")
    assert staff.id == "2"
    assert tuple(_staff_row(db)) == (0, None)
    assert verification.verify(db).ok


def test_failed_count_is_reset_by_a_good_pin(db):
    """PIN lockout (SPEC beyond the sources): five wrong PINs *in a row*; a good PIN resets the
    count."""
    for _ in range(3):
        with pytest.raises(AuthError):
            auth.authenticate(db, "2", "9999")
    auth.authenticate(db, "2", "2222")
    assert tuple(_staff_row(db)) == (0, None)
    for _ in range(4):
        with pytest.raises(AuthError, match="Wrong staff id or PIN"):
            auth.authenticate(db, "2", "9999")
    assert _staff_row(db)["failed_pins"] == 4


def test_unknown_staff_is_refused_and_audited(db):
    """PIN login (SPEC beyond the sources): an unknown staff id gets the same message as a wrong
    PIN, and is audited."""
    with pytest.raises(AuthError, match=r"^Wrong staff id or PIN\.$"):
        auth.authenticate(db, "77", "1234", terminal_id="T2")
    entry = db.one("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
    assert (entry["action"], entry["entity_id"], entry["terminal_id"]) == (
        "login.unknown",
        "77",
        "T2",
    )


def test_lockout_expiry_is_stored_as_an_instant(db, clock):
    """PIN lockout (SPEC beyond the sources): the lock ends five minutes later, stored as a UTC
    instant."""
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.authenticate(db, "2", "0000")
    assert _staff_row(db)["locked_until"] == iso(clock.now + auth.LOCKOUT)


# -- permissions -----------------------------------------------------------------------------


def _everything_but(permission):
    return [p for p in PERMISSIONS if p != permission]


def _closed_session(db, staff):
    sid = sessions.open_session(db, staff, "R1", 0).id
    sessions.close_session(db, staff, "R1", counted=0, leave=0)
    return sid


def _open_session_id(db, staff):
    return sessions.current_session(db, "T1").id


# case -> (what the message names, preparation by the manager, the operation)
PERMISSION_CASES = {
    "session.open": (
        "start cash tracking sessions",
        None,
        lambda db, actor, ctx: sessions.open_session(db, actor, "T2", 10000),
    ),
    "session.close": (
        "close cash tracking sessions",
        None,
        lambda db, actor, ctx: sessions.close_session(db, actor, "T1", counted=10000, leave=0),
    ),
    "session.adjust": (
        "add and remove cash",
        None,
        lambda db, actor, ctx: sessions.adjust_cash(db, actor, "T1", "add", 100, "coins"),
    ),
    "refund": (
        "make refunds",
        None,
        lambda db, actor, ctx: refunds.record_refund(
            db, actor, "T1", [LineInput("1008")], [TenderInput("card")], receipt=("T1", 1)
        ),
    ),
    "refund.no_receipt": (
        "make refunds without a receipt",
        None,
        lambda db, actor, ctx: refunds.record_refund(
            db, actor, "T1", [LineInput("1008")], [TenderInput("card")]
        ),
    ),
    "drawer.no_sale": (
        "open the drawer without a sale",
        None,
        lambda db, actor, ctx: drawer.no_sale(db, actor, "T1", "customer needed change"),
    ),
    "sessions.view": (
        "view cash tracking sessions",
        _open_session_id,
        lambda db, actor, sid: sessions.session_details(db, actor, sid),
    ),
    "sessions.view/list": (
        "view cash tracking sessions",
        None,
        lambda db, actor, ctx: sessions.list_sessions(db, actor, status="open"),
    ),
    "sessions.history": (
        "view cash tracking session history",
        _closed_session,
        lambda db, actor, sid: sessions.session_details(db, actor, sid),
    ),
    "sessions.history/list": (
        "view cash tracking session history",
        None,
        lambda db, actor, ctx: sessions.list_sessions(db, actor),
    ),
    "sale": (
        "ring up sales",
        None,
        lambda db, actor, ctx: card_sale(db, actor),
    ),
}


@pytest.mark.parametrize("case", list(PERMISSION_CASES))
def test_missing_permission_is_refused_and_changes_nothing(
    db, cashier, manager, make_staff, snapshot, case
):
    """Permissions are enforced in core (A-2 and the till's own): staff holding every
    permission but the one an operation needs is refused with a message naming it,
    and someone holding it can do the same thing."""
    permission = case.split("/")[0]
    label, prepare, action = PERMISSION_CASES[case]
    sessions.open_session(db, cashier, "T1", 10000)
    card_sale(db, cashier)  # receipt T1/1, for the refund
    ctx = prepare(db, manager) if prepare else None
    actor = make_staff(_everything_but(permission), name="Pia Partial")
    before = snapshot()
    with pytest.raises(PermissionDenied) as caught:
        action(db, actor, ctx)
    assert caught.value.message == f"Pia Partial is not allowed to {label}."
    assert snapshot() == before
    action(db, manager, ctx)


def test_demo_roles_hold_what_the_tests_assume(cashier, supervisor, manager):
    """A-2: the cashier lacks no-receipt refunds, no-sale and history; the supervisor has them."""
    for missing in ("refund.no_receipt", "drawer.no_sale", "sessions.history"):
        assert not cashier.can(missing)
        assert supervisor.can(missing)
    assert set(manager.permissions) == set(PERMISSIONS)


def test_cashier_cannot_open_the_drawer_without_a_sale(db, cashier, supervisor, snapshot):
    """SPEC (beyond the sources) "no sale" drawer opens are permissioned and logged."""
    before = snapshot()
    with pytest.raises(
        PermissionDenied, match="Kasper Kasserer is not allowed to open the drawer without a sale"
    ):
        drawer.no_sale(db, cashier, "T1", "change")
    assert snapshot() == before
    seq = drawer.no_sale(db, supervisor, "T1", "change for a customer")
    entry = db.one("SELECT * FROM audit_log WHERE seq = ?", (seq,))
    assert (entry["action"], entry["staff_id"], entry["terminal_id"]) == (
        "drawer.no_sale",
        "3",
        "T1",
    )


# -- statement posting: the manager's override reason (T-6) ---------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\t\n "])
def test_a_blank_override_reason_is_refused_and_posts_nothing(db, clock, manager, snapshot, reason):
    """T-6: posting over the maximum difference needs a manager *and* a reason; an empty or
    whitespace-only reason is refused with a message, the statement stays calculated, no
    document, number or audit entry is written. A real reason then posts it."""
    shop = Shop(db, clock, manager)
    shop.at(2026, 5, 31, 9)
    shop.sell("T1", [("1002", 4)], "cash")  # 98,00
    shop.at(2026, 5, 31, 21)
    shop.close("T1", cash_delta=-5050)  # 50,50 short: over the 50,00 limit
    sid = shop.create_one("NORREBRO", local(2026, 5, 31, 3), local(2026, 6, 1, 3))
    shop.calculate(sid)
    before = snapshot()
    documents = {t: shop.count(t) for t in ("sales_orders", "invoices", "payment_journals")}
    with pytest.raises(InputError) as caught:
        post_statement(db, manager, sid, override_reason=reason)
    assert caught.value.message == "Give the reason for posting over the maximum difference."
    assert snapshot() == before
    assert {t: shop.count(t) for t in documents} == documents
    assert statements.get_statement(db, sid).status == "calculated"
    posted = post_statement(db, manager, sid, override_reason=" counted twice, 50,50 missing ")
    assert posted.statement.override_reason == "counted twice, 50,50 missing"
