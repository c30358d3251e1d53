"""Which store's back office? Asked at a head office (``kassi --db postgresql://...``),
which has the stores of the whole chain and no terminal of its own (SPEC X-1)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from core.store.stores import list_stores
from core.text.i18n import _
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown


class PickStoreScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Label(_("Head office: which store? (Enter to choose)"), id="title")
        options = [
            Option(f"{shown(s.id):<12} {shown(s.name)}  ({s.currency})", id=s.id)
            for s in list_stores(self.app.db)
        ]
        if not options:
            yield Label(_("No stores yet: add one with `kassi --db URL store add`."))
        yield OptionList(*options, id="stores", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.use_store(event.option.id)
