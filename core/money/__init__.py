"""Money and quantities: integer minor units (M-1), and how payments settle a total.

Owns:
- amounts: per-locale parsing and formatting, currency exponents (M-1, M-2)
- rounding: cash rounding to the store's increment, the VAT in a gross amount (M-3)
- denominations: each currency's notes and coins, a drawer count totalled from them
- quantity: quantities in an item's unit, stored as thousandths (K-8)
- tendering: split tender, change and cash rounding of a payment (M-3, S-7, C-2)

May import: core.text, core.store, core.tills

Back arrows (each closes a cycle; why it exists):
- core.store: tendering returns store.records' Payment rows and reads its Tender records, so
  a payment is the same record whether the sale screen previews it or the sale stores it.
- core.tills: tendering refuses change above the till's limit (tills.limits, C-7) on every
  keypress, so the screen refuses what the sale itself would refuse.
"""
