"""The sale screen: scan or type SKUs, take payment, refund by receipt, void.

A barcode scanner is a keyboard that ends each code with Enter, Tab or LF; the
item field (a ScanInput) ends each code on its own terminator, in order, and the
screen handles the codes in the order they came (C-1). An empty Enter does
nothing: paying needs F5. ``3*SKU`` sets the quantity. The sale is committed before anything
prints; a printer fault is a notice with Reprint, never a lost sale.
"""

from __future__ import annotations

import re
from collections import deque

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from core.catalog import items as catalog
from core.errors import KassiError
from core.text.i18n import _, ngettext
from core.tills import basket, refunds, sales, sessions
from core.tills.basket import LineInput
from core.tills.receipt_refs import barcode
from core.tills.sales import SaleResult
from tui.hardware_bridge import PrintFinished
from tui.screens import safe_drop
from tui.screens.login import LoggedIn
from tui.screens.sale_discounts import SaleDiscounts
from tui.screens.sale_weighed import SaleWeighed
from tui.widgets.footer import KassiFooter
from tui.widgets.safe import plain, shown
from tui.widgets.scan_input import ScanInput
from tui.widgets.status_bar import StatusBar

# 3*SKU, or 0,512*SKU for a weighed item (K-8: core reads the decimals)
_QTY = re.compile(r"^\s*([0-9]{1,4}(?:[.,][0-9]*)?)\s*[*xX]\s*(\S+)\s*$")
COLUMNS = ("n", "item", "qty", "price", "amount")


