"""The till: cash tracking sessions, sales and refunds, discounts and the till's guards.

Owns:
- sessions: open, adjust, count and close a cash tracking session (S-1..S-11)
- session_views: expected cash (the view session_cash), the cash summary, session details
  and history (S-5, S-7, S-9)
- drawer: the no sale, the drawer opened to count at close, and the drawer grants (C-7)
- basket: a basket priced from the catalog, the one place a sale's money is computed (C-5)
- sales: recording a sale or refund: one write transaction with payments, stock and audit (R-9)
- refunds: what of a receipt can still be refunded, at what was paid, and recording it (C-3)
- receipts: recorded sales and refunds read back by id, receipt number, the last one
- discounts: line and basket discounts, their limits per role (C-5)
- parked: a basket parked on quit, restored on the next start (C-7)
- limits: sane amount limits at the till (C-7)
- receipt_refs: how a receipt is named and read back (C-3)
- pairing: thin clients paired with their terminal, a revocable token each (W-2)

May import: core.text, core.money, core.store, core.audit, core.staff, core.catalog, core.cash, core.printing

Back arrows (each closes a cycle; why it exists):
- core.cash: opening a session from the safe issues its float, and a close returns the cash
  taken out into the safe, in the same transaction as the session (K-1); imported inside
  functions because the safe reads sessions through session_views.
- core.printing: sales (a sale or a refund) and sessions (a cash action) queue their print
  job in their own write transaction, so they commit together or not at all (R-9, H-4).
"""
