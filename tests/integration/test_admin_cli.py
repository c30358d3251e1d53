"""The shop's own administration from the command line (SPEC K-4, K-5, R-10):
`kassi init` with the usual payment types, `kassi tender set|list`, and
`kassi staff passwd|reset-pin|deactivate|reactivate|set`. Each command is one
line out, or one line on stderr with a non-zero exit and nothing changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.integration.kassi_command import Kassi, at_a_terminal, cli_kassi, kassi_command

pytestmark = pytest.mark.integration

MANAGER = {"KASSI_STAFF": "1", "KASSI_PIN": "1234"}


@pytest.fixture
def shop(tmp_path: Path) -> Kassi:
    """A plain `kassi init` (no demo), a manager, a Danish store, a terminal, an item."""
    k = cli_kassi(tmp_path / "kassi.db")
    out = k.ok("init")
    assert "Cash, Card, Mobile pay, Gift card" in out
    k.ok("staff", "add", "1", "--name", "Anna", "--role", "manager", "--new-pin", "1234")
    k.ok("staff", "add", "2", "--name", "Kim", "--new-pin", "2222", env=MANAGER)
    k.ok(
        "store",
        "add",
        "S1",
        "--name",
        "Butik",
        "--currency",
        "DKK",
        "--timezone",
        "Europe/Copenhagen",
        "--locale",
        "da",
        env=MANAGER,
    )
    k.ok("terminal", "add", "T1", "--store", "S1", env=MANAGER)
    k.ok(
        "item", "add", "1001", "--name", "Mælk", "--price", "12.50 DKK", "--vat", "25", env=MANAGER
    )
    return k


def _sell(k: Kassi, staff: str, pin: str, pay: str = "cash=20"):
    return k.run(
        "--lang",
        "en",
        "sale",
        "--terminal",
        "T1",
        "--item",
        "1001",
        "--pay",
        pay,
        env={"KASSI_STAFF": staff, "KASSI_PIN": pin},
    )


def _rows(k: Kassi, sql: str) -> list[tuple]:
    con = sqlite3.connect(k.db)
    try:
        return [tuple(r) for r in con.execute(sql)]
    finally:
        con.close()


# -- payment types (K-4) --------------------------------------------------------------------


def test_a_first_sale_on_a_plain_init_is_paid_in_cash(shop: Kassi) -> None:
    """SPEC K-4: no "Unknown payment type cash" after a plain init."""
    done = _sell(shop, "2", "2222")
    assert done.returncode == 0, done.stderr
    assert "Receipt 1" in done.stdout


def test_tender_list_shows_counted_and_active_in_the_stores_language(shop: Kassi) -> None:
    """SPEC K-4: the one store is Danish, so the list is; --lang en shows kassi's English."""
    lines = shop.ok("tender", "list").splitlines()
    assert lines[0].split() == ["id", "name", "is_cash", "counted_at_close", "active"]
    assert lines[1].split() == ["cash", "Kontant", "True", "True", "True"]
    assert lines[2].split() == ["card", "Kort", "False", "False", "True"]
    assert lines[3].split() == ["mobile", "Mobilbetaling", "False", "False", "True"]
    assert lines[4].split() == ["giftcard", "Gavekort", "False", "True", "True"]
    assert "Mobile pay" in shop.ok("--lang", "en", "tender", "list")


def test_tender_set_takes_a_payment_type_out_of_use_and_back(shop: Kassi) -> None:
    """SPEC K-4: inactive, a new payment with it is refused on one line; active, it works."""
    out = shop.ok(
        "--lang", "en", "tender", "set", "card", "--inactive", "--name", "Dankort", env=MANAGER
    )
    assert out.strip() == "Payment type card (Dankort): not counted at close, not in use."
    before = shop.snapshot(ignore_login=True)
    refused = _sell(shop, "1", "1234", "card")
    assert refused.returncode == 2 and "Payment type card is no longer in use" in refused.stderr
    assert shop.snapshot(ignore_login=True) == before
    shop.ok("tender", "set", "card", "--active", env=MANAGER)
    assert _sell(shop, "1", "1234", "card").returncode == 0
    assert _rows(shop, "SELECT COUNT(*) FROM audit_log WHERE action = 'tender.update'") == [(2,)]


def test_tender_set_refuses_to_retire_cash_or_a_cashier(shop: Kassi) -> None:
    """SPEC K-4: cash stays in use and counted; changing tenders needs config.manage."""
    before = shop.snapshot(ignore_login=True)
    err = shop.fails(2, "--lang", "en", "tender", "set", "cash", "--inactive", env=MANAGER)
    assert "only cash payment type" in err and len(err.strip().splitlines()) == 1
    err = shop.fails(
        3,
        "--lang",
        "en",
        "tender",
        "set",
        "card",
        "--inactive",
        env={"KASSI_STAFF": "2", "KASSI_PIN": "2222"},
    )
    assert "not allowed to manage stores, staff and items" in err
    err = shop.fails(2, "--lang", "en", "tender", "set", "bitcoin", "--inactive", env=MANAGER)
    assert err.strip() == "Error: No payment type bitcoin."
    assert shop.snapshot(ignore_login=True) == before


# -- staff (K-5) ------------------------------------------------------------------------------


def test_staff_passwd_changes_your_own_pin_from_the_environment(shop: Kassi) -> None:
    """SPEC K-5, R-10: KASSI_PIN is the old PIN, KASSI_NEW_PIN the new one."""
    out = shop.ok(
        "--lang",
        "en",
        "staff",
        "passwd",
        env={"KASSI_STAFF": "2", "KASSI_PIN": "2222", "KASSI_NEW_PIN": "5678"},
    )
    assert out.strip() == "Your PIN is changed."
    assert _sell(shop, "2", "5678").returncode == 0
    assert _sell(shop, "2", "2222").returncode == 3


