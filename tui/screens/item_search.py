"""Find an item by name: type, arrows to choose, Enter to add.

Case and accents fold the way Nordic staff type (C-4, core.catalog.name_search): "brød"
finds Rugbrød, "aebler" or "æbler" finds Æbler, a plain "a" also finds "á".
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from core.catalog import items as catalog
from core.money.amounts import format_money
from core.text.i18n import _
from tui.widgets.safe import shown


class ItemSearchScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("down", "focus_list", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search"):
            yield Static(_("Search items"), classes="dialog-title", markup=False)
            yield Input(id="query", placeholder=_("Part of the name or SKU"))
            yield OptionList(id="results", markup=False)
            yield Static("", id="no-match", classes="error", markup=False)
            yield Static(_("Down: choose   Enter: add   Esc: back"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.search("")

    def search(self, text: str) -> None:
        app = self.app
        results = self.query_one(OptionList)
        results.clear_options()
        for item in catalog.search_items(app.db, text, app.store.id, limit=50):
            # In the store's currency, or said plainly that the store has no price.
            price = (
                format_money(item.price, item.currency, app.locale)
                if item.price is not None and item.currency
                else _("no price")
            )
            if item.price is not None and item.unit != "pcs":
                price += f"/{item.unit}"  # K-8: a price per kg, g, l or m
            results.add_option(
                Option(f"{shown(item.sku):<8} {shown(item.name):<31} {price:>13}", id=item.sku)
            )
        if results.option_count:
            results.highlighted = 0
        none = not results.option_count and text.strip()
        self.query_one("#no-match", Static).update(
            _("No item matches {text}.").format(text=shown(text.strip())) if none else ""
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one(OptionList)
        if results.highlighted is not None and results.option_count:
            self.dismiss(results.get_option_at_index(results.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
