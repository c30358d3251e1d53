"""Staff administration (SPEC K-5, R-10): your own PIN with the old one first, a
manager's reset, deactivation and reactivation, roles and permissions; nobody above
themselves, never yourself, never the last manager; a deactivated staff member
cannot log in and is refused at their next operation on a till already logged in."""

from __future__ import annotations

import pytest

from core.errors import AuthError, InputError, NotFound, PermissionDenied, StateError
from core.money.tendering import TenderInput
from core.staff import admin as staff_admin
from core.staff import auth
from core.store import staff_members, stores
from core.store.db import Db
from core.tills import sales, session_views
from core.tills.basket import LineInput

WRONG = "Wrong staff id or PIN."


def _audit(db: Db, action: str) -> list:
    return db.all("SELECT * FROM audit_log WHERE action = ? ORDER BY seq", (action,))


def _sell(db: Db, who) -> None:
    sales.record_sale(db, who, "T1", [LineInput("1001", 1)], [TenderInput("card")])


# -- your own PIN -------------------------------------------------------------------------


def test_a_staff_member_changes_their_own_pin_with_the_old_one_first(db: Db) -> None:
    """SPEC K-5: old PIN, new PIN twice; the old PIN no longer logs in, the new one does."""
    staff_admin.change_own_pin(db, "2", "2222", "5678", "5678")
    with pytest.raises(AuthError, match=WRONG):
        auth.authenticate(db, "2", "2222")
    assert auth.authenticate(db, "2", "5678").id == "2"
    [entry] = _audit(db, "staff.pin_change")
    assert entry["staff_id"] == "2" and entry["entity_id"] == "2"


def test_a_wrong_old_pin_changes_nothing_and_counts_as_a_wrong_try(db: Db) -> None:
    """SPEC K-5, R-10: the old PIN is checked like a login (the lockout counts it)."""
    with pytest.raises(AuthError, match=WRONG):
        staff_admin.change_own_pin(db, "2", "0000", "5678", "5678")
    assert db.scalar("SELECT failed_pins FROM staff WHERE id = '2'") == 1
    assert auth.authenticate(db, "2", "2222").id == "2"
    assert not _audit(db, "staff.pin_change")


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("5678", "5679", "The two new PINs differ"),
        ("2222", "2222", "same as the old one"),
        ("12", "12", "A PIN is 4 to 8 digits"),
        ("12ab", "12ab", "A PIN is 4 to 8 digits"),
    ],
    ids=["differ", "same", "short", "letters"],
)
def test_a_bad_new_pin_is_refused_before_the_old_one_is_tried(
    db: Db, new: str, again: str, message: str
) -> None:
    """SPEC K-5: the new PIN typed twice, not the old one, within the rules; a typo in it
    costs no wrong try of the old PIN."""
    with pytest.raises(InputError, match=message):
        staff_admin.change_own_pin(db, "2", "2222", new, again)
    assert db.scalar("SELECT failed_pins FROM staff WHERE id = '2'") == 0
    assert auth.authenticate(db, "2", "2222").id == "2"


def test_the_stores_minimum_pin_length_applies_to_a_changed_pin(db: Db, manager) -> None:
    """SPEC K-5, R-10: min_pin_length is the store's; a new PIN shorter is refused."""
    stores.update_store(db, manager, "NORREBRO", min_pin_length="6")
    with pytest.raises(InputError, match="A PIN is 6 to 8 digits"):
        staff_admin.change_own_pin(db, "2", "2222", "5678", "5678")
    staff_admin.change_own_pin(db, "2", "2222", "567890", "567890")
    assert auth.authenticate(db, "2", "567890").id == "2"


# -- a manager's reset ---------------------------------------------------------------------


def test_a_manager_resets_a_pin_and_clears_the_lockout(db: Db, manager) -> None:
    """SPEC K-5: a forgotten PIN: the manager gives a new one; a lockout goes with it."""
    for _ in range(auth.MAX_FAILED_PINS):
        with pytest.raises(AuthError):
            auth.authenticate(db, "2", "0000")
    staff_admin.reset_pin(db, manager, "2", "8642", "8642")
    assert auth.authenticate(db, "2", "8642").id == "2"
    [entry] = _audit(db, "staff.pin_reset")
    assert entry["staff_id"] == "1" and entry["entity_id"] == "2"


def test_a_cashier_cannot_reset_a_pin(db: Db, cashier) -> None:
    """SPEC K-5: resetting needs config.manage."""
    with pytest.raises(PermissionDenied, match="manage stores, staff"):
        staff_admin.reset_pin(db, cashier, "3", "8642", "8642")
    assert auth.authenticate(db, "3", "3333").id == "3"


