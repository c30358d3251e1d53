"""The permission catalogue: each permission once, with its label and the roles holding it.

Everything that names permissions reads this: the stores' checks
(core.staff.auth.require), the roles' defaults for a new staff member
(core.store.staff_members), what a manager may grant (core.staff.admin), the messages
and the till's prompts. A label is marked for gettext here and translated where
it is shown (``label``).
"""

from __future__ import annotations

from attrs import frozen

from core.text.i18n import N_, _

ROLES = ("cashier", "supervisor", "manager")  # each holds at least what the one before does
_CASHIER, _SUPERVISOR, _MANAGER = ROLES, ROLES[1:], ROLES[2:]


@frozen
class Permission:
    name: str
    label: str  # marked with N_: translate it where it is shown
    roles: tuple[str, ...]  # the roles that hold it by default


CATALOGUE = (
    Permission("sale", N_("ring up sales"), _CASHIER),
    Permission("refund", N_("make refunds"), _CASHIER),
    Permission("refund.no_receipt", N_("make refunds without a receipt"), _SUPERVISOR),
    Permission("discount", N_("give discounts"), _CASHIER),
    Permission("session.open", N_("start cash tracking sessions"), _CASHIER),
    Permission("session.adjust", N_("add and remove cash"), _CASHIER),
    Permission("session.close", N_("close cash tracking sessions"), _CASHIER),
    Permission("drawer.no_sale", N_("open the drawer without a sale"), _SUPERVISOR),
    Permission("sessions.view", N_("view cash tracking sessions"), _CASHIER),
    Permission("sessions.history", N_("view cash tracking session history"), _SUPERVISOR),
    Permission("reports.view", N_("view reports"), _SUPERVISOR),
    Permission("statements.manage", N_("manage statements"), _MANAGER),
    Permission("config.manage", N_("manage stores, staff and items"), _MANAGER),
    Permission("kiosk.exit", N_("leave kiosk mode"), _SUPERVISOR),
    Permission("safe.manage", N_("manage the safe: floats, deposits and counts"), _SUPERVISOR),
    Permission("cash.expected", N_("see the expected cash at a blind close"), _SUPERVISOR),
)

PERMISSIONS: tuple[str, ...] = tuple(p.name for p in CATALOGUE)
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    role: tuple(p.name for p in CATALOGUE if role in p.roles) for role in ROLES
}
_LABELS = {p.name: p.label for p in CATALOGUE}


def label(permission: str) -> str:
    """What the permission lets one do, translated ("ring up sales"); else its name."""
    return _(_LABELS.get(permission, permission))
