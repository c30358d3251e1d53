"""The back office's reprint screen: the last receipt as the printer would print it (P-5).

The receipt is shown as the lines decoded from the very bytes the terminal's
printer would get (hardware.preview), so a logo, a layout or a wrong code page
shows here before it reaches paper. F2 prints it (a copy), F3 saves the picture
as a PNG file. Drawing a receipt takes a few milliseconds; saving it is one small
file write, so both stay on the UI thread.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from core.text.i18n import _
from tui.hardware_bridge import PrintFinished
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import shown
from tui.widgets.status_bar import StatusBar


class ReceiptPreviewScreen(Screen):
    CSS_PATH = "receipt_preview.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f2", "print", "Print"),
        Binding("f3", "save", "Save PNG"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preview = None
        self.sale = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with VerticalScroll(id="receipt-preview"):
            yield Static("", id="receipt-lines", markup=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        from core.printing.sources import sale_document
        from core.store import terminals
        from core.tills import receipts
        from hardware.preview import preview_document

        app = self.app
        self.query_one(StatusBar).show(_("Receipt preview"), app.store.name)
        sale_id = getattr(app.hardware, "last_sale_id", None)
        if sale_id is None:
            last = receipts.last_sale(app.db, app.terminal.id)
            sale_id = last.id if last else None
        if sale_id is None:
            self.notice(_("No receipt to reprint yet."), error=True)
            return
        doc, self.sale = sale_document(app.db, sale_id)
        # The setting as stored now: a manager may just have changed it (`terminal set`).
        printer = terminals.get_terminal(app.db, app.terminal.id).printer
        self.preview = preview_document(doc, printer)
        self.query_one("#receipt-lines", Static).update(
            shown("\n".join(self.preview.lines), keep_newlines=True)
        )
        self.notice(
            _("Receipt {number}: F2 prints a copy, F3 saves the picture.").format(
                number=self.sale.receipt_no
            )
        )
        self.query_one("#receipt-preview").focus()  # arrows scroll the receipt

    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text))

    def on_print_finished(self, message: PrintFinished) -> None:
        self.notice(message.message, error=not message.ok)

    def action_print(self) -> None:
        if self.sale is not None:
            self.app.hardware.reprint_last()
            self.notice(_("Receipt {number} is printing.").format(number=self.sale.receipt_no))

    def action_save(self) -> None:
        if self.preview is None:
            return
        from tui.screens.prompt import PromptScreen

        default = f"receipt-{self.app.terminal.id}-{self.sale.receipt_no}.png"
        self.app.push_screen(
            PromptScreen(_("Save the picture as (a PNG file):"), str(Path.cwd() / default)),
            self._save,
        )

    def _save(self, answer: str | None) -> None:
        if not answer or not answer.strip():
            return
        path = Path(answer.strip()).expanduser()
        try:
            self.preview.save_png(path)
        except (OSError, ValueError) as exc:
            self.notice(
                _("Cannot write {path}: {error}.").format(
                    path=str(path), error=getattr(exc, "strerror", None) or exc
                ),
                error=True,
            )
            return
        self.notice(_("Picture saved to {path}.").format(path=str(path)))

    def action_back(self) -> None:
        self.app.pop_screen()
