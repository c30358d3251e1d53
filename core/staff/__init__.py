"""Staff: PINs, lockout, roles and permissions, enforced in core (not only hidden in the UI).

Owns:
- auth: login, PIN hashing with the key file's pepper, lockout, permissions, approvals (R-10, C-3)
- admin: own PIN change, reset, deactivation, roles and grants, all audited (K-5)

May import: core.text, core.store, core.audit
"""
