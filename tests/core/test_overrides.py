"""The supervisor override (SPEC C-3): checked and audited in core, for every
permissioned action at the till."""

from __future__ import annotations

import json

import pytest

from core.errors import AuthError, PermissionDenied
from core.money.tendering import TenderInput
from core.staff import auth
from core.tills import refunds, sales
from core.tills.basket import LineInput

CARD = [TenderInput("card")]


def _entries(db, action):
    return [
        (r["staff_id"], r["terminal_id"], r["entity_id"], json.loads(r["details"]))
        for r in db.all("SELECT * FROM audit_log WHERE action = ? ORDER BY seq", (action,))
    ]


def test_an_override_is_audited_who_for_whom_which_action(db, cashier):
    """C-3: the approver's id and PIN are checked in core; the entry names the approver
    (staff_id), whom it was for, the permission and the action."""
    approver = auth.authorize_override(
        db, cashier, "3", "3333", "refund.no_receipt", terminal_id="T1", action="refund"
    )
    assert approver.id == "3"
    assert _entries(db, "override") == [
        (
            "3",
            "T1",
            "2",
            {"permission": "refund.no_receipt", "action": "refund", "for": "2"},
        )
    ]


def test_an_override_by_someone_without_the_permission_is_refused_and_audited(
    db, cashier, make_staff
):
    other = make_staff(["sale"], name="Ole Other")
    with pytest.raises(PermissionDenied, match="Ole Other is not allowed to open the drawer"):
        auth.authorize_override(
            db, cashier, other.id, "4321", "drawer.no_sale", terminal_id="T1", action="no sale"
        )
    assert _entries(db, "override.refused")[0][:3] == (other.id, "T1", "2")
    assert _entries(db, "override") == []


def test_a_wrong_override_pin_counts_towards_the_lockout(db, cashier):
    """C-3: the override is a login of the approver: wrong PINs count (A-2 lockout)."""
    with pytest.raises(AuthError, match="Wrong staff id or PIN"):
        auth.authorize_override(db, cashier, "3", "0000", "discount", terminal_id="T1")
    assert db.scalar("SELECT failed_pins FROM staff WHERE id = '3'") == 1
    assert _entries(db, "override") == []


def test_a_check_of_the_action_refuses_the_approval_too(db, cashier):
    def over_my_head(approver):
        raise PermissionDenied("too much")

    with pytest.raises(PermissionDenied, match="too much"):
        auth.authorize_override(
            db, cashier, "3", "3333", "discount", terminal_id="T1", check=over_my_head
        )
    assert len(_entries(db, "override.refused")) == 1


def test_a_no_receipt_refund_needs_the_permission_or_an_approver_in_core(
    db, cashier, supervisor, make_staff, snapshot
):
    """C-3 in core, not only in the till: without "refund.no_receipt" the refund is
    refused; with an approver who holds it, it is recorded with who approved; an
    "approver" without it changes nothing."""
    sales.record_sale(db, cashier, "T1", [LineInput("1008")], CARD)
    helper = make_staff(["sale", "refund"], name="Hans Helper")
    before = snapshot()
    with pytest.raises(PermissionDenied, match="make refunds without a receipt"):
        refunds.record_refund(db, cashier, "T1", [LineInput("1008")], CARD)
    with pytest.raises(PermissionDenied):
        refunds.record_refund(db, cashier, "T1", [LineInput("1008")], CARD, approver=helper)
    assert snapshot() == before
    refund = refunds.record_refund(
        db, cashier, "T1", [LineInput("1008")], CARD, approver=supervisor
    ).sale
    assert refund.staff_id == "2" and refund.total == -2200
    details = json.loads(
        db.scalar(
            "SELECT details FROM audit_log WHERE action = 'refund' AND entity_id = ?",
            (str(refund.id),),
        )
    )
    assert details["approved_by"] == "3"
