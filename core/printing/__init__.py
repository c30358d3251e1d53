"""What prints and when: documents, the print queue and its service (P-2..P-6, H-3, H-4).

Core decides what to print and when the drawer opens; hardware only turns documents into
bytes and bytes into a device (P-3). hardware may read documents, layout, port, settings
and setting_keys only.

Owns:
- documents: printable documents as pure data
- layout: a document laid out in lines of a width, for the screen and the printer
- receipts: what each document contains: receipts, slips, summaries, X and Z reports (H-3)
- sources: what a queued job prints, built from the stored records (P-3, R-9)
- jobs: the print queue's stored jobs: queueing them and reading the queue (H-4)
- claims: a print run's side of the queue: claim a job, render it, mark it printed or failed (H-4)
- queue: one print run through a Printer, oldest job first (H-4, P-2)
- service: the print service of the till and the CLI: queue first, then send (P-2, P-3)
- port: what core needs from a printer and what a printer can report (P-3)
- setting_keys: the kinds and keys of a printer setting: defaults, meanings, code pages (P-4)
- settings: what a valid printer setting is: each key's value checked (P-4)
- status: the printer and the queue as the operator sees them (P-6)
- history: what the queue has done: unconfirmed, last print, last error (P-2, P-6)
- logo: a store logo stored as printer images (P-5)

May import: core.text, core.money, core.store, core.audit, core.staff, core.tills, core.cash
"""