def test_nobody_resets_their_own_pin_without_the_old_one(db: Db, manager) -> None:
    """SPEC K-5: your own PIN changes with the old one (else a stolen session would do)."""
    with pytest.raises(StateError, match="old one"):
        staff_admin.reset_pin(db, manager, "1", "8642", "8642")
    assert auth.authenticate(db, "1", "1234").id == "1"


# -- deactivation ---------------------------------------------------------------------------


def test_a_deactivated_staff_member_cannot_log_in_and_the_log_says_so(db: Db, manager) -> None:
    """SPEC K-5, R-10: the same message as an unknown id; the audit log records the try."""
    staff_admin.set_active(db, manager, "2", False)
    with pytest.raises(AuthError) as deactivated:
        auth.authenticate(db, "2", "2222")
    with pytest.raises(AuthError) as unknown:
        auth.authenticate(db, "nobody", "2222")
    assert deactivated.value.message == unknown.value.message == WRONG
    assert [e["entity_id"] for e in _audit(db, "login.inactive")] == ["2"]
    assert [e["entity_id"] for e in _audit(db, "staff.deactivate")] == ["2"]


def test_a_deactivated_cashier_logged_in_on_a_till_is_refused_at_the_next_operation(
    db: Db, manager
) -> None:
    """SPEC K-5: the till's record of the cashier still says active; core reads the row."""
    cashier = auth.authenticate(db, "2", "2222")
    _sell(db, cashier)
    staff_admin.set_active(db, manager, "2", False)
    before = db.scalar("SELECT COUNT(*) FROM sales")
    with pytest.raises(auth.NoLongerActive, match="no longer an active staff member"):
        _sell(db, cashier)
    with pytest.raises(auth.NoLongerActive):  # a read takes the actor too
        session_views.list_sessions(db, cashier, status="open")
    assert db.scalar("SELECT COUNT(*) FROM sales") == before
    assert not auth.still_active(db, cashier)


def test_a_reactivated_staff_member_logs_in_with_the_old_pin(db: Db, manager) -> None:
    """SPEC K-5: taken back, the old PIN works again."""
    staff_admin.set_active(db, manager, "2", False)
    staff_admin.set_active(db, manager, "2", True)
    assert auth.authenticate(db, "2", "2222").id == "2"
    assert [e["entity_id"] for e in _audit(db, "staff.reactivate")] == ["2"]


def test_a_manager_cannot_deactivate_themselves(db: Db, manager) -> None:
    """SPEC K-5: another manager does it (a manager cannot lock the shop out by mistake)."""
    with pytest.raises(StateError, match="cannot deactivate yourself"):
        staff_admin.set_active(db, manager, "1", False)
    assert auth.authenticate(db, "1", "1234").active


def test_the_last_active_manager_cannot_step_down(db: Db, manager) -> None:
    """SPEC K-5: somebody must always hold config.manage; with a second manager it works."""
    with pytest.raises(StateError, match="last active manager"):
        staff_admin.set_access(db, manager, "1", role="supervisor")
    with pytest.raises(StateError, match="last active manager"):
        staff_admin.set_access(db, manager, "1", revoke=["config.manage"])
    assert auth.authenticate(db, "1", "1234").can("config.manage")
    staff_admin.set_access(db, manager, "3", role="manager")
    staff_admin.set_access(db, manager, "1", role="supervisor")
    assert not auth.authenticate(db, "1", "1234").can("config.manage")


def test_the_last_manager_rule_holds_for_a_deactivation_too(db: Db, manager) -> None:
    """SPEC K-5: a second manager deactivates the first; the last one is never removed."""
    staff_admin.set_access(db, manager, "3", role="manager")
    second = auth.authenticate(db, "3", "3333")
    staff_admin.set_active(db, second, "1", False)
    # The second is now the only manager: nobody is left who could deactivate them, and
    # a stale record of the first is refused by core.
    with pytest.raises(auth.NoLongerActive):
        staff_admin.set_active(db, manager, "3", False)
    target = db.one("SELECT * FROM staff WHERE id = '3'")
    with pytest.raises(StateError, match="last active manager"):
        staff_admin._check_keeps_a_manager(db, target, False, target["permissions"].split())


# -- roles and permissions -----------------------------------------------------------------


