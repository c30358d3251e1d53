"""The till: cash tracking sessions, sales and refunds, discounts and the till's guards.

Owns:
- sessions: open, adjust, count and close a cash tracking session (S-1..S-11)
- session_views: expected cash, the cash summary, session details and history (S-5, S-7, S-9)
- sales: sales and refunds, one write transaction each with payments, stock and audit (C-3, R-9)
- discounts: line and basket discounts, their limits per role (C-5)
- parked: a basket parked on quit, restored on the next start (C-7)
- limits: sane amount limits at the till (C-7)
- receipt_refs: how a receipt is named and read back (C-3)

May import: core.text, core.money, core.store, core.audit, core.staff, core.catalog, core.cash, core.printing

Back arrows (each closes a cycle; why it exists):
- core.cash: opening a session from the safe issues its float, and a close returns the cash
  taken out into the safe, in the same transaction as the session (K-1); imported inside
  functions because the safe reads sessions through session_views.
- core.printing: a sale, a refund and a cash action queue their print job in their own write
  transaction, so they commit together or not at all (R-9, H-4).
"""
