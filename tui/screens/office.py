"""The back office menu: session report, statements, the print queue."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core.text.i18n import _
from tui.hardware_bridge import PrintFinished
from tui.widgets.footer import KassiFooter
from tui.widgets.status_bar import StatusBar


class OfficeScreen(Screen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        options = [
            Option(_("Session report (discrepancies, cash, CSV export)"), id="reports"),
            Option(_("Retail statements"), id="statements"),
            Option(_("Items: prices, barcodes, VAT, add and edit"), id="items"),
            Option(_("Staff: PINs, roles, who may log in"), id="staff"),
        ]
        if self.app.terminal is not None:  # a till's: a head office has no printer
            options += [
                Option(_("Terminals and printers"), id="terminals"),
                Option(_("Safe (balance, deposits, counts)"), id="safe"),
                Option(_("Print waiting receipts again"), id="retry"),
                Option(_("Reprint the last receipt"), id="reprint"),
            ]
        yield OptionList(*options, id="office-menu", markup=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        where = _("Head office") if self.app.terminal is None else _("Back office")
        self.query_one(StatusBar).show(where, self.app.store.name)
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice == "reports":
            from tui.screens.reports import ReportsScreen

            self.app.push_screen(ReportsScreen())
        elif choice == "statements":
            try:
                from tui.screens.statements import StatementsScreen
            except ImportError:
                self.query_one("#notice", Static).update(_("Statements are not available."))
                return
            self.app.push_screen(StatementsScreen())
        elif choice == "staff":
            from tui.screens.staff import StaffScreen

            self.app.push_screen(StaffScreen())
        elif choice == "terminals":
            from tui.screens.terminal_settings import TerminalSettingsScreen

            self.app.push_screen(TerminalSettingsScreen())
        elif choice == "safe":
            from tui.screens.safe import SafeScreen

            self.app.push_screen(SafeScreen())
        elif choice == "retry":
            self.app.hardware.retry_pending()
        elif choice == "reprint":
            from tui.screens.receipt_preview import ReceiptPreviewScreen

            self.app.push_screen(ReceiptPreviewScreen())  # P-5: look before printing
        elif choice == "items":
            from tui.screens.items import ItemsScreen

            self.app.push_screen(ItemsScreen())

    def on_print_finished(self, message: PrintFinished) -> None:
        self.query_one("#notice", Static).update(message.message)

    def action_back(self) -> None:
        self.app.pop_screen()
