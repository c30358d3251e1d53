"""The catalog: items, prices with their currency, barcodes, units, stock and search.

Owns:
- items: items, barcodes, stock on hand and their back-office edits (K-7, R-5)
- prices: prices per currency and per store; none without a currency (R-7)
- item_form: one item's view and edit form in the back office, saved whole (K-7)
- csv_import: the catalog CSV, imported all or nothing with its report (K-7, R-4)
- name_search: names folded as Nordic staff type them, and their index (C-4)
- units: what an item is sold by and its scale item code (K-8)
- scale_labels: GS1 in-store scale barcodes carrying weight or price (K-8)

May import: core.text, core.money, core.store, core.audit, core.tills

Back arrows (each closes a cycle; why it exists):
- core.tills: units turns a scanned or typed code into the sale's own input record,
  tills.basket.LineInput, so the till and the command line build basket lines one way (K-8).
  Imported inside the function.
"""
