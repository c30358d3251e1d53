"""The back-office session report: selection, overviews, the session list, CSV (A-1..A-5).

Owns:
- session_report: permissions, the selection by store and dates, the overviews (A-1..A-4)
- session_list: one row per session, sorted and paged (A-5)
- export: the report as JSON records and CSV (A-1)

May import: core.text, core.money, core.store, core.staff
"""
