"""The sale screen's refund checks and discounts (SPEC C-3, C-5), as a mixin of SaleScreen.

Core prices every row (core.tills.basket.price_basket / refunds.refund_rows) and checks every
permission and limit; this only asks, shows and keeps what was given.
"""

from __future__ import annotations

from attrs import evolve

from core.errors import KassiError, PermissionDenied
from core.text.i18n import _
from core.tills.basket import LineInput, price_basket
from core.tills.discounts import PERCENT
from core.tills.refunds import refund_rows
from tui.widgets.safe import shown


class SaleDiscounts:
    """Needs the SaleScreen's lines, refund state, notice() and redraw_basket()."""

    def refund_allows(self, lines: list[LineInput]) -> bool:
        """A refund basket may not ask for more than the receipt has left (C-3): refused
        now, with the number still refundable, not at pay."""
        try:
            refund_rows(self.app.db, self.app.store.id, lines, self.refund_receipt)
        except KassiError as exc:
            self.notice(exc.message, error=True)
            return False
        return True

    # -- discounts (C-5) ------------------------------------------------------------

    def price_rows(self) -> list:
        """The basket's rows as they will be paid (core prices them; positive amounts)."""
        self.basket_off = 0
        db, store_id = self.app.db, self.app.store.id
        if self.refund_mode:
            rows = refund_rows(db, store_id, self.lines, self.refund_receipt)
            return [
                evolve(r, qty=-r.qty, discount=-r.discount, line_total=-r.line_total) for r in rows
            ]
        basket = price_basket(db, None, store_id, self.lines, self.basket_discount)
        self.basket_off = basket.basket_discount
        return basket.lines

    def row_label(self, line) -> str:
        index = line.line_no - 1
        given = self.lines[index].discount if index < len(self.lines) else None
        if given is None or self.refund_mode:
            return shown(line.name)[:32]
        tag = " −" + given.label(self.app.store.currency, self.app.locale)
        return shown(line.name)[: 32 - len(tag)] + tag

    def discount_parts(self) -> list[str]:
        if not self.basket_discount or self.refund_mode:
            return []
        amount = self.app.money(self.basket_off)
        if self.basket_discount.kind != PERCENT:  # "−5,00 (5,00)" would say it twice
            return [_("Basket −{amount}").format(amount=amount)]
        label = self.basket_discount.label(self.app.store.currency, self.app.locale)
        return [_("Basket −{amount} ({label})").format(amount=amount, label=label)]

    def action_discount_line(self) -> None:
        index = self.selected_index()
        if index is None:
            self.refuse_empty_basket()
            return
        name = self.priced[index].name if index < len(self.priced) else self.lines[index].sku
        self.ask_discount(
            _("Discount on line {n}: {item}").format(n=index + 1, item=shown(name)), index
        )

    def action_discount_basket(self) -> None:
        if not self.lines:
            self.refuse_empty_basket()
            return
        self.ask_discount(_("Discount on the whole basket"), None)

    def ask_discount(self, title: str, index: int | None) -> None:
        """Ctrl+D (line) / Ctrl+T (basket): the dialog, then core's permission and limit
        check at once; over the limit, the override prompt for someone whose limit covers it."""
        from tui.screens.discount import REMOVE, DiscountScreen
        from tui.screens.pin_prompt import OverrideScreen

        if self.refund_mode:
            self.notice(_("A refund pays back what was paid; no discount here."), error=True)
            return

        def basket_with(discount):
            lines = list(self.lines)
            basket = self.basket_discount
            if index is None:
                basket = discount
            else:
                line = lines[index]
                lines[index] = LineInput(line.sku, line.qty, discount)
            return lines, basket

        def apply(discount) -> None:
            self.lines, self.basket_discount = basket_with(discount)
            label = discount.label(self.app.store.currency, self.app.locale)
            given = f"{label} ({_(discount.reason)})"  # "Discount given: Discount 10 %" no more
            self.notice(_("Discount given: {label}.").format(label=given))
            self.redraw_basket()

        def check(discount) -> None:
            lines, basket = basket_with(discount)
            price_basket(self.app.db, self.app.staff, self.app.store.id, lines, basket)

        def done(discount) -> None:
            if discount is None:
                return
            if discount == REMOVE:
                self.lines, self.basket_discount = basket_with(None)
                self.notice(_("Discount removed."))
                self.redraw_basket()
                return
            try:
                check(discount)
            except PermissionDenied as exc:
                self.notice(exc.message, error=True)

                def approved(approver) -> None:
                    if approver is not None:
                        apply(evolve(discount, approver=approver))

                label = _("{discount} for {name}").format(
                    discount=self.describe(discount), name=shown(self.app.staff.name)
                )
                self.app.push_screen(
                    OverrideScreen(
                        "discount",
                        label,
                        check=lambda approver: check(evolve(discount, approver=approver)),
                    ),
                    approved,
                )
                return
            except KassiError as exc:
                self.notice(exc.message, error=True)
                return
            apply(discount)

        self.app.push_screen(DiscountScreen(title), done)

    def describe(self, discount) -> str:
        label = discount.label(self.app.store.currency, self.app.locale)
        return f"{_('Discount')} {label} ({_(discount.reason)})"
