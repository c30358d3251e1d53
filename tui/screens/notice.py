"""The notice line of a page that prints: what it says, and how its print went.

A page mixes this in before ``Screen`` and yields ``Static(id="notice")``; Textual
finds ``on_print_finished`` through the class's MRO like any handler.
"""

from __future__ import annotations

from textual.widgets import Static

from tui.hardware_bridge import PrintFinished
from tui.widgets.safe import shown


class PrintNotice:
    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text, keep_newlines=True))  # a print error can span lines

    def on_print_finished(self, message: PrintFinished) -> None:
        self.notice(message.message, error=not message.ok)
