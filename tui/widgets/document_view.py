"""A core document shown on screen exactly as it prints (plain-text renderer)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from core.printing.documents import Document
from core.printing.layout import to_text


class DocumentView(VerticalScroll):
    DEFAULT_CSS = """
    DocumentView { height: 1fr; border: round $primary; padding: 0 1; }
    """

    def __init__(self, document: Document | None = None, width: int = 42, **kwargs) -> None:
        super().__init__(**kwargs)
        self.document = document
        self.paper_width = width

    def compose(self):
        yield Static(
            to_text(self.document, self.paper_width) if self.document else "",
            id="document-text",
            markup=False,
        )

    def show(self, document: Document) -> None:
        self.document = document
        self.query_one("#document-text", Static).update(to_text(document, self.paper_width))
