"""Staff: PINs, lockout, roles and permissions, enforced in core (not only hidden in the UI).

Owns:
- auth: login, lockout, the permission checks of every operation, approvals (R-10, C-3)
- pins: the PIN rules, and PIN hashing with the key file's pepper (R-10)
- permissions: the one permission catalogue: each permission, its label, the roles holding it
- admin: own PIN change, reset, deactivation, roles and grants, all audited (K-5)

May import: core.text, core.store, core.audit
"""
