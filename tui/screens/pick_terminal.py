"""Which till is this? Asked once when no --terminal / KASSI_TERMINAL is given."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from core.store.stores import list_stores
from core.store.terminals import list_terminals
from core.text.i18n import _
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown


class PickTerminalScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Label(_("Which terminal is this? (Enter to choose)"), id="title")
        stores = {s.id: s for s in list_stores(self.app.db)}
        options = [
            Option(
                f"{shown(t.id):<8} {shown(t.name)}  —  {shown(stores[t.store_id].name)}", id=t.id
            )
            for t in list_terminals(self.app.db)
        ]
        if not options:
            yield Label(
                _(
                    "No terminals yet: run `kassi init --demo`, or add one with "
                    "`kassi terminal add`."
                )
            )
        yield OptionList(*options, id="terminals", markup=False)
        yield KassiFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.pop_screen()
        self.app.use_terminal(event.option.id)