def test_a_manager_changes_a_role_and_grants_and_revokes(db: Db, manager) -> None:
    """SPEC K-5: a role brings its permissions; grant and revoke adjust them; audited."""
    changed = staff_admin.set_access(
        db, manager, "2", role="supervisor", grant=["statements.manage"], revoke=["kiosk.exit"]
    )
    assert changed.role == "supervisor"
    assert changed.can("statements.manage") and changed.can("refund.no_receipt")
    assert not changed.can("kiosk.exit")
    [entry] = _audit(db, "staff.access")
    assert entry["entity_id"] == "2" and entry["staff_id"] == "1"


def test_a_revoked_permission_counts_on_a_till_already_logged_in(db: Db, manager) -> None:
    """SPEC K-5: the cashier's record still holds "sale"; core reads the current row."""
    cashier = auth.authenticate(db, "2", "2222")
    staff_admin.set_access(db, manager, "2", revoke=["sale"])
    with pytest.raises(PermissionDenied, match="not allowed to ring up sales"):
        _sell(db, cashier)


def test_a_supervisor_cannot_raise_anyone_above_their_own_permissions(db: Db, manager) -> None:
    """SPEC K-5: a supervisor given config.manage manages the staff below them only."""
    staff_admin.set_access(db, manager, "3", grant=["config.manage"])
    supervisor = auth.authenticate(db, "3", "3333")
    with pytest.raises(PermissionDenied, match="more than their own"):
        staff_admin.set_access(db, supervisor, "2", role="manager")
    with pytest.raises(PermissionDenied, match="statements.manage"):
        staff_admin.set_access(db, supervisor, "2", grant=["statements.manage"])
    with pytest.raises(PermissionDenied, match="holds more than"):
        staff_admin.reset_pin(db, supervisor, "1", "8642", "8642")
    with pytest.raises(PermissionDenied, match="holds more than"):
        staff_admin.set_active(db, supervisor, "1", False)
    assert auth.authenticate(db, "1", "1234").active
    # Within their own: allowed.
    assert staff_admin.set_access(db, supervisor, "2", grant=["drawer.no_sale"]).can(
        "drawer.no_sale"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"role": "owner"}, InputError, "Role must be one of"),
        ({"grant": ["fly"]}, InputError, "Unknown permission: fly"),
        ({"grant": ["sale"], "revoke": ["sale"]}, InputError, "not both"),
        ({}, InputError, "Give a role"),
    ],
    ids=["role", "permission", "both", "nothing"],
)
def test_a_bad_access_change_is_one_line_and_changes_nothing(
    db: Db, manager, kwargs, error, message
) -> None:
    """SPEC K-5: every bad input names what is wrong; the row is as it was."""
    before = tuple(db.one("SELECT * FROM staff WHERE id = '2'"))
    with pytest.raises(error, match=message):
        staff_admin.set_access(db, manager, "2", **kwargs)
    assert tuple(db.one("SELECT * FROM staff WHERE id = '2'")) == before


def test_an_unknown_staff_id_is_named(db: Db, manager) -> None:
    with pytest.raises(NotFound, match="No staff member with id 99"):
        staff_admin.set_active(db, manager, "99", False)


def test_nobody_adds_a_staff_member_above_themselves(db: Db, manager) -> None:
    """SPEC K-5: adding is giving too: a supervisor with config.manage adds no manager."""
    staff_admin.set_access(db, manager, "3", grant=["config.manage"])
    supervisor = auth.authenticate(db, "3", "3333")
    with pytest.raises(PermissionDenied, match="more than their own"):
        staff_members.add_staff(db, supervisor, "9", "New Boss", "9999", "manager")
    with pytest.raises(PermissionDenied, match="statements.manage"):
        staff_members.add_staff(
            db, supervisor, "9", "Clerk", "9999", "cashier", ["statements.manage"]
        )
    assert (
        staff_members.add_staff(db, supervisor, "9", "New Cashier", "9999", "cashier").role
        == "cashier"
    )


def test_a_manager_of_an_upgraded_database_grants_a_permission_added_later(db: Db, manager) -> None:
    """SPEC K-5, K-1: staff rows made before the safe existed lack "safe.manage"; their
    manager may still grant it (their role has it), to themselves and to others."""
    db.execute("UPDATE staff SET permissions = replace(permissions, 'safe.manage', '')")
    staff_admin.set_access(db, manager, "1", grant=["safe.manage"])
    staff_admin.set_access(db, manager, "2", grant=["safe.manage"])
    assert auth.authenticate(db, "1", "1234").can("safe.manage")
    assert auth.authenticate(db, "2", "2222").can("safe.manage")
