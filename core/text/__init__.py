"""Text as people read and type it: translation, dates, safe display, input validation.

Owns:
- i18n: gettext (`_`, ngettext, pgettext with message contexts) over the .po catalogs in
  data/locale, which Babel reads and compiles
- dates: dates shown and typed the way each language writes them (C-8)
- display: stored text made safe for a terminal, the TUI and paper (R-6)
- validate: one validator per kind of value entering kassi (R-4, R-5)

The bottom layer: everyone may use it, it uses no other core package.

May import: nothing
"""