def test_staff_passwd_with_a_wrong_old_pin_or_no_new_pin_changes_nothing(shop: Kassi) -> None:
    """SPEC K-5: one line each; without a terminal nobody can be asked for the new PIN."""
    err = shop.fails(
        3,
        "--lang",
        "en",
        "staff",
        "passwd",
        env={"KASSI_STAFF": "2", "KASSI_PIN": "0000", "KASSI_NEW_PIN": "5678"},
    )
    assert err.strip() == "Error: Wrong staff id or PIN."
    err = shop.fails(
        2, "--lang", "en", "staff", "passwd", env={"KASSI_STAFF": "2", "KASSI_PIN": "2222"}
    )
    assert "KASSI_NEW_PIN" in err
    assert _sell(shop, "2", "2222").returncode == 0


def test_a_manager_resets_deactivates_and_reactivates_a_cashier(shop: Kassi) -> None:
    """SPEC K-5: reset-pin, deactivate (no login, the same message as an unknown id),
    reactivate (the PIN works again); every step in the audit log."""
    shop.ok("staff", "reset-pin", "2", env={**MANAGER, "KASSI_NEW_PIN": "8642"})
    assert _sell(shop, "2", "8642").returncode == 0
    out = shop.ok("--lang", "en", "staff", "deactivate", "2", env=MANAGER)
    assert out.strip() == "Staff member 2 is deactivated and can no longer log in."
    gone, unknown = _sell(shop, "2", "8642"), _sell(shop, "99", "8642")
    assert gone.returncode == unknown.returncode == 3
    assert gone.stderr == unknown.stderr == "Error: Wrong staff id or PIN.\n"
    assert "False" in shop.ok("staff", "list").splitlines()[2]
    shop.ok("staff", "reactivate", "2", env=MANAGER)
    assert _sell(shop, "2", "8642").returncode == 0
    actions = _rows(
        shop,
        "SELECT action FROM audit_log WHERE action LIKE 'staff.%' OR action = 'login.inactive'"
        " ORDER BY seq",
    )
    assert [a for (a,) in actions][-4:] == [
        "staff.pin_reset",
        "staff.deactivate",
        "login.inactive",
        "staff.reactivate",
    ]


def test_staff_set_changes_a_role_and_permissions(shop: Kassi) -> None:
    """SPEC K-5: --role brings the role's permissions; --grant and --revoke adjust."""
    out = shop.ok(
        "--lang",
        "en",
        "staff",
        "set",
        "2",
        "--role",
        "supervisor",
        "--revoke",
        "kiosk.exit",
        "--grant",
        "statements.manage",
        env=MANAGER,
    )
    assert out.startswith("Staff member 2: supervisor; may ")
    assert "statements.manage" in out and "kiosk.exit" not in out


def test_a_manager_cannot_deactivate_themselves_nor_step_down_as_the_last(shop: Kassi) -> None:
    """SPEC K-5: both refused on one line; nothing changes."""
    before = shop.snapshot(ignore_login=True)
    err = shop.fails(2, "--lang", "en", "staff", "deactivate", "1", env=MANAGER)
    assert "cannot deactivate yourself" in err
    err = shop.fails(2, "--lang", "en", "staff", "set", "1", "--role", "cashier", env=MANAGER)
    assert "last active manager" in err
    assert shop.snapshot(ignore_login=True) == before


def test_a_cashier_cannot_administer_staff(shop: Kassi) -> None:
    """SPEC K-5: config.manage is needed, and core says so."""
    err = shop.fails(
        3, "--lang", "en", "staff", "deactivate", "1", env={"KASSI_STAFF": "2", "KASSI_PIN": "2222"}
    )
    assert "not allowed to manage stores, staff and items" in err


def test_the_audit_journal_stays_intact_through_every_admin_change(shop: Kassi) -> None:
    """SPEC K-5, R-2: each change is journaled with the rows it wrote; verify finds them all."""
    shop.ok("tender", "set", "giftcard", "--not-counted", "--name", "Voucher", env=MANAGER)
    shop.ok(
        "staff", "passwd", env={"KASSI_STAFF": "2", "KASSI_PIN": "2222", "KASSI_NEW_PIN": "3579"}
    )
    shop.ok("staff", "reset-pin", "2", env={**MANAGER, "KASSI_NEW_PIN": "4680"})
    shop.ok("staff", "set", "2", "--role", "supervisor", env=MANAGER)
    shop.ok("staff", "deactivate", "2", env=MANAGER)
    shop.ok("staff", "reactivate", "2", env=MANAGER)
    out = shop.ok("--lang", "en", "audit", "verify")
    assert out.startswith("Audit log intact:"), out


def test_on_a_terminal_passwd_asks_for_each_pin_hidden(shop: Kassi) -> None:
    """SPEC K-5, R-10: the old PIN, then the new one twice, none of them echoed."""
    if not Path(kassi_command()[0]).is_file():
        pytest.skip("needs the kassi script")
    code, shown = at_a_terminal(
        {**shop.env, "KASSI_STAFF": "2"},
        ["staff", "passwd"],
        [(b"PIN:", "2222"), (b"New PIN:", "4826"), (b"New PIN again:", "4826")],
    )
    assert code == 0, shown
    assert "Your PIN is changed." in shown
    assert "2222" not in shown and "4826" not in shown
    assert _sell(shop, "2", "4826").returncode == 0
