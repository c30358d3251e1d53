"""The footer, with key labels translated when drawn (the language is a store setting,
known only after the database is open, later than the screens' BINDINGS are built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from core.text.i18n import gettext


class KassiFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = gettext(widget.description)
            yield widget