class SaleScreen(SaleDiscounts, SaleWeighed, Screen):
    # Every key here acts in the order it was typed among the scanned codes (C-1):
    # priority bindings run as the app reads the key, and in_order() then queues the
    # action behind the keys already given to the item field (ScanInput.InOrder).
    BINDINGS = [
        Binding("f2", "in_order('search')", "Search", priority=True),
        Binding("f3", "in_order('customer')", "Customer", priority=True),
        Binding("f4", "in_order('quantity')", "Qty", show=False, priority=True),
        Binding("f5", "in_order('pay')", "Pay", priority=True),
        Binding("f6", "in_order('refund')", "Refund", priority=True),
        Binding("f7", "in_order('void')", "Void", priority=True),
        Binding("f8", "in_order('remove_line')", "Remove", priority=True),
        Binding("f9", "in_order('terminal')", "Terminal", priority=True),
        Binding("f10", "in_order('lock')", "Lock", priority=True),
        Binding("f11", "in_order('reports')", "Reports", show=False, priority=True),
        Binding("ctrl+r", "in_order('reprint')", "Reprint", show=False, priority=True),
        # Not in the footer (no room at 80 columns); ctrl+d is also Input's delete-right.
        Binding("ctrl+d", "in_order('discount_line')", "Discount", show=False, priority=True),
        Binding(
            "ctrl+t", "in_order('discount_basket')", "Basket discount", show=False, priority=True
        ),
        # W-3: a browser keeps Ctrl+T (new tab) and may keep F11 (full screen) for itself;
        # these do the same on a thin client.
        Binding(
            "ctrl+g", "in_order('discount_basket')", "Basket discount", show=False, priority=True
        ),
        Binding("ctrl+o", "in_order('reports')", "Reports", show=False, priority=True),
        # K-1/K-2: a safe drop from this till (not in the footer: no room at 80 columns)
        Binding("ctrl+b", "in_order('safe_drop')", "Safe drop", show=False, priority=True),
        Binding("up", "in_order('cursor(-1)')", show=False, priority=True),
        Binding("down", "in_order('cursor(1)')", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[LineInput] = []
        self.priced = []
        self.customer_id: str | None = None
        self.refund_receipt: tuple[str, int] | None = None
        self.refund_mode = False
        self.refund_approver = None  # who approved a refund the cashier may not do alone
        self.basket_discount = None
        self.basket_off = 0
        self.codes: deque[str] = deque()  # scanned, not yet looked up (C-1)
        self.paying = False  # the payment dialog is open over this basket
        self.shown_rows: list[tuple[str, ...]] = []  # what the basket table shows now
        self.shown_keys: list[tuple] = []  # the priced lines those rows were made from
        self.units: dict[str, str] = {}  # SKU -> what it is sold by (K-8), as looked up

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static("", id="mode-banner", markup=False)
        table = DataTable(id="basket", cursor_type="row", zebra_stripes=True)
        table.add_column("#", width=3, key="n")
        table.add_column(_("Item"), width=32, key="item")
        table.add_column(_("Qty"), width=7, key="qty")
        table.add_column(_("Price"), width=12, key="price")
        table.add_column(_("Amount"), width=13, key="amount")
        yield table
        with Horizontal(id="entry"):
            yield Label(_("Item / scan:"), id="entry-label")
            yield ScanInput(id="code", placeholder=_("SKU, barcode or 3*SKU, Enter"))
        yield Static("", id="totals", markup=False)
        yield Static("", id="notice", markup=False)
        yield KassiFooter()

    def on_mount(self) -> None:
        self.refresh_status()
        self.query_one("#code", Input).focus()

    def on_screen_resume(self) -> None:
        self.refresh_status()
        if not self.paying:
            self.take_codes()  # scanned while a dialog was open: now, in order
        self.query_one("#code", Input).focus()

    def on_logged_in(self, message: LoggedIn) -> None:
        if not getattr(self, "keep_notice_for_login", False):
            self.notice("")  # the last person's notice is not the next person's news
        self.keep_notice_for_login = False
        self.refresh_status()

    def on_print_finished(self, message: PrintFinished) -> None:
        if message.ok:
            return
        # The key first: the printer's message can be longer than the notice line.
        self.notice(_("Ctrl+R: reprint") + " — " + message.message, error=True)

    # -- what the screen shows ------------------------------------------------------

    def refresh_status(self) -> None:
        app = self.app
        if app.store is None:
            return
        if not app.store.track_cash:
            state = _("cash tracking off")
        else:
            current = sessions.current_session(app.db, app.terminal.id)
            state = (
                _("session {id} open").format(id=current.id) if current else _("no session open")
            )
        self.query_one(StatusBar).show(app.store.name, f"{app.terminal.name}", state)

    def notice(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#notice", Static)
        widget.set_class(error, "error")
        widget.update(shown(text, keep_newlines=True))

    def redraw_basket(self) -> None:
        self.priced = []
        if self.lines:
            try:
                self.priced = self.price_rows()
            except KassiError as exc:
                self.notice(exc.message, error=True)
        sign = -1 if self.refund_mode else 1
        keys = [(ln, sign, self.row_label(ln)) for ln in self.priced]
        known, drawn = self.shown_keys, self.shown_rows
        rows = [
            drawn[n]
            if n < len(known) and n < len(drawn) and key == known[n]
            else self.format_row(*key)
            for n, key in enumerate(keys)
        ]
        self.shown_keys = keys  # formatting 1,000 rows' amounts on every scan is the slow part
        self.show_rows(rows)
        total = sum(ln.line_total for ln in self.priced) * sign
        parts = [
            _("Total {amount}").format(amount=self.app.money(total)),
            ngettext("{n} line", "{n} lines", len(self.priced)).format(n=len(self.priced)),
        ]
        parts.extend(self.discount_parts())
        if self.customer_id:
            parts.append(_("Customer {id}").format(id=shown(self.customer_id)))
        self.query_one("#totals", Static).update("   ".join(parts))
        banner = self.query_one("#mode-banner", Static)
        if self.refund_mode:
            receipt = (
                # as printed under the receipt's barcode (T1-3), like every refund notice
                _("receipt {ref}").format(ref=barcode(*self.refund_receipt))
                if self.refund_receipt
                else _("no receipt")
            )
            banner.update(_("REFUND — {receipt} (F7 to cancel)").format(receipt=receipt))
            banner.add_class("refund")
        else:
            banner.update("")
            banner.remove_class("refund")

    # -- entering items -------------------------------------------------------------

    def format_row(self, ln, sign: int, label: str) -> tuple[str, ...]:
        return (
            str(ln.line_no),
            label,
            self.qty_cell(ln, sign),
            self.price_cell(ln),
            self.app.money(ln.line_total * sign),
        )

    def show_rows(self, rows: list[tuple[str, ...]]) -> None:
        """Bring the table to ``rows`` by changing only the cells that differ: a scan
        onto a 1,000-line basket adds one row rather than repainting a thousand."""
        table = self.query_one("#basket", DataTable)
        drawn = self.shown_rows
        if len(rows) < len(drawn) // 2:
            table.clear()  # a new or voided basket: cheaper to start again
            drawn = []
        for n in range(len(drawn) - 1, len(rows) - 1, -1):
            table.remove_row(str(n))
        del drawn[len(rows) :]
        for n, row in enumerate(rows[: len(drawn)]):
            if row != drawn[n]:
                for key, old, new in zip(COLUMNS, drawn[n], row, strict=True):
                    if old != new:
                        table.update_cell(str(n), key, plain(new))
                drawn[n] = row
        for n in range(len(drawn), len(rows)):
            table.add_row(
                *(plain(cell) for cell in rows[n]), key=str(n)
            )  # cells as Text, never markup
            drawn.append(rows[n])
        self.shown_rows = drawn
        if rows:
            table.move_cursor(row=len(rows) - 1)

    def on_scan_input_scanned(self, event: ScanInput.Scanned) -> None:
        if event.scan_input.id != "code":
            return
        event.stop()
        code = event.value.strip()
        if not code:
            return  # an empty Enter/Tab/LF never pays (C-1): paying needs F5
        self.codes.append(code)
        if self.app.screen is self:
            self.take_codes()
        # else a dialog (the payment) is open over the basket: the code waits for the
        # screen to come back, so a basket is never changed under its payment

    def action_in_order(self, action: str) -> None:
        self.query_one("#code", ScanInput).post_message(ScanInput.InOrder(action))

    async def on_scan_input_in_order(self, message: ScanInput.InOrder) -> None:
        message.stop()
        if self.app.screen is not self:
            return  # typed ahead of a dialog that has opened since: not for it (C-1)
        self.take_codes()
        await self.run_action(message.action)

    def take_codes(self) -> None:
        """Look up every code scanned so far, oldest first (also before paying)."""
        while self.codes and self.weighing is None:  # a weight being typed comes first
            text = self.codes.popleft()
            qty_text = None
            m = _QTY.match(text)
            if m:
                qty_text, text = m[1], m[2]
            self.add_code(text, qty_text)

    def drawer_blocks(self) -> bool:
        if self.app.hardware is not None and self.app.hardware.drawer_open:
            self.notice(_("Close the cash drawer to go on."), error=True)
            return True
        return False

    def add_item(self, code: str, qty: int = 1) -> None:
        """A code with a whole quantity; a weighed item asks for its quantity (K-8)."""
        if self.drawer_blocks():
            return
        try:
            # Sold at today's price, so it needs one in the store's currency; a
            # refund against a receipt pays back the receipt's own price instead.
            against_receipt = self.refund_mode and self.refund_receipt is not None
            item = catalog.find_item(
                self.app.db, code, self.app.store.id, priced=not against_receipt
            )
            basket.check_qty(qty)
        except catalog.UnknownCode:
            # C-9: say what to do next: the code may be mistyped, or the item is found by name.
            self.notice(
                _("No item with SKU or barcode {code}: check it, or press F2 to search.").format(
                    code=code
                ),
                error=True,
            )
            return
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        if self.measured_item(item):
            return
        self.units[item.sku] = item.unit
        if self.refund_mode and not self.refund_allows(self.lines + [LineInput(item.sku, qty)]):
            return
        if self.lines and self.lines[-1].sku == item.sku:
            last = self.lines[-1]
            self.lines[-1] = LineInput(item.sku, last.qty + qty, last.discount)
        else:
            self.lines.append(LineInput(item.sku, qty))
        if item.price is None:  # a refund against a receipt: its price shows in the basket
            self.notice(f"{item.name}  {qty}")
        else:
            self.notice(f"{item.name}  {qty} × {self.app.money(item.price)}")
        self.redraw_basket()

    def item_name(self, index: int) -> str:
        """What the cashier reads on the line (its name), not the SKU."""
        priced = self.priced[index] if index < len(self.priced) else None
        return priced.name if priced is not None else self.lines[index].sku

    def selected_index(self) -> int | None:
        if not self.lines:
            return None
        row = self.query_one("#basket", DataTable).cursor_row
        return min(max(row, 0), len(self.lines) - 1)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#basket", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def refuse_empty_basket(self) -> None:
        """C-9: F4, F8, Ctrl+D, Ctrl+T on an empty basket say why and what to do."""
        self.notice(_("The basket is empty: scan an item first."), error=True)

    def action_remove_line(self) -> None:
        index = self.selected_index()
        if index is None:
            self.refuse_empty_basket()  # F8 said nothing: a stale notice stood instead
            return
        name = self.item_name(index)
        self.lines.pop(index)
        self.notice(_("Removed {item}.").format(item=name))
        self.redraw_basket()

    def action_quantity(self) -> None:
        from tui.screens.prompt import PromptScreen

        index = self.selected_index()
        if index is None:
            self.refuse_empty_basket()
            return

        def done(value: str | None) -> None:
            if value is None:
                return
            line = self.lines[index]
            try:
                qty = self.parse_line_qty(value.strip(), line.sku)
            except KassiError as exc:
                self.notice(exc.message, error=True)
                return
            changed = [*self.lines[:index], LineInput(line.sku, qty), *self.lines[index + 1 :]]
            if self.refund_mode and not self.refund_allows(changed):
                return
            self.lines[index] = LineInput(line.sku, qty, line.discount)
            self.redraw_basket()

        self.app.push_screen(
            PromptScreen(
                _("Quantity for {item}").format(item=self.item_name(index)),
                self.shown_line_qty(self.lines[index]),
            ),
            done,
        )

    def action_search(self) -> None:
        from tui.screens.item_search import ItemSearchScreen

        def done(sku: str | None) -> None:
            if sku:
                self.add_item(sku)

        self.app.push_screen(ItemSearchScreen(), done)

    def action_customer(self) -> None:
        from tui.screens.prompt import PromptScreen

        def done(value: str | None) -> None:
            if value is None:
                return
            value = value.strip()
            if not value:
                self.customer_id = None
            else:
                from core.store import customers

                try:
                    customer = customers.get_customer(self.app.db, value)
                except KassiError as exc:
                    self.notice(exc.message, error=True)
                    return
                self.customer_id = customer.id
                self.notice(_("Customer: {name}").format(name=customer.name))
            self.redraw_basket()

        self.app.push_screen(
            PromptScreen(_("Customer id (empty: none)"), self.customer_id or ""), done
        )

    # -- paying, refunding, voiding -------------------------------------------------

    def action_pay(self) -> None:
        from tui.screens.payment import PaymentScreen

        self.take_codes()  # a code scanned just before F5 is in the basket it pays
        if not self.lines:
            self.refuse_empty_basket()
            return
        if self.drawer_blocks():
            return
        if not self.refund_mode and safe_drop.drop_required(self):  # K-2
            return
        try:
            if self.refund_mode:
                priced = refunds.preview_refund(
                    self.app.db, self.app.store.id, self.lines, self.refund_receipt
                )
                total = -sum(ln.line_total for ln in priced)
            else:
                total = basket.price_basket(
                    self.app.db, self.app.staff, self.app.store.id, self.lines, self.basket_discount
                ).total
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return
        self.paying = True
        self.app.push_screen(PaymentScreen(total, self.commit, refund=self.refund_mode), self.paid)

    def commit(self, payments) -> SaleResult:
        """Called by the payment screen: record the sale (raises KassiError on bad input)."""
        app = self.app
        if self.refund_mode:
            return refunds.record_refund(
                app.db,
                app.staff,
                app.terminal.id,
                self.lines,
                payments,
                receipt=self.refund_receipt,
                customer_id=self.customer_id,
                approver=self.refund_approver,
            )
        return sales.record_sale(
            app.db,
            app.staff,
            app.terminal.id,
            self.lines,
            payments,
            self.customer_id,
            basket_discount=self.basket_discount,
        )

    def paid(self, result: SaleResult | None) -> None:
        # Codes scanned while the dialog was open come after its outcome: into this
        # basket if it was not paid, else into the next sale (C-1).
        self.paying = False
        if result is None:
            self.notice(_("Payment cancelled; the basket is as it was."))
            self.take_codes()
            return
        sale = result.sale
        self.clear_basket()
        self.take_codes()
        text = _("Receipt {n} recorded.").format(n=sale.receipt_no)
        if result.session_auto_opened:
            text += " " + _("Session {id} was opened automatically.").format(id=result.session_id)
        over = safe_drop.limit_notice(self.app)  # K-2: the drawer passed its limit
        self.notice(text + ("\n" + over if over else ""), error=over is not None)
        self.refresh_status()
        self.app.hardware.after_sale(sale)

    def clear_basket(self) -> None:
        self.lines = []
        self.customer_id = None
        self.refund_mode = False
        self.refund_receipt = None
        self.refund_approver = None
        self.basket_discount = None
        self.redraw_basket()

    def action_void(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        if not self.lines and not self.refund_mode:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.clear_basket()
                self.notice(_("Basket voided."))

        self.app.push_screen(ConfirmScreen(_("Void the basket?")), done)

    def action_refund(self) -> None:
        """F6 (C-3): the receipt is checked as it is entered; what the cashier may not do
        alone (a refund, a refund without a receipt) asks for an override at once."""
        from tui.screens.pin_prompt import with_permission
        from tui.screens.refund_prompt import NO_RECEIPT, RefundPromptScreen

        if self.lines and not self.refund_mode:
            self.notice(_("Finish or void the sale first."), error=True)
            return

        def no_receipt(approver) -> None:
            if self.refund_receipt is not None or not self.refund_mode:
                self.lines = []  # a refund without a receipt already under way keeps its lines
            self.refund_receipt = None
            self.refund_approver = approver or self.refund_approver
            self.refund_mode = True
            self.notice(_("Refund without a receipt: scan what comes back, then F5."))
            self.redraw_basket()

        def chosen(result) -> None:
            if result is None:
                return
            if result == NO_RECEIPT:
                approver = self.refund_approver
                if approver is not None and approver.can("refund.no_receipt"):
                    no_receipt(approver)
                else:
                    with_permission(
                        self, "refund.no_receipt", _("Refund without a receipt"), no_receipt
                    )
                return
            self.refund_receipt = (result.ref.terminal_id, result.ref.number)
            self.lines = result.lines()
            self.refund_mode = True
            self.notice(
                _("Refund of {ref}: remove what is not returned (F8), then F5.").format(
                    ref=result.ref
                )
            )
            self.redraw_basket()

        def allowed(approver) -> None:
            self.refund_approver = approver
            self.app.push_screen(RefundPromptScreen(), chosen)

        with_permission(self, "refund", _("Refund"), allowed)

    # -- elsewhere ------------------------------------------------------------------

    def action_terminal(self) -> None:
        from tui.screens.terminal import TerminalScreen

        self.app.push_screen(TerminalScreen())

    def action_lock(self) -> None:
        self.app.lock()

    def action_reports(self) -> None:
        try:
            from tui.screens.reports import ReportsScreen
        except ImportError:
            self.notice(_("Reports are not available here."), error=True)
            return
        self.app.push_screen(ReportsScreen())

    def action_safe_drop(self) -> None:
        safe_drop.open_drop(self)

    def action_reprint(self) -> None:
        self.app.hardware.reprint_last()
