"""The cash office: the store's safe as a cash location (K-1..K-3).

Owns:
- safe: floats issued, safe drops, cash returned at close, deposits and counts (K-1)
- safe_views: the safe's statement and balance, the drawer limit a till checks (K-1, K-2)

May import: core.text, core.money, core.store, core.audit, core.staff, core.tills, core.reports, core.printing

Back arrows (each closes a cycle; why it exists):
- core.printing: safe_views hands a deposit's stored record to printing.receipts, which
  lays out its slip (K-1), after checking the safe permission here; imported inside the
  function, since receipts prints a session's safe movements with cash.safe's labels.
"""
