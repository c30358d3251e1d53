"""The sale screen's weighed and measured goods (SPEC K-8), as a mixin of SaleScreen.

A scale label (GS1 in-store EAN-13, prefix 2x) adds its item with the weight it
carries, or the quantity its price buys; a weighed item scanned or typed without one
asks for it ("0,512" or "0.512"); ``0,512*SKU`` gives it at once. Core reads the
labels, parses the quantity and prices the line; this only asks and shows.
"""

from __future__ import annotations

from core.catalog import items as catalog
from core.catalog import units as item_units
from core.errors import KassiError
from core.money import quantity
from core.store.records import Item
from core.text.i18n import _
from core.tills import basket
from core.tills.basket import LineInput


class SaleWeighed:
    """Needs the SaleScreen's lines, refund state, notice(), redraw_basket(),
    drawer_blocks(), refund_allows() and take_codes()."""

    weighing: Item | None = None  # the item whose quantity the prompt is asking for

    def add_code(self, code: str, qty_text: str | None = None) -> None:
        """A scanned or typed code, with the quantity typed before it (``3*``, ``0,512*``)."""
        if self.drawer_blocks():
            return
        against_receipt = self.refund_mode and self.refund_receipt is not None
        app = self.app
        try:
            scan = item_units.read_scan(app.db, code, app.store, priced=not against_receipt)
            if scan is not None and qty_text is not None:
                raise KassiError(
                    _("Scale label {code} carries its own quantity; give none.").format(code=code)
                )
        except KassiError as exc:
            self.notice(exc.message, error=True)  # a misread label: one line, nothing added
            return
        if scan is not None:
            self.add_weighed(scan.item, scan.qty)
            return
        if qty_text is not None:
            try:  # "0,512*SKU", "3*SKU": the item's unit says what the quantity means
                item = catalog.find_item(app.db, code, app.store.id, priced=not against_receipt)
                if not quantity.is_measured(item.unit) and qty_text.isdigit():
                    self.add_item(code, int(qty_text))  # pieces, as they always were
                    return
                qty = quantity.parse_quantity(qty_text, item.unit, app.locale)
            except catalog.UnknownCode:
                self.add_item(code)  # says it the one way unknown codes are said
                return
            except KassiError as exc:
                self.notice(exc.message, error=True)
                return
            self.add_weighed(item, qty)
            return
        self.add_item(code)

    def measured_item(self, item: Item) -> bool:
        """True when ``item`` is weighed: its quantity is then asked for, not assumed."""
        if not quantity.is_measured(item.unit):
            return False
        self.ask_quantity(item)
        return True

    def ask_quantity(self, item: Item) -> None:
        from tui.screens.prompt import PromptScreen

        self.weighing = item  # codes scanned meanwhile wait for the answer, in order (C-1)
        example = quantity.format_quantity(
            250000 if item.unit == "g" else 512, item.unit, self.app.locale
        )

        def done(value: str | None) -> None:
            self.weighing = None
            if value is None:
                self.notice(_("{item} was not added.").format(item=item.name))
            else:
                try:
                    qty = quantity.parse_quantity(value, item.unit, self.app.locale)
                except KassiError as exc:
                    self.notice(exc.message, error=True)
                else:
                    self.add_weighed(item, qty)
            self.take_codes()

        self.app.push_screen(
            PromptScreen(
                _("Quantity of {item} in {unit}, e.g. {example}").format(
                    item=item.name, unit=item.unit, example=example
                )
            ),
            done,
        )

    def add_weighed(self, item: Item, qty: int) -> None:
        """One line per weighing: two labels of one cheese are two lines, each its price."""
        line = LineInput(item.sku, qty)
        if self.refund_mode and not self.refund_allows([*self.lines, line]):
            return
        self.lines.append(line)
        self.units[item.sku] = item.unit
        amount = quantity.shown(qty, item.unit, self.app.locale)
        if item.price is None:  # a refund against a receipt: its price shows in the basket
            self.notice(f"{item.name}  {amount}")
        else:
            price = quantity.per_unit(item.price, item.currency, self.app.locale, item.unit)
            self.notice(f"{item.name}  {amount} × {price}")
        self.redraw_basket()

    def unit_of(self, sku: str) -> str:
        unit = self.units.get(sku)
        if unit is None:  # a parked basket or a refund's lines: ask the catalog once
            try:
                unit = catalog.get_item(self.app.db, sku).unit
            except KassiError:
                unit = quantity.PIECES
            self.units[sku] = unit
        return unit

    def qty_cell(self, ln, sign: int) -> str:
        return quantity.format_quantity(ln.qty * sign, ln.unit, self.app.locale)

    def price_cell(self, ln) -> str:
        price = self.app.money(ln.unit_price)
        return f"{price}/{ln.unit}" if quantity.is_measured(ln.unit) else price

    def parse_line_qty(self, text: str, sku: str) -> int:
        """F4's answer for a line: pieces as before, a measured line in its unit."""
        unit = self.unit_of(sku)
        if quantity.is_measured(unit):
            return quantity.parse_quantity(text, unit, self.app.locale)
        qty = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0
        basket.check_qty(qty)  # 0: refused, with the one message for pieces
        return qty

    def shown_line_qty(self, line: LineInput) -> str:
        return quantity.format_quantity(line.qty, self.unit_of(line.sku), self.app.locale)
