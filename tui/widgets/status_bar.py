"""The top line: store, terminal, who is logged in, and the session state."""

from __future__ import annotations

from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("markup", False)  # store and staff names are data, not markup
        super().__init__(*args, **kwargs)

    def show(self, *parts: str) -> None:
        self.update("  ·  ".join(p for p in parts if p))
