"""A store's sync with its chain's head office on PostgreSQL (X-2, X-3, X-4).

Owns:
- master_data: the chain's items, prices, staff, tenders and store settings, pulled down (X-2)
- push: the store's new transactions and journal, delivered to head office (X-2)
- receive: at head office, the deliveries checked and applied in order (X-2, X-4)
- store_roles: each store's own PostgreSQL role and what it may do (X-3)
- service: one round of sync, and the long-running services that repeat it (X-2)
- status: each store's sync as head office sees it (X-2)

May import: core.text, core.store, core.audit, core.staff, core.catalog, core.transfer
"""
