"""The audit journal that proves itself: signed entries over the rows each operation wrote.

Owns:
- journal: appending and signing entries, the journal's head (R-1, R-2)
- hashing: how an entry's hash and the signed messages are made, one chained digest (R-1)
- verification: verifying the whole chain, its signatures and rows; the checkpoint of the last
  verify (R-1, R-2)
- covered: which tables and columns an entry's content hashes cover, and why the rest not (R-2)
- content: a covered row's content hash, and the triggers that note written rows (R-2)
- chain_head: the journal's head as X and Z reports print it (R-3)

May import: core.text, core.store
"""
